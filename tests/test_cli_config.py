"""[tool.pgready] / .pgready.toml through the command line: rules, fail-on, per-file ignores,
errors that name the file and key, and `pgready config` saying where each value came from."""
from __future__ import annotations

import json
import textwrap

from auditor.cli import main

APP = "const q = (db) => db.query('SELECT `id`, IFNULL(a, 0) FROM t LIMIT 5, 10');\n"


def project(tmp_path, config: str):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.js").write_text(APP, encoding="utf-8")
    (tmp_path / "legacy.js").write_text(APP, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    return tmp_path


def rules_found(capsys, *argv) -> tuple[int, list[tuple[str, str]]]:
    code = main(["scan", *argv, "--format", "json", "--no-progress"])
    doc = json.loads(capsys.readouterr().out)
    return code, sorted((f["location"]["path"], f["rule_id"]) for f in doc["findings"])


def test_pyproject_configuration_chooses_rules_fail_on_and_per_file_ignores(tmp_path, capsys):
    root = project(tmp_path, """\
        [tool.pgready]
        ignore = ["SYN001"]
        fail-on = "never"
        per-file-ignores = { "legacy.js" = ["functions"] }
        """)
    code, found = rules_found(capsys, str(root))
    assert code == 0  # fail-on = never
    assert found == [("legacy.js", "SYN003"), ("src/app.js", "FUN001"), ("src/app.js", "SYN003")]
    code, found = rules_found(capsys, str(root), "--ignore", "SYN003", "--fail-on", "error")
    assert code == 1 and ("src/app.js", "SYN003") not in found  # the command line wins


def test_unknown_key_is_one_line_naming_file_key_and_valid_keys(tmp_path, capsys):
    root = project(tmp_path, """\
        [tool.pgready]
        fail_onn = "warning"
        """)
    assert main(["scan", str(root), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "pyproject.toml" in err and "fail_onn" in err and "fail-on" in err


def test_config_command_shows_values_and_their_sources(tmp_path, capsys):
    root = project(tmp_path, """\
        [tool.pgready]
        target = "psycopg"
        """)
    (root / ".pgready.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert main(["config", str(root)]) == 0
    out = capsys.readouterr().out
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if "=" in line}
    assert '"psycopg"' in lines["target"] and "pyproject.toml" in lines["target"]
    assert '"warning"' in lines["fail-on"] and ".pgready.toml" in lines["fail-on"]
    assert "default" in lines["select"]


def test_excluded_files_are_not_scanned_but_still_read_for_context(tmp_path, capsys):
    """`exclude` skips files before the scan (no findings, no diagnostics from them), yet a wrapper
    module under an excluded folder still tells which calls of the scanned code send SQL."""
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "db.js").write_text(
        "const mysql = require('mysql2');\nconst pool = mysql.createPool({});\n"
        "module.exports = { run: (sql) => pool.query(sql) };\n"
        "pool.query('SELECT `x` FROM y LIMIT 1, 2');\n", encoding="utf-8")
    (tmp_path / "vendor" / "blob.js").write_bytes(b"\x00\x01binary")
    (tmp_path / "app.js").write_text("const db = require('./vendor/db');\n"
                                     "exports.page = () => db.run('SELECT * FROM users LIMIT 10, 20');\n",
                                     encoding="utf-8")
    (tmp_path / ".pgready.toml").write_text('exclude = ["vendor/"]\n', encoding="utf-8")
    main(["scan", str(tmp_path), "--format", "json", "--no-progress", "--fail-on", "never"])
    doc = json.loads(capsys.readouterr().out)
    assert sorted({f["location"]["path"] for f in doc["findings"]}) == ["app.js"]
    assert [f["rule_id"] for f in doc["findings"]] == ["SYN003"]  # db.run is known to send SQL
    assert doc["files"] == ["app.js"] and doc["diagnostics"] == []
