"""Semantics checks about values: arithmetic, booleans, grouping, casts, dates and result types.

Split from `semantics` (comparisons and collation), whose helpers they share.
"""
from __future__ import annotations
import re
from collections.abc import Iterator
from sqlglot import exp
from sqlglot.tokens import TokenType
from auditor.checks.base import HOLE, Hit, Statement, node_span
from auditor.checks.semantics import _ARITHMETIC, _INTEGER, _NUMERIC, _PREDICATES, _hit, _hits, _in_subquery, _number, _string, _token_at, _unparen  # noqa: F401


_INT_FUNCS = (exp.Count, exp.Length)


def _integer_valued(node) -> bool:
    node = _unparen(node)
    if isinstance(node, exp.Literal) and not node.is_string:
        return _INTEGER.match(str(node.this)) is not None
    if isinstance(node, _INT_FUNCS):
        return True
    if isinstance(node, exp.Neg):
        return _integer_valued(node.this)
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        return _integer_valued(node.this) and _integer_valued(node.expression)
    return False


def _is_zero(node) -> bool:
    text = _number(node)
    try:
        return text is not None and float(text) == 0
    except ValueError:
        return False


def integer_division(stmt: Statement) -> Iterator[Hit]:
    """SEM004: `/` between two visibly integer operands (integer literals, COUNT(), LENGTH(), and
    + - * of those): MySQL's `/` returns a decimal, PostgreSQL truncates integer division."""
    if stmt.tree is None:
        return
    yield from _hits(stmt, (n for n in stmt.tree.find_all(exp.Div) if _integer_valued(n.this)
                            and _integer_valued(n.expression) and not _is_zero(n.expression)))


def division_by_zero(stmt: Statement) -> Iterator[Hit]:
    """SEM005: `x / 0`, `x % 0`, `MOD(x, 0)`, `x DIV 0`: NULL in MySQL, an error in PostgreSQL."""
    if stmt.tree is None:
        return
    yield from _hits(stmt, (n for n in stmt.tree.find_all(exp.Div, exp.Mod, exp.IntDiv) if _is_zero(n.expression)))


# --- SEM006 count-distinct-multiple-columns --------------------------------------------------

def count_distinct_multiple_columns(stmt: Statement) -> Iterator[Hit]:
    """SEM006: `COUNT(DISTINCT a, b)`; the span is `DISTINCT a, b` (the COUNT call is DRV's)."""
    if stmt.tree is None:
        return
    for node in stmt.tree.find_all(exp.Count):
        distinct = node.this
        if isinstance(distinct, exp.Distinct) and len(distinct.expressions) > 1:
            last = _hit(stmt, distinct.expressions[-1])
            first = node_span(stmt, distinct.expressions[0])
            if last is None or first is None:
                yield stmt.whole()
                continue
            i = _token_at(stmt, first.start)
            while i > 0 and stmt.word(i) != "DISTINCT":
                i -= 1
            yield Hit(stmt.tokens[i].start, last.end)


# --- SEM007 nonaggregated-column / SEM008 having-select-alias --------------------------------

def _selects(stmt: Statement):
    return [] if stmt.tree is None else list(stmt.tree.find_all(exp.Select))


def _outside(node, stop_types, root) -> bool:
    """No ancestor of `node` up to `root` is one of `stop_types`."""
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, stop_types):
            return False
        parent = parent.parent
    return True


def _bare_columns(expr, select) -> list:
    """Columns of `expr` outside aggregates, window functions and subqueries."""
    found = [expr] if isinstance(expr, exp.Column) else []
    found += [c for c in expr.find_all(exp.Column) if c is not expr]
    return [c for c in found if not HOLE.match(c.name) and _outside(c, (exp.AggFunc, exp.Window, exp.Select), select)
            and not (c.parent is not None and isinstance(c.parent, exp.AggFunc))]


def _has_aggregate(select) -> bool:
    return any(_outside(a, (exp.Window, exp.Select), select) and not isinstance(a.parent, exp.Window)
               for e in select.expressions for a in e.find_all(exp.AggFunc))


def nonaggregated_column(stmt: Statement) -> Iterator[Hit]:
    """SEM007: a grouped SELECT (GROUP BY, or an aggregate without one) that lists a column neither
    grouped nor aggregated (MySQL without ONLY_FULL_GROUP_BY returns an arbitrary row's value).
    A query grouped by an `id` of the column's table is left alone: PostgreSQL accepts columns
    that depend on a grouped primary key."""
    for select in _selects(stmt):
        group = select.args.get("group")
        if group is None and not _has_aggregate(select):
            continue
        if group is not None and any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")):
            continue
        items = list(group.expressions) if group is not None else []
        projections = select.expressions
        for i, item in enumerate(items):  # GROUP BY 2 -> the second projection
            text = _number(item)
            if text and _INTEGER.match(text) and 0 < int(text) <= len(projections):
                items[i] = projections[int(text) - 1].unalias()
        grouped_sql = {g.sql() for g in items}
        names = {g.name.lower() for g in items if isinstance(g, exp.Column)}
        keyed = {g.table.lower() for g in items if isinstance(g, exp.Column) and g.name.lower() == "id"}
        single = not select.args.get("joins")
        for proj in projections:
            if isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
                if group is not None and not keyed:
                    yield _hit(stmt, proj) or stmt.whole()
                continue
            if isinstance(proj, exp.Alias) and proj.alias.lower() in names:
                continue
            expr = proj.unalias()
            if expr.sql() in grouped_sql:
                continue
            bad = [c for c in _bare_columns(expr, select) if c.sql() not in grouped_sql
                   and c.name.lower() not in names and c.table.lower() not in keyed and not (keyed and single)]
            if bad:
                yield _hit(stmt, bad[0]) or stmt.whole()


