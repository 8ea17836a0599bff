"""Schema drift: what differs between a Prisma schema and a MySQL dump (SCH001, `--schema dump.sql`).

`prisma_schema(text)` and `dump_schema(statements, path)` read both sides into the same `Schema`;
`compare(orm, orm_path, dump, dump_path)` gives one `schema-drift` DriverUse per difference, in a
fixed order (tables by name; per table: primary key, columns, indexes, foreign keys). Names are the
database names (`@@map` / `@map` honoured) and compare case-insensitively.

Compared: tables; columns; type (by the family below, with the parameters that change what is
stored: length of char/varchar/binary/varbinary/bit, precision/scale of decimal, fractional seconds
of datetime/time/timestamp, enum values); nullability; default (normalised: literals by value,
`now()` = CURRENT_TIMESTAMP[(n)] = NOW(), `autoincrement()` = AUTO_INCREMENT, `dbgenerated("x")` = the
expression x); primary key, indexes / unique / fulltext by column list; foreign keys by column list
and referenced table/columns. Not compared: integer display widths, charsets and collations,
ON UPDATE clauses and `@updatedAt`, referential actions (onDelete/onUpdate), index names and
order/length options, views, and foreign keys when the datasource says `relationMode = "prisma"` and
the dump has no foreign key at all (with some, every relation is compared: a missing key may hide orphans).
A non-unique index in the dump on exactly a foreign key's columns is the one MySQL and Prisma
Migrate add for the key: not reported. `@default(uuid()/cuid()/nanoid()/ulid())` is set by Prisma
Client, so it is no database default.

Type families (Prisma scalar without `@db.` -> what Prisma Migrate creates on MySQL):
  String -> varchar(191)   Int -> int           BigInt -> bigint     Float -> double
  Decimal -> decimal(65,30)  Boolean -> boolean (TINYINT(1), BOOL)   DateTime -> datetime(3)
  Json -> json             Bytes -> longblob    <enum> -> enum(values)  Unsupported("t") -> t
  `@db.X(args)` -> x(args), `@db.UnsignedX` -> `x unsigned` (UnsignedInt -> int unsigned);
  `@db.TinyInt` / `@db.TinyInt(1)` on Boolean -> boolean. MySQL side: the type name lower-cased,
  `UNSIGNED` kept, TINYINT(1) and BOOL(EAN) -> boolean, TIMESTAMP -> timestamp, REAL -> float.
  Missing parameters default as in MySQL: datetime/time/timestamp (0), decimal (10,0), char/binary/bit (1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from auditor.facts import SqlStatement
from auditor.model import DriverUse, Location
from auditor.redact import redact

__all__ = ["prisma_schema", "dump_schema", "compare", "drift_from_prisma_text", "split_sql", "Schema"]

SCALARS = {"String": ("varchar", (191,)), "Int": ("int", ()), "BigInt": ("bigint", ()), "Float": ("double", ()),
           "Decimal": ("decimal", (65, 30)), "Boolean": ("boolean", ()), "DateTime": ("datetime", (3,)),
           "Json": ("json", ()), "Bytes": ("longblob", ())}
SIZED = {"char": (1,), "varchar": (), "binary": (1,), "varbinary": (), "bit": (1,), "decimal": (10, 0),
         "datetime": (0,), "time": (0,), "timestamp": (0,), "enum": (), "set": ()}
CLIENT_DEFAULTS = frozenset({"uuid", "cuid", "nanoid", "ulid"})


@dataclass
class Column:
    name: str
    family: str
    params: tuple
    nullable: bool
    default: tuple | None  # ("lit", value) | ("expr", sql) | ("autoincrement",) | ("current_timestamp",) | ("unknown",)
    type_text: str  # as written: `DateTime? @db.DateTime(0)`, `DATETIME(3)`
    default_text: str
    pos: tuple  # (line, col, end_line, end_col)


@dataclass
class Index:
    columns: tuple[str, ...]
    kind: str  # index | unique | fulltext | spatial
    label: str
    pos: tuple


@dataclass
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    label: str
    pos: tuple


@dataclass
class Table:
    name: str
    label: str  # `model User`, `CREATE TABLE users`
    pos: tuple
    columns: dict[str, Column] = field(default_factory=dict)  # lower-cased name -> column, in order
    primary: tuple[str, ...] = ()
    primary_label: str = ""
    primary_pos: tuple = ()
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)  # lower-cased name -> table
    foreign_keys_managed: bool = True  # False for relationMode = "prisma"


def norm_params(family: str, params: tuple) -> tuple:
    if family not in SIZED:
        return ()
    return params or SIZED[family]


def norm_default(kind: str, value: str) -> tuple:
    if kind == "lit":
        try:
            return ("lit", format(Decimal(value.strip()).normalize(), "f"))
        except (InvalidOperation, ValueError):
            return ("lit", value)
    text = " ".join(value.lower().split())
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    if text in ("current_timestamp", "now()", "localtimestamp", "localtime") or \
            text.startswith(("current_timestamp(", "now(")):
        return ("current_timestamp",)
    return ("expr", text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# -- the Prisma side (auditor.drift_prisma) -------------------------------------------------------

def prisma_schema(text: str) -> Schema:
    """The tables Prisma Migrate would create on MySQL for a schema: models (not views) and the
    `_AToB` tables of implicit many-to-many relations."""
    from auditor.drift_prisma import build

    return build(text)


# -- the dump side (auditor.drift_dump reads the DDL) ---------------------------------------------

def dump_schema(statements: Iterable[SqlStatement], path: str = "") -> Schema:
    """Tables from CREATE TABLE; ALTER TABLE ADD COLUMN / INDEX / KEY / UNIQUE / PRIMARY KEY /
    FOREIGN KEY; CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX; DROP TABLE. Unreadable statements are skipped.
    `path` is unused (positions are relative to each statement's line and column)."""
    from auditor.drift_dump import read_statement

    schema = Schema()
    for statement in statements:
        try:
            read_statement(statement, schema)
        except Exception:  # noqa: BLE001 - a dump must never stop the scan
            continue
    return schema


def split_sql(text: str) -> list[SqlStatement]:
    """The statements of a SQL text (`;` or `DELIMITER`), each with where it starts."""
    from auditor.drift_dump import split

    return split(text)


def drift_from_prisma_text(prisma_text: str, prisma_rel: str, dump_sql_text: str, dump_rel: str) -> list[DriverUse]:
    """`compare` for a Prisma schema and a dump given as texts (the `// dump:` example convention)."""
    return compare(prisma_schema(prisma_text), prisma_rel, dump_schema(split_sql(dump_sql_text), dump_rel), dump_rel)


# -- comparison -----------------------------------------------------------------------------------

KIND_WORDS = {"index": "index", "unique": "unique index", "fulltext": "fulltext index", "spatial": "spatial index"}


def compare(orm: Schema, orm_path: str, dump: Schema, dump_path: str) -> list[DriverUse]:
    """One `schema-drift` use per difference, located in the Prisma schema when the thing is there."""
    uses = []
    for side, pos, evidence in _differences(orm, dump):
        location = Location(orm_path if side == "orm" else dump_path, *pos)
        uses.append(DriverUse("schema-drift", location, redact(evidence), "high"))
    return uses


def _differences(orm: Schema, dump: Schema):
    # relationMode = "prisma" with a dump that has no foreign key at all: the keys are emulated on
    # purpose; with some keys in the dump, each relation is compared (a missing key means orphans)
    keys = orm.foreign_keys_managed or any(t.foreign_keys for t in dump.tables.values())
    for key in sorted(set(orm.tables) | set(dump.tables)):
        mine, theirs = orm.tables.get(key), dump.tables.get(key)
        if theirs is None:
            yield "orm", mine.pos, f"table {mine.name}: only in Prisma ({mine.label})"
        elif mine is None:
            yield "dump", theirs.pos, f"table {theirs.name}: only in the dump ({theirs.label})"
        else:
            yield from _table(mine, theirs, compare_keys=keys)


def _table(mine: Table, theirs: Table, compare_keys: bool):
    name = mine.name
    if _lower(mine.primary) != _lower(theirs.primary):
        yield "orm", mine.primary_pos or mine.pos, \
            f"primary key {name}: Prisma ({', '.join(mine.primary) or 'none'}) vs dump ({', '.join(theirs.primary) or 'none'})"
    for key in [*mine.columns, *(k for k in theirs.columns if k not in mine.columns)]:
        a, b = mine.columns.get(key), theirs.columns.get(key)
        if b is None:
            yield "orm", a.pos, f"column {name}.{a.name}: only in Prisma ({a.type_text})"
            continue
        if a is None:
            yield "dump", b.pos, f"column {name}.{b.name}: only in the dump ({_dump_type(b)})"
            continue
        if (a.family, a.params) != (b.family, b.params):
            yield "orm", a.pos, f"column {name}.{a.name}: Prisma {a.type_text} ({_family(a)}) vs dump " \
                                f"{b.type_text} ({_family(b)})"
        if a.nullable != b.nullable:
            yield "orm", a.pos, f"column {name}.{a.name}: Prisma {a.type_text.split()[0]} " \
                                f"({'nullable' if a.nullable else 'required'}) vs dump {_dump_type(b)}"
        if ("unknown",) not in (a.default, b.default) and a.default != b.default:
            yield "orm", a.pos, f"column {name}.{a.name}: Prisma {a.default_text or 'no default'} vs dump " \
                                f"{b.default_text or 'no default'}"
    key_columns = {_lower(k.columns) for k in (*mine.foreign_keys, *theirs.foreign_keys)}
    yield from _indexes(name, mine, theirs, key_columns)
    if compare_keys:
        yield from _keys(name, mine, theirs)


def _indexes(name: str, mine: Table, theirs: Table, key_columns: set):
    def by_columns(table):
        found: dict[tuple, dict[str, Index]] = {}
        for index in table.indexes:
            found.setdefault(_lower(index.columns), {}).setdefault(index.kind, index)
        return found

    ours, dumped = by_columns(mine), by_columns(theirs)
    for columns in sorted(set(ours) | set(dumped)):
        a, b = ours.get(columns, {}), dumped.get(columns, {})
        only_a = [a[k] for k in sorted(set(a) - set(b))]
        only_b = [b[k] for k in sorted(set(b) - set(a)) if not (k == "index" and columns in key_columns)]
        if not only_a and not only_b:
            continue
        where = f"{name}({', '.join((only_a or only_b)[0].columns)})"
        if only_a and only_b:
            yield "orm", only_a[0].pos, f"index {where}: Prisma {' + '.join(KIND_WORDS[i.kind] for i in only_a)} " \
                f"({'; '.join(i.label for i in only_a)}) vs dump {' + '.join(KIND_WORDS[i.kind] for i in only_b)} " \
                f"({'; '.join(i.label for i in only_b)})"
            continue
        for index in only_a:
            yield "orm", index.pos, f"{KIND_WORDS[index.kind]} {where}: only in Prisma ({index.label})"
        for index in only_b:
            yield "dump", index.pos, f"{KIND_WORDS[index.kind]} {where}: only in the dump ({index.label})"


def _keys(name: str, mine: Table, theirs: Table):
    ours = {_lower(k.columns): k for k in mine.foreign_keys}
    dumped = {_lower(k.columns): k for k in theirs.foreign_keys}
    for columns in sorted(set(ours) | set(dumped)):
        a, b = ours.get(columns), dumped.get(columns)
        key = a or b
        where = f"foreign key {name}({', '.join(key.columns)})"
        if b is None:
            yield "orm", a.pos, f"{where}: only in Prisma (references {_target(a)})"
        elif a is None:
            yield "dump", b.pos, f"{where}: only in the dump (references {_target(b)})"
        elif (a.ref_table.lower(), _lower(a.ref_columns)) != (b.ref_table.lower(), _lower(b.ref_columns)):
            yield "orm", a.pos, f"{where}: Prisma references {_target(a)} vs dump references {_target(b)}"


def _target(key: ForeignKey) -> str:
    return f"{key.ref_table}({', '.join(key.ref_columns)})"


def _lower(names) -> tuple[str, ...]:
    return tuple(n.lower() for n in names)


def _family(column: Column) -> str:
    params = ", ".join(f"'{p}'" if column.family in ("enum", "set") else str(p) for p in column.params)
    return f"{column.family}({params})" if params else column.family


def _dump_type(column: Column) -> str:
    return f"{column.type_text} {'NULL' if column.nullable else 'NOT NULL'}"
