"""Diff-aware filtering against real git repositories in temporary directories."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor import diffscope
from auditor.model import Finding, FixSafety, Location, Severity
from auditor.pipeline import scan

GIT = ("git", "-c", "user.name=pgready tests", "-c", "user.email=tests@pgready.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main")


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text)


def lines(n: int, tag: str = "line") -> str:
    return "".join(f"{tag} {i}\n" for i in range(1, n + 1))


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, "a.txt", lines(10))
    write(root, "sub/b.txt", lines(5))
    write(root, "gone.txt", lines(3))
    write(root, "dir with space/c d.txt", lines(2))
    commit(root, "one")
    return root


def test_working_tree_staged_deleted_and_untracked_changes(repo: Path):
    text = lines(10).replace("line 3\n", "line three\n").replace("line 7\n", "line 7\nnew a\nnew b\n")
    write(repo, "a.txt", text.replace("line 9\n", ""))  # 9 deleted: marks nothing
    write(repo, "sub/b.txt", lines(5) + "added\n")
    git(repo, "add", "sub/b.txt")  # staged edits count too
    (repo / "gone.txt").unlink()
    write(repo, "dir with space/c d.txt", "changed\nline 2\n")
    write(repo, "new/untracked.js", "one\ntwo\nthree")  # no final newline: still 3 lines
    write(repo, ".gitignore", "ignored.js\n")
    write(repo, "ignored.js", "x\n")
    changed = diffscope.changed_lines(repo, "HEAD")
    assert changed == {"a.txt": {3, 8, 9}, "sub/b.txt": {6}, "dir with space/c d.txt": {1},
                       "new/untracked.js": {1, 2, 3}, ".gitignore": {1}}


def test_against_an_older_revision_includes_committed_changes(repo: Path):
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "a.txt", lines(10).replace("line 1\n", "LINE 1\n"))
    commit(repo, "two")
    write(repo, "a.txt", lines(10).replace("line 1\n", "LINE 1\n").replace("line 10\n", "LINE 10\n"))
    assert diffscope.changed_lines(repo, "HEAD") == {"a.txt": {10}}
    assert diffscope.changed_lines(repo, first) == {"a.txt": {1, 10}}
    assert diffscope.changed_lines(repo, "HEAD~1") == {"a.txt": {1, 10}}


def test_paths_are_relative_to_a_root_below_the_repository(repo: Path):
    write(repo, "sub/b.txt", lines(5).replace("line 2\n", "two\n"))
    write(repo, "sub/inner/new.txt", "x\n")
    write(repo, "a.txt", "outside the root\n")
    assert diffscope.changed_lines(repo / "sub", "HEAD") == {"b.txt": {2}, "inner/new.txt": {1}}


def test_no_changes_is_an_empty_map(repo: Path):
    assert diffscope.changed_lines(repo, "HEAD") == {}


@pytest.mark.parametrize("rev, reason", [
    ("no-such-branch", "unknown revision 'no-such-branch'"),
    ("HEAD~5", "unknown revision 'HEAD~5'"),
    ("--output=/tmp/x", "invalid revision"),
    ("", "invalid revision"),
])
def test_unknown_revisions_are_one_line_errors(repo: Path, rev, reason):
    with pytest.raises(ValueError) as info:
        diffscope.changed_lines(repo, rev)
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_not_a_git_repository(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ValueError, match="not inside a git work tree"):
        diffscope.changed_lines(plain, "HEAD")


def test_parse_diff_unquotes_unusual_paths():
    text = ('diff --git "a/q\\"x.js" "b/q\\"x.js"\n--- "a/q\\"x.js"\n+++ "b/q\\"x.js"\n@@ -1 +1,2 @@\n'
            "-a\n+b\n+c\n+++ b/plain.js\n@@ -0,0 +1 @@\n+x\n")
    assert diffscope.parse_diff(text) == {'q"x.js': {1, 2}, "plain.js": {1}}


def finding(fid, line, end_line=None, anchor=0, path="app.js"):
    return Finding(id=fid, rule_id="SYN003", slug="limit-offset-comma", severity=Severity.ERROR,
                   fix_safety=FixSafety.SAFE, category="syntax",
                   location=Location(path, line, 1, end_line or line, 9), message="m", evidence="e",
                   suggestion="s", confidence="high", anchor_line=anchor or line)


def test_keep_uses_line_span_and_anchor():
    items = [finding("on-line", 5), finding("span", 3, end_line=6), finding("anchor", 20, anchor=5),
             finding("elsewhere", 9), finding("other-file", 5, path="b.js"), finding("unchanged", 1, end_line=2)]
    kept = diffscope.keep(items, {"app.js": {5}})
    assert [f.id for f in kept] == ["on-line", "span", "anchor"]
    assert diffscope.keep(items, {}) == []


APP = """\
const pool = require("./db");

async function list() {
  return pool.query("SELECT id FROM users ORDER BY id LIMIT 20, 10");
}

module.exports = { list };
"""


def test_on_a_scripted_history_only_the_new_finding_is_kept(tmp_path: Path):
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "package.json", '{"name": "shop", "dependencies": {"mysql2": "^3.0.0"}}\n')
    write(repo, "src/app.js", APP)
    commit(repo, "list")
    # Lines inserted above the old query move it: it is not on a changed line, so it stays quiet.
    added = ("// header\n\nasync function touch(id) {\n  return pool.query(`\n    INSERT INTO visits (id, n)\n"
             "    VALUES (?, 1)\n    ON DUPLICATE KEY UPDATE n = n + 1`, [id]);\n}\n")
    write(repo, "src/app.js", APP.replace("async function list", added + "\nasync function list"))
    inventory = scan(repo)
    moved = [f for f in inventory.findings if f.rule_id == "SYN003"]
    assert moved and moved[0].location.line == 4 + 9
    changed = diffscope.changed_lines(repo, "HEAD")
    kept = diffscope.keep(inventory.findings, changed)
    assert "DML001" in {f.rule_id for f in kept} and {f.function for f in kept} == {"touch"}  # (and its `?`)
    commit(repo, "touch")
    assert diffscope.keep(scan(repo).findings, diffscope.changed_lines(repo, "HEAD")) == []
    since_list = diffscope.keep(scan(repo).findings, diffscope.changed_lines(repo, "HEAD~1"))
    assert [f.id for f in since_list] == [f.id for f in kept]
