"""Comparisons that PostgreSQL evaluates differently: MySQL's default collations ignore case."""
from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import TokenType

from auditor.checks.base import HOLE, Hit, Statement, node_span

IDENTITY_COLUMNS = frozenset({"email", "username", "user_name", "login", "name", "display_name",
                              "slug", "handle", "title", "tag", "code"})
_PATTERNS = (TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.PLACEHOLDER)
_ASSIGNMENTS = (exp.Update, exp.SetItem, exp.OnConflict)


def case_insensitive_comparison(stmt: Statement) -> Iterator[Hit]:
    """SEM001: LIKE with a literal/placeholder/hole pattern; column = 'text'; email = ?."""
    if stmt.kind != "show":
        yield from _likes(stmt)
    if stmt.tree is not None:
        yield from _equalities(stmt)


def _likes(stmt: Statement) -> Iterator[Hit]:
    for i in range(len(stmt.tokens)):
        if stmt.word(i) != "LIKE" or stmt.word(i + 1) == "BINARY":
            continue
        if not (stmt.type_is(i + 1, *_PATTERNS) or stmt.is_hole(i + 1)):
            continue
        start = i - 1 if stmt.word(i - 1) == "NOT" else i
        if stmt.type_is(start - 1, TokenType.VAR, TokenType.IDENTIFIER):
            start -= 1
        yield stmt.span(start, i + 1)


def _equalities(stmt: Statement) -> Iterator[Hit]:
    for node in stmt.tree.find_all(exp.EQ, exp.NEQ):
        if isinstance(node.parent, _ASSIGNMENTS):
            continue
        sides = (node.this, node.expression)
        column = next((s for s in sides if isinstance(s, exp.Column) and not HOLE.match(s.name)), None)
        other = sides[1] if column is sides[0] else sides[0]
        if column is None:
            continue
        if isinstance(other, exp.Literal) and other.is_string and any(c.isalpha() for c in other.this):
            yield node_span(stmt, node) or stmt.whole()
        elif isinstance(other, exp.Placeholder) and column.name.lower() in IDENTITY_COLUMNS:
            yield _with_placeholder(stmt, node_span(stmt, column), column is node.this)


def _with_placeholder(stmt: Statement, col: Hit | None, column_first: bool) -> Hit:
    """Column span widened to the `?` beside it (sqlglot records no position for `?`)."""
    if col is None:
        return stmt.whole()
    marks = [t for t in stmt.tokens if t.token_type == TokenType.PLACEHOLDER]
    if column_first:
        mark = next((t for t in marks if t.start >= col.end), None)
        return Hit(col.start, mark.end + 1) if mark else col
    mark = next((t for t in reversed(marks) if t.end < col.start), None)
    return Hit(mark.start, col.end) if mark else col


# --- shared helpers for the rules below ------------------------------------------------------

_PREDICATES = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.Is, exp.In, exp.Like,
               exp.ILike, exp.Between, exp.And, exp.Or, exp.Not, exp.Exists, exp.RegexpLike, exp.Xor)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)
_RANGES = (exp.GT, exp.GTE, exp.LT, exp.LTE)
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_NUMERIC = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")


def _unparen(node):
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _token_at(stmt: Statement, offset: int) -> int:
    """Index of the token starting at `offset` (or the first one after it)."""
    return next((i for i, t in enumerate(stmt.tokens) if t.start >= offset), len(stmt.tokens) - 1)


def _token_ending(stmt: Statement, end: int) -> int:
    """Index of the last token ending before the exclusive offset `end`."""
    return max((i for i, t in enumerate(stmt.tokens) if t.end < end), default=0)


def _hit(stmt: Statement, node) -> Hit | None:
    """The node's span with its parentheses balanced (sqlglot keeps no position for `(` `)` or for
    a function's name when it is a plain word), so `COUNT(*` becomes `COUNT(*)`."""
    span = node_span(stmt, node)
    if span is None or not stmt.tokens:
        return None
    first, last = _token_at(stmt, span.start), _token_ending(stmt, span.end)
    depth = 0
    for j in range(first, last + 1):
        kind = stmt.tokens[j].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if depth < 0:  # a `)` whose `(` lies before: widen to it (and to the function's name)
            k, d = first - 1, depth
            while k >= 0 and d < 0:
                d += (stmt.tokens[k].token_type == TokenType.L_PAREN) - (stmt.tokens[k].token_type == TokenType.R_PAREN)
                k -= 1
            first, depth = k + 1, 0
            if first > 0 and stmt.word(first - 1) and stmt.type_is(first, TokenType.L_PAREN) \
                    and stmt.tokens[first - 1].end + 1 == stmt.tokens[first].start:  # `NAME(`
                first -= 1
    while depth > 0 and last + 1 < len(stmt.tokens):
        last += 1
        kind = stmt.tokens[last].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
    if isinstance(node, exp.Exists) or isinstance(getattr(node, "this", None), exp.Exists):
        k = first  # `EXISTS (SELECT ...)`: sqlglot keeps no position for EXISTS or SELECT
        while k > 0 and stmt.word(k) != "EXISTS":
            k -= 1
        close = stmt.close_paren(k + 1) if stmt.type_is(k + 1, TokenType.L_PAREN) else -1
        if close > 0:
            first, last = k, max(last, close)
    if stmt.type_is(last + 1, TokenType.PLACEHOLDER) and node.find(exp.Placeholder) is not None \
            and not isinstance(node, exp.In):
        last += 1  # a trailing `?` (no position either)
    return stmt.span(first, last)


def _hits(stmt: Statement, nodes) -> Iterator[Hit]:
    for node in nodes:
        yield _hit(stmt, node) or stmt.whole()


