"""INSERT IGNORE, INSERT ... ON DUPLICATE KEY UPDATE and REPLACE INTO as PostgreSQL's ON CONFLICT.

MySQL fires these on a collision with ANY unique key; PostgreSQL's ON CONFLICT (...) DO UPDATE
must name one key. The key comes from the project's schema (`SchemaInfo`); without it the clause
is left as written with a manual note, because guessing the key would be a silent bug. sqlglot
itself keeps `ON DUPLICATE KEY UPDATE SET`, `INSERT IGNORE` and `VALUES(col)` unchanged, none of
which PostgreSQL parses.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note

MARKER_PREFIXES = ("pgready_ph_", "pgready_hole_")
UNKNOWN = ("conflict target unknown: pass --schema or add the table's keys "
           "(PostgreSQL's ON CONFLICT must name the unique key MySQL picks by itself)")


def upsert(tree: exp.Expression, kind: str, schema, notes: list[Note]) -> exp.Expression:
    if not isinstance(tree, exp.Insert):
        return tree
    if kind == "replace":
        return _replace(tree, schema, notes)
    conflict = tree.args.get("conflict")
    if isinstance(conflict, exp.OnConflict) and conflict.args.get("duplicate"):
        tree = _on_duplicate(tree, conflict, schema, notes)
        if tree.args.get("ignore"):
            tree.set("ignore", False)
            note(notes, "review", "INSERT IGNORE also turns bad values, NOT NULL and foreign-key errors into "
                                  "warnings; PostgreSQL raises them")
        return tree
    if tree.args.get("ignore"):
        tree.set("ignore", False)
        if conflict is None:
            tree.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
        note(notes, "review", "INSERT IGNORE also turns bad values, NOT NULL and foreign-key errors into warnings; "
                              "ON CONFLICT DO NOTHING skips only rows that collide on a unique key")
    return tree


def is_marker(column: exp.Column) -> bool:
    """A placeholder or hole the engine parsed as a column name: a value, never a column."""
    return column.name.lower().startswith(MARKER_PREFIXES)


def target_table(tree: exp.Insert) -> tuple[exp.Table | None, list[str]]:
    """The INSERT's table and its listed columns ([] when the column list is omitted)."""
    this = tree.this
    if isinstance(this, exp.Schema):
        return this.this if isinstance(this.this, exp.Table) else None, [e.name for e in this.expressions]
    return (this if isinstance(this, exp.Table) else None), []


def _pick_key(table: exp.Table, columns: list[str], schema, what: str, notes: list[Note]) -> tuple[str, ...] | None:
    """The conflict target: the only key, or (several) the first one the INSERT fills, PK first."""
    keys = schema.conflict_targets(table.name) if schema is not None else ()
    if not keys:
        note(notes, "manual", f"{what} on {table.name}: {UNKNOWN}")
        return None
    filled = {c.lower() for c in columns}
    usable = [k for k in keys if filled and all(c.lower() in filled for c in k)]
    key = usable[0] if usable else keys[0]
    listed = "; ".join("(" + ", ".join(k) + ")" for k in keys)
    if len(keys) == 1:
        note(notes, "review", f"{what} fires on a collision with ANY unique key; ON CONFLICT ({', '.join(key)}) only on "
                              f"that key, the only one the schema states for {table.name}")
    else:
        note(notes, "review", f"{what} fires on a collision with ANY unique key of {table.name} ({listed}); "
                              f"ON CONFLICT ({', '.join(key)}) only on that one: a collision on another raises an error")
    if filled and not all(c.lower() in filled for c in key):
        note(notes, "review", f"the INSERT does not fill the conflict key ({', '.join(key)}) of {table.name}: "
                              "ON CONFLICT can only fire on a generated or default value")
    return key


