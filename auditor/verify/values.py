"""Values for a site's parameters and value holes, drawn from the data so WHERE clauses match rows.

Each parameter is placed by its context in the parsed statement: compared with a column
(`name = ?`, `id IN (?)`, `BETWEEN ? AND ?`) it takes a value of that column - preferably one that
has a case or trailing-space twin in the data, since that is where MySQL and PostgreSQL part ways;
inserted or assigned to a column it takes a fresh value for unique columns and a present one
otherwise; LIMIT/OFFSET take 5 and 0; anything else 1.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlglot import exp

from auditor.classify import split_and_parse

_COMPARE = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.NullSafeEQ)


@dataclass(frozen=True)
class Slot:
    """Where parameter K (or value hole N) sits: the column it meets and how."""

    marker: str  # pgready_ph_K or pgready_hole_N
    table: str | None
    column: str | None
    role: str  # compare | insert | set | limit | offset | other


def slots(sql: str, placeholders: str) -> tuple[list[Slot], int] | str:
    """The slots of the one statement in `sql` and its parameter count; a str when it cannot be read."""
    from auditor.rewrite.engine import marked_parse

    stmts = [s for s in split_and_parse(sql, placeholders) if s.tokens]
    if len(stmts) != 1:
        return f"{len(stmts)} statements in one call"
    marked, params, _ = marked_parse(sql, stmts[0])
    if marked.tree is None:
        return f"sqlglot cannot read it ({marked.error})"
    tree = marked.tree
    aliases = {t.alias_or_name.lower(): t.name.lower() for t in tree.find_all(exp.Table)}
    tables = sorted(set(aliases.values()))
    found = []
    for col in tree.find_all(exp.Column):
        name = col.name
        if name.startswith(("pgready_ph_", "pgready_hole_")):
            found.append(_slot(col, name, aliases, tables))
    return sorted(found, key=lambda s: s.marker), len(params)


def _slot(node: exp.Column, marker: str, aliases: dict, tables: list[str]) -> Slot:
    parent = node.parent
    while isinstance(parent, (exp.Paren, exp.Cast)):
        node, parent = parent, parent.parent
    if isinstance(parent, exp.Limit):
        return Slot(marker, None, None, "limit")
    if isinstance(parent, exp.Offset):
        return Slot(marker, None, None, "offset")
    if isinstance(parent, _COMPARE + (exp.Between, exp.In)):
        other = parent.this if parent.this is not node else parent.expression
        if isinstance(other, exp.Column):
            table = aliases.get(other.table.lower()) if other.table else (tables[0] if len(tables) == 1 else None)
            role = "set" if isinstance(parent, exp.EQ) and isinstance(parent.parent, exp.Update) else "compare"
            return Slot(marker, table, other.name.lower(), role)
    if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
        insert = parent.find_ancestor(exp.Insert)
        schema = insert.this if insert is not None else None
        if isinstance(schema, exp.Schema) and node in parent.expressions:
            cols = [c.name.lower() for c in schema.expressions]
            position = parent.expressions.index(node)
            if position < len(cols):
                return Slot(marker, schema.this.name.lower(), cols[position], "insert")
    return Slot(marker, None, None, "other")


class Chooser:
    """Picks values from the loaded MySQL data (what both engines hold)."""

    def __init__(self, mysql_conn, tables: dict):
        self.conn, self.tables = mysql_conn, tables  # tables: name -> auditor.verify.data.Table
        self.cache: dict[tuple[str, str], list] = {}
        self.fresh = 0

    def value(self, slot: Slot):
        if slot.role == "limit":
            return 5
        if slot.role == "offset":
            return 0
        if slot.table and slot.column and slot.table in self.tables:
            present = self._column(slot.table, slot.column)
            if slot.role in ("insert", "set") and self._unique(slot.table, slot.column):
                return self._fresh(present)
            if present:
                return _telling(present)
        return 1

    def _column(self, table: str, column: str) -> list:
        key = (table, column)
        if key not in self.cache:
            try:
                with self.conn.cursor() as cur:
                    cur.execute(f"SELECT `{column}` FROM `{table}` WHERE `{column}` IS NOT NULL")
                    self.cache[key] = [row[0] for row in cur.fetchall()]
            except Exception:  # noqa: BLE001 - an unknown column: the statement will say so itself
                self.cache[key] = []
        return self.cache[key]

    def _unique(self, table: str, column: str) -> bool:
        info = self.tables[table]
        keys = [info.primary_key, *info.unique]
        return any(tuple(k) == (column,) for k in keys)

    def _fresh(self, present: list):
        self.fresh += 1
        if present and all(isinstance(v, int) for v in present):
            return max(present) + 1000 + self.fresh
        return f"pgready_new_{self.fresh}"


def _telling(values: list):
    """A value with a twin that only a case- or space-insensitive comparison joins, else the commonest."""
    strings = [v for v in values if isinstance(v, str)]
    folded = Counter(v.lower().rstrip() for v in strings)
    twins = sorted(v for v in strings if folded[v.lower().rstrip()] > 1)
    if twins:
        return twins[0]
    return Counter(values).most_common(1)[0][0] if values else 1