def _string(node) -> str | None:
    node = _unparen(node)
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


def _number(node) -> str | None:
    node = _unparen(node)
    return str(node.this) if isinstance(node, exp.Literal) and not node.is_string else None


def _has_letter(text: str | None) -> bool:
    return text is not None and any(c.isalpha() for c in text) and not _DATE_LIKE.match(text.strip())


def _in_subquery(node, root) -> bool:
    """True when `node` sits in a SELECT nested inside `root`."""
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, exp.Select):
            return True
        parent = parent.parent
    return False


def _raw(stmt: Statement, i: int) -> str:
    tok = stmt.tokens[i]
    return stmt.sql[tok.start:tok.end + 1]


def _literal_token(stmt: Statement, node) -> int | None:
    span = node_span(stmt, node)
    return None if span is None else _token_at(stmt, span.start)


# --- SEM002 case-insensitive-in-list ---------------------------------------------------------

def case_insensitive_in_list(stmt: Statement) -> Iterator[Hit]:
    """SEM002: `col IN ('Paid', 'Open')` (a string with a letter), `email IN (?)`; queries and writes
    only (a CHECK (... IN ...) in a table definition is DDL's business)."""
    if stmt.tree is None or stmt.kind in ("ddl", "show"):
        return
    for node in stmt.tree.find_all(exp.In):
        column = node.this
        if not isinstance(column, exp.Column) or HOLE.match(column.name) or not node.expressions:
            continue
        values = node.expressions
        texts = [_string(v) for v in values]
        if any(_has_letter(t) for t in texts) and all(t is not None or isinstance(v, exp.Placeholder)
                                                      for t, v in zip(texts, values)):
            yield _hit(stmt, node) or stmt.whole()
        elif all(isinstance(v, exp.Placeholder) for v in values) and column.name.lower() in IDENTITY_COLUMNS:
            yield _in_with_placeholders(stmt, node)


def _in_with_placeholders(stmt: Statement, node) -> Hit:
    col = node_span(stmt, node.this)
    if col is None:
        return stmt.whole()
    i = _token_at(stmt, col.end)
    while i < len(stmt.tokens) and not stmt.type_is(i, TokenType.L_PAREN):
        i += 1
    close = stmt.close_paren(i) if i < len(stmt.tokens) else -1
    return Hit(col.start, stmt.tokens[close].end + 1) if close > 0 else col


# --- SEM003 trailing-space-comparison --------------------------------------------------------

def trailing_space_comparison(stmt: Statement) -> Iterator[Hit]:
    """SEM003: a compared string literal that ends in spaces (`name = 'abc '`): MySQL's PAD SPACE
    collations ignore them, PostgreSQL's text comparison does not."""
    if stmt.tree is None:
        return
    for node in stmt.tree.find_all(exp.Literal):
        if not node.is_string or not node.this.endswith(" "):
            continue
        parent = node.parent
        if isinstance(parent, (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.In, exp.Between, *_RANGES)) \
                and not isinstance(parent.parent, _ASSIGNMENTS):
            i = _literal_token(stmt, node)
            if i is None:
                continue
            # from the operator (or IN / BETWEEN) before the literal, so the span is this rule's own
            op = i - 1
            while op > 0 and stmt.type_is(op, TokenType.L_PAREN, TokenType.COMMA, TokenType.STRING,
                                          TokenType.NUMBER, TokenType.PLACEHOLDER):
                op -= 1
            if stmt.word(op - 1) == "NOT":
                op -= 1
            yield stmt.span(op, i) if op < i else stmt.span(i, min(i + 1, len(stmt.tokens) - 1))


# --- SEM004 integer-division / SEM005 division-by-zero ---------------------------------------

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

def string_range_comparison(stmt: Statement) -> Iterator[Hit]:
    """SEM013: `<`, `>`, `<=`, `>=`, BETWEEN against a string with a letter (dates left out):
    the order of strings is the collation's, and MySQL's ignores case."""
    if stmt.tree is None:
        return
    for node in stmt.tree.find_all(*_RANGES, exp.Between):
        if isinstance(node, exp.Between):
            bounds, subject = (node.args.get("low"), node.args.get("high")), node.this
        else:
            bounds, subject = (node.this, node.expression), None
        texts = [_string(b) for b in bounds]
        if subject is None and all(t is not None for t in texts):
            continue  # two literals: nothing read from a column
        if subject is not None and _string(subject) is not None:
            continue
        if any(_has_letter(t) for t in texts):
            yield _hit(stmt, node) or stmt.whole()


# --- SEM014 like-escape-backslash / SEM015 like-pattern-backslash ----------------------------

def like_escape_backslash(stmt: Statement) -> Iterator[Hit]:
    """SEM014: `ESCAPE '\\\\'` (one backslash for MySQL, two characters for PostgreSQL)."""
    for i in range(len(stmt.tokens) - 1):
        if stmt.word(i) == "ESCAPE" and stmt.type_is(i + 1, TokenType.STRING) and _raw(stmt, i + 1)[1:-1] == "\\\\":
            yield stmt.span(i, i + 1)


def like_pattern_backslash(stmt: Statement) -> Iterator[Hit]:
    """SEM015: a LIKE pattern literal written with `\\\\` (MySQL reads it as one backslash)."""
    for i in range(len(stmt.tokens) - 1):
        if stmt.word(i) in ("LIKE", "ILIKE") and stmt.type_is(i + 1, TokenType.STRING) and "\\\\" in _raw(stmt, i + 1):
            yield stmt.span(i + 1, i + 1)


# --- SEM016 cast-as-char / SEM017 cast-as-decimal --------------------------------------------

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
