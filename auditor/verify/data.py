"""The same rows on MySQL and PostgreSQL, chosen to expose where the two engines disagree.

A replay can only show a difference the data provokes: `name = 'alice'` finds the same rows on
both engines unless 'Alice' is also there, `ORDER BY score` agrees unless a score is NULL,
`visits / 2` agrees unless a visit count is odd. So every column gets the edge cases of its type
(_pool), rows respect the schema (NOT NULL, PK, UNIQUE under a case- and accent-insensitive
collation, foreign keys to generated parents) and the load keeps only the rows both engines
accept, so any later difference is the SQL's, never the data's.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from auditor.verify.pgtypes import LoadReport, copy_rows, fits_charset, fold, load_rows

_ATTEMPTS = 60  # tries per row to satisfy every unique key (cheap: all in memory)
_NO = object()  # no value of the column's type fits: a NOT NULL column that gets it drops the row


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # information_schema DATA_TYPE, lower case; "json" for MariaDB's json_valid longtext
    column_type: str  # e.g. "int(10) unsigned", "enum('a','b')", "tinyint(1)"
    nullable: bool
    max_length: int | None = None  # characters (bytes for binary and *text types)
    precision: int | None = None  # numeric precision; bits for bit(n)
    scale: int | None = None  # numeric scale; fractional-second digits for temporal types
    auto_increment: bool = False
    enum_values: tuple[str, ...] = ()  # enum(...) or set(...) members, in declared order
    unsigned: bool = False
    charset: str = ""  # decides whether accents and emoji fit (latin1, utf8mb3 cannot hold 😀)
    generated: bool = False  # VIRTUAL / STORED: never inserted


@dataclass(frozen=True)
class Table:
    name: str  # as MySQL spells it (keys of introspect() are lower case)
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()  # (cols, ref table, ref cols)


def _query(conn, sql: str) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(v.decode() if isinstance(v, bytes) else v for v in row) for row in cur.fetchall()]


def enum_members(column_type: str) -> tuple[str, ...]:
    """enum('a','it''s') -> ('a', "it's"): the members in declared order (MySQL sorts by it)."""
    if not re.match(r"^\s*(enum|set)\s*\(", column_type, re.I):
        return ()
    return tuple(m.replace("''", "'").replace("\\\\", "\\") for m in re.findall(r"'((?:[^']|'')*)'", column_type))


def introspect(mysql_conn) -> dict[str, Table]:
    """The current database's base tables from information_schema, keyed by lower-case name (the
    form the rest of verify looks tables up by)."""
    json_cols = {(t, c) for t, c, clause in _query(mysql_conn, "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
                 "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()")
                 if re.fullmatch(r"json_valid\(`?\w+`?\)", clause or "", re.I)}  # MariaDB's JSON is longtext
    columns: dict[str, list[Column]] = {}
    for (table, name, dtype, ctype, nullable, length, prec, scale, fsp, extra, charset) in _query(mysql_conn, """
            SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, c.CHARACTER_MAXIMUM_LENGTH,
                   c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, c.EXTRA, c.CHARACTER_SET_NAME
            FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
              ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
            WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
            ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION"""):
        dtype, ctype, extra = (dtype or "").lower(), (ctype or "").lower(), (extra or "").lower()
        dtype = "json" if (table, name) in json_cols else dtype
        length, prec, scale = (None if v is None else int(v) for v in (length, prec, scale))
        columns.setdefault(table, []).append(Column(
            name=name, data_type=dtype, column_type=ctype, nullable=nullable == "YES", max_length=length,
            precision=prec, scale=int(fsp or 0) if dtype in ("datetime", "timestamp", "time") else scale,
            auto_increment="auto_increment" in extra, enum_values=enum_members(ctype),
            unsigned="unsigned" in ctype, charset=(charset or "").lower(),
            generated=bool(re.search(r"\b(virtual|stored|persistent)\b", extra))))
    keys: dict[tuple[str, str], list[str]] = {}
    for table, index, column in _query(mysql_conn, """
            SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"""):
        keys.setdefault((table, index), []).append(column)
    fks: dict[tuple[str, str], tuple[list[str], str, list[str]]] = {}
    for table, constraint, column, ref_table, ref_column in _query(mysql_conn, """
            SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
            FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE()
              AND REFERENCED_TABLE_NAME IS NOT NULL AND REFERENCED_TABLE_SCHEMA = DATABASE()
            ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"""):
        entry = fks.setdefault((table, constraint), ([], ref_table, []))
        entry[0].append(column)
        entry[2].append(ref_column)
    return {table.lower(): Table(
        name=table, columns=tuple(cols), primary_key=tuple(keys.get((table, "PRIMARY"), ())),
        unique=tuple(tuple(v) for (t, i), v in sorted(keys.items()) if t == table and i != "PRIMARY"),
        foreign_keys=tuple((tuple(c), r, tuple(rc)) for (t, _), (c, r, rc) in sorted(fks.items()) if t == table))
        for table, cols in columns.items()}


def fk_order(tables: dict[str, Table]) -> list[str]:
    """Table keys, parents before children (alphabetical among equals); a cycle is broken at its
    alphabetically first table, whose forward references then stay NULL."""
    pending = {k: {r.lower() for _, r, _ in t.foreign_keys if r.lower() != k and r.lower() in tables}
               for k, t in tables.items()}
    order: list[str] = []
    while pending:
        ready = sorted(k for k, deps in pending.items() if not deps - set(order)) or [sorted(pending)[0]]
        order.append(ready[0])
        del pending[ready[0]]
    return order


def generate(tables: dict[str, Table], rows: int = 12, seed: int = 0) -> dict[str, list[dict]]:
    """`rows` rows per table (fewer when a unique key runs out of values), in FK order, keyed like
    `tables`; each row maps column name -> value (generated columns left out). Same seed, same rows."""
    out: dict[str, list[dict]] = {}
    for key in fk_order(tables):
        out[key] = _rows(tables[key], key, out, rows, random.Random(f"{seed}:{key}"))
    return out


def _is_null(i: int, k: int) -> bool:
    """Nullable columns are NULL in about one row in five, in different rows for different columns."""
    return (i + k) % 5 == 4


def _rows(table: Table, key: str, done: dict, n: int, rng: random.Random) -> list[dict]:
    """Row i takes the i-th edge case of each column; a row that breaks a unique key is retried with
    the next values of its key columns and other parents, and left out after _ATTEMPTS."""
    fk_cols = {c for cols, _, _ in table.foreign_keys for c in cols}
    keys = [k for k in (table.primary_key, *table.unique) if k]
    in_key = {c for k in keys for c in k}
    seen: list[set] = [set() for _ in keys]
    cursor = {c: 0 for c in in_key}  # next pool index of a key column: values are never reused
    accepted: list[dict] = []
    for i in range(n):
        for attempt in range(_ATTEMPTS):
            row, used = {}, {}
            for k, col in enumerate(table.columns):
                if col.generated or col.name in fk_cols:
                    continue
                if col.auto_increment:
                    row[col.name] = len(accepted) + 1
                elif col.nullable and _is_null(i, k):
                    row[col.name] = None
                elif col.name in in_key:
                    used[col.name] = cursor[col.name] + attempt
                    row[col.name] = _value(col, used[col.name], unique=True)
                else:
                    skipped = sum(_is_null(r, k) for r in range(i)) if col.nullable else 0  # NULL rows skip no case
                    row[col.name] = _value(col, i - skipped, unique=False)
            for fk in table.foreign_keys:
                row.update(_parent(table, key, fk, done, accepted + [row], i, rng))
            folded = [tuple(fold(row.get(c)) for c in k) for k in keys]
            if all(v is not _NO for v in row.values()) and all(None in f or f not in s for f, s in zip(folded, seen)):
                for f, s in zip(folded, seen):
                    s.add(f)
                cursor.update({c: j + 1 for c, j in used.items()})
                accepted.append({c.name: row[c.name] for c in table.columns if c.name in row})
                break
    return accepted


def _parent(table: Table, key: str, fk, done: dict, own: list, i: int, rng: random.Random) -> dict:
    """Values for one foreign key: a generated parent's key (ties come free, some parents get no
    child), NULL in some rows when the columns allow it; `own`: this table's rows so far."""
    cols, ref, ref_cols = fk
    columns = {c.name: c for c in table.columns}
    nullable = all(columns[c].nullable for c in cols if c in columns)
    if nullable and _is_null(i, list(columns).index(cols[0]) if cols[0] in columns else 0):
        return {c: None for c in cols}
    parents = own if ref.lower() == key else done.get(ref.lower())
    choices = [tuple(p.get(rc) for rc in ref_cols) for p in parents or ()]
    choices = [c for c in choices if not any(v is None or v is _NO for v in c)]
    if choices:
        return dict(zip(cols, rng.choice(choices)))
    if nullable:
        return {c: None for c in cols}
    return {c: _value(columns[c], i, unique=False) for c in cols if c in columns}  # no parent: rejected at load


