"""Transaction control sent as SQL text."""
from __future__ import annotations

import functools
from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement


def set_autocommit(stmt: Statement) -> Iterator[Hit]:
    """TXN003: `SET [SESSION|@@session.]autocommit = <value>`."""
    if stmt.word(0) != "SET":
        return
    for i in stmt.top_level():
        if stmt.word(i) == "AUTOCOMMIT" and stmt.type_is(i + 1, TokenType.EQ, TokenType.COLON_EQ):
            yield stmt.span(0, min(i + 2, len(stmt.tokens) - 1))


# --- issue 5 ------------------------------------------------------------------------------

_DDL_VERBS = frozenset({"CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME"})


def _set_transaction(stmt: Statement) -> tuple[str, int] | None:
    """(scope, index of TRANSACTION) of `SET [GLOBAL|SESSION|LOCAL] TRANSACTION ...`."""
    if stmt.word(0) != "SET":
        return None
    if stmt.word(1) == "TRANSACTION":
        return "", 1
    if stmt.word(1) in ("GLOBAL", "SESSION", "LOCAL") and stmt.word(2) == "TRANSACTION":
        return stmt.word(1), 2
    return None


def transaction_characteristics_scope(stmt: Statement) -> Iterator[Hit]:
    """TXN004: SET GLOBAL|SESSION|LOCAL TRANSACTION ... (PostgreSQL: SET SESSION CHARACTERISTICS AS TRANSACTION)."""
    found = _set_transaction(stmt)
    if found and found[0]:
        yield stmt.span(0, found[1])


def set_transaction(stmt: Statement) -> Iterator[Hit]:
    """TXN005: bare SET TRANSACTION ... (MySQL: the next transaction; PostgreSQL: the current one only)."""
    found = _set_transaction(stmt)
    if found and not found[0]:
        yield stmt.span(0, 1)


def isolation_level(stmt: Statement) -> Iterator[Hit]:
    """TXN006: ISOLATION LEVEL REPEATABLE READ / READ UNCOMMITTED: same names, other behaviour."""
    for first, last in stmt.sequence(("ISOLATION", "LEVEL")):
        k = last + 1
        if (stmt.word(k), stmt.word(k + 1)) in (("REPEATABLE", "READ"), ("READ", "UNCOMMITTED")):
            yield stmt.span(first, k + 1)


def _begins_at(stmt: Statement, i: int) -> bool:
    return stmt.word(i) == "BEGIN" or (stmt.word(i) == "START" and stmt.word(i + 1) == "TRANSACTION")


@functools.lru_cache(maxsize=64)
def _open_transaction_starts(sql: str, placeholders: str) -> frozenset[int]:
    """Start offsets of the DDL statements of `sql` sent while a transaction it opened is still open."""
    from auditor.classify import split_and_parse  # the engine's own splitter (loaded by then)

    found, open_ = set(), False
    for stmt in split_and_parse(sql, placeholders):
        if not stmt.tokens:
            continue
        word = stmt.word(0)
        if _begins_at(stmt, 0):
            open_ = True
        elif word in ("COMMIT", "ROLLBACK") and stmt.word(1) != "TO":
            open_ = False
        elif word == "SET" and any(stmt.word(i) == "AUTOCOMMIT" for i in range(1, 4)):
            open_ = stmt.tokens[-1].text in ("0", "OFF", "off", "FALSE", "false")
        elif word in _DDL_VERBS and open_:
            if not (word == "CREATE" and any(stmt.word(i) == "TEMPORARY" for i in (1, 2))):
                found.add(stmt.tokens[0].start)
    return frozenset(found)


def ddl_in_transaction(stmt: Statement) -> Iterator[Hit]:
    """TXN007: DDL sent in the same text after START TRANSACTION / BEGIN (MySQL commits implicitly)."""
    if stmt.tokens and stmt.word(0) in _DDL_VERBS and stmt.tokens[0].start in _open_transaction_starts(stmt.sql, stmt.placeholders):
        yield stmt.span(0, 0)  # the verb: the statement itself may carry other findings


def consistent_snapshot(stmt: Statement) -> Iterator[Hit]:
    """TXN008: START TRANSACTION WITH CONSISTENT SNAPSHOT."""
    for first, last in stmt.sequence(("WITH", "CONSISTENT", "SNAPSHOT")):
        if stmt.word(0) == "START":
            yield stmt.span(first, last)


def xa_transaction(stmt: Statement) -> Iterator[Hit]:
    """TXN009: XA START|BEGIN|END|PREPARE|COMMIT|ROLLBACK|RECOVER."""
    if stmt.word(0) == "XA" and len(stmt.tokens) > 1:
        yield stmt.span(0, 1)


def lock_wait_timeout(stmt: Statement) -> Iterator[Hit]:
    """TXN010: MariaDB's `FOR UPDATE WAIT n` / `LOCK IN SHARE MODE WAIT n` (NOWAIT/SKIP LOCKED are fine)."""
    for i in range(1, len(stmt.tokens) - 1):
        if stmt.word(i) == "WAIT" and stmt.type_is(i + 1, TokenType.NUMBER, TokenType.PLACEHOLDER) \
                and stmt.word(i - 1) in ("UPDATE", "SHARE", "MODE"):
            yield stmt.span(i, i + 1)
