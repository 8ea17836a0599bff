"""One site on both engines: the original on MySQL, the rewrite on PostgreSQL, the same values in
both, then a comparison. Writes run inside a transaction that is rolled back, followed by a read
of every table they touch, so what a write did is compared too.

Values are written into the text the way drivers send them: MySQL drivers inline typed literals
(mysql2 and PyMySQL escape on the client), PostgreSQL receives untyped parameters, which a
quoted literal ('5') behaves like.
"""
from __future__ import annotations

import re

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import TokenType

from auditor.model import Site, Verdict
from auditor.verify.compare import compare
from auditor.verify.values import Chooser, slots

REPLAYED = frozenset({"select", "insert", "update", "delete", "replace"})
_HOLE = re.compile(r"^pgready_hole_(\d+)$")
_NAMED = re.compile(r"(?<![:\w'\"]):[A-Za-z_]\w*(?![^']*'(?:[^']*'[^']*')*[^']*$)")


def replay(scratch, site: Site, pg_sql: str, chooser: Chooser, missing: dict[str, str]) -> Verdict:
    """The verdict for one site; `missing`: table -> why it is not on one of the engines."""
    def verdict(kind: str, detail: str, **kw) -> Verdict:
        return Verdict(site.id, kind, detail, **kw)

    if site.statement not in REPLAYED:
        return verdict("not-verifiable", f"{site.statement} statements are not replayed")
    runtime = [h for h in site.holes if h.kind in ("identifier", "fragment")]
    if runtime:
        return verdict("not-verifiable", f"the SQL is completed at run time by {runtime[0].source!r}")
    gone = [t for t in site.tables if t.lower() in missing]
    if gone:
        return verdict("not-verifiable", f"table {gone[0]} is not on both engines ({missing[gone[0].lower()]})")
    if site.placeholders == "driver" and _NAMED.search(site.sql):
        return verdict("not-verifiable", "named parameters (:name, mysql2 namedPlaceholders) are not filled in")
    found = slots(site.sql, site.placeholders)
    if isinstance(found, str):
        return verdict("not-verifiable", found)
    found_slots, _ = found
    values = {s.marker: chooser.value(s) for s in found_slots}
    mysql_sql = _fill_mysql(scratch.mysql, site.sql, site.placeholders, values)
    pg_text = _fill_pg(scratch.pg, pg_sql, site.placeholders, values)
    ordered = bool(re.search(r"\bORDER\s+BY\b", site.sql, re.I)) and site.statement == "select"
    reads = list(site.writes or site.tables) if site.statement != "select" else []
    mine, error = _run(scratch.mysql, mysql_sql, reads, _mysql_exec, "`")
    if error:
        return verdict("mysql-error", error, mysql_sql=mysql_sql, pg_sql=pg_text)
    theirs, error = _run(scratch.pg, pg_text, reads, _pg_exec, '"')
    if error:
        return verdict("pg-error", error, mysql_sql=mysql_sql, pg_sql=pg_text)
    result = compare(mine, theirs, ordered)
    return verdict("equivalent" if result.same else "differs", result.detail, mysql_sql=mysql_sql,
                   pg_sql=pg_text, only_mysql=result.only_mysql, only_pg=result.only_pg)


def _run(conn, sql: str, reads: list[str], execute, quote: str) -> tuple[list, str]:
    """Rows of `sql` (for a write: the rows of the tables it touched), always rolled back."""
    try:
        rows = execute(conn, sql, fetch=not reads)
        for table in reads:
            rows = rows + [(table, *row) for row in execute(conn, f"SELECT * FROM {quote}{table}{quote}", fetch=True)]
        return rows, ""
    except Exception as exc:  # noqa: BLE001 - the server's message is the verdict
        return [], (str(exc).strip().splitlines() or [type(exc).__name__])[0][:400]
    finally:
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is reported by the next statement
            pass


def _mysql_exec(conn, sql: str, fetch: bool) -> list:
    with conn.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall()) if fetch and cur.description else []


def _pg_exec(conn, sql: str, fetch: bool) -> list:
    cur = conn.execute(sql, prepare=False)
    return list(cur.fetchall()) if fetch and cur.description else []


def _fill_mysql(conn, sql: str, mode: str, values: dict) -> str:
    from auditor.classify import split_and_parse

    stmts = [s for s in split_and_parse(sql, mode) if s.tokens]
    out, pos, k = [], 0, 0
    for tok in stmts[0].tokens if stmts else ():
        if tok.token_type == TokenType.PLACEHOLDER:
            out += [sql[pos:tok.start], conn.escape(values.get(f"pgready_ph_{k}", 1))]
            k, pos = k + 1, tok.end + 1
        elif _HOLE.match(tok.text) and tok.token_type == TokenType.VAR:
            out += [sql[pos:tok.start], conn.escape(values.get(tok.text, 1))]
            pos = tok.end + 1
    return "".join(out) + sql[pos:]


def _fill_pg(conn, sql: str, mode: str, values: dict) -> str:
    from auditor.placeholders import bind_markers

    tokens = bind_markers(sql, Postgres().tokenize(sql), mode if mode in ("pyformat", "named") else "driver")
    out, pos, k, i = [], 0, 0, 0
    while i < len(tokens):
        tok = tokens[i]
        number = tokens[i + 1] if tok.token_type == TokenType.PARAMETER and i + 1 < len(tokens) else None
        if number is not None and number.token_type == TokenType.NUMBER and number.start == tok.end + 1:
            out += [sql[pos:tok.start], _pg_literal(conn, values.get(f"pgready_ph_{int(number.text) - 1}", 1))]
            pos, i = number.end + 1, i + 2
            continue
        if tok.token_type == TokenType.PLACEHOLDER:
            out += [sql[pos:tok.start], _pg_literal(conn, values.get(f"pgready_ph_{k}", 1))]
            k, pos = k + 1, tok.end + 1
        elif tok.token_type == TokenType.VAR and _HOLE.match(tok.text):
            out += [sql[pos:tok.start], _pg_literal(conn, values.get(tok.text, 1))]
            pos = tok.end + 1
        i += 1
    return "".join(out) + sql[pos:]


def _pg_literal(conn, value) -> str:
    from psycopg import sql

    if value is None:
        return "NULL"
    text = str(int(value)) if isinstance(value, bool) else str(value)
    return sql.Literal(text).as_string(conn)
