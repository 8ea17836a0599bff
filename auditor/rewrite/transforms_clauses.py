"""Clause-level MySQL that sqlglot writes unchanged for PostgreSQL.

FROM DUAL, ORDER BY NULL, SELECT modifiers (STRAIGHT_JOIN, SQL_NO_CACHE, ...), STRAIGHT_JOIN joins,
charset introducers (_utf8mb4'x'), VALUES ROW(...), WITH ROLLUP, HAVING on a select alias, numbers
used as conditions (`WHERE flags & 4`), SUM/AVG of a comparison, GROUP_CONCAT of a non-text value,
FIND_IN_SET, SET NAMES.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note
from auditor.rewrite.transforms_expr import fn

CONDITIONS = (exp.Where, exp.Having, exp.Not)
NUMERIC = (exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.Add, exp.Sub, exp.Mul, exp.Mod, exp.Div)
PREDICATES = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.In, exp.Is, exp.Between,
              exp.And, exp.Or, exp.Not, exp.NullSafeEQ, exp.NullSafeNEQ, exp.RegexpLike, exp.RegexpILike, exp.Exists)
CHARSETS = {"utf8mb4": "UTF8", "utf8": "UTF8", "utf8mb3": "UTF8", "latin1": "LATIN1", "ascii": "SQL_ASCII"}


def clauses(tree: exp.Expression, notes: list[Note]) -> exp.Expression:
    for node in list(tree.walk()):
        if isinstance(node, exp.Select):
            _select(node, notes)
        elif isinstance(node, exp.Join) and (node.args.get("kind") or "").upper() == "STRAIGHT_JOIN":
            node.set("kind", None)
        elif isinstance(node, exp.Introducer):
            node.replace(node.expression.copy())
        elif isinstance(node, exp.Values):
            _row_values(node)
        elif isinstance(node, (exp.Sum, exp.Avg)) and isinstance(node.this, PREDICATES):
            node.set("this", exp.Cast(this=exp.Paren(this=node.this.copy()), to=exp.DataType.build("int")))
        elif isinstance(node, exp.GroupConcat):
            _group_concat(node)
        elif isinstance(node, exp.Anonymous) and node.name.upper() == "FIND_IN_SET" and len(node.expressions) == 2:
            _find_in_set(node)
    for node in list(tree.walk()):
        _condition(node)
    if isinstance(tree, exp.Set):
        _set_names(tree, notes)
        _set_global(tree, notes)
    return tree


def _select(select: exp.Select, notes: list[Note]) -> None:
    select.set("operation_modifiers", None)  # STRAIGHT_JOIN, SQL_NO_CACHE, HIGH_PRIORITY: hints only
    source = select.args.get("from_")
    if source is not None and isinstance(source.this, exp.Table) and source.this.name.lower() == "dual" \
            and not source.this.db and not select.args.get("joins"):
        select.set("from_", None)
    order = select.args.get("order")
    if order is not None and all(isinstance(o.this, exp.Null) for o in order.expressions):
        select.set("order", None)  # ORDER BY NULL: MySQL's "do not sort"
    group = select.args.get("group")
    if group is not None and group.args.get("rollup") and not any(r.expressions for r in group.args["rollup"]):
        group.set("rollup", [exp.Rollup(expressions=[e.copy() for e in group.expressions])])
        group.set("expressions", [])
        note(notes, "review", "WITH ROLLUP becomes GROUP BY ROLLUP (...): add ORDER BY ... NULLS LAST if the code "
                              "expects the subtotal rows after their group")
    _having_aliases(select)
    for lock in select.args.get("locks") or []:
        if isinstance(lock.args.get("wait"), exp.Literal):
            seconds = lock.args["wait"].name
            lock.set("wait", None)
            note(notes, "manual", f"FOR UPDATE WAIT {seconds}: PostgreSQL waits without limit unless "
                                  f"SET LOCAL lock_timeout = '{seconds}s' runs first in the transaction")


def _having_aliases(select: exp.Select) -> None:
    """MySQL lets HAVING name a select alias; PostgreSQL needs the expression."""
    having = select.args.get("having")
    if having is None:
        return
    aliases = {a.alias.lower(): a.this for a in select.expressions if isinstance(a, exp.Alias)}
    sources = {c.name.lower() for c in select.find_all(exp.Column)}  # never replace a real column name
    for col in list(having.find_all(exp.Column)):
        name = col.name.lower()
        if not col.table and name in aliases and col.find_ancestor(exp.Select) is select \
                and not any(c.name.lower() == name for c in aliases[name].find_all(exp.Column)) \
                and name not in sources - {name}:
            col.replace(aliases[name].copy())


def _row_values(values: exp.Values) -> None:
    """VALUES ROW(1, 2): sqlglot writes (ROW(1, 2)), one column holding a record."""
    for row in values.expressions:
        if isinstance(row, exp.Tuple) and len(row.expressions) == 1:
            inner = row.expressions[0]
            if isinstance(inner, exp.Anonymous) and inner.name.upper() == "ROW":
                row.set("expressions", [e.copy() for e in inner.expressions])


def _group_concat(node: exp.GroupConcat) -> None:
    """string_agg takes text only; MySQL's GROUP_CONCAT converts any value."""
    holder, key = node, "this"
    while isinstance(getattr(holder, key, None) if key != "this" else holder.this, (exp.Order, exp.Distinct)):
        inner = holder.this
        holder, key = (inner, "this") if isinstance(inner, exp.Order) else (inner, "expressions")
        if key == "expressions":
            break
    value = holder.this if key == "this" else (holder.expressions[0] if len(holder.expressions) == 1 else None)
    if value is None or isinstance(value, exp.Cast) or isinstance(value, exp.Literal) and value.is_string:
        return
    value.replace(exp.Cast(this=value.copy(), to=exp.DataType.build("text")))


