"""Scratch databases on the machine's real MariaDB and PostgreSQL: created on both, dropped after
every kind of exit (including `kill`), never touching another database, errors without
tracebacks or passwords."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pymysql
import pytest

from auditor.verify.engines import PREFIX, Scratch, VerifyError, parse_url, scratch_databases
from dbservers import mysql_url, pg_url, require_servers

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cr3t-Pw_91"


@pytest.fixture(autouse=True)
def servers():
    require_servers()


def names(name: str) -> set[str]:
    return {f"mysql:{name}", f"pg:{name}"}


def present(name: str) -> set[str]:
    return names(name) & set(scratch_databases(mysql_url(), pg_url()))


def all_databases() -> tuple[set[str], set[str]]:
    my, pg = parse_url(mysql_url(), "mysql"), parse_url(pg_url(), "postgresql")
    conn = pymysql.connect(host=my.host, port=my.port, user=my.user, password=my.password)
    with conn.cursor() as cur:
        cur.execute("SHOW DATABASES")
        mysql = {r[0] for r in cur.fetchall()}
    conn.close()
    with psycopg.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password or None,
                         dbname=pg.database or "postgres") as conn:
        pgs = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
    return mysql, pgs


def test_created_on_both_and_dropped_after_a_normal_exit():
    with Scratch(mysql_url(), pg_url()) as s:
        assert s.name.startswith(f"{PREFIX}{os.getpid()}_")
        assert present(s.name) == names(s.name)
        with s.mysql.cursor() as cur:
            cur.execute("SELECT DATABASE(), @@character_set_database, @@collation_database, @@time_zone,"
                        " @@SESSION.sql_mode = @@GLOBAL.sql_mode, @@autocommit, @@character_set_client")
            assert cur.fetchone() == (s.name, "utf8mb4", "utf8mb4_general_ci", "+00:00", 1, 0, "utf8mb4")
            cur.execute("SELECT 'abc' = 'ABC '")  # the case-insensitive app default is what we test against
            assert cur.fetchone() == (1,)
        assert s.pg.execute("SELECT current_database(), current_setting('TimeZone'),"
                            " current_setting('client_encoding')").fetchone() == (s.name, "UTC", "UTF8")
        assert s.pg.autocommit is False
        s.pg.rollback()  # a rollback must not undo the session settings
        assert s.pg.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    assert not present(s.name)
    assert s.mysql is None and s.pg is None


def test_dropped_after_an_exception():
    with pytest.raises(RuntimeError, match="boom"):
        with Scratch(mysql_url(), pg_url()) as s:
            with s.mysql.cursor() as cur:
                cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")
                cur.execute("INSERT INTO t VALUES (1)")  # an open transaction
            s.pg.execute("CREATE TABLE t (id int PRIMARY KEY)")
            raise RuntimeError("boom")
    assert not present(s.name)


def test_dropped_after_a_keyboard_interrupt_and_sigterm_handler_restored():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        with Scratch(mysql_url(), pg_url()) as s:
            assert signal.getsignal(signal.SIGTERM) is not before
            s.pg.execute("SELECT 1")  # a transaction left open on PostgreSQL (DROP ... WITH (FORCE))
            raise KeyboardInterrupt
    assert not present(s.name)
    assert signal.getsignal(signal.SIGTERM) is before


def test_dropped_after_sigterm_to_a_process_inside():
    script = textwrap.dedent(f"""
        import sys, time
        from auditor.verify.engines import Scratch
        with Scratch({mysql_url()!r}, {pg_url()!r}) as s:
            s.pg.execute("SELECT 1")
            print(s.name, flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        name = proc.stdout.readline().strip()
        assert name.startswith(PREFIX), proc.stderr.read()
        assert present(name) == names(name)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0  # interrupted, not finished
    assert not present(name)


def test_one_server_unreachable_leaves_nothing_on_the_other():
    with pytest.raises(VerifyError) as err:
        with Scratch(mysql_url(), "postgresql://postgres@127.0.0.1:1/test", connect_timeout=2):
            pytest.fail("must not get inside")
    assert "PostgreSQL at 127.0.0.1:1 does not answer" in str(err.value)
    assert not [n for n in scratch_databases(mysql_url(), pg_url()) if f"{PREFIX}{os.getpid()}_" in n]


@pytest.mark.parametrize("url,where", [
    (f"mysql://root:{SECRET}@127.0.0.1:1/test", "MariaDB/MySQL at 127.0.0.1:1 does not answer"),
    (f"postgresql://postgres:{SECRET}@127.0.0.1:1/test", "PostgreSQL at 127.0.0.1:1 does not answer"),
])
def test_bad_port_is_one_line_naming_host_port_without_password(url, where):
    mysql, pg = (url, pg_url()) if url.startswith("mysql") else (mysql_url(), url)
    with pytest.raises(VerifyError) as err:
        with Scratch(mysql, pg, connect_timeout=2):
            pass
    message = str(err.value)
    assert where in message and "refused" in message.lower()
    assert "\n" not in message and "Traceback" not in message and SECRET not in message
    assert err.value.__cause__ is None and err.value.__suppress_context__  # `from None`: no chained traceback


def test_refused_user_names_the_user_not_the_password():
    mysql = f"mysql://pgready_no_such_user:{SECRET}@127.0.0.1:{parse_url(mysql_url(), 'mysql').port}/test"
    with pytest.raises(VerifyError) as err:
        with Scratch(mysql, pg_url()):
            pass
    assert "refused user 'pgready_no_such_user'" in str(err.value) and SECRET not in str(err.value)
    pg = parse_url(pg_url(), "postgresql")
    bad_pg = f"postgresql://pgready_no_such_role:{SECRET}@{pg.host}:{pg.port}/{pg.database}"
    with pytest.raises(VerifyError) as err:
        with Scratch(mysql_url(), bad_pg):
            pass
    assert "PostgreSQL at" in str(err.value) and "refused user 'pgready_no_such_role'" in str(err.value)
    assert SECRET not in str(err.value)


def test_password_never_shown():
    server = parse_url(f"mariadb://app:{SECRET}@db.example:3307/shop?ssl_password=x1y2", "mysql")
    assert (server.kind, server.host, server.port, server.user, server.password, server.database) == (
        "mysql", "db.example", 3307, "app", SECRET, "shop")
    assert SECRET not in server.redacted() and "x1y2" not in server.redacted()
    assert server.redacted().startswith("mysql://app:***@db.example:3307/shop")
    assert SECRET not in repr(server)
    pg = parse_url(f"postgres://u:{SECRET}@h/d", "postgresql")
    assert (pg.kind, pg.port) == ("postgresql", 5432) and SECRET not in pg.redacted()


def test_wrong_scheme_or_unparsable_url():
    with pytest.raises(VerifyError, match="expected a PostgreSQL URL"):
        parse_url(f"mysql://root:{SECRET}@127.0.0.1/test", "postgresql")
    with pytest.raises(VerifyError) as err:
        parse_url(f"mysql://root:{SECRET}@127.0.0.1:notaport/test", "mysql")
    assert SECRET not in str(err.value)


def test_missing_create_database_privilege():
    """Real users without the privilege, created for the test and dropped afterwards."""
    my, pg = parse_url(mysql_url(), "mysql"), parse_url(pg_url(), "postgresql")
    user = f"pgready_t{os.getpid()}"
    admin = pymysql.connect(host=my.host, port=my.port, user=my.user, password=my.password, autocommit=True)
    pgadmin = psycopg.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password or None,
                              dbname=pg.database or "postgres", autocommit=True)
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{SECRET}'")
        pgadmin.execute(f"CREATE ROLE {user} LOGIN NOCREATEDB PASSWORD '{SECRET}'")
        with pytest.raises(VerifyError) as err:
            with Scratch(f"mysql://{user}:{SECRET}@{my.host}:{my.port}/", pg_url()):
                pass
        assert f"user '{user}' may not create databases on MariaDB/MySQL at {my.host}:{my.port}" in str(err.value)
        assert "CREATE/DROP DATABASE" in str(err.value) and SECRET not in str(err.value)
        with pytest.raises(VerifyError) as err:
            with Scratch(mysql_url(), f"postgresql://{user}:{SECRET}@{pg.host}:{pg.port}/{pg.database}"):
                pass
        assert f"user '{user}' may not create databases on PostgreSQL at {pg.host}:{pg.port}" in str(err.value)
        assert SECRET not in str(err.value)
        assert not [n for n in scratch_databases(mysql_url(), pg_url()) if f"{PREFIX}{os.getpid()}_" in n]
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()
        pgadmin.execute(f"DROP ROLE IF EXISTS {user}")
        pgadmin.close()


def test_a_failed_drop_is_reported_not_raised_over_the_original(capsys):
    with pytest.raises(RuntimeError, match="original"):
        with Scratch(mysql_url(), pg_url()) as s:
            def refuse():
                raise psycopg.OperationalError("drop refused for the test")
            s._drop_pg = refuse
            raise RuntimeError("original")
    err = capsys.readouterr().err
    assert f"could not drop scratch database pg:{s.name}" in err and "drop refused for the test" in err
    assert present(s.name) == {f"pg:{s.name}"}  # MySQL side dropped all the same
    s._drop_pg = Scratch._drop_pg.__get__(s)
    s._drop_pg()
    assert not present(s.name)


def test_unrelated_databases_untouched_and_two_scratches_independent():
    before = all_databases()
    with Scratch(mysql_url(), pg_url()) as a, Scratch(mysql_url(), pg_url()) as b:
        assert a.name != b.name
        with a.mysql.cursor() as cur:
            cur.execute("CREATE TABLE only_in_a (id INT)")
        a.mysql.commit()
    assert all_databases() == before
    assert not present(a.name) and not present(b.name)
