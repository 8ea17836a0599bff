"""MySQL-only column types, attributes, inline indexes and table options."""
from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement
from auditor.checks.columns import (_after_table, alter_specs, column_defs, create_body, create_elements, split,
                                    table_options as _options, type_params)

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
        if _type(stmt, col) in MYSQL_TYPES and not _is_bool_tinyint(stmt, col) \
                and not (_type(stmt, col) == "DOUBLE" and len(type_params(stmt, col)) == 2):  # DDL012
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


# --- issue 5: more types, column clauses, table-level DDL ------------------------------------

_FLOATS = frozenset({"FLOAT", "DOUBLE", "REAL", "DOUBLE PRECISION"})
_SPATIAL = frozenset({"GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
                      "MULTIPOLYGON", "GEOMETRYCOLLECTION", "GEOMCOLLECTION"})
_ZERO_DATE = re.compile(r"^0000-00-00(?:[ T]00:00:00(?:\.0+)?)?$")
_INDEX_INTRO = frozenset({"KEY", "INDEX", "UNIQUE", "PRIMARY", "PRIMARY KEY", "FULLTEXT", "SPATIAL", "CONSTRAINT"})
_PARTITION_OPS = frozenset({"ADD", "DROP", "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK",
                            "OPTIMIZE", "REBUILD", "REPAIR", "DISCARD", "IMPORT"})
_PG_TRUNCATE = frozenset({"RESTART", "CONTINUE", "CASCADE", "RESTRICT"})


def zerofill(stmt: Statement) -> Iterator[Hit]:
    """DDL011: the ZEROFILL column attribute."""
    for col in column_defs(stmt):
        yield from (stmt.span(i, i) for i in _attributes(stmt, col) if stmt.word(i) == "ZEROFILL")


def float_precision_scale(stmt: Statement) -> Iterator[Hit]:
    """DDL012: FLOAT(m,d) / DOUBLE(m,d) / REAL(m,d). FLOAT(p) is standard SQL and fine."""
    for col in column_defs(stmt):
        if _type(stmt, col) in _FLOATS and len(type_params(stmt, col)) == 2:
            yield stmt.span(col.type, col.params_end)


def binary_column(stmt: Statement) -> Iterator[Hit]:
    """DDL013: BINARY(n) / VARBINARY(n) columns (the BINARY attribute of CHAR is not a type)."""
    for col in column_defs(stmt):
        if _type(stmt, col) in ("BINARY", "VARBINARY"):
            yield stmt.span(col.type, col.params_end)


def timestamp_column(stmt: Statement) -> Iterator[Hit]:
    """DDL014: a TIMESTAMP column (MySQL converts it to/from the session time zone)."""
    for col in column_defs(stmt):
        if _type(stmt, col) == "TIMESTAMP" and stmt.word(col.params_end + 1) not in ("WITH", "WITHOUT"):
            yield stmt.span(col.type, col.params_end)


def zero_date(stmt: Statement) -> Iterator[Hit]:
    """DDL015: '0000-00-00' / '0000-00-00 00:00:00' in DDL (defaults); queries and writes are SEM018."""
    if stmt.kind != "ddl":
        return
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.STRING and _ZERO_DATE.match(tok.text.strip()):
            yield stmt.span(i, i)


def _prefixed_parts(stmt: Statement, open_paren: int) -> Iterator[Hit]:
    """`name(10)` items of the index column list opened at `open_paren`."""
    close = stmt.close_paren(open_paren)
    if close < 0:
        return
    for first, last in split(stmt, open_paren + 1, close):
        if stmt.word(last) in ("ASC", "DESC"):
            last -= 1
        if last == first + 3 and (stmt.word(first) or stmt.type_is(first, TokenType.IDENTIFIER)) \
                and not stmt.is_hole(first) and stmt.type_is(first + 1, TokenType.L_PAREN) \
                and stmt.type_is(first + 2, TokenType.NUMBER) and stmt.type_is(last, TokenType.R_PAREN):
            yield stmt.span(first, last)


def _first_paren(stmt: Statement, first: int, last: int) -> int:
    return next((i for i in range(first, last + 1) if stmt.type_is(i, TokenType.L_PAREN)), -1)


def index_prefix_length(stmt: Statement) -> Iterator[Hit]:
    """DDL016: `KEY (name(10))`, `CREATE INDEX i ON t (name(10))`, `ADD INDEX (name(10))`."""
    for first, last in create_elements(stmt):
        if stmt.word(first) in _INDEX_INTRO and not any(stmt.word(i) in ("CHECK", "FOREIGN", "FOREIGN KEY")
                                                         for i in range(first, last + 1)):
            if (paren := _first_paren(stmt, first, last)) >= 0:
                yield from _prefixed_parts(stmt, paren)
    for first, last in alter_specs(stmt):
        if stmt.word(first) == "ADD" and stmt.word(first + 1) in _INDEX_INTRO \
                and not any(stmt.word(i) in ("CHECK", "FOREIGN", "FOREIGN KEY") for i in range(first, last + 1)):
            if (paren := _first_paren(stmt, first, last)) >= 0:
                yield from _prefixed_parts(stmt, paren)
    if stmt.word(0) == "CREATE":
        index = next((i for i in range(1, 4) if stmt.word(i) == "INDEX"), -1)
        on = next((i for i in range(index, len(stmt.tokens)) if stmt.word(i) == "ON"), -1) if index > 0 else -1
        if on > 0 and (paren := _first_paren(stmt, on, len(stmt.tokens) - 1)) >= 0:
            yield from _prefixed_parts(stmt, paren)