def having_select_alias(stmt: Statement) -> Iterator[Hit]:
    """SEM008: HAVING names a select-list alias (`SELECT COUNT(*) AS n ... HAVING n > 1`)."""
    for select in _selects(stmt):
        having = select.args.get("having")
        if having is None:
            continue
        aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)
                   and not (isinstance(p.this, exp.Column) and p.this.name.lower() == p.alias.lower())}
        group = select.args.get("group")
        grouped = {c.name.lower() for c in (group.find_all(exp.Column) if group is not None else ())}
        for col in having.find_all(exp.Column):
            if not col.table and col.name.lower() in aliases - grouped and _outside(col, (exp.Select,), having):
                yield _hit(stmt, col) or stmt.whole()


# --- SEM009 boolean-arithmetic / SEM010 boolean-result-column / SEM011 numeric-condition ------

def _predicate(node) -> bool:
    return isinstance(_unparen(node), _PREDICATES)


def boolean_arithmetic(stmt: Statement) -> Iterator[Hit]:
    """SEM009: a comparison used as a number: `SUM(a = b)`, `AVG(x > 0)`, `(a > b) + 1`."""
    if stmt.tree is None:
        return
    for node in stmt.tree.find_all(exp.Sum, exp.Avg, *_ARITHMETIC):
        operands = (node.this,) if isinstance(node, (exp.Sum, exp.Avg)) else (node.this, node.expression)
        if any(_predicate(o) for o in operands):
            yield _hit(stmt, node) or stmt.whole()


def boolean_result_column(stmt: Statement) -> Iterator[Hit]:
    """SEM010: a comparison or EXISTS returned as a column: 1/0 from MySQL, true/false from PostgreSQL."""
    tree = stmt.tree
    if tree is None or not isinstance(tree, (exp.Select, exp.SetOperation)):
        return
    selects = [tree] if isinstance(tree, exp.Select) else [s for s in tree.find_all(exp.Select)
                                                             if not _in_subquery(s, tree)]
    for select in selects:
        for proj in select.expressions:
            expr = _unparen(proj.unalias())
            if isinstance(expr, _PREDICATES) and not isinstance(expr, (exp.And, exp.Or, exp.Xor)):
                hit = _hit(stmt, proj) or stmt.whole()
                if not isinstance(proj, exp.Alias) and isinstance(expr, (exp.EQ, exp.NEQ)):
                    # `col = 'x'` alone is SEM001's span: take the SELECT (or comma) before it too
                    first = _token_at(stmt, hit.start)
                    if first > 0:
                        hit = Hit(stmt.tokens[first - 1].start, hit.end, hit.detail)
                yield hit


_NUMERIC_CONDITIONS = (exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.Count, exp.Length, *_ARITHMETIC)


def _numeric_operand(node) -> bool:
    node = _unparen(node)
    return _number(node) is not None or isinstance(node, _NUMERIC_CONDITIONS)


def numeric_condition(stmt: Statement) -> Iterator[Hit]:
    """SEM011: a number where a condition belongs: `WHERE 1`, `AND flags & 4`, `HAVING COUNT(*)`."""
    if stmt.tree is None:
        return
    seen = set()
    for node in stmt.tree.walk():
        if isinstance(node, (exp.Where, exp.Having, exp.Not)):
            operands = [node.this]
        elif isinstance(node, (exp.And, exp.Or)):
            operands = [node.this, node.expression]
        elif isinstance(node, exp.Join):
            operands = [node.args.get("on")]
        elif isinstance(node, exp.If) and not (isinstance(node.parent, exp.Case) and node.parent.this is not None):
            operands = [node.this]
        else:
            continue
        for operand in operands:
            if operand is not None and _numeric_operand(operand) and id(operand) not in seen:
                seen.add(id(operand))
                yield _hit(stmt, operand) or stmt.whole()


# --- SEM012 string-arithmetic ----------------------------------------------------------------

