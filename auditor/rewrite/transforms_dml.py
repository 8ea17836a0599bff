"""UPDATE and DELETE: MySQL's LIMIT / ORDER BY, multi-table joins and priority modifiers.

sqlglot writes `UPDATE a JOIN b ... SET a.x = ...`, `DELETE a FROM a JOIN b` and `UPDATE ... LIMIT n`
for PostgreSQL unchanged, and misreads `DELETE QUICK FROM t` (QUICK as a table to delete from) and
`UPDATE LOW_PRIORITY t` (LOW_PRIORITY as the table, t as its alias). PostgreSQL's forms:
`UPDATE a SET x = ... FROM b WHERE <join> AND <where>`, `DELETE FROM a USING b WHERE ...`, and a
ctid subquery for LIMIT.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note

MODIFIERS = frozenset({"LOW_PRIORITY", "QUICK", "IGNORE"})


def update_delete(tree: exp.Expression, kind: str, schema, notes: list[Note]) -> exp.Expression:
    if isinstance(tree, exp.Update):
        _strip_update_modifier(tree)
        if isinstance(tree.this, exp.Table) and tree.this.args.get("joins"):
            return _multi_update(tree, notes)
        return _limited(tree, "UPDATE", notes)
    if isinstance(tree, exp.Delete):
        _strip_delete_modifiers(tree)
        if tree.args.get("tables") or tree.args.get("using") or \
                isinstance(tree.this, exp.Table) and tree.this.args.get("joins"):
            return _multi_delete(tree, notes)
        return _limited(tree, "DELETE", notes)
    return tree


# -- modifiers ------------------------------------------------------------------------------------

def _strip_update_modifier(tree: exp.Update) -> None:
    """`UPDATE LOW_PRIORITY t`: sqlglot reads the table LOW_PRIORITY aliased t."""
    table = tree.this
    if isinstance(table, exp.Table) and _is_modifier(table.this) and table.alias:
        table.set("this", exp.to_identifier(table.alias))
        table.set("alias", None)


def _strip_delete_modifiers(tree: exp.Delete) -> None:
    """`DELETE QUICK FROM t`: sqlglot reads QUICK as a table to delete from."""
    tables = tree.args.get("tables") or []
    kept = [t for t in tables if not (isinstance(t, exp.Table) and _is_modifier(t.this) and not t.db)]
    if len(kept) != len(tables):
        tree.set("tables", kept or None)


def _is_modifier(ident) -> bool:
    return isinstance(ident, exp.Identifier) and not ident.quoted and ident.name.upper() in MODIFIERS


# -- LIMIT / ORDER BY -----------------------------------------------------------------------------

def _limited(tree: exp.Expression, verb: str, notes: list[Note]) -> exp.Expression:
    """`... WHERE w ORDER BY o LIMIT n` -> `... WHERE ctid IN (SELECT ctid FROM t WHERE w ORDER BY o LIMIT n FOR UPDATE)`."""
    limit, order = tree.args.get("limit"), tree.args.get("order")
    if limit is None and order is None:
        return tree
    table = tree.this
    if not isinstance(table, exp.Table):
        note(notes, "manual", f"{verb} ... LIMIT on an unusual target: choose the rows with a key subquery by hand")
        return tree
    where = tree.args.get("where")
    pick = exp.select("ctid").from_(table.copy())
    if where is not None:
        pick.set("where", where.copy())
    if order is not None:
        pick.set("order", order.copy())
    if limit is not None:
        pick.set("limit", limit.copy())
    pick.set("locks", [exp.Lock(update=True)])
    tree.set("where", exp.Where(this=exp.In(this=exp.column("ctid"), query=exp.Subquery(this=pick))))
    tree.set("limit", None)
    tree.set("order", None)
    if limit is None:
        note(notes, "review", f"{verb} ... ORDER BY without LIMIT: the order only mattered to MySQL's row-by-row "
                              "processing (e.g. unique keys updated in sequence); PostgreSQL checks constraints per "
                              "statement")
        tree.set("where", where)
        return tree
    note(notes, "review", f"{verb} ... LIMIT becomes WHERE ctid IN (SELECT ctid ... LIMIT n FOR UPDATE): the same "
                          "rows only if ORDER BY names a unique order, and ctid does not work on partitioned tables "
                          "(use the primary key there)")
    return tree


# -- multi-table ----------------------------------------------------------------------------------

def _sources(table: exp.Table, notes: list[Note], verb: str) -> tuple[list[exp.Table], list[exp.Expression]] | None:
    """The tables of `a JOIN b ON c, d` and their join conditions; None for outer or USING joins."""
    tables, conditions = [table.copy()], []
    tables[0].set("joins", None)
    for join in table.args.get("joins") or []:
        side, kind = (join.args.get("side") or "").upper(), (join.args.get("kind") or "").upper()
        if side or kind not in ("", "INNER", "CROSS", "STRAIGHT_JOIN") or join.args.get("using") \
                or not isinstance(join.this, exp.Table):
            what = f"{side} JOIN" if side else "JOIN ... USING" if join.args.get("using") else "this join"
            note(notes, "manual", f"multi-table {verb} with {what}: PostgreSQL's {'FROM' if verb == 'UPDATE' else 'USING'} "
                                  "list takes inner joins only; rewrite it with a subquery by hand")
            return None
        tables.append(join.this.copy())
        if join.args.get("on") is not None:
            conditions.append(join.args["on"].copy())
    return tables, conditions


def _name_of(table: exp.Table) -> str:
    return (table.alias or table.name).lower()


def _with_conditions(tree: exp.Expression, conditions: list[exp.Expression]) -> None:
    where = tree.args.get("where")
    parts = conditions + ([where.this.copy()] if where is not None else [])
    tree.set("where", exp.Where(this=exp.and_(*parts)) if parts else None)


def _comma_list(tables: list[exp.Table]) -> exp.Table:
    first = tables[0]
    if len(tables) > 1:
        first.set("joins", [exp.Join(this=t) for t in tables[1:]])
    return first


def _multi_update(tree: exp.Update, notes: list[Note]) -> exp.Expression:
    found = _sources(tree.this, notes, "UPDATE")
    if found is None:
        return tree
    tables, conditions = found
    names = {_name_of(t): t for t in tables}
    owners = {c.this.table.lower() for c in tree.expressions if isinstance(c, exp.EQ) and isinstance(c.this, exp.Column)}
    if any(not isinstance(c, exp.EQ) or not isinstance(c.this, exp.Column) for c in tree.expressions):
        note(notes, "manual", "multi-table UPDATE with an unusual SET: rewrite it by hand")
        return tree
    if "" in owners and len(owners) == 1:
        owners = {_name_of(tables[0])}
        note(notes, "review", f"multi-table UPDATE with unqualified SET columns: they are taken as columns of "
                              f"{tables[0].name} (MySQL picks the table that has them)")
    owners.discard("")
    if len(owners) != 1 or next(iter(owners)) not in names:
        note(notes, "manual", "multi-table UPDATE assigns columns of more than one table: PostgreSQL updates one table "
                              "per statement; split it by hand")
        return tree
    target = names[next(iter(owners))]
    others = [t for t in tables if t is not target]
    for eq in tree.expressions:
        eq.set("this", exp.column(eq.this.this.copy()))
    tree.set("this", target)
    tree.set("from_", exp.From(this=_comma_list(others)))
    _with_conditions(tree, conditions)
    return tree


def _multi_delete(tree: exp.Delete, notes: list[Note]) -> exp.Expression:
    if tree.args.get("limit") is not None or tree.args.get("order") is not None:
        note(notes, "manual", "multi-table DELETE with ORDER BY / LIMIT: rewrite it by hand")
        return tree
    using = tree.args.get("using")
    if isinstance(using, list) and len(using) == 1 and isinstance(using[0], exp.Table):  # DELETE FROM a USING a JOIN b
        deleted, source = [tree.this], using[0]
    elif isinstance(tree.this, exp.Table):  # DELETE a FROM a JOIN b
        deleted, source = tree.args.get("tables") or [], tree.this
    else:
        note(notes, "manual", "multi-table DELETE in an unusual form: rewrite it by hand")
        return tree
    if len(deleted) != 1:
        note(notes, "manual", "DELETE from several tables in one statement: PostgreSQL deletes from one table per "
                              "statement (or via ON DELETE CASCADE); split it by hand")
        return tree
    found = _sources(source, notes, "DELETE")
    if found is None:
        return tree
    tables, conditions = found
    wanted = deleted[0].name.lower()
    target = next((t for t in tables if _name_of(t) == wanted), None) or \
        next((t for t in tables if t.name.lower() == wanted and not t.alias), None)
    if target is None:
        note(notes, "manual", f"multi-table DELETE names {deleted[0].name}, which is not among its tables")
        return tree
    others = [t for t in tables if t is not target]
    tree.set("tables", None)
    tree.set("this", target)
    tree.set("using", [_comma_list(others)] if others else None)
    _with_conditions(tree, conditions)
    return tree
