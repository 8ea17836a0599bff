"""`pgready verify`: replay every SQL site on real engines and compare (DESIGN.md, "Safe means
proven"). engines.py: scratch databases that are always dropped; schema.py: the project's DDL on
both; data.py: the same edge-case rows on both; values.py: parameters drawn from that data;
replay.py: run and compare one site; compare.py: what counts as the same result.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor.model import Inventory, Verdict

VERDICTS = ("equivalent", "differs", "pg-error", "mysql-error", "not-verifiable")


@dataclass
class VerifyReport:
    scratch: str = ""
    schema_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what did not load, on which side, why
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows loaded on both engines


def verify(inventory: Inventory, root: Path, *, mysql_url: str, pg_url: str, schema: Path | None = None,
           data: Path | None = None, progress: Callable[[int, int, str], None] | None = None
           ) -> tuple[Inventory, VerifyReport]:
    """The inventory with a verdict for every site, and what the set-up loaded. Raises
    engines.VerifyError (one line) when a server cannot be used or no schema is found."""
    from auditor.rewrite import rewrite_sql
    from auditor.rewrite.schema import SchemaInfo
    from auditor.verify import data as rows
    from auditor.verify import schema as ddl
    from auditor.verify.engines import Scratch, VerifyError
    from auditor.verify.replay import replay
    from auditor.verify.values import Chooser

    schema_sql = ddl.sources(root, inventory, schema)
    if not schema_sql:
        raise VerifyError("no schema to load: pass --schema with the MySQL DDL (mysqldump --no-data); "
                          "pgready found no .sql file and no CREATE TABLE sent by the code")
    report = VerifyReport(schema_files=[where for where, _ in schema_sql])
    with Scratch(mysql_url, pg_url) as scratch:
        report.scratch = scratch.name
        loaded = ddl.load(scratch, schema_sql, data)
        report.problems += loaded.problems
        if loaded.skipped_rows:
            report.problems.append(f"schema: {loaded.skipped_rows} INSERT statement(s) in the schema files left out; "
                                   "the generated edge-case rows are used (pass --data to use rows of your own)")
        if not loaded.mysql_tables:
            first = loaded.problems[0] if loaded.problems else "no CREATE TABLE statement ran"
            raise VerifyError(f"the schema did not load on MySQL/MariaDB ({first})")
        tables = rows.introspect(scratch.mysql)
        if loaded.data_statements:
            filled = rows.copy_existing(scratch.mysql, scratch.pg, tables)
        else:
            filled = rows.load(scratch.mysql, scratch.pg, tables, rows.generate(tables))
        report.rows = dict(getattr(filled, "rows", {}) or {})
        report.problems += [f"data: {p}" for p in getattr(filled, "problems", [])]
        missing = {t: "it did not load on PostgreSQL" for t in loaded.mysql_tables - loaded.pg_tables}
        info = SchemaInfo.from_statements(s for _, texts in schema_sql for s in texts)
        chooser = Chooser(scratch.mysql, tables)
        verdicts = []
        for index, site in enumerate(inventory.sites, 1):
            if progress is not None:
                progress(index, len(inventory.sites), site.path)
            absent = {t.lower(): "it is not in the schema" for t in site.tables
                      if t.lower() not in loaded.mysql_tables and t.lower() not in missing}
            pg_sql = rewrite_sql(site.sql, placeholders=site.placeholders, target="node-postgres",
                                 schema=info, prove=False).sql
            verdicts.append(replay(scratch, site, pg_sql, chooser, {**missing, **absent}))
    return replace(inventory, verdicts=tuple(verdicts)), report


def counts(verdicts: tuple[Verdict, ...]) -> dict[str, int]:
    return {kind: sum(v.verdict == kind for v in verdicts) for kind in VERDICTS}
