"""Quiet about code nobody touched: suppression comments, `pgready baseline` + `scan --baseline`, and
`scan --diff REV`, through the command line on a scripted git history."""
from __future__ import annotations

import json
import subprocess
import textwrap

from auditor.cli import main

APP = textwrap.dedent("""\
    const mysql = require('mysql2/promise');
    const pool = mysql.createPool({ host: 'db' });

    // pgready: ignore[SYN002] the pool is swapped for a pg-compatible shim in routes/legacy
    const byId = (id) => pool.query('SELECT id, name FROM users WHERE id = ?', [id]);
    const page = () => pool.query('SELECT id FROM users LIMIT 5, 10'); // pgready: ignore[FUN001] nothing here
    module.exports = { byId, page };
    """)


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=dev", "-c", "user.email=dev@example.invalid", *args], cwd=root,
                   check=True, capture_output=True)


def scan_json(capsys, *argv) -> tuple[int, dict, str]:
    code = main(["scan", *argv, "--format", "json", "--no-progress"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_suppression_comments_silence_their_rule_and_unused_ones_are_reported(tmp_path, capsys):
    (tmp_path / "app.js").write_text(APP, encoding="utf-8")
    _, doc, _ = scan_json(capsys, str(tmp_path))
    rules = sorted((f["rule_id"], f["location"]["line"]) for f in doc["findings"])
    assert rules == [("SYN003", 6)]  # SYN002 on line 5 silenced by the comment above it
    assert doc["summary"]["suppressed"] == 1
    unused = [d for d in doc["diagnostics"] if d["kind"] == "unused-suppression"]
    assert [(d["path"], d["line"]) for d in unused] == [("app.js", 6)] and "FUN001" in unused[0]["message"]


def test_baseline_keeps_moved_findings_known_and_reports_new_ones(tmp_path, capsys):
    (tmp_path / "app.js").write_text(APP.replace("// pgready: ignore[SYN002] the pool is swapped for a pg-compatible "
                                                 "shim in routes/legacy\n", ""), encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    assert main(["baseline", str(tmp_path), "-o", str(tmp_path / "base.json"), "--no-progress"]) == 0
    capsys.readouterr()
    text = (tmp_path / "app.js").read_text(encoding="utf-8")
    moved = "// helpers for the admin pages\n\n" + text.replace(
        "module.exports", "const fresh = () => pool.query('SELECT IFNULL(nick, name) FROM users');\nmodule.exports")
    (tmp_path / "app.js").write_text(moved, encoding="utf-8")
    _, doc, err = scan_json(capsys, str(tmp_path), "--baseline", str(tmp_path / "base.json"))
    assert [f["rule_id"] for f in doc["findings"]] == ["FUN001"]
    assert doc["summary"]["baselined"] == 2 and "2 finding(s) known to the baseline" in err

    _, doc, _ = scan_json(capsys, str(tmp_path), "--diff", "HEAD")
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["FUN001"]  # only the changed line's finding


def test_bad_baseline_or_revision_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "app.js").write_text(APP, encoding="utf-8")
    (tmp_path / "base.json").write_text("{not json", encoding="utf-8")
    assert main(["scan", str(tmp_path), "--baseline", str(tmp_path / "base.json"), "--no-progress"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["scan", str(tmp_path), "--diff", "HEAD", "--no-progress"]) == 2  # not a git repository
    assert "git" in capsys.readouterr().err
