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