# -- the edge cases of each type --------------------------------------------------------------------
_INT_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}
_INTS = (7, 2, -7, 3, 0, 7, -1, 2, 42, 1, 3, -2)  # 7/2 and -7/2 truncate differently; ties; zero
_UINTS = (7, 2, 0, 3, 7, 1, 2, 42, 3, 5)
_DECIMALS = ("0.01", "-0.5", "0", "7", "2.5", "0.01", "-7", "3.33", "2", "1", "-0.01")
_FLOATS = (0.5, -2.5, 0.0, 7.0, 2.0, 0.5, -7.0, 3.0, 0.125, 1234.5)  # exact in single precision too
_DATETIMES = ("1970-01-01 00:00:01", "2038-01-19 03:14:07", "2000-02-29 12:00:00", "1999-12-31 23:59:59",
              "2000-02-29 12:00:00", "2024-06-15 08:30:00")  # TIMESTAMP's own range ends, leap day, ties
_TIMES = ("00:00:00", "23:59:59", "12:30:00", "00:00:01", "12:30:00")
_YEARS = (1970, 2038, 2000, 1999, 2000, 2155, 1901)
_JSON = ('{"a": 1}', "[]", '{"a": 1, "b": [1, 2]}', '{"name": "Zoë 😀"}', "[]", '{"b": null, "a": 0}')
_TEXT = ("alice", "Alice", "bob ", "ALICE", "Émilie", "", "Zoë 😀", "a%b_c", "<long>", "alice", "bob", "Bob")
_BYTES = (b"\x00\xff", b"abc", b"", b"ABC", b"abc", b"a%b_c", b"<long>")
_STRINGS = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext")
_BINARY = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")


