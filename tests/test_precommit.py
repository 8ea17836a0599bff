"""The pre-commit hook, run by the real `pre-commit` against a temporary git repository.

`pre-commit try-repo` installs pgready from this checkout into its own virtualenv (from PyPI, so it
needs the network and takes a while the first time; pip's cache makes the second run quicker).
try-repo only sees committed and tracked-modified files, so the test first copies this checkout's
working tree (tracked plus untracked, not ignored) into a scratch repository and commits it there:
what is tested is the code on disk, including a not yet committed `.pre-commit-hooks.yaml`, and
this checkout's own git state is never touched.

Without the `pre-commit` package (test extra) the tests fail in CI (env CI) and skip elsewhere.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # seconds: the first run builds a virtualenv and downloads pgready's dependencies
GIT = ["git", "-c", "user.name=pgready tests", "-c", "user.email=tests@pgready.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"]

MYSQL_ONLY = """\
const mysql = require('mysql2/promise');
const pool = mysql.createPool({ host: 'localhost' });

async function page(offset) {
  const [rows] = await pool.query('SELECT `id`, `name` FROM `users` ORDER BY `id` LIMIT 5, 10');
  return rows;
}

module.exports = { page };
"""
APP = """\
const { Pool } = require('pg');
const pool = new Pool();

async function user(id) {
  const { rows } = await pool.query('SELECT id, name FROM users WHERE id = $1', [id]);
  return rows[0];
}

module.exports = { user };
"""
CLEAN_CHANGE = """
async function users(limit, offset) {
  const { rows } = await pool.query('SELECT id, name FROM users ORDER BY id LIMIT $1 OFFSET $2', [limit, offset]);
  return rows;
}

module.exports.users = users;
"""


def _require_tools() -> None:
    missing = [name for name, ok in (("the pre-commit package", importlib.util.find_spec("pre_commit")),
                                     ("git", shutil.which("git"))) if not ok]
    if missing:
        reason = f"{' and '.join(missing)} not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the pre-commit hook test")
        pytest.skip(reason)


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}"
    return proc.stdout


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    """(environment, snapshot repository of this checkout) shared by the tests of this module."""
    _require_tools()
    tmp = tmp_path_factory.mktemp("precommit")
    snapshot = tmp / "pgready"
    snapshot.mkdir()
    if (REPO / ".git").exists():
        listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    else:  # an unpacked source tree: copy what a checkout would hold
        listed = [p.relative_to(REPO).as_posix() for p in REPO.rglob("*") if p.is_file()
                  and not {".git", "__pycache__", ".pytest_cache", ".hypothesis"} & set(p.parts)]
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file() and not source.is_symlink():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / rel)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file(), "the repository has no .pre-commit-hooks.yaml"
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot of the working tree")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), PRE_COMMIT_COLOR="never", NO_COLOR="1",
               TERM="dumb", COLUMNS="120")
    return env, snapshot


@pytest.fixture
def project(tmp_path):
    """A small JavaScript project in a fresh git repository, one clean file committed."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "app.js").write_text(APP, encoding="utf-8")
    _git(tmp_path, "add", "app.js")
    _git(tmp_path, "commit", "-q", "-m", "app")
    return tmp_path


def _try_repo(env: dict, snapshot: Path, cwd: Path, *files: str) -> tuple[int, str, float]:
    """Run the hook as a user trying it would: `pre-commit try-repo REPO pgready --files ...`."""
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(snapshot), "pgready", "--color", "never",
           "--files", *files]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    elapsed = time.perf_counter() - start
    print(f"\npre-commit try-repo {' '.join(files)}: exit {proc.returncode} in {elapsed:.1f} s")
    return proc.returncode, proc.stdout + proc.stderr, elapsed


def test_staged_mysql_only_construct_blocks_the_commit(hook_env, project):
    env, snapshot = hook_env
    (project / "db.js").write_text(MYSQL_ONLY, encoding="utf-8")
    _git(project, "add", "db.js")
    code, output, _ = _try_repo(env, snapshot, project, "db.js")
    assert code != 0, output
    assert re.search(r"^pgready \(MySQL constructs.*Failed$", output, re.M), output
    assert "db.js" in output, output
    assert re.search(r"\b5:\d+\s+ERROR\s+SYN003\b", output), output  # LIMIT 5, 10 on line 5
    assert re.search(r"\b5:\d+\s+ERROR\s+SYN001\b", output), output  # the backticks
    assert "LIMIT count OFFSET offset" in output, output  # readable: says what PostgreSQL wants
    assert "Traceback" not in output, output


def test_clean_change_passes(hook_env, project):
    env, snapshot = hook_env
    with open(project / "app.js", "a", encoding="utf-8") as fh:
        fh.write(CLEAN_CHANGE)
    _git(project, "add", "app.js")
    code, output, _ = _try_repo(env, snapshot, project, "app.js")
    assert code == 0, output
    assert re.search(r"^pgready \(MySQL constructs.*Passed$", output, re.M), output


def test_manifest_selects_the_languages_pgready_reads():
    """types_or names identify's tags for every extension pgready reads that identify knows."""
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("pgready", "pgready scan", "python")
    assert hook["pass_filenames"] is True and hook["require_serial"] is False
    assert hook["args"] == ["--no-progress"]
    assert {"javascript", "ts", "tsx", "python", "sql"} <= set(hook["types_or"])
    identify = pytest.importorskip("identify.identify", reason="identify comes with pre-commit")
    from auditor.discover import LANGUAGES

    for ext in [*LANGUAGES, ".sql"]:
        tags = identify.tags_from_filename(f"x{ext}")
        if tags - {"text"}:  # identify knows the extension: the hook must select it
            assert tags & set(hook["types_or"]), f"{ext} ({sorted(tags)}) is not passed to the hook"