def string_arithmetic(stmt: Statement) -> Iterator[Hit]:
    """SEM012: arithmetic on a quoted string that is not a number (`'abc' + 1`, `'10 apples' * 2`),
    on two quoted strings (`'1' + '2'`), or on a decimal string beside an integer (`'1.5' + 1`)."""
    if stmt.tree is None:
        return
    for node in stmt.tree.find_all(*_ARITHMETIC):
        left, right = node.this, node.expression
        if any(isinstance(_unparen(s), exp.Interval) for s in (left, right)):
            continue
        texts = (_string(left), _string(right))
        if texts[0] is None and texts[1] is None:
            continue
        if texts[0] is not None and texts[1] is not None:
            yield _hit(stmt, node) or stmt.whole()
            continue
        text, other = (texts[0], right) if texts[0] is not None else (texts[1], left)
        if isinstance(node, exp.Sub) and texts[1] is not None and isinstance(_unparen(left), exp.Column):
            continue  # `settings - 'theme'`: PostgreSQL's jsonb/hstore key removal, already ported
        if not _NUMERIC.match(text) or (not _INTEGER.match(text) and _number(other) is not None
                                        and _INTEGER.match(_number(other))):
            yield _hit(stmt, node) or stmt.whole()


# --- SEM013 string-range-comparison ----------------------------------------------------------


_CHAR_TYPES = frozenset({"CHAR", "NCHAR", "CHARACTER"})
_DECIMAL_TYPES = frozenset({"DECIMAL", "NUMERIC", "DEC", "FIXED"})


def _casts(stmt: Statement, types: frozenset[str]) -> Iterator[tuple[int, int, int, bool]]:
    """(call start, type token, call end, has length) of CAST(x AS T ...) / CONVERT(x, T ...)."""
    for i in range(len(stmt.tokens) - 1):
        if stmt.word(i) not in ("CAST", "CONVERT") or not stmt.type_is(i + 1, TokenType.L_PAREN) \
                or stmt.type_is(i - 1, TokenType.DOT):
            continue
        close = stmt.close_paren(i + 1)
        if close < 0:
            continue
        depth, split = 0, None
        for j in range(i + 2, close):
            kind = stmt.tokens[j].token_type
            depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
            if depth == 0 and ((stmt.word(i) == "CAST" and stmt.word(j) == "AS")
                               or (stmt.word(i) == "CONVERT" and kind == TokenType.COMMA)):
                split = j
        if split is None or stmt.word(split + 1) not in types:
            continue
        yield i, split + 1, close, stmt.type_is(split + 2, TokenType.L_PAREN)


def cast_as_char(stmt: Statement) -> Iterator[Hit]:
    """SEM016: CAST(x AS CHAR) / CONVERT(x, CHAR): a varchar in MySQL, char(1) (or blank-padded
    char(n)) in PostgreSQL."""
    for start, _, close, sized in _casts(stmt, _CHAR_TYPES):
        yield stmt.span(start, close, "CHAR(n) is blank-padded in PostgreSQL" if sized else "")


def cast_as_decimal(stmt: Statement) -> Iterator[Hit]:
    """SEM017: CAST(x AS DECIMAL) with no precision: DECIMAL(10,0) in MySQL (rounds to an integer),
    unconstrained numeric in PostgreSQL (keeps every digit)."""
    for start, _, close, sized in _casts(stmt, _DECIMAL_TYPES):
        if not sized:
            yield stmt.span(start, close)


# --- SEM018 zero-date-literal ----------------------------------------------------------------

_ZERO_DATE = re.compile(r"^0000-00-00(?:[ T]00:00:00(?:\.0+)?)?$")


def zero_date_literal(stmt: Statement) -> Iterator[Hit]:
    """SEM018: '0000-00-00' (and '0000-00-00 00:00:00') in a query or a write; column DEFAULTs are DDL's."""
    if stmt.kind == "ddl":
        return
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.STRING and _ZERO_DATE.match(tok.text.strip()):
            yield stmt.span(i, i)


# --- SEM019 count-result-bigint ---------------------------------------------------------------
_BIGINT_AS_STRING = ("node-postgres", "postgres.js")


def count_result_bigint(stmt: Statement) -> Iterator[Hit]:
    """SEM019: COUNT(...) returned as a column to JavaScript: bigint, which node-postgres and
    postgres.js hand back as a string ('42'), where mysql/mysql2 gave a number.

    Only where the site's PostgreSQL client is node-postgres or postgres.js (the scan passes each
    site's client as `target`: JavaScript code defaults to node-postgres, Python to psycopg, which
    returns int, and Prisma's raw API returns BigInt on both engines). Without a target (a bare
    SQL text) nothing is known, so nothing fires."""
    if stmt.target not in _BIGINT_AS_STRING:
        return
    tree = stmt.tree
    if tree is None or not isinstance(tree, (exp.Select, exp.SetOperation)):
        return
    selects = [tree] if isinstance(tree, exp.Select) else [s for s in tree.find_all(exp.Select)
                                                             if s.parent_select is None or s.parent_select is tree]
    for select in selects:
        for proj in select.expressions:
            node = proj.unalias()
            while isinstance(node, exp.Paren):
                node = node.this
            if isinstance(node, exp.Count):
                yield _call_span(stmt, node)


def _call_span(stmt: Statement, node) -> Hit:
    span = node_span(stmt, node)
    if span is None:
        return stmt.whole()
    for i, tok in enumerate(stmt.tokens):
        if tok.start >= span.start:
            if stmt.type_is(i + 1, TokenType.L_PAREN):
                close = stmt.close_paren(i + 1)
                if close > 0:
                    return stmt.span(i, close)
            break
    return span
