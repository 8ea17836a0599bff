"""The cache: a re-scan reuses earlier work, and never returns what a fresh scan would not.

Each test compares a cached scan with a scan that uses no cache at all (the JSON report, byte for
byte), after the change a user makes: nothing, an edited file, a new import target, a tsconfig
alias, the package.json beside a lockfile, a new pgready.
"""
from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from auditor import cache as cache_mod
from auditor import fileparse
from auditor.cache import Cache
from auditor.cli import main
from auditor.pipeline import scan
from auditor.report.json import render

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def as_json(inventory) -> str:
    out = io.StringIO()
    render(inventory, out)
    return out.getvalue()


def cached_scan(root: Path, where: Path, files=None, jobs: int = 1):
    """(JSON report, hits by namespace) of a scan with a fresh handle on the cache in `where`."""
    handle = Cache(where, cache_mod.load_catalogue(None))
    seen: dict[str, int] = {}
    original = handle.get

    def get(ns, k):
        value = original(ns, k)
        if value is not None:
            seen[ns] = seen.get(ns, 0) + 1
        return value

    handle.get = get
    try:
        return as_json(scan(root, files, cache=handle, jobs=jobs)), seen
    finally:
        handle.close()


def fresh(root: Path, files=None) -> str:
    return as_json(scan(root, files))


@pytest.fixture()
def app(tmp_path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "slimy-admin-api", root)
    return root


def test_warm_rescan_of_an_unchanged_project_reuses_the_whole_result(app, tmp_path):
    store = tmp_path / "cache"
    cold, cold_hits = cached_scan(app, store)
    warm, warm_hits = cached_scan(app, store)
    assert cold == warm == fresh(app)
    assert cold_hits == {}
    assert warm_hits == {"result": 1}  # nothing parsed, classified or rewritten again


def test_an_edited_file_is_analysed_again_and_the_rest_is_reused(app, tmp_path):
    store = tmp_path / "cache"
    before, _ = cached_scan(app, store)
    users = app / "routes" / "users.js"
    users.write_text(users.read_text(encoding="utf-8") +
                     "\nexport const ranked = (db) => db.query('SELECT name FROM users ORDER BY RAND() LIMIT 3');\n",
                     encoding="utf-8")
    after, hits = cached_scan(app, store)
    assert after == fresh(app) != before
    assert "ORDER BY RAND()" in after
    assert "facts" in hits  # the stored result was refused: the scan ran again, reusing per-file work
    assert hits["facts"] >= 10 and hits.get("analysis", 0) > 10, hits  # other files and SQL texts reused


def test_a_changed_module_read_for_context_invalidates_a_hook_run(tmp_path):
    """pre-commit passes one file; the wrapper it imports decides what is a query."""
    root = tmp_path / "repo"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "db.js").write_text("const mysql = require('mysql2');\nconst pool = mysql.createPool({});\n"
                                        "module.exports = { run: (sql) => pool.query(sql) };\n", encoding="utf-8")
    staged = root / "users.js"
    staged.write_text("const db = require('./lib/db');\n"
                      "exports.page = () => db.run('SELECT * FROM users LIMIT 10, 20');\n", encoding="utf-8")
    store = tmp_path / "cache"
    with_wrapper, _ = cached_scan(root, store, [staged])
    assert "SYN003" in with_wrapper
    (root / "lib" / "db.js").write_text("module.exports = { run: (text) => console.log(text) };\n", encoding="utf-8")
    without, hits = cached_scan(root, store, [staged])
    assert "facts" in hits  # the stored result was refused: the scan ran again, reusing per-file work
    assert without == fresh(root, [staged]) != with_wrapper


