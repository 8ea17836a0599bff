"""The command line as users and CI meet it: help, errors, exit codes, deterministic JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from auditor.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "slimy-admin-api"
SCHEMA = json.loads((ROOT / "auditor" / "schema" / "inventory-1.0.schema.json").read_text())


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="120")
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def test_help_explains_every_scan_option():
    top = run("--help")
    assert top.returncode == 0 and "scan" in top.stdout and "Exit codes" in top.stdout
    scan_help = run("scan", "--help").stdout
    for option in ("--format", "--output", "--fail-on", "--no-progress", "PATH"):
        assert option in scan_help
    assert "pre-commit" in scan_help and "json" in scan_help


@pytest.mark.parametrize("args, reason", [
    (("scan", "--bogus"), "unrecognized arguments: --bogus"),
    (("scan", "does/not/exist"), "no such file or directory: does/not/exist"),
    (("scan", "--format", "xml", "."), "invalid choice"),
])
def test_usage_errors_exit_2_with_one_line(args, reason):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and lines[0].startswith("pgready")
    assert result.stdout == ""


def test_json_validates_and_is_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run("scan", str(FIXTURE), "--format", "json", "-o", str(first)).returncode == 1
    assert run("scan", str(FIXTURE), "--format", "json", "-o", str(second)).returncode == 1
    assert first.read_bytes() == second.read_bytes()
    document = json.loads(first.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["summary"]["sites"] >= 60
    finding_ids = [f["id"] for f in document["findings"]]
    assert len(finding_ids) == len(set(finding_ids))


def test_json_on_stdout_has_no_progress_or_extra_text():
    result = run("scan", str(FIXTURE), "--format", "json")
    json.loads(result.stdout)
    assert result.stderr == ""


def test_output_dash_is_standard_output(tmp_path):
    result = run("scan", str(FIXTURE), "--format", "json", "-o", "-", cwd=tmp_path)
    assert result.returncode == 1 and json.loads(result.stdout)["findings"]
    assert list(tmp_path.iterdir()) == []  # no file named `-`


def test_named_files_outside_the_current_directory_are_scanned(tmp_path):
    """`pgready scan ../elsewhere/app.py` scans it (the scan's root becomes the folder holding the
    files) instead of skipping it as outside the root."""
    here, there = tmp_path / "here", tmp_path / "there" / "svc"
    here.mkdir()
    there.mkdir(parents=True)
    (there / "app.py").write_text("import pymysql\nconn = pymysql.connect()\n\ndef f(cur):\n"
                                  "    cur.execute('SELECT IFNULL(a, 0) FROM t')\n", encoding="utf-8")
    result = run("scan", str(there / "app.py"), "--format", "json", "--no-cache", cwd=here)
    document = json.loads(result.stdout)
    assert document["files"] == ["app.py"] and not document["diagnostics"]
    assert [(s["path"], s["line"]) for s in document["sites"]] == [("app.py", 5)]


def test_exit_codes_follow_fail_on(tmp_path):
    out = ["--format", "json", "-o", str(tmp_path / "o.json")]
    (tmp_path / "app.js").write_text(
        "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
        "pool.query('SELECT a, b FROM t WHERE a > 1 AND b < 2');\n"
        "pool.query(\"SELECT CONCAT(a, b) FROM t WHERE c > 1\");\n", encoding="utf-8")
    (tmp_path / "clean.js").write_text("const x = 1;\n", encoding="utf-8")
    assert main(["scan", str(tmp_path / "clean.js"), *out]) == 0
    # only a warning (FUN010): clean at the default threshold, failing at --fail-on warning
    assert main(["scan", str(tmp_path), *out]) == 0
    assert main(["scan", str(tmp_path), *out, "--fail-on", "warning"]) == 1
    (tmp_path / "bad.js").write_text(
        "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
        "pool.query('SELECT IFNULL(a, 0) FROM t');\n", encoding="utf-8")
    assert main(["scan", str(tmp_path), *out]) == 1
    assert main(["scan", str(tmp_path), *out, "--fail-on", "never"]) == 0


def test_terminal_report_groups_findings_by_file_with_code():
    result = run("scan", str(FIXTURE))
    assert result.returncode == 1
    assert "lib/database.js" in result.stdout and "SYN002" in result.stdout
    assert "pool.query" in result.stdout or "db.query" in result.stdout


def test_rules_command_lists_the_catalogue():
    result = run("rules", "--format", "json")
    rules = json.loads(result.stdout)
    assert len(rules) >= 25 and {"id", "slug", "severity"} <= set(rules[0])


def test_target_asyncpg_flags_pyformat_placeholders(tmp_path):
    call = "cur.execute('DELETE FROM t WHERE id = %s', (1,))"
    (tmp_path / "jobs.py").write_text(f"import pymysql\ncur = pymysql.connect().cursor()\n{call}\n", encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["scan", str(tmp_path), "--format", "json", "-o", str(out)]) == 0  # psycopg keeps %s
    assert main(["scan", str(tmp_path), "--format", "json", "-o", str(out), "--target", "asyncpg"]) == 1
    findings = json.loads(out.read_text())["findings"]
    assert [(f["rule_id"], f["location"]["line"], f["location"]["col"]) for f in findings] == [("SYN010", 3, call.index("%s") + 1)]
