"""What the rewrite needs to know about the project's tables: their keys.

MySQL's `ON DUPLICATE KEY UPDATE` and `REPLACE INTO` fire on ANY unique key; PostgreSQL's
`ON CONFLICT (...)` must name one. The keys come from the schema the project already has: a
MySQL dump / migration (`from_sql`) or `schema.prisma` (`from_prisma`). Both readers are the
ones schema drift uses (`auditor.drift`), so one parser reads each format in the whole tool.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

Keys = tuple[tuple[str, ...], ...]

_KEY_DDL = re.compile(r"\s*(?:CREATE\s+(?:TEMPORARY\s+)?TABLE|ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX)\b", re.I)


@dataclass(frozen=True)
class SchemaInfo:
    """table (lower case, without its database) -> its PRIMARY KEY and UNIQUE column sets, PK first."""

    keys: dict[str, Keys] = field(default_factory=dict)

    def conflict_targets(self, table: str) -> Keys:
        """The key sets of `table` (`db.t`, `` `t` `` and `T` all name t); () when unknown."""
        name = table.strip().strip('`"').split(".")[-1].strip('`"').lower()
        return self.keys.get(name, ())

    @classmethod
    def from_sql(cls, text: str) -> "SchemaInfo":
        """CREATE TABLE / ALTER TABLE ... ADD UNIQUE / CREATE UNIQUE INDEX (MySQL DDL, mysqldump)."""
        from auditor.drift import dump_schema, split_sql

        return cls._of(dump_schema(split_sql(text)))

    @classmethod
    def from_statements(cls, statements) -> "SchemaInfo":
        """The keys the statements of a script declare: its table DDL only (CREATE TABLE, ALTER
        TABLE, CREATE INDEX); routines, triggers and DELIMITER lines would stop the DDL reader."""
        ddl = [s for s in statements if _KEY_DDL.match(s)]
        return cls.from_sql(";\n".join(ddl)) if ddl else cls({})

    @classmethod
    def from_prisma(cls, text: str) -> "SchemaInfo":
        """@id, @@id, @unique, @@unique; tables and columns under their @@map / @map names."""
        from auditor.drift import prisma_schema

        return cls._of(prisma_schema(text))

    def merge(self, other: "SchemaInfo") -> "SchemaInfo":
        """Both schemas; for a table both know, `other` wins (the later source is the newer one)."""
        return SchemaInfo({**self.keys, **other.keys})

    @classmethod
    def _of(cls, schema) -> "SchemaInfo":
        keys: dict[str, Keys] = {}
        for name, table in schema.tables.items():
            sets: list[tuple[str, ...]] = [tuple(table.primary)] if table.primary else []
            for index in table.indexes:
                cols = tuple(index.columns)
                if index.kind == "unique" and cols and cols not in sets:
                    sets.append(cols)
            if sets:
                keys[name.lower()] = tuple(sets)
        return cls(keys)