def _find_in_set(node: exp.Anonymous) -> None:
    needle, haystack = node.expressions[0].copy(), node.expressions[1].copy()
    parts = fn("string_to_array", haystack, exp.Literal.string(","))
    parent = node.parent
    if isinstance(parent, exp.GT) and parent.this is node and parent.expression.name == "0":
        parent.replace(exp.EQ(this=needle, expression=exp.Any(this=exp.Paren(this=parts))))
        return
    node.replace(exp.Coalesce(this=fn("array_position", parts, needle), expressions=[exp.Literal.number(0)]))


def _condition(node: exp.Expression) -> None:
    """A number where PostgreSQL wants a boolean: `WHERE 1 AND x`, `WHERE flags & 4`."""
    slots = []
    if isinstance(node, CONDITIONS):
        slots = [node.this]
    elif isinstance(node, (exp.And, exp.Or)):
        slots = [node.this, node.expression]
    elif isinstance(node, exp.Join) and node.args.get("on") is not None:
        slots = [node.args["on"]]
    for part in slots:
        inner = part.this if isinstance(part, exp.Paren) else part
        if isinstance(inner, exp.Literal) and not inner.is_string and inner.name in ("0", "1"):
            part.replace(exp.Boolean(this=inner.name == "1"))
        elif isinstance(inner, NUMERIC):
            part.replace(exp.NEQ(this=exp.Paren(this=inner.copy()), expression=exp.Literal.number(0)))


def _set_names(tree: exp.Set, notes: list[Note]) -> None:
    """SET NAMES utf8mb4 [COLLATE ...] -> SET client_encoding TO 'UTF8'."""
    items = tree.expressions
    if len(items) != 1 or (items[0].args.get("kind") or "").upper() != "NAMES":
        return
    charset = items[0].this.name.lower().strip("'\"")
    if charset not in CHARSETS:
        note(notes, "manual", f"SET NAMES {charset}: pick the PostgreSQL client_encoding by hand")
        return
    tree.set("expressions", [exp.SetItem(this=exp.EQ(this=exp.column("client_encoding"),
                                                        expression=exp.Literal.string(CHARSETS[charset])))])


def _set_global(tree: exp.Set, notes: list[Note]) -> None:
    """SET GLOBAL ...: server configuration, ALTER SYSTEM / ALTER DATABASE in PostgreSQL."""
    if any(item.args.get("global_") for item in tree.expressions):
        note(notes, "manual", "SET GLOBAL changes the server's defaults: use ALTER SYSTEM SET ... (or ALTER DATABASE "
                              "... SET) with PostgreSQL's setting name, by hand")
