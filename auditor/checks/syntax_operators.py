"""MySQL-only operators, variables, modifiers and literals, read from the tokens as written."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

_NAME_TOKENS = (TokenType.VAR, TokenType.STRING, TokenType.IDENTIFIER)
# what a left operand can end with (so `SELECT div FROM t`, a column, is no DIV operator)
_OPERAND_ENDS = (TokenType.VAR, TokenType.IDENTIFIER, TokenType.NUMBER, TokenType.STRING, TokenType.R_PAREN,
                 TokenType.PLACEHOLDER, TokenType.NULL, TokenType.TRUE, TokenType.FALSE)


def _adjacent(stmt: Statement, i: int) -> bool:
    """Token i+1 starts right where token i ends (no space or comment between)."""
    return i + 1 < len(stmt.tokens) and stmt.tokens[i].end + 1 == stmt.tokens[i + 1].start


# --- DIV ---------------------------------------------------------------------------------------

def div_operator(stmt: Statement) -> Iterator[Hit]:
    """SYN016: `a DIV b` (PostgreSQL's div(a, b) function call is left alone)."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.DIV and stmt.type_is(i - 1, *_OPERAND_ENDS) \
                and not stmt.type_is(i + 1, TokenType.L_PAREN):
            yield stmt.span(i, i)


# --- user variables ----------------------------------------------------------------------------

def _user_variables(stmt: Statement) -> Iterator[int]:
    """Indexes of the `@` of `@name`, `@'name'`, `@`name``: not `'app'@'host'` account names."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type != TokenType.PARAMETER or tok.text != "@" or not _adjacent(stmt, i):
            continue
        if not stmt.type_is(i + 1, *_NAME_TOKENS):
            continue
        if i > 0 and stmt.type_is(i - 1, *_NAME_TOKENS) and _adjacent(stmt, i - 1):
            continue  # user@host
        yield i


def _assignments(stmt: Statement) -> Iterator[int]:
    """Indexes of the `@` of `@name := ...` written inside an expression (not SET's own item)."""
    top = set(stmt.top_level()) if stmt.word(0) == "SET" else set()
    for i in _user_variables(stmt):
        if stmt.type_is(i + 2, TokenType.COLON_EQ) and i + 2 not in top:
            yield i


def _into_targets(stmt: Statement) -> Iterator[tuple[int, int]]:
    """(INTO, last variable) of `... INTO @a, @b`."""
    for i in range(len(stmt.tokens) - 2):
        if stmt.word(i) != "INTO" or not stmt.type_is(i + 1, TokenType.PARAMETER):
            continue
        last, j = i, i + 1
        while stmt.type_is(j, TokenType.PARAMETER) and stmt.tokens[j].text == "@" \
                and stmt.type_is(j + 1, *_NAME_TOKENS):
            last = j + 1
            if not stmt.type_is(j + 2, TokenType.COMMA):
                break
            j += 3
        if last > i:
            yield i, last


def variable_assignment(stmt: Statement) -> Iterator[Hit]:
    """SYN020: `@rownum := @rownum + 1` inside a query."""
    for i in _assignments(stmt):
        yield stmt.span(i, i + 2)


def select_into_variable(stmt: Statement) -> Iterator[Hit]:
    """SYN021: `SELECT ... INTO @a, @b`."""
    for first, last in _into_targets(stmt):
        yield stmt.span(first, last)


def user_variable(stmt: Statement) -> Iterator[Hit]:
    """SYN019: `@name` set or read (SET @x = 1, WHERE id = @x); a statement that assigns with
    `:=` inside a query is SYN020's, `INTO @x` is SYN021's."""
    if any(True for _ in _assignments(stmt)):
        return
    into = {k for first, last in _into_targets(stmt) for k in range(first, last + 1)}
    for i in _user_variables(stmt):
        if i not in into:
            yield stmt.span(i, i + 1)


def system_variable_read(stmt: Statement) -> Iterator[Hit]:
    """SYN022: reading `@@version`, `@@session.sql_mode`, `@@global.x`. The variable a SET statement
    assigns (`SET @@session.x = ...`) is PRC008's (autocommit TXN003's)."""
    top = set(stmt.top_level()) if stmt.word(0) == "SET" else set()
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type != TokenType.SESSION_PARAMETER or not _adjacent(stmt, i) or not stmt.word(i + 1):
            continue
        last = i + 1
        if stmt.word(last) in ("SESSION", "GLOBAL", "LOCAL", "PERSIST", "PERSIST_ONLY") \
                and stmt.type_is(last + 1, TokenType.DOT) and last + 2 < len(stmt.tokens):
            last += 2
        if i in top and stmt.type_is(last + 1, TokenType.EQ, TokenType.COLON_EQ):
            continue
        yield stmt.span(i, last)


# --- statement-level ---------------------------------------------------------------------------

_PG_NAMES = frozenset({"utf8", "UTF8"})


def set_names(stmt: Statement) -> Iterator[Hit]:
    """SYN026: SET NAMES x [COLLATE y] / SET CHARACTER SET x / SET CHARSET x. `SET NAMES 'utf8'`
    (and DEFAULT) is left alone: PostgreSQL accepts it as SET client_encoding."""
    if stmt.word(0) != "SET":
        return
    top = stmt.top_level()
    starts = [top[0] + 1] + [top[k] + 1 for k in range(len(top)) if stmt.type_is(top[k], TokenType.COMMA)]
    for s in starts:
        if stmt.word(s) == "NAMES":
            value = s + 1
        elif stmt.word(s) in ("CHARACTER", "CHAR") and stmt.word(s + 1) == "SET":
            value = s + 2
        elif stmt.word(s) == "CHARSET":
            value = s + 1
        else:
            continue
        if value >= len(stmt.tokens):
            continue
        last = value + 2 if stmt.word(value + 1) == "COLLATE" and value + 2 < len(stmt.tokens) else value
        if stmt.word(s) == "NAMES" and last == value and (
                stmt.word(value) == "DEFAULT"
                or (stmt.type_is(value, TokenType.STRING) and stmt.tokens[value].text in _PG_NAMES
                    and stmt.sql[stmt.tokens[value].start] == "'")):
            continue
        yield stmt.span(s - 1 if s - 1 == 0 else s, last)


_SELECT_MODIFIERS = frozenset({"ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN",
                               "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE",
                               "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS"})
_OPTIMIZER_MODIFIERS = frozenset({"HIGH_PRIORITY", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT",
                                  "SQL_CACHE", "SQL_NO_CACHE"})


def select_optimizer_modifier(stmt: Statement) -> Iterator[Hit]:
    """SYN029: SELECT HIGH_PRIORITY / SQL_NO_CACHE / SQL_CACHE / SQL_SMALL_RESULT / SQL_BIG_RESULT /
    SQL_BUFFER_RESULT (read only right after SELECT, where MySQL puts its modifiers: a column may be
    named so). INSERT/UPDATE/DELETE's LOW_PRIORITY, DELAYED, QUICK ... are DML013's."""
    for i in range(len(stmt.tokens)):
        if stmt.word(i) != "SELECT":
            continue
        j = i + 1
        while stmt.word(j) in _SELECT_MODIFIERS:
            if stmt.word(j) in _OPTIMIZER_MODIFIERS:
                yield stmt.span(j, j)
            j += 1


def order_by_null(stmt: Statement) -> Iterator[Hit]:
    """SYN037: a query's `ORDER BY NULL` (inside OVER (...) PostgreSQL accepts it)."""
    opens: list[int] = []
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.L_PAREN:
            opens.append(i)
        elif tok.token_type == TokenType.R_PAREN:
            if opens:
                opens.pop()
        elif stmt.word(i) == "ORDER BY" and stmt.word(i + 1) == "NULL":
            if not opens or stmt.word(opens[-1] + 1) in ("SELECT", "WITH"):
                yield stmt.span(i, i + 1)


def select_into_outfile(stmt: Statement) -> Iterator[Hit]:
    """SYN039: SELECT ... INTO OUTFILE 'file' / INTO DUMPFILE 'file'."""
    for i in range(len(stmt.tokens) - 1):
        if stmt.word(i) == "INTO" and stmt.word(i + 1) in ("OUTFILE", "DUMPFILE"):
            yield stmt.span(i, min(i + 2, len(stmt.tokens) - 1))


# --- literals ----------------------------------------------------------------------------------

def hex_bit_literal(stmt: Statement) -> Iterator[Hit]:
    """SYN034: X'4142', 0x4142, b'0101', 0b0101 (binary strings or numbers in MySQL)."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type in (TokenType.HEX_STRING, TokenType.BIT_STRING) \
                and not stmt.type_is(i - 1, TokenType.INTRODUCER):
            yield stmt.span(i, i)


def charset_introducer(stmt: Statement) -> Iterator[Hit]:
    """SYN035: `_utf8mb4'text'`, `_binary 'x'`, `_latin1 X'E9'` (the literal after it included)."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.INTRODUCER:
            yield stmt.span(i, min(i + 1, len(stmt.tokens) - 1))


def with_rollup(stmt: Statement) -> Iterator[Hit]:
    """SYN030: `GROUP BY a WITH ROLLUP` (not a CTE named rollup: `WITH rollup AS (...)`)."""
    for first, last in stmt.sequence(("WITH", "ROLLUP")):
        if stmt.word(last + 1) != "AS" and not stmt.type_is(last + 1, TokenType.L_PAREN):
            yield stmt.span(first, last)
