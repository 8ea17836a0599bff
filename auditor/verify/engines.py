"""Scratch databases on the real servers: `pgready verify` replays SQL on MariaDB/MySQL and
PostgreSQL, and must never leave anything behind nor touch a database it did not create.

One unique name (PREFIX + pid + random hex) is used on both servers. The name is fixed before
anything is created, so whatever interrupts the run (an exception, Ctrl-C, `kill`) the cleanup
knows exactly what to drop, and it drops nothing whose name does not start with PREFIX + pid.
Errors are one user-facing line (server, host:port, the driver's reason), never a password.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import sys
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from auditor.redact import redact

DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306/test"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PREFIX = "pgready_scratch_"

_SCHEMES = {"mysql": "mysql", "mariadb": "mysql", "postgresql": "postgresql", "postgres": "postgresql"}
_DEFAULTS = {"mysql": (3306, "root"), "postgresql": (5432, "postgres")}
_LABEL = {"mysql": "MariaDB/MySQL", "postgresql": "PostgreSQL"}
_SECRET_PARAM = re.compile(r"pass|secret|token|key", re.I)
_MYSQL_NO_ANSWER = {2003, 2005, 2006, 2013}
_PG_NO_ANSWER = re.compile(r"refused|timeout|timed out|translate host name|resolve host|no route|unreachable|closed", re.I)
_PG_AUTH = re.compile(r"authentication|password|role \".*\" does not exist|pg_hba\.conf", re.I)


class VerifyError(Exception):
    """One line for the user: which server, what went wrong, the driver's reason; no traceback,
    no password (the CLI prints str(error) and exits)."""


@dataclass(frozen=True)
class ServerURL:
    kind: str  # "mysql" | "postgresql"
    host: str
    port: int
    user: str
    password: str = field(repr=False)  # never in a repr, a log line or a traceback
    database: str
    params: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{_LABEL[self.kind]} at {self.host}:{self.port}"

    def redacted(self) -> str:
        """The URL as it may be shown to the user: the password, if any, is ***."""
        auth = self.user + (":***" if self.password else "")
        query = "&".join(f"{k}={'***' if _SECRET_PARAM.search(k) else v}" for k, v in self.params.items())
        return f"{self.kind}://{auth}@{self.host}:{self.port}/{self.database}" + (f"?{query}" if query else "")


def parse_url(url: str | ServerURL, kind: str) -> ServerURL:
    """mysql:// or mariadb:// (kind "mysql"), postgresql:// or postgres:// (kind "postgresql");
    missing parts default to 127.0.0.1, the standard port and root / postgres."""
    if isinstance(url, ServerURL):
        if url.kind != kind:
            raise VerifyError(f"expected a {_LABEL[kind]} URL, got {url.redacted()}")
        return url
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise VerifyError(f"cannot read the {_LABEL[kind]} URL {redact(url)!r}: {exc}") from None
    if _SCHEMES.get(parts.scheme.lower()) != kind:
        wanted = " or ".join(f"{s}://" for s, k in _SCHEMES.items() if k == kind)
        raise VerifyError(f"expected a {_LABEL[kind]} URL ({wanted}), got {redact(url)!r}")
    default_port, default_user = _DEFAULTS[kind]
    return ServerURL(kind=kind, host=parts.hostname or "127.0.0.1", port=port or default_port,
                     user=unquote(parts.username or "") or default_user, password=unquote(parts.password or ""),
                     database=unquote(parts.path.lstrip("/")), params=dict(parse_qsl(parts.query)))


def _reason(exc: BaseException, server: ServerURL) -> str:
    """The driver's message on one line, without anything that looks like a password."""
    msg = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[0], int) else str(exc)
    msg = re.sub(r"^connection failed: connection to server at \S+ port \d+ failed: ", "", str(msg))
    msg = " ".join(str(msg).split()).replace("FATAL: ", "")
    msg = re.sub(r"\s*Is the server running on that host.*$", "", msg)  # libpq's hint, not a reason
    if server.password:
        msg = msg.replace(server.password, "***")
    return redact(msg)


