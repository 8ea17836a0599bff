"""Files that are not code: dispatch each kind to its frontend, and compute schema drift.

SQL scripts (`frontends/sqlfile.py`), Prisma schemas (`frontends/prisma.py`) and configuration /
manifests (`frontends/settings.py`) all return `NonCodeFacts`: SQL statements to classify like
any site, uses judged by rules, and inventory items.
"""
from __future__ import annotations

from pathlib import Path

from auditor.facts import NonCodeFacts
from auditor.model import Diagnostic

SETTINGS_KINDS = frozenset({"env", "compose", "workflow", "package", "lockfile", "requirements", "pyproject"})
KINDS = SETTINGS_KINDS | {"sql", "prisma", "prisma-lock"}


def parse_file(path: Path, rel: str, kind: str, text: str | None,
               sibling=lambda name: None) -> tuple[NonCodeFacts | None, list[Diagnostic]]:
    """`text` is the decoded file (None for SQL, which is streamed from `path`)."""
    try:
        if kind == "sql":
            from auditor.frontends.sqlfile import parse_sql_file

            return parse_sql_file(path, rel)
        if text is None:
            return None, []
        if kind == "prisma":
            from auditor.frontends.prisma import parse_prisma

            return parse_prisma(text, rel)
        if kind == "prisma-lock":
            from auditor.frontends.prisma import parse_migration_lock

            return parse_migration_lock(text, rel)
        from auditor.frontends.settings import parse_settings

        return parse_settings(text, rel, kind, sibling)
    except (RecursionError, ValueError, UnicodeError, OSError) as error:
        return None, [Diagnostic(rel, "internal", f"could not analyse this file: {type(error).__name__}: {error}")]


def drift(prisma_files: dict[str, str], dump: NonCodeFacts) -> list:
    """schema-drift uses between every Prisma schema scanned and the `--schema` dump."""
    from auditor.drift import compare, dump_schema, prisma_schema

    found = []
    dumped = dump_schema(dump.statements, dump.path)
    for rel, text in sorted(prisma_files.items()):
        found += compare(prisma_schema(text), rel, dumped, dump.path)
    return found
