"""Baselines on a scripted git history: moved findings stay baselined, new ones are reported."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from auditor import baseline
from auditor.pipeline import scan

GIT = ("git", "-c", "user.name=pgready tests", "-c", "user.email=tests@pgready.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main")

USERS = """\
const pool = require("./db");

async function listUsers(page) {
  return pool.query("SELECT id, name FROM users ORDER BY id LIMIT 20, 10");
}

async function touch(id) {
  return pool.query("INSERT INTO visits (user_id, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1", [id]);
}

module.exports = { listUsers, touch };
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def keyed(findings) -> set[tuple[str, str, int]]:
    return {(f.rule_id, f.location.path, f.location.line) for f in findings}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    (repo / "src").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "package.json").write_text('{"name": "shop", "dependencies": {"mysql2": "^3.0.0"}}\n')
    (repo / "src" / "db.js").write_text('const mysql = require("mysql2/promise");\n'
                                        'module.exports = mysql.createPool({});\n')
    (repo / "src" / "users.js").write_text(USERS)
    commit(repo, "users")
    return repo


def test_moved_findings_stay_baselined_and_a_new_one_is_reported(project: Path):
    first = scan(project)
    ours = [f for f in first.findings if f.location.path == "src/users.js"]
    assert {"SYN003", "DML001"} <= {f.rule_id for f in ours}
    base = project / ".pgready-baseline.json"
    baseline.write(base, first.findings)
    commit(project, "baseline")
    known = baseline.load(base)
    assert known == frozenset(f.id for f in first.findings)

    # Lines inserted above the SQL, an unrelated edit elsewhere: every finding moves down.
    users = project / "src" / "users.js"
    header = "// Users: listing and visit counters.\n// Owned by the accounts team.\n\nconst LIMIT = 10;\n"
    users.write_text(header + USERS.replace("module.exports = { listUsers, touch };",
                                            "module.exports = { listUsers, touch, LIMIT };"))
    commit(project, "move")
    moved = scan(project)
    new, kept = baseline.split(moved.findings, known)
    assert new == []
    assert len(kept) == len(first.findings)
    assert keyed(kept) == {(r, p, line + 4 if p == "src/users.js" else line) for r, p, line in keyed(first.findings)}

    # A new MySQL-only query: the only finding reported.
    text = users.read_text().replace("module.exports", (
        "async function search(q) {\n"
        "  return pool.query(\"SELECT id FROM users WHERE name REGEXP ? OR IFNULL(nick, '') = ?\", [q, q]);\n"
        "}\n\nmodule.exports"))
    users.write_text(text)
    commit(project, "search")
    later = scan(project)
    new, kept = baseline.split(later.findings, known)
    assert new and {f.function for f in new} == {"search"}
    assert {f.location.path for f in new} == {"src/users.js"}
    assert len(kept) == len(first.findings)


def test_write_is_deterministic_and_sorted(project: Path, tmp_path: Path):
    findings = scan(project).findings
    one, two = tmp_path / "one.json", tmp_path / "deep" / "two.json"
    baseline.write(one, findings)
    baseline.write(two, tuple(reversed(findings)))
    assert one.read_bytes() == two.read_bytes()
    document = json.loads(one.read_text())
    assert document["version"] == 1 and document["tool"] == "pgready"
    assert list(document["fingerprints"]) == sorted(f.id for f in findings)
    some = findings[0]
    assert document["fingerprints"][some.id] == {"rule": some.rule_id, "path": some.location.path}
    assert one.read_bytes().endswith(b"}\n") and b"\r" not in one.read_bytes()


def test_empty_baseline_round_trips(tmp_path: Path):
    baseline.write(tmp_path / "b.json", [])
    assert baseline.load(tmp_path / "b.json") == frozenset()


@pytest.mark.parametrize("content, reason", [
    (None, "baseline not found"),
    ("{not json", "invalid JSON at line 1"),
    ("[]", "not a pgready baseline"),
    ('{"tool": "semgrep", "version": 1, "fingerprints": {}}', "not a pgready baseline"),
    ('{"tool": "pgready", "version": 2, "fingerprints": {}}', "unsupported baseline version 2"),
    ('{"tool": "pgready", "version": 1, "fingerprints": ["F-1"]}', "malformed baseline"),
    ('{"tool": "pgready", "version": 1, "fingerprints": {"F-1": 3}}', "malformed baseline"),
])
def test_bad_files_give_one_line_reasons(tmp_path: Path, content, reason):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError) as info:
        baseline.load(path)
    message = str(info.value)
    assert reason in message and str(path) in message and "\n" not in message


def test_split_keeps_order():
    class F:  # split reads only `id`
        def __init__(self, fid):
            self.id = fid
    items = [F("a"), F("b"), F("c"), F("d")]
    new, old = baseline.split(items, frozenset({"b", "d"}))
    assert [f.id for f in new] == ["a", "c"] and [f.id for f in old] == ["b", "d"]
