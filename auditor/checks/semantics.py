"""Comparisons that PostgreSQL evaluates differently: MySQL's default collations ignore case."""
from __future__ import annotations

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
