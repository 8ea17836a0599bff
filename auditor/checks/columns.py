"""Token-level anatomy of CREATE TABLE / ALTER TABLE, shared by the DDL checks.

Works on tokens, not on the sqlglot tree, so dumps sqlglot cannot parse are still
read, and every part keeps its position in the original text.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokens import TokenType

from auditor.checks.base import Statement

NOT_COLUMNS = frozenset({"KEY", "INDEX", "PRIMARY", "PRIMARY KEY", "UNIQUE", "CONSTRAINT", "FOREIGN",
                         "FOREIGN KEY", "FULLTEXT", "SPATIAL", "CHECK", "PERIOD"})
TABLE_OPTIONS = frozenset({
    "ENGINE", "TYPE", "DEFAULT", "CHARSET", "CHARACTER", "COLLATE", "AUTO_INCREMENT", "ROW_FORMAT",
    "COMMENT", "AVG_ROW_LENGTH", "CHECKSUM", "KEY_BLOCK_SIZE", "MAX_ROWS", "MIN_ROWS", "PACK_KEYS",
    "STATS_PERSISTENT", "STATS_AUTO_RECALC", "STATS_SAMPLE_PAGES", "DELAY_KEY_WRITE",
    "INSERT_METHOD", "COMPRESSION", "ENCRYPTION", "TABLESPACE", "CONNECTION",
})
_OPTIONS_END = frozenset({"AS", "SELECT", "PARTITION", "IGNORE", "REPLACE", "WITH"})


@dataclass(frozen=True)
class ColumnDef:
    name: int  # token index of the column name
    type: int  # token index of the type as written
    params_end: int  # index of the `)` closing the type's parameters, else == type
    end: int  # one past the last token of the definition


def _after_table(stmt: Statement, verb: str) -> int:
    """Index just past `<verb> [..] TABLE [IF [NOT] EXISTS] name`, or -1."""
    if stmt.word(0) != verb:
        return -1
    i = next((k for k in range(1, 4) if stmt.word(k) == "TABLE"), -1)
    if i < 0:
        return -1
    i += 1
    while stmt.word(i) in ("IF", "NOT", "EXISTS"):
        i += 1
    i += 1  # the name
    while stmt.type_is(i, TokenType.DOT):
        i += 2
    return i


def split(stmt: Statement, first: int, stop: int) -> list[tuple[int, int]]:
    """(first, last) token ranges between `first` and `stop`, cut at commas of depth 0."""
    parts, depth, start = [], 0, first
    for i in range(first, stop):
        kind = stmt.tokens[i].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if kind == TokenType.COMMA and depth == 0:
            parts.append((start, i - 1))
            start = i + 1
    if start < stop:
        parts.append((start, stop - 1))
    return [(a, b) for a, b in parts if a <= b]


def create_body(stmt: Statement) -> tuple[int, int] | None:
    """Indexes of the `(` and `)` around the CREATE TABLE element list."""
    i = _after_table(stmt, "CREATE")
    if i < 0 or not stmt.type_is(i, TokenType.L_PAREN):
        return None
    close = stmt.close_paren(i)
    return (i, close) if close > 0 else None


def create_elements(stmt: Statement) -> list[tuple[int, int]]:
    body = create_body(stmt)
    return split(stmt, body[0] + 1, body[1]) if body else []


def alter_specs(stmt: Statement) -> list[tuple[int, int]]:
    i = _after_table(stmt, "ALTER")
    return split(stmt, i, len(stmt.tokens)) if i >= 0 else []


def column_defs(stmt: Statement) -> list[ColumnDef]:
    found = []
    for first, last in create_elements(stmt):
        if stmt.word(first) not in NOT_COLUMNS:
            found.append(_column(stmt, first, last))
    for first, last in alter_specs(stmt):
        verb, k = stmt.word(first), first + 1
        if verb not in ("ADD", "MODIFY", "CHANGE"):
            continue
        k += stmt.word(k) == "COLUMN"
        while stmt.word(k) in ("IF", "NOT", "EXISTS"):
            k += 1
        if stmt.word(k) in NOT_COLUMNS or stmt.type_is(k, TokenType.L_PAREN):
            continue
        found.append(_column(stmt, k + (verb == "CHANGE"), last))
    return [c for c in found if c is not None]


def _column(stmt: Statement, name: int, last: int) -> ColumnDef | None:
    kind = name + 1
    if kind > last or not stmt.word(kind):
        return None
    params_end = kind
    if stmt.type_is(kind + 1, TokenType.L_PAREN):
        close = stmt.close_paren(kind + 1)
        params_end = close if 0 < close <= last else kind
    return ColumnDef(name, kind, params_end, last + 1)


def type_params(stmt: Statement, col: ColumnDef) -> list[str]:
    """Texts of the type's parameters: `INT(11)` -> ["11"], `DECIMAL(10,2)` -> ["10", "2"]."""
    return [stmt.tokens[i].text for i in range(col.type + 2, col.params_end)
            if stmt.tokens[i].token_type != TokenType.COMMA]


def table_options(stmt: Statement) -> tuple[int, int] | None:
    """(first, last) of the first run of table options in CREATE TABLE or ALTER TABLE."""
    body = create_body(stmt)
    if body:
        first = stop = body[1] + 1
        while stop < len(stmt.tokens) and stmt.word(stop) not in _OPTIONS_END:
            stop += 1
        return (first, stop - 1) if stop > first and stmt.word(first) in TABLE_OPTIONS else None
    return next(((a, b) for a, b in alter_specs(stmt) if stmt.word(a) in TABLE_OPTIONS), None)