def _connect_error(exc: BaseException, server: ServerURL) -> VerifyError:
    reason = _reason(exc, server)
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if server.kind == "mysql":
        if code in (1045, 1698, 1044):
            return VerifyError(f"{server.where} refused user {server.user!r} ({reason})")
        if code in _MYSQL_NO_ANSWER:
            inner = re.search(r"\(([^()]*)\)\s*$", reason)
            return VerifyError(f"{server.where} does not answer ({inner.group(1) if inner else reason})")
        return VerifyError(f"{server.where}: cannot connect as {server.user!r} ({reason})")
    if re.search(r"database \".*\" does not exist", reason):
        return VerifyError(f"{server.where} has no database {server.database!r} to connect to ({reason})")
    if _PG_AUTH.search(reason):
        return VerifyError(f"{server.where} refused user {server.user!r} ({reason})")
    if _PG_NO_ANSWER.search(reason):
        return VerifyError(f"{server.where} does not answer ({reason})")
    return VerifyError(f"{server.where}: cannot connect as {server.user!r} ({reason})")


def _mysql(server: ServerURL, database: str | None, timeout: float, autocommit: bool):
    import pymysql
    try:
        return pymysql.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                               database=database or None, charset="utf8mb4", autocommit=autocommit,
                               connect_timeout=timeout)
    except pymysql.err.MySQLError as exc:
        raise _connect_error(exc, server) from None


def _pg(server: ServerURL, database: str, timeout: float, autocommit: bool):
    import psycopg
    kwargs = dict(server.params, host=server.host, port=server.port, user=server.user, dbname=database,
                  connect_timeout=max(2, round(timeout)), client_encoding="UTF8", autocommit=autocommit)
    if server.password:
        kwargs["password"] = server.password
    try:
        return psycopg.connect(**kwargs)
    except psycopg.Error as exc:
        raise _connect_error(exc, server) from None


def _pg_admin_db(server: ServerURL) -> str:
    return server.database or "postgres"  # CREATE/DROP DATABASE must run from another database


