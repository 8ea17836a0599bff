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
