"""Server-side programs and server administration: routines, triggers, events, view options,
DELIMITER, named locks, system variables, FLUSH, KILL, CALL.

Routine bodies (`BEGIN ... ; ... END`) are cut at their semicolons by the statement splitter,
so every check here reads the head of the routine (the first piece), by tokens.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

_ROUTINES = frozenset({"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "VIEW"})
# words that only a PostgreSQL routine definition uses
_PG_ROUTINE = frozenset({"IMMUTABLE", "STABLE", "VOLATILE", "STRICT", "PARALLEL", "LEAKPROOF", "SETOF", "ATOMIC"})
_SCOPES = frozenset({"GLOBAL", "SESSION", "LOCAL", "PERSIST", "PERSIST_ONLY"})
_NOT_VARIABLES = frozenset({"NAMES", "CHARACTER", "CHARSET", "PASSWORD", "ROLE", "DEFAULT", "TRANSACTION",
                            "AUTOCOMMIT", "FOREIGN_KEY_CHECKS", "CONSTRAINTS", "SCHEMA", "TIME"})
# MySQL server variables application code sets; none is a PostgreSQL parameter
MYSQL_VARIABLES = frozenset({
    "SQL_MODE", "TIME_ZONE", "MAX_EXECUTION_TIME", "GROUP_CONCAT_MAX_LEN", "SQL_SAFE_UPDATES", "UNIQUE_CHECKS",
    "SQL_LOG_BIN", "WAIT_TIMEOUT", "INTERACTIVE_TIMEOUT", "NET_READ_TIMEOUT", "NET_WRITE_TIMEOUT",
    "LOCK_WAIT_TIMEOUT", "TX_ISOLATION", "TX_READ_ONLY", "SQL_SELECT_LIMIT", "MAX_HEAP_TABLE_SIZE",
    "TMP_TABLE_SIZE", "SORT_BUFFER_SIZE", "JOIN_BUFFER_SIZE", "LONG_QUERY_TIME", "SLOW_QUERY_LOG",
    "GENERAL_LOG", "EVENT_SCHEDULER", "MAX_CONNECTIONS", "SQL_BIG_SELECTS", "SQL_NOTES", "SQL_WARNINGS",
    "DIV_PRECISION_INCREMENT", "LC_TIME_NAMES", "OPTIMIZER_SWITCH", "CTE_MAX_RECURSION_DEPTH",
    "EXPLICIT_DEFAULTS_FOR_TIMESTAMP", "SQL_AUTO_IS_NULL", "SQL_QUOTE_SHOW_CREATE", "MAX_ALLOWED_PACKET",
    "READ_ONLY", "SUPER_READ_ONLY", "LOCAL_INFILE", "BINLOG_FORMAT", "INIT_CONNECT", "MAX_SP_RECURSION_DEPTH",
    "INNODB_LOCK_WAIT_TIMEOUT", "INNODB_STRICT_MODE", "CHARACTER_SET_CLIENT", "CHARACTER_SET_RESULTS",
    "CHARACTER_SET_CONNECTION", "CHARACTER_SET_SERVER", "COLLATION_CONNECTION", "COLLATION_SERVER",
})


def _start(stmt: Statement) -> int:
    """Index of the statement proper: past a `DELIMITER x` line glued in front of it."""
    if stmt.word(0) != "DELIMITER":
        return 0
    line = stmt.tokens[0].line
    return next((i for i, t in enumerate(stmt.tokens) if t.line > line), len(stmt.tokens))


def _routine(stmt: Statement, verbs=("CREATE",)) -> tuple[int, int, str] | None:
    """(first, kind index, kind) of `CREATE [OR REPLACE] [ALGORITHM=..] [DEFINER=..] [SQL SECURITY ..]
    [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT|VIEW`."""
    first = _start(stmt)
    if stmt.word(first) not in verbs:
        return None
    for i in range(first + 1, min(first + 16, len(stmt.tokens))):
        word = stmt.word(i)
        if word in _ROUTINES:
            return first, i, word
        if stmt.type_is(i, TokenType.L_PAREN) or word in ("TABLE", "INDEX", "AS", "ON", "SELECT", "UNIQUE"):
            return None
    return None


def _name_end(stmt: Statement, kind: int) -> int:
    """Index of the last token of the routine name after `kind` (IF NOT EXISTS, schema.name)."""
    i = kind + 1
    while stmt.word(i) in ("IF", "NOT", "EXISTS"):
        i += 1
    while stmt.type_is(i + 1, TokenType.DOT):
        i += 2
    return min(i, len(stmt.tokens) - 1)


def _postgres_routine(stmt: Statement, kind: int) -> bool:
    """A body written for PostgreSQL: `AS $$ ... $$` / `AS '...'`, BEGIN ATOMIC, PG-only attributes."""
    for i in range(kind, len(stmt.tokens)):
        if stmt.word(i) in _PG_ROUTINE:
            return True
        if stmt.word(i) == "AS" and (stmt.type_is(i + 1, TokenType.STRING) or stmt.tokens[i + 1].text.startswith("$")
                                     if i + 1 < len(stmt.tokens) else False):
            return True
    return False


def _created(stmt: Statement, wanted: str) -> Iterator[Hit]:
    found = _routine(stmt)
    if found and found[2] == wanted and not _postgres_routine(stmt, found[1]):
        yield stmt.span(found[0], _name_end(stmt, found[1]))


def stored_procedure(stmt: Statement) -> Iterator[Hit]:
    """PRC001: CREATE [DEFINER=..] PROCEDURE with a MySQL body."""
    yield from _created(stmt, "PROCEDURE")


def stored_function(stmt: Statement) -> Iterator[Hit]:
    """PRC002: CREATE [DEFINER=..] FUNCTION with MySQL characteristics / BEGIN ... END body."""
    yield from _created(stmt, "FUNCTION")


def trigger(stmt: Statement) -> Iterator[Hit]:
    """PRC003: CREATE TRIGGER with an inline MySQL body (PostgreSQL's EXECUTE FUNCTION form passes)."""
    found = _routine(stmt)
    if found and found[2] == "TRIGGER":
        if not any(stmt.word(i) == "EXECUTE" and stmt.word(i + 1) in ("FUNCTION", "PROCEDURE")
                   for i in range(found[1], len(stmt.tokens))):
            yield stmt.span(found[0], _name_end(stmt, found[1]))


def event(stmt: Statement) -> Iterator[Hit]:
    """PRC004: CREATE / ALTER / DROP EVENT."""
    found = _routine(stmt, ("CREATE", "ALTER"))
    if found and found[2] == "EVENT":
        yield stmt.span(found[0], found[1])
    first = _start(stmt)
    if stmt.word(first) == "DROP" and stmt.word(first + 1) == "EVENT":
        yield stmt.span(first, first + 1)


def view_options(stmt: Statement) -> Iterator[Hit]:
    """PRC005: ALGORITHM= / DEFINER= / SQL SECURITY before VIEW in CREATE or ALTER VIEW."""
    found = _routine(stmt, ("CREATE", "ALTER"))
    if not found or found[2] != "VIEW":
        return
    first, kind, _ = found
    start = next((i for i in range(first + 1, kind)
                  if stmt.word(i).split()[:1] in (["ALGORITHM"], ["DEFINER"], ["SQL"])), None)
    if start is not None:
        yield stmt.span(start, kind - 1)


def delimiter(stmt: Statement) -> Iterator[Hit]:
    """PRC006: the mysql client's DELIMITER command inside SQL text."""
    for i, tok in enumerate(stmt.tokens):
        if stmt.word(i) == "DELIMITER" and (i == 0 or stmt.tokens[i - 1].line < tok.line):
            yield stmt.span(i, i)


def _assignments(stmt: Statement) -> list[tuple[int, int]]:
    """(first, last) of each `[scope] name = value` of a SET statement."""
    if stmt.word(0) != "SET" or len(stmt.tokens) < 2:
        return []
    parts, depth, start = [], 0, 1
    for i in range(1, len(stmt.tokens)):
        kind = stmt.tokens[i].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if kind == TokenType.COMMA and depth == 0:
            parts.append((start, i - 1))
            start = i + 1
    parts.append((start, len(stmt.tokens) - 1))
    return [(a, b) for a, b in parts if a <= b]


def _variable(stmt: Statement, first: int, last: int) -> tuple[str, str, int] | None:
    """(scope, NAME, index of the name) of one assignment; scope '' when unwritten, '@@' for @@x."""
    i, scope = first, ""
    if stmt.word(i) in _SCOPES:
        scope, i = stmt.word(i), i + 1
    elif stmt.type_is(i, TokenType.SESSION_PARAMETER):
        scope, i = "@@", i + 1
        if stmt.type_is(i + 1, TokenType.DOT):
            scope, i = f"@@{stmt.word(i)}.", i + 2
    elif stmt.type_is(i, TokenType.PARAMETER):
        return None  # @user_variable
    if i > last or stmt.type_is(i, TokenType.PARAMETER, TokenType.SESSION_PARAMETER):
        return None
    return scope, stmt.tokens[i].text.upper(), i


def set_server_variable(stmt: Statement) -> Iterator[Hit]:
    """PRC008: SET GLOBAL / PERSIST x = ..., or SET of a MySQL server variable (sql_mode, time_zone ...).
    `SET @@x` is SYN022's, autocommit TXN003's, foreign_key_checks PRC009's, SET [SESSION] TRANSACTION the TXN rules'."""
    for first, last in _assignments(stmt):
        found = _variable(stmt, first, last)
        if not found:
            continue
        scope, name, at = found
        if name in _NOT_VARIABLES or scope.startswith("@@"):
            continue
        mysql_syntax = scope in ("GLOBAL", "PERSIST", "PERSIST_ONLY")
        if mysql_syntax or name in MYSQL_VARIABLES or name.startswith("INNODB_"):
            yield stmt.span(0 if first == 1 else first, at)


def foreign_key_checks(stmt: Statement) -> Iterator[Hit]:
    """PRC009: SET [SESSION|GLOBAL|@@..] foreign_key_checks = 0|1."""
    for first, last in _assignments(stmt):
        found = _variable(stmt, first, last)
        if found and found[1] == "FOREIGN_KEY_CHECKS":
            yield stmt.span(0 if first == 1 else first, last)


def flush(stmt: Statement) -> Iterator[Hit]:
    """PRC010: FLUSH PRIVILEGES / TABLES / LOGS / ... [WITH READ LOCK]."""
    if stmt.word(0) == "FLUSH" and len(stmt.tokens) > 1:
        yield stmt.span(0, 1)


def kill(stmt: Statement) -> Iterator[Hit]:
    """PRC011: KILL [CONNECTION | QUERY] id."""
    if stmt.word(0) == "KILL" and len(stmt.tokens) > 1:
        yield stmt.span(0, 1 if stmt.word(1) in ("CONNECTION", "QUERY") else 0)


def call(stmt: Statement) -> Iterator[Hit]:
    """PRC012: CALL proc(...). The bare `CALL name` that DB-API callproc() implies is left alone
    (the call site, not SQL text, decides how it ports)."""
    if stmt.word(0) == "CALL" and len(stmt.tokens) > 1:
        end = 1
        while stmt.type_is(end + 1, TokenType.DOT):
            end += 2
        if stmt.type_is(end + 1, TokenType.L_PAREN):
            yield stmt.span(0, min(end, len(stmt.tokens) - 1))