def test_a_new_tsconfig_alias_invalidates_the_result(tmp_path):
    root = tmp_path / "repo"
    (root / "src" / "lib").mkdir(parents=True)
    (root / "src" / "lib" / "db.ts").write_text(
        "import mysql from 'mysql2/promise';\nconst pool = mysql.createPool({});\n"
        "export const q = (sql: string) => pool.query(sql);\n", encoding="utf-8")
    (root / "src" / "page.ts").write_text(
        "import { q } from '@/lib/db';\nexport const load = () => q('SELECT * FROM t LIMIT 1, 2');\n", encoding="utf-8")
    store = tmp_path / "cache"
    unaliased, _ = cached_scan(root, store)
    (root / "tsconfig.json").write_text('{"compilerOptions": {"paths": {"@/*": ["src/*"]}}}', encoding="utf-8")
    aliased, hits = cached_scan(root, store)
    assert "facts" in hits  # the stored result was refused: the scan ran again, reusing per-file work
    assert aliased == fresh(root) != unaliased


def test_a_lockfile_is_read_again_when_the_package_json_beside_it_changes(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "package.json").write_text('{"dependencies": {"mysql2": "^3.0.0"}}', encoding="utf-8")
    lock = {"name": "x", "lockfileVersion": 3, "packages": {"": {"dependencies": {"mysql2": "^3.0.0"}},
                                                            "node_modules/mysql2": {"version": "3.9.7"}}}
    import json

    (root / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    store = tmp_path / "cache"
    before, _ = cached_scan(root, store)
    (root / "package.json").write_text('{"dependencies": {"pg": "^8.0.0"}}', encoding="utf-8")
    after, _ = cached_scan(root, store)
    assert after == fresh(root) != before


def test_a_new_pgready_never_reads_old_entries(app, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    cached_scan(app, store)
    monkeypatch.setattr(cache_mod, "_FINGERPRINT", "another version of pgready")
    _, hits = cached_scan(app, store)
    assert hits == {}


def test_a_corrupt_cache_file_is_ignored(app, tmp_path, capsys):
    store = tmp_path / "cache"
    store.mkdir()
    (store / cache_mod.FILE_NAME).write_bytes(b"this is not a database" * 100)
    report, hits = cached_scan(app, store)
    assert report == fresh(app) and hits == {}
    assert "cache disabled" in capsys.readouterr().err


def test_corrupt_entries_are_misses(app, tmp_path):
    store = tmp_path / "cache"
    cached_scan(app, store)
    with sqlite3.connect(store / cache_mod.FILE_NAME) as db:
        db.execute("UPDATE entry SET value = x'80055d'")  # a truncated pickle in every entry
    report, hits = cached_scan(app, store)
    assert report == fresh(app) and hits == {}


def test_parallel_workers_give_the_same_inventory(app, tmp_path, monkeypatch):
    monkeypatch.setattr(fileparse, "POOL_MIN_FILES", 2)
    parallel, _ = cached_scan(app, tmp_path / "cache", jobs=2)
    assert parallel == fresh(app)
    again, hits = cached_scan(app, tmp_path / "other-cache", jobs=3)
    assert again == parallel and "facts" not in hits


def test_cli_no_cache_writes_nothing_and_cache_dir_is_used(app, tmp_path, capsys):
    unused, used = tmp_path / "unused", tmp_path / "used"
    out = tmp_path / "a.json"
    assert main(["scan", str(app), "--format", "json", "-o", str(out), "--no-cache", "--cache-dir", str(unused),
                 "--fail-on", "never"]) == 0
    assert not unused.exists()
    assert main(["scan", str(app), "--format", "json", "-o", str(tmp_path / "b.json"), "--cache-dir", str(used),
                 "--jobs", "2", "--fail-on", "never"]) == 0
    assert (used / cache_mod.FILE_NAME).is_file() and (used / "CACHEDIR.TAG").is_file()
    assert (used / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert out.read_bytes() == (tmp_path / "b.json").read_bytes()


def test_cli_cache_dir_and_jobs_from_the_configuration(app, tmp_path):
    (app / ".pgready.toml").write_text('cache-dir = ".scan-cache"\njobs = 2\n', encoding="utf-8")
    assert main(["scan", str(app), "--format", "json", "-o", str(tmp_path / "c.json"), "--fail-on", "never"]) == 0
    assert (app / ".scan-cache" / cache_mod.FILE_NAME).is_file()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_cli_rejects_a_bad_jobs_value_in_one_line(value, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["scan", ".", "--jobs", value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected a whole number of processes, at least 1" in err


def test_an_unwritable_cache_folder_costs_a_warning_not_the_scan(app, tmp_path, capsys):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    out = tmp_path / "d.json"
    assert main(["scan", str(app), "--format", "json", "-o", str(out), "--cache-dir", str(blocker / "sub"),
                 "--fail-on", "never"]) == 0
    assert "pgready: warning: cache disabled" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == fresh(app)


def test_cache_command_shows_the_entries_and_clears_them(app, tmp_path, capsys):
    store = tmp_path / "cache"
    (app / ".pgready.toml").write_text(f'cache-dir = "{store}"\n', encoding="utf-8")
    assert main(["cache", str(app)]) == 0
    assert capsys.readouterr().out.startswith("no cache at ")
    assert main(["scan", str(app), "--format", "json", "-o", str(tmp_path / "e.json"), "--fail-on", "never"]) == 0
    capsys.readouterr()
    assert main(["cache", str(app)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"{store / cache_mod.FILE_NAME}: ")
    for kind in ("analysis", "catalogue", "facts", "result", "rewrite"):
        assert f"\n  {kind}: " in shown
    assert main(["cache", str(app), "--clear"]) == 0
    assert "cleared" in capsys.readouterr().err
    assert not list(store.glob(cache_mod.FILE_NAME + "*"))


def test_the_root_as_given_is_part_of_a_stored_result(app, tmp_path, monkeypatch):
    """`scan .` and `scan /abs/app` record different roots; neither may return the other's."""
    store = tmp_path / "cache"
    monkeypatch.chdir(app)
    relative, _ = cached_scan(Path("."), store)
    absolute, hits = cached_scan(app, store)
    assert '"root": "."' in relative and f'"root": "{app}"' in absolute
    assert absolute == fresh(app) and hits.get("result") is None


def test_entries_of_another_pgready_are_dropped_once_a_week_old(app, tmp_path, monkeypatch):
    """Old versions' entries can never be read again; a version still in use elsewhere (another
    virtualenv sharing the folder) keeps what it wrote recently."""
    store = tmp_path / "cache"
    monkeypatch.setattr(cache_mod, "_FINGERPRINT", "pgready of last month")
    cached_scan(app, store)
    with sqlite3.connect(store / cache_mod.FILE_NAME) as db:
        old = db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]
        db.execute("UPDATE entry SET day = day - ? WHERE ns = 'facts'", (cache_mod.STALE_DAYS + 1,))
    monkeypatch.setattr(cache_mod, "_FINGERPRINT", "pgready of today")
    cached_scan(app, store)
    with sqlite3.connect(store / cache_mod.FILE_NAME) as db:
        codes = dict(db.execute("SELECT code, COUNT(*) FROM entry GROUP BY code").fetchall())
        stale_facts = db.execute("SELECT COUNT(*) FROM entry WHERE code = 'pgready of last month' "
                                 "AND ns = 'facts'").fetchone()[0]
    assert stale_facts == 0  # written more than a week ago by another version: gone
    assert 0 < codes["pgready of last month"] < old  # its recent entries (not facts) stay
    assert codes["pgready of today"] > 0
    monkeypatch.setattr(cache_mod, "_FINGERPRINT", "pgready of last month")
    report, hits = cached_scan(app, store)  # the older version still reuses what is left of it
    assert report == fresh(app) and "result" in hits


def test_a_cache_file_of_an_older_layout_is_emptied_not_an_error(app, tmp_path, capsys):
    store = tmp_path / "cache"
    store.mkdir()
    with sqlite3.connect(store / cache_mod.FILE_NAME) as db:  # the first layout: no code, no day
        db.execute("CREATE TABLE entry (ns TEXT, key TEXT, value BLOB, PRIMARY KEY (ns, key))")
        db.execute("INSERT INTO entry VALUES ('facts', 'k', x'00')")
    report, hits = cached_scan(app, store)
    assert report == fresh(app) and hits == {}
    assert "warning" not in capsys.readouterr().err
    report, hits = cached_scan(app, store)
    assert report == fresh(app) and "result" in hits