def _int_range(col: Column) -> tuple[int, int]:
    bits = _INT_BITS[col.data_type]
    return (0, 2 ** bits - 1) if col.unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def _fraction(value, col: Column):
    """One value with fractional seconds, to the column's own precision."""
    return value.replace(microsecond=int("123456"[:col.scale].ljust(6, "0"))) if col.scale else value


_DATE0 = dt.datetime(2001, 1, 1)
_FIXED = {  # type -> (its edge cases, the j-th distinct value once a unique column has used them up)
    "datetime": (lambda c: (*map(dt.datetime.fromisoformat, _DATETIMES), _fraction(_DATE0.replace(1999, 3, 1, 1), c)),
                 lambda j: _DATE0 + dt.timedelta(hours=j)),
    "date": (lambda c: tuple(dt.date.fromisoformat(x[:10]) for x in _DATETIMES),
             lambda j: (_DATE0 + dt.timedelta(days=j)).date()),
    "time": (lambda c: (*map(dt.time.fromisoformat, _TIMES), _fraction(dt.time(8, 15, 30), c)),
             lambda j: dt.time((j // 60) % 24, j % 60, 30)),
    "year": (lambda c: _YEARS, lambda j: 1901 + j if j < 255 else _NO),
    "json": (lambda c: _JSON, lambda j: f'{{"n": {j}}}'),
    "uuid": (lambda c: tuple(str(uuid.UUID(int=k)) for k in (1, 2, 0xFFFF, 1)),
             lambda j: str(uuid.UUID(int=0x10000 + j))),
    "float": (lambda c: tuple(v for v in _FLOATS if not (c.unsigned and v < 0)), lambda j: j + 0.5),
}
_FIXED.update(timestamp=_FIXED["datetime"], double=_FIXED["float"], real=_FIXED["float"])


@functools.lru_cache(maxsize=None)
def _pool(col: Column) -> tuple:
    """The edge cases of the column's type that fit it, with ties; rows cycle through them."""
    t, limit = col.data_type, col.max_length
    if t in ("enum", "set") and col.enum_values:
        m = col.enum_values
        return m if t == "enum" else (m[0], ",".join(m[:2]), "", m[-1])
    if t == "bit" or col.column_type.startswith("tinyint(1)"):  # the app's booleans: boolean on PostgreSQL
        return tuple(v for v in (0, 1, 1, 0, 1, 5) if v < 2 ** ((col.precision or 1) if t == "bit" else 1))
    if t in _INT_BITS:
        low, high = _int_range(col)
        return tuple(v for v in (_UINTS if col.unsigned else _INTS) if low <= v <= high)
    if t in ("decimal", "numeric"):
        step, bound = Decimal(1).scaleb(-(col.scale or 0)), Decimal(10) ** ((col.precision or 10) - (col.scale or 0))
        values = [Decimal(x).quantize(step) for x in _DECIMALS] + [bound - step]
        return tuple(v for v in values if abs(v) < bound and not (col.unsigned and v < 0))
    if t in _FIXED:
        return _FIXED[t][0](col)
    if t in _STRINGS:
        size = min(limit or 1000, 1000 if t not in ("char", "varchar") else limit or 255)
        values = [("long_" * size)[:size] if v == "<long>" else v[:limit] for v in _TEXT]
        return tuple(v for v in values if fits_charset(v, col.charset))
    if t in _BINARY:
        values = [bytes(range(256)) if v == b"<long>" else v for v in _BYTES]
        return tuple(_bytes(col, v) for v in values)
    return ()


def _bytes(col: Column, value: bytes) -> bytes:
    size = min(col.max_length or 1000, 1000)
    return value[:size].ljust(size, b"\0") if col.data_type == "binary" else value[:size]


def _beyond(col: Column, j: int, pool: tuple):
    """The j-th value of a unique column once its edge cases are used up: distinct by construction."""
    t = col.data_type
    if t in _INT_BITS and not col.column_type.startswith("tinyint(1)"):
        low, high = _int_range(col)
        return 100 + j if low <= 100 + j <= high else _NO
    if t in ("decimal", "numeric"):
        return Decimal(j) if j < 10 ** ((col.precision or 10) - (col.scale or 0)) else _NO
    if t in _FIXED:
        return _FIXED[t][1](j)
    if t in _STRINGS + _BINARY and (col.max_length or 1000) > len(str(j)):  # a numbered edge case
        base = pool[j % len(pool)]
        return _bytes(col, f"{j}-".encode() + base) if t in _BINARY else f"{j}-{base}"[:col.max_length]
    return pool[j % len(pool)]  # enum, set, boolean, bit: the unique check ends the supply


def _value(col: Column, j: int, unique: bool):
    """The j-th value of the column (edge cases first); NULL when nothing of its type fits."""
    pool = _pool(col)
    if not pool:
        return None if col.nullable else _NO
    return pool[j % len(pool)] if j < len(pool) or not unique else _beyond(col, j, pool)


def load(mysql_conn, pg_conn, tables: dict[str, Table], data: dict[str, list[dict]]) -> LoadReport:
    """`data` inserted on both engines, parents first; a row either one rejects is on neither."""
    return load_rows(mysql_conn, pg_conn, tables, data, fk_order(tables))


def copy_existing(mysql_conn, pg_conn, tables: dict[str, Table]) -> LoadReport:
    """MySQL's rows (a --data file) copied to PostgreSQL; a row PostgreSQL rejects is deleted from
    MySQL too, so both hold the same data."""
    return copy_rows(mysql_conn, pg_conn, tables, fk_order(tables))
