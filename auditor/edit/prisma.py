"""Edits of a Prisma schema for PostgreSQL: the datasource provider and MySQL native types.

Positions come from the schema parser of auditor.frontends.prisma (the one the scan uses), so
an edit touches only the provider string or the `@db.` attribute it names; comments, spacing and
everything else keep their bytes. The provider switch is `safe` (ORM001): it is the only
spelling PostgreSQL accepts. Native types are `review` (ORM002): each PostgreSQL type below is
the closest one, and the reason says what may differ. A MySQL type without a PostgreSQL
counterpart gets no edit (the finding stays for a person).
"""
from __future__ import annotations

from dataclasses import dataclass

from auditor.frontends.prisma import POSTGRES_PROVIDERS, Block, Field, parse_ast, provider

PROVIDER_RULE = "ORM001"  # rules/orm/prisma-mysql-provider.yaml
NATIVE_RULE = "ORM002"  # rules/orm/prisma-native-type.yaml


@dataclass(frozen=True)
class PrismaEdit:
    start: int  # character offsets into the schema text, end exclusive
    end: int
    text: str
    rule_id: str
    safety: str  # a FixSafety value
    reason: str  # what to check (one sentence), "" when nothing


# MySQL native type -> (PostgreSQL native type, keep the arguments, what to check). A field type
# in the key narrows the mapping to fields of that Prisma type.
_NATIVE: dict[tuple[str, str], tuple[str, bool, str]] = {
    ("TinyInt", "Boolean"): ("Boolean", False, ""),
    ("TinyInt", ""): ("SmallInt", False, "TINYINT becomes SMALLINT (wider); nothing is lost"),
    ("UnsignedTinyInt", ""): ("SmallInt", False, "0..255 fits SMALLINT; no CHECK (x >= 0) is added"),
    ("UnsignedSmallInt", ""): ("Integer", False, "0..65535 fits INTEGER; no CHECK (x >= 0) is added"),
    ("MediumInt", ""): ("Integer", False, "MEDIUMINT becomes INTEGER (wider); nothing is lost"),
    ("UnsignedMediumInt", ""): ("Integer", False, "0..16777215 fits INTEGER; no CHECK (x >= 0) is added"),
    ("Int", ""): ("Integer", False, "INT is spelled @db.Integer on PostgreSQL"),
    ("UnsignedInt", "BigInt"): ("BigInt", False, "unsigned INT fits BIGINT; no CHECK (x >= 0) is added"),
    ("UnsignedInt", ""): ("Integer", False, "values above 2147483647 no longer fit: make the field BigInt "
                                            "(@db.BigInt) if the column holds them"),
    ("UnsignedBigInt", ""): ("BigInt", False, "values above 9223372036854775807 no longer fit BIGINT"),
    ("Year", ""): ("Integer", False, "YEAR becomes INTEGER: the 1901..2155 range is no longer checked"),
    ("Float", ""): ("Real", False, ""),
    ("Double", ""): ("DoublePrecision", False, ""),
    ("DateTime", ""): ("Timestamp", True, "DATETIME becomes TIMESTAMP without time zone; use @db.Timestamptz if "
                                          "the values are instants"),
    ("TinyText", ""): ("Text", False, ""),
    ("MediumText", ""): ("Text", False, ""),
    ("LongText", ""): ("Text", False, ""),
    ("TinyBlob", ""): ("ByteA", False, ""),
    ("Blob", ""): ("ByteA", False, ""),
    ("MediumBlob", ""): ("ByteA", False, ""),
    ("LongBlob", ""): ("ByteA", False, ""),
    ("Binary", ""): ("ByteA", False, "BYTEA has no fixed length: the BINARY(n) length is no longer enforced"),
    ("VarBinary", ""): ("ByteA", False, "BYTEA has no length limit: the VARBINARY(n) limit is no longer enforced"),
    ("Bit", "Boolean"): ("Boolean", False, ""),
}


def prisma_edits(text: str) -> list[PrismaEdit]:
    """The edits that move the schema `text` to PostgreSQL, sorted by position."""
    blocks, _ = parse_ast(text)
    current, _ = provider(blocks)
    edits: list[PrismaEdit] = []
    for block in blocks:
        if block.kind == "datasource":
            edits += _provider(text, block)
        elif block.kind in ("model", "view", "type"):
            for member in block.fields:
                edits += _native_types(text, member, current)
    return sorted(edits, key=lambda e: (e.start, e.end))


def _provider(text: str, block: Block) -> list[PrismaEdit]:
    value = block.entries.get("provider")
    if value is None or value.kind != "str" or value.value.lower() != "mysql":
        return []
    start, end = value.span.start, value.span.end
    if text[start:end] != value.text or len(value.text) < 2:
        return []
    return [PrismaEdit(start + 1, end - 1, "postgresql", PROVIDER_RULE, "safe",
                       "the datasource URL must now be a postgresql:// URL")]


def _native_types(text: str, member: Field, current: str) -> list[PrismaEdit]:
    out = []
    for attr in member.attrs:
        native = attr.name[3:] if attr.name.startswith("db.") else ""
        if native == "Bit" and current in POSTGRES_PROVIDERS:
            continue  # @db.Bit exists on PostgreSQL too
        mapping = _NATIVE.get((native, member.type)) or _NATIVE.get((native, ""))
        if mapping is None:
            continue
        name, keep_args, reason = mapping
        start = attr.span.start
        if not text.startswith("@db." + native, start):
            continue  # spaced out (`@ db.X`): not worth guessing at
        name_end = start + 4 + len(native)
        end = name_end if keep_args else attr.span.end
        out.append(PrismaEdit(start + 4, end, name, NATIVE_RULE, "review", reason))
    return out