class Scratch:
    """with Scratch(mysql_url, pg_url) as s: s.mysql (PyMySQL, autocommit off, utf8mb4), s.pg
    (psycopg 3, autocommit off), s.name (the same unique name on both servers).

    On exit (normal, exception, KeyboardInterrupt, SIGTERM) both connections are closed and both
    scratch databases dropped; a drop that fails is reported on stderr with the name, never raised
    over the original exception."""

    def __init__(self, mysql_url: str | ServerURL, pg_url: str | ServerURL, connect_timeout: float = 5):
        self.mysql_server = parse_url(mysql_url, "mysql")
        self.pg_server = parse_url(pg_url, "postgresql")
        self.timeout = connect_timeout
        self.owner = f"{PREFIX}{os.getpid()}_"
        self.name = self.owner + secrets.token_hex(6)
        self.mysql = self.pg = None
        self._created: list[str] = []  # "mysql" / "postgresql", recorded before the CREATE is sent
        self._mysql_thread: int | None = None
        self._old_sigterm = None

    def __enter__(self) -> Scratch:
        self._install_sigterm()
        try:
            self._create_mysql()
            self._create_pg()
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._cleanup()  # never suppresses: the original exception, if any, goes on

    def _create_mysql(self) -> None:
        server = self.mysql_server
        admin = _mysql(server, None, self.timeout, autocommit=True)
        try:
            self._created.append("mysql")
            with admin.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        except Exception as exc:  # the server said no: nothing was created (an interrupt keeps the mark)
            self._created.remove("mysql")
            raise self._create_error(exc, server) from None
        finally:
            admin.close()
        self.mysql = _mysql(server, self.name, self.timeout, autocommit=False)
        self._mysql_thread = self.mysql.thread_id()
        with self.mysql.cursor() as cur:
            # the server's own default, whatever a driver or an init_command may have added
            cur.execute("SET SESSION sql_mode = @@GLOBAL.sql_mode")
            cur.execute("SET SESSION time_zone = '+00:00'")
        self.mysql.commit()

    def _create_pg(self) -> None:
        server = self.pg_server
        admin = _pg(server, _pg_admin_db(server), self.timeout, autocommit=True)
        try:
            self._created.append("postgresql")
            admin.execute(f'CREATE DATABASE "{self.name}" ENCODING \'UTF8\' TEMPLATE template0')
        except Exception as exc:  # the server said no: nothing was created (an interrupt keeps the mark)
            self._created.remove("postgresql")
            raise self._create_error(exc, server) from None
        finally:
            admin.close()
        self.pg = _pg(server, self.name, self.timeout, autocommit=False)
        self.pg.execute("SET TIME ZONE 'UTC'")
        self.pg.commit()  # a SET inside a transaction that is later rolled back would be undone

    def _create_error(self, exc: Exception, server: ServerURL) -> VerifyError:
        reason = _reason(exc, server)
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        if code in (1044, 1045, 1227) or getattr(exc, "sqlstate", None) == "42501":
            return VerifyError(f"user {server.user!r} may not create databases on {server.where}: "
                               f"verify needs CREATE/DROP DATABASE ({reason})")
        return VerifyError(f"{server.where} could not create the scratch database {self.name} ({reason})")

    def _install_sigterm(self) -> None:
        """`kill` becomes a KeyboardInterrupt inside the block, so the cleanup runs."""
        def on_sigterm(signum, frame):
            raise KeyboardInterrupt("SIGTERM")
        try:
            self._old_sigterm = signal.signal(signal.SIGTERM, on_sigterm)
        except ValueError:  # not the main thread: signals cannot be handled here
            self._old_sigterm = None

    def _cleanup(self) -> None:
        """Close, then drop; Ctrl-C and SIGTERM are held off meanwhile so a second signal cannot
        leave a database behind (every step is bounded by the connect and lock timeouts)."""
        held = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                held[sig] = signal.signal(sig, signal.SIG_IGN)
            except ValueError:  # not the main thread
                pass
        try:
            for conn in (self.mysql, self.pg):
                if conn is not None:
                    with contextlib.suppress(Exception):  # a connection cut mid-query may not close cleanly
                        conn.close()
            self.mysql = self.pg = None
            if "mysql" in self._created:
                self._drop("mysql", self._drop_mysql)
            if "postgresql" in self._created:
                self._drop("pg", self._drop_pg)
            self._created = []
        finally:
            for sig, handler in held.items():
                signal.signal(sig, handler)
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                self._old_sigterm = None

    def _drop(self, label: str, how) -> None:
        if not self.name.startswith(self.owner):  # belt and braces: only our own name, ever
            return
        try:
            how()
        except Exception as exc:
            server = self.mysql_server if label == "mysql" else self.pg_server
            print(f"pgready: could not drop scratch database {label}:{self.name} on {server.where} "
                  f"({_reason(exc, server)}); drop it by hand", file=sys.stderr)

    def _drop_mysql(self) -> None:
        admin = _mysql(self.mysql_server, None, self.timeout, autocommit=True)
        try:
            with admin.cursor() as cur:
                if self._mysql_thread is not None:  # a query cut short may still hold locks
                    with contextlib.suppress(Exception):
                        cur.execute(f"KILL {int(self._mysql_thread)}")
                cur.execute("SET SESSION lock_wait_timeout = 10")
                cur.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
        finally:
            admin.close()

    def _drop_pg(self) -> None:
        admin = _pg(self.pg_server, _pg_admin_db(self.pg_server), self.timeout, autocommit=True)
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            admin.close()


def scratch_databases(mysql_url: str | ServerURL, pg_url: str | ServerURL, connect_timeout: float = 5) -> list[str]:
    """Every PREFIX% database on either server, as "mysql:NAME" / "pg:NAME" (what a test or an
    operator checks to be sure nothing was left behind)."""
    my, pg = parse_url(mysql_url, "mysql"), parse_url(pg_url, "postgresql")
    found = []
    conn = _mysql(my, None, connect_timeout, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW DATABASES LIKE %s", (PREFIX.replace("_", "\\_") + "%",))
            found += [f"mysql:{row[0]}" for row in cur.fetchall()]
    finally:
        conn.close()
    conn = _pg(pg, _pg_admin_db(pg), connect_timeout, autocommit=True)
    try:
        rows = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1",
                            (PREFIX,)).fetchall()
        found += [f"pg:{row[0]}" for row in rows]
    finally:
        conn.close()
    return sorted(found)
