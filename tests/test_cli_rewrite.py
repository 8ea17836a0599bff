"""`pgready rewrite`: the one-off interface a migration engineer and scripts use."""
from __future__ import annotations

import io
import json

import pglast

from auditor.cli import main


def run(capsys, monkeypatch, *argv, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["rewrite", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_gives_sql_safety_and_reasons_per_statement(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--format", "json", "--target", "node-postgres",
                       "SELECT IFNULL(`nick`, name) FROM users WHERE id = ? LIMIT 10, 5; "
                       "SELECT DATE_FORMAT(created_at, '%Y') FROM orders")
    assert code == 1  # one statement needs review
    result = json.loads(out)
    assert [r["safety"] for r in result] == ["safe", "review"]
    assert result[0]["sql"] == "SELECT COALESCE(nick, name) FROM users WHERE id = $1 LIMIT 5 OFFSET 10"
    assert result[0]["reasons"] == []
    assert any("DATE_FORMAT" in reason for reason in result[1]["reasons"])
    for r in result:
        assert set(r) >= {"sql", "safety", "reasons"}
        pglast.parse_sql(r["sql"])


def test_reads_a_script_from_standard_input_and_prints_sql_with_its_label(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, stdin="SELECT `id` FROM t # ids\n;\nSELECT CURDATE();\n")
    assert code == 0
    assert out == "SELECT id FROM t -- ids\n;\n-- safe (SYN001, SYN024)\n\nSELECT CURRENT_DATE;\n-- safe (FUN009)\n\n"


def test_file_option_and_psycopg_placeholders(capsys, monkeypatch, tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("SELECT * FROM t WHERE a = ? AND b = IFNULL(?, 0)", encoding="utf-8")
    code, out, _ = run(capsys, monkeypatch, "--file", str(script), "--target", "psycopg", "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["sql"] == "SELECT * FROM t WHERE a = %s AND b = COALESCE(%s, 0)"


def test_manual_statements_keep_their_text_and_say_why(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--format", "json", "LOAD DATA INFILE '/tmp/x.csv' INTO TABLE t")
    result = json.loads(out)[0]
    assert code == 1 and result["safety"] == "manual" and result["reasons"]
    assert result["sql"] == "LOAD DATA INFILE '/tmp/x.csv' INTO TABLE t"


def test_no_input_is_a_usage_error(capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "--file", "/nonexistent.sql")
    assert code == 2 and "no such file" in err
