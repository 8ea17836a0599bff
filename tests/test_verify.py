"""`pgready verify` against the real MariaDB and PostgreSQL of this machine: the dialect traps come
out `differs`, plain SQL `equivalent`, and no scratch database is ever left behind."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dbservers import mysql_url, pg_url, require_servers

SCHEMA = textwrap.dedent("""\
    CREATE TABLE `users` (
      `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
      `name` varchar(50) NOT NULL,
      `email` varchar(100) DEFAULT NULL,
      `score` int(11) DEFAULT NULL,
      `visits` int(11) NOT NULL DEFAULT 0,
      PRIMARY KEY (`id`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    """)
APP = textwrap.dedent("""\
    const mysql = require('mysql2/promise');
    const pool = mysql.createPool({ host: 'db' });

    const byName = (name) => pool.query('SELECT id FROM users WHERE name = ?', [name]);
    const ranked = () => pool.query('SELECT id, score FROM users ORDER BY score, id');
    const halves = () => pool.query('SELECT id, visits / 2 AS half FROM users');
    const names = () => pool.query('SELECT GROUP_CONCAT(name ORDER BY name) AS names FROM users');
    const byId = (id) => pool.query('SELECT id, name, email FROM users WHERE id = ?', [id]);
    const visit = (id) => pool.query('UPDATE users SET visits = visits + 1 WHERE id = ?', [id]);
    const recent = () => pool.query('SELECT id FROM users WHERE id > 0 LIMIT 3, 2');
    module.exports = { byName, ranked, halves, names, byId, visit, recent };
    """)
EXPECTED = {4: "differs", 5: "differs", 6: "differs", 7: "differs", 8: "equivalent", 9: "equivalent", 10: "equivalent"}


@pytest.fixture(scope="module")
def servers():
    require_servers()
    return mysql_url(), pg_url()


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.sql").write_text(SCHEMA, encoding="utf-8")
    (tmp_path / "app.js").write_text(APP, encoding="utf-8")
    return tmp_path


def _verify(project: Path, servers, **kw):
    from auditor.pipeline import scan
    from auditor.verify import verify

    return verify(scan(project), project, mysql_url=servers[0], pg_url=servers[1], **kw)


def _leftovers(servers, pid: int | None = None) -> list[str]:
    """Scratch databases of this test process (or of `pid`): other runs may share the servers."""
    import os

    from auditor.verify.engines import scratch_databases

    return [n for n in scratch_databases(*servers) if f"pgready_scratch_{pid or os.getpid()}_" in n]


def test_dialect_traps_differ_and_plain_sql_is_equivalent(project, servers):
    inventory, report = _verify(project, servers)
    sites = {s.id: s for s in inventory.sites}
    got = {sites[v.site_id].line: v.verdict for v in inventory.verdicts if sites[v.site_id].path == "app.js"}
    assert got == EXPECTED, [(sites[v.site_id].line, v.verdict, v.detail) for v in inventory.verdicts]
    assert report.rows.get("users", 0) >= 5
    differing = next(v for v in inventory.verdicts if sites[v.site_id].line == 4)
    assert differing.only_mysql and not differing.only_pg  # MySQL's case-insensitive match finds more rows
    assert "?" not in differing.mysql_sql and "$1" not in differing.pg_sql  # values filled in on both
    assert _leftovers(servers) == []


def test_every_site_gets_a_verdict_and_ddl_is_not_replayed(project, servers):
    inventory, _ = _verify(project, servers)
    assert {v.site_id for v in inventory.verdicts} == {s.id for s in inventory.sites}
    ddl = [v for v in inventory.verdicts if v.verdict == "not-verifiable"]
    assert all("not replayed" in v.detail for v in ddl)


def test_scratch_databases_are_dropped_after_a_failure_and_an_interrupt(project, servers, monkeypatch):
    import auditor.verify.replay as replay

    for error in (RuntimeError("boom"), KeyboardInterrupt()):
        def explode(*args, _error=error, **kwargs):
            raise _error

        monkeypatch.setattr(replay, "replay", explode)
        with pytest.raises(type(error)):
            _verify(project, servers)
        assert _leftovers(servers) == []


def test_cli_exit_code_terminal_and_json(project, servers, capsys, tmp_path):
    from auditor.cli import main
    from auditor.report.json import load

    argv = ["verify", str(project), "--mysql-url", servers[0], "--pg-url", servers[1], "--no-progress"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "DIFFERS" in out and "only on MySQL" in out
    target = tmp_path / "verified.json"
    assert main([*argv, "--format", "json", "-o", str(target)]) == 1
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert {v["verdict"] for v in doc["verification"]} >= {"differs", "equivalent"}
    assert {v.verdict for v in load(target).verdicts} >= {"differs", "equivalent"}  # schema-valid, read back


def test_unreachable_server_is_a_one_line_error(project, capsys):
    from auditor.cli import main

    code = main(["verify", str(project), "--mysql-url", "mysql://root@127.0.0.1:1/test", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "127.0.0.1:1" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_fix_only_verified_applies_only_equivalent_fixes(project, servers, capsys):
    from auditor.cli import main

    code = main(["fix", str(project), "--write", "--only-verified", "--no-progress",
                 "--mysql-url", servers[0], "--pg-url", servers[1]])
    assert code == 0
    text = (project / "app.js").read_text(encoding="utf-8")
    assert "WHERE id = $1', [id]);\nconst visit" in text  # byId: proven equivalent, fixed
    assert "'SELECT id FROM users WHERE name = ?'" in text  # byName differs: left alone


# Sites of the slimy fixture whose MySQL behaviour PostgreSQL does not keep, and which the
# generated data exposes: case-insensitive `=` on text (chat.js, audit-log.js, reportService.ts)
# and `||` read as OR plus case-insensitive matching (users.js:79).
SLIMY_TRAPS = {("routes/chat.js", 48), ("routes/audit-log.js", 37), ("services/reportService.ts", 35),
               ("routes/users.js", 79)}


def test_slimy_fixture_every_site_gets_a_verdict_and_the_traps_differ(servers):
    root = Path(__file__).resolve().parent.parent / "fixtures" / "slimy-admin-api"
    from auditor.pipeline import scan
    from auditor.verify import verify

    inventory, report = verify(scan(root), root, mysql_url=servers[0], pg_url=servers[1])
    sites = {s.id: s for s in inventory.sites}
    assert sorted(v.site_id for v in inventory.verdicts) == sorted(sites)
    verdicts = {(sites[v.site_id].path, sites[v.site_id].line): v.verdict for v in inventory.verdicts}
    assert {where: verdicts[where] for where in SLIMY_TRAPS} == {where: "differs" for where in SLIMY_TRAPS}
    assert sum(v == "equivalent" for v in verdicts.values()) >= 10
    assert "users" in report.rows and report.rows["users"] > 0
    assert _leftovers(servers) == []


def test_a_schema_that_does_not_load_is_a_one_line_error(tmp_path, servers, capsys):
    from auditor.cli import main

    (tmp_path / "schema.sql").write_text("CREATE TABLE broken (id INT PRIMARY KEY, name VARCHR(10));\n",
                                         encoding="utf-8")
    (tmp_path / "app.js").write_text(APP, encoding="utf-8")
    code = main(["verify", str(tmp_path), "--mysql-url", servers[0], "--pg-url", servers[1], "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "the schema did not load" in err and "broken" in err
    assert _leftovers(servers) == []


def test_ctrl_c_during_a_cli_run_drops_the_scratch_databases(servers):
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PGREADY_MYSQL_URL": servers[0], "PGREADY_PG_URL": servers[1]}
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "verify", str(root / "fixtures" / "slimy-admin-api"),
                             "--no-progress"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mine = lambda: _leftovers(servers, proc.pid)  # noqa: E731
    try:
        deadline = time.monotonic() + 60
        while not mine() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "verify finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2 and b"interrupted" in err
    assert mine() == []


def test_without_sql_files_the_create_table_statements_the_code_sends_are_the_schema(servers):
    root = Path(__file__).resolve().parent.parent / "fixtures" / "python-bot-api"
    from auditor.pipeline import scan
    from auditor.verify import verify

    inventory, report = verify(scan(root), root, mysql_url=servers[0], pg_url=servers[1])
    assert report.schema_files and all(where.startswith("scripts/bootstrap_db.py:") for where in report.schema_files)
    assert sum(v.verdict == "equivalent" for v in inventory.verdicts) >= 10
    assert any(v.verdict == "differs" for v in inventory.verdicts)
    assert _leftovers(servers) == []