def _on_duplicate(tree: exp.Insert, conflict: exp.OnConflict, schema, notes: list[Note]) -> exp.Insert:
    table, columns = target_table(tree)
    if table is None:
        note(notes, "manual", "INSERT ... ON DUPLICATE KEY UPDATE into an unusual target: rewrite it by hand")
        return tree
    key = _pick_key(table, columns, schema, "ON DUPLICATE KEY UPDATE", notes)
    if key is None:
        return tree
    source = tree.expression
    alias = source.args.get("alias") if isinstance(source, exp.Values) else None
    row = alias.name.lower() if alias is not None else ""
    renamed = {c.name.lower(): columns[i] for i, c in enumerate(alias.columns) if i < len(columns)} if alias else {}
    if isinstance(source, (exp.Select, exp.Union)) and _reads_select(conflict, table.name):
        note(notes, "manual", "INSERT ... SELECT ... ON DUPLICATE KEY UPDATE reads columns of the SELECT, which "
                              "ON CONFLICT DO UPDATE cannot see: use EXCLUDED.<column> and rewrite it by hand")
        return tree
    assignments, assigned = [], []
    for eq in conflict.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            note(notes, "manual", f"unexpected assignment {eq.sql('mysql')!r} in ON DUPLICATE KEY UPDATE")
            return tree
        value = _existing_row(eq.expression, table.name, row, renamed)
        if any(c.name.lower() in assigned for c in _columns_of(eq.expression) if not c.table):
            note(notes, "review", "MySQL evaluates ON DUPLICATE KEY UPDATE assignments left to right (a later one sees "
                                  "the value an earlier one just set); ON CONFLICT DO UPDATE sees the old row")
        assigned.append(eq.this.name.lower())
        assignments.append(exp.EQ(this=exp.column(eq.this.this.copy()), expression=value))
    if alias is not None:
        source.set("alias", None)
    tree.set("conflict", exp.OnConflict(conflict_keys=[exp.to_identifier(c) for c in key],
                                        action=exp.var("DO UPDATE"), expressions=assignments))
    return tree


def _columns_of(node: exp.Expression):
    """Columns of this scope: those inside a subquery belong to it, not to the upserted row."""
    for found in node.walk(prune=lambda n: isinstance(n, (exp.Select, exp.Subquery)) and n is not node):
        if isinstance(found, exp.Column) and not is_marker(found):
            yield found


def _reads_select(conflict: exp.OnConflict, table: str) -> bool:
    """Bare or foreign columns on a right side: MySQL resolves them against the SELECT too."""
    return any(not c.table or c.table.lower() != table.lower()
               for eq in conflict.expressions for c in _columns_of(eq.args.get("expression") or eq))


def _existing_row(value: exp.Expression, table: str, row: str, renamed: dict[str, str]) -> exp.Expression:
    """VALUES(c) and the MySQL 8 row alias (`new.c`, `AS new(x)`) -> EXCLUDED.c; a bare column is
    the existing row's, so it is qualified with the table (PostgreSQL finds it ambiguous otherwise)."""
    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.upper() == "VALUES" and len(node.expressions) == 1:
            return exp.column(node.expressions[0].name, table="EXCLUDED")
        if isinstance(node, exp.Values) and len(node.expressions) == 1:  # another parse of VALUES(c)
            inner = node.expressions[0]
            inner = inner.expressions[0] if isinstance(inner, exp.Tuple) and len(inner.expressions) == 1 else inner
            return exp.column(inner.name, table="EXCLUDED")
        if not isinstance(node, exp.Column) or is_marker(node):
            return node
        if row and node.table.lower() == row:
            return exp.column(renamed.get(node.name.lower(), node.name), table="EXCLUDED")
        if not node.table and node.name.lower() in renamed:
            return exp.column(renamed[node.name.lower()], table="EXCLUDED")
        if not node.table:
            return exp.column(node.this.copy(), table=exp.to_identifier(table))
        return node

    if isinstance(value, (exp.Select, exp.Subquery)):
        return value
    return value.transform(fix, copy=True) if not isinstance(value, exp.Column) else fix(value.copy())


def _replace(tree: exp.Insert, schema, notes: list[Note]) -> exp.Expression:
    """REPLACE deletes every row that collides on any unique key and inserts the new one; the
    closest PostgreSQL form updates the colliding row in place."""
    table, columns = target_table(tree)
    if table is None or not columns:
        note(notes, "manual", "REPLACE INTO without a column list: name the columns so that "
                              "ON CONFLICT ... DO UPDATE can set each of them")
        return _as_replace(tree)
    key = _pick_key(table, columns, schema, "REPLACE INTO", notes)
    if key is None:
        return _as_replace(tree)
    keyset = {c.lower() for c in key}
    sets = [exp.EQ(this=exp.column(c), expression=exp.column(c, table="EXCLUDED"))
            for c in columns if c.lower() not in keyset]
    action = exp.var("DO UPDATE") if sets else exp.var("DO NOTHING")
    tree.set("conflict", exp.OnConflict(conflict_keys=[exp.to_identifier(c) for c in key], action=action,
                                        expressions=sets))
    note(notes, "review", "REPLACE INTO deletes the old row first (its triggers and ON DELETE actions run, columns "
                          "it does not list go back to their defaults); ON CONFLICT ... DO UPDATE keeps the row")
    return tree


def _as_replace(tree: exp.Insert) -> exp.Expression:
    """Keep the statement a REPLACE (the engine parsed it as INSERT): never show a plain INSERT."""
    text = tree.sql("mysql")
    return exp.Command(this="REPLACE", expression=exp.Literal.string(text[len("INSERT "):]))