def spatial_column(stmt: Statement) -> Iterator[Hit]:
    """DDL017: GEOMETRY / POINT / POLYGON ... columns (PostGIS `geometry(Point, 4326)` is fine)."""
    for col in column_defs(stmt):
        if _type(stmt, col) in _SPATIAL and col.params_end == col.type:
            yield stmt.span(col.type, col.type)


def generated_column(stmt: Statement) -> Iterator[Hit]:
    """DDL018: `AS (expr) [VIRTUAL|STORED]` without GENERATED ALWAYS, or a virtual generated column."""
    for col in column_defs(stmt):
        for i in _attributes(stmt, col):
            if stmt.word(i) != "AS" or not stmt.type_is(i + 1, TokenType.L_PAREN):
                continue
            close = stmt.close_paren(i + 1)
            if close < 0:
                break
            generated = stmt.word(i - 1) == "ALWAYS" and stmt.word(i - 2) == "GENERATED"
            kind = stmt.word(close + 1)
            if not generated or kind != "STORED":
                start = i - 2 if generated else i
                yield stmt.span(start, close + 1 if kind in ("STORED", "VIRTUAL") else close)
            break


def partitioning(stmt: Statement) -> Iterator[Hit]:
    """DDL019: MySQL partition definitions (VALUES LESS THAN, PARTITIONS n, KEY/LINEAR, COLUMNS ...)
    and ALTER TABLE partition maintenance. A bare `PARTITION BY RANGE|LIST|HASH (expr)` is PostgreSQL too."""
    body = create_body(stmt)
    if body:
        top = set(stmt.top_level())
        at, by = next(((a, b) for a, b in stmt.sequence(("PARTITION", "BY")) if a > body[1] and a in top), (None, 0))
        if at is not None:
            method = by + 1
            pg_like = stmt.word(method) in ("RANGE", "LIST", "HASH") and stmt.type_is(method + 1, TokenType.L_PAREN)
            close = stmt.close_paren(method + 1) if pg_like else -1
            if not (pg_like and close == len(stmt.tokens) - 1):
                yield stmt.span(at, len(stmt.tokens) - 1)
    for first, last in alter_specs(stmt):
        if stmt.word(first) in _PARTITION_OPS and stmt.word(first + 1) in ("PARTITION", "PARTITIONING"):
            yield stmt.span(first, first + 1)
        elif stmt.word(first) == "REMOVE" and stmt.word(first + 1) == "PARTITIONING":
            yield stmt.span(first, first + 1)
        elif stmt.word(first).split()[:1] == ["PARTITION"] and "BY" in (stmt.word(first) + " " + stmt.word(first + 1)).split():
            yield stmt.span(first, first + (stmt.word(first) == "PARTITION"))


def create_table_like(stmt: Statement) -> Iterator[Hit]:
    """DDL020: `CREATE TABLE new LIKE old` (PostgreSQL: `CREATE TABLE new (LIKE old INCLUDING ALL)`)."""
    i = _after_table(stmt, "CREATE")
    if i > 0 and stmt.word(i) == "LIKE":
        yield stmt.span(0, min(i + 1, len(stmt.tokens) - 1))


def alter_modify_change(stmt: Statement) -> Iterator[Hit]:
    """DDL021: ALTER TABLE ... MODIFY [COLUMN] c ... / CHANGE [COLUMN] old new ..."""
    for first, last in alter_specs(stmt):
        if stmt.word(first) in ("MODIFY", "CHANGE"):
            k = first + 1 + (stmt.word(first + 1) == "COLUMN")
            k += stmt.word(first) == "CHANGE"
            yield stmt.span(first, min(k, last))


def column_position(stmt: Statement) -> Iterator[Hit]:
    """DDL022: `FIRST` / `AFTER col` at the end of ALTER TABLE ADD/MODIFY/CHANGE column."""
    for first, last in alter_specs(stmt):
        if stmt.word(first) not in ("ADD", "MODIFY", "CHANGE") or last - first < 2:
            continue
        if stmt.word(last - 1) == "AFTER":
            yield stmt.span(last - 1, last)
        elif stmt.word(last) == "FIRST" and last - first >= 3:
            yield stmt.span(last, last)


def rename_table(stmt: Statement) -> Iterator[Hit]:
    """DDL023: `RENAME TABLE a TO b [, c TO d]` and `ALTER TABLE a RENAME [AS] b` (no TO)."""
    if stmt.word(0) == "RENAME" and stmt.word(1) in ("TABLE", "TABLES"):
        yield stmt.whole()
    for first, last in alter_specs(stmt):
        if stmt.word(first) == "RENAME" and stmt.word(first + 1) not in ("TO", "COLUMN", "CONSTRAINT", "INDEX", "KEY") \
                and last > first:
            yield stmt.span(first, first + (stmt.word(first + 1) == "AS"))


def truncate_table(stmt: Statement) -> Iterator[Hit]:
    """DDL024: TRUNCATE [TABLE] t without RESTART/CONTINUE IDENTITY or CASCADE."""
    if stmt.word(0) != "TRUNCATE" or stmt.type_is(1, TokenType.L_PAREN) or len(stmt.tokens) < 2:
        return
    if not any(stmt.word(i) in _PG_TRUNCATE for i in range(1, len(stmt.tokens))):
        yield stmt.span(0, 1 + (stmt.word(1) == "TABLE"))
