"""The project's schema on both engines: the MySQL DDL as written on MariaDB/MySQL, and the same
DDL as `pgready rewrite` converts it on PostgreSQL.

A statement either side rejects is reported (which table, what the server said) and the load goes
on: a site that touches a table missing on one side is then `not-verifiable`, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"]?(\w+)", re.I)
_PG_WORTHY = re.compile(r"^\s*(?:CREATE|ALTER|DROP\s+(?:TABLE|INDEX|VIEW))\b", re.I)
_SKIP = re.compile(r"^\s*(?:DELIMITER|LOCK\s+TABLES|UNLOCK\s+TABLES|USE\s)", re.I)
_DATA = re.compile(r"^\s*(?:INSERT|REPLACE)\b", re.I)
_DEFINER = re.compile(r"\bDEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|(?:`[^`]*`|'[^']*'|[\w.%-]+)\s*@\s*(?:`[^`]*`|'[^']*'|[\w.%-]+))\s*", re.I)
_MYSQL8_COLLATION = re.compile(r"\b(utf8mb4)_0900_\w+", re.I)


@dataclass
class SchemaLoad:
    files: list[str] = field(default_factory=list)
    mysql_tables: set[str] = field(default_factory=set)
    pg_tables: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)  # "mysql: <table or statement>: message"
    data_statements: int = 0  # INSERTs of the --data file run on MySQL (then copied to PostgreSQL)
    skipped_rows: int = 0  # INSERTs in the schema files: the generated edge-case rows are used instead


def schema_files(root: Path, inventory, explicit: Path | None) -> list[Path]:
    """--schema, else the project's .sql files that create tables (migrations in path order)."""
    if explicit is not None:
        return [explicit]
    found = []
    for rel in inventory.files:
        if rel.endswith(".sql"):
            path = root / rel
            try:
                head = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if re.search(r"\bCREATE\s+TABLE\b", head, re.I):
                found.append(path)
    return sorted(found)


def statements(path: Path) -> list[str]:
    """The statements of a MySQL script as the mysql client splits it (DELIMITER, quotes, comments)."""
    from auditor.frontends.sqlsplit import Splitter

    splitter = Splitter(dump=False)
    text = path.read_text(encoding="utf-8", errors="replace")
    raws = splitter.feed(text) + splitter.finish()
    return [r.sql for r in raws if r.sql and r.sql.strip()]


def creates_table(sql: str) -> bool:
    return bool(_CREATE_TABLE.match(sql))


def sources(root: Path, inventory, explicit: Path | None) -> list[tuple[str, list[str]]]:
    """(where, statements) to load: --schema, else the project's .sql files that create tables,
    else the CREATE TABLE statements the code itself sends (a bootstrap script)."""
    paths = schema_files(root, inventory, explicit)
    if paths:
        return [(str(p), statements(p)) for p in paths]
    sent = [s for s in inventory.sites if creates_table(s.sql) and not s.holes
            and not re.match(r"\s*CREATE\s+TEMPORARY", s.sql, re.I) and not re.search(r"\?|%s|%\(", s.sql)]
    return [(f"{s.path}:{s.line}", [s.sql]) for s in sorted(sent, key=lambda s: (s.path, s.line))]


def load(scratch, schema: list[tuple[str, list[str]]], data: Path | None = None) -> SchemaLoad:
    """Run the DDL on MySQL, its rewrite on PostgreSQL; data statements (INSERT) on MySQL only.
    A table created twice (a dump and a migration) keeps its first definition. Foreign keys may
    point forward (a dump orders tables by name): MySQL checks them off while loading, and a
    PostgreSQL table that failed for a missing table is tried again once the others exist."""
    from auditor.rewrite import rewrite_sql

    report = SchemaLoad(files=[where for where, _ in schema])
    mariadb = _is_mariadb(scratch.mysql)
    with scratch.mysql.cursor() as cur:
        cur.execute("SET FOREIGN_KEY_CHECKS = 0")
    retry: list[tuple[str, str]] = []
    for where, texts in [*schema, *([(str(data), statements(data))] if data is not None else [])]:
        given = data is not None and where == str(data)
        for sql in texts:
            if _SKIP.match(sql):
                continue
            if _DATA.match(sql) and not given:
                report.skipped_rows += 1
                continue
            sql = _for_mysql_server(sql, mariadb)
            name = (_CREATE_TABLE.match(sql) or [None, None])[1]
            if name and name.lower() in report.mysql_tables:
                report.problems.append(f"mysql: {name}: defined again in {where}; the first definition is kept")
                continue
            if _run_mysql(scratch, sql, report, name or sql[:40]):
                if name:
                    report.mysql_tables.add(name.lower())
                elif re.match(r"^\s*(?:INSERT|REPLACE)\b", sql, re.I):
                    report.data_statements += 1
            if _PG_WORTHY.match(sql):
                rewritten = rewrite_sql(sql, prove=False).sql
                if _run_pg(scratch, rewritten, report, name or sql[:40], quiet=bool(name)):
                    report.pg_tables.add((name or "").lower())
                elif name:
                    retry.append((name, rewritten))
    while retry:  # forward foreign keys: retry while some table gets created
        left = [(n, sql) for n, sql in retry if not _run_pg(scratch, sql, report, n, quiet=True)]
        report.pg_tables |= {n.lower() for n, _ in retry} - {n.lower() for n, _ in left}
        if len(left) == len(retry):
            for n, sql in left:
                _run_pg(scratch, sql, report, n)
            break
        retry = left
    report.pg_tables.discard("")
    with scratch.mysql.cursor() as cur:
        cur.execute("SET FOREIGN_KEY_CHECKS = 1")
    scratch.mysql.commit()
    scratch.pg.commit()
    return report


def _is_mariadb(conn) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        return "mariadb" in str(cur.fetchone()[0]).lower()


def _for_mysql_server(sql: str, mariadb: bool) -> str:
    """A dump made elsewhere, as this server can load it: no DEFINER (the dump's user does not exist
    here; the scratch database's owner defines the routine), MySQL 8's utf8mb4_0900_* collations as
    MariaDB's nearest (utf8mb4_unicode_520_ci, also accent- and case-insensitive)."""
    sql = _DEFINER.sub("", sql)
    return _MYSQL8_COLLATION.sub(r"\1_unicode_520_ci", sql) if mariadb else sql


def _run_mysql(scratch, sql: str, report: SchemaLoad, what: str) -> bool:
    try:
        with scratch.mysql.cursor() as cur:
            cur.execute(sql)  # no arguments: PyMySQL leaves % alone
        return True
    except Exception as exc:  # noqa: BLE001 - the server's message is the report
        report.problems.append(f"mysql: {what}: {_message(exc)}")
        return False


def _run_pg(scratch, sql: str, report: SchemaLoad, what: str, quiet: bool = False) -> bool:
    try:
        with scratch.pg.transaction():
            scratch.pg.execute(sql, prepare=False)  # no parameters: psycopg leaves % alone
        return True
    except Exception as exc:  # noqa: BLE001
        if not quiet:
            report.problems.append(f"postgresql: {what}: {_message(exc)}")
        return False


def _message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
