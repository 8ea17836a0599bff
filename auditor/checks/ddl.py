"""MySQL-only column types, attributes, inline indexes and table options."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement
from auditor.checks.columns import column_defs, create_elements, table_options as _options, type_params

INTEGERS = frozenset({"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT"})
MYSQL_TYPES = frozenset({"TINYINT", "MEDIUMINT", "DATETIME", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT",
                         "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "YEAR", "DOUBLE"})
_INDEX_WORDS = frozenset({"KEY", "INDEX", "FULLTEXT", "SPATIAL"})


def _type(stmt: Statement, col) -> str:
    return " ".join(stmt.tokens[col.type].text.upper().split())


def _is_bool_tinyint(stmt: Statement, col) -> bool:
    return _type(stmt, col) == "TINYINT" and type_params(stmt, col) == ["1"]


def _attributes(stmt: Statement, col) -> range:
    return range(col.params_end + 1, col.end)


def auto_increment_column(stmt: Statement) -> Iterator[Hit]:
    """DDL001: the AUTO_INCREMENT column attribute (the table option is DDL005)."""
    for col in column_defs(stmt):
        yield from (stmt.span(i, i) for i in _attributes(stmt, col) if stmt.word(i) == "AUTO_INCREMENT")


def unsigned_integer(stmt: Statement) -> Iterator[Hit]:
    """DDL002: `INT UNSIGNED`, `DECIMAL(10,2) UNSIGNED` ... (span: type through UNSIGNED)."""
    for col in column_defs(stmt):
        yield from (stmt.span(col.type, i) for i in _attributes(stmt, col) if stmt.word(i) == "UNSIGNED")


def tinyint_boolean(stmt: Statement) -> Iterator[Hit]:
    """DDL003: `TINYINT(1)`, MySQL's boolean."""
    yield from (stmt.span(c.type, c.params_end) for c in column_defs(stmt) if _is_bool_tinyint(stmt, c))


def mysql_column_type(stmt: Statement) -> Iterator[Hit]:
    """DDL006: types PostgreSQL lacks (TINYINT(1) is DDL003, DOUBLE PRECISION is fine)."""
    for col in column_defs(stmt):
        if _type(stmt, col) in MYSQL_TYPES and not _is_bool_tinyint(stmt, col):
            yield stmt.span(col.type, col.params_end)


def integer_display_width(stmt: Statement) -> Iterator[Hit]:
    """DDL008: `INT(11)`, `BIGINT(20)`, `SMALLINT(6)`: a width on an integer type PostgreSQL has.
    TINYINT/MEDIUMINT with a width are DDL006 (the type itself goes), TINYINT(1) is DDL003."""
    for col in column_defs(stmt):
        if _type(stmt, col) in INTEGERS - {"TINYINT", "MEDIUMINT"} and type_params(stmt, col):
            yield stmt.span(col.type, col.params_end)


def column_options(stmt: Statement) -> Iterator[Hit]:
    """DDL009: column-level CHARACTER SET / CHARSET / COLLATE / COMMENT."""
    for col in column_defs(stmt):
        for i in _attributes(stmt, col):
            word = stmt.word(i)
            if word == "CHARACTER" and stmt.word(i + 1) == "SET":
                yield stmt.span(i, min(i + 2, col.end - 1))
            elif word in ("CHARSET", "COLLATE", "COMMENT"):
                yield stmt.span(i, min(i + 1, col.end - 1))


def table_options(stmt: Statement) -> Iterator[Hit]:
    """DDL005: ENGINE=, DEFAULT CHARSET=, COLLATE=, AUTO_INCREMENT=n, ROW_FORMAT=, COMMENT= ..."""
    found = _options(stmt)
    if found:
        yield stmt.span(*found)


def inline_index(stmt: Statement) -> Iterator[Hit]:
    """DDL010: KEY/INDEX/FULLTEXT/SPATIAL and named UNIQUE KEY inside CREATE TABLE."""
    for first, last in create_elements(stmt):
        word = stmt.word(first)
        unique_named = word == "UNIQUE" and not stmt.type_is(first + 1, TokenType.L_PAREN)
        if word in _INDEX_WORDS or unique_named:
            yield stmt.span(first, last)
