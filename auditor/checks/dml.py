"""MySQL-only forms of INSERT, REPLACE, UPDATE and DELETE."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

_DELETE_END = frozenset({"WHERE", "ORDER", "LIMIT"})


def replace_into(stmt: Statement) -> Iterator[Hit]:
    """DML003: `REPLACE [LOW_PRIORITY|DELAYED] [INTO] t ...` (not the REPLACE() function)."""
    if stmt.word(0) == "REPLACE" and not stmt.type_is(1, TokenType.L_PAREN):
        into = next((i for i in (1, 2) if stmt.word(i) == "INTO"), 0)
        yield stmt.span(0, into)


def _top_limit(stmt: Statement, verb: str) -> Iterator[Hit]:
    if stmt.word(0) != verb:
        return
    for i in stmt.top_level():
        if stmt.word(i) == "LIMIT":
            yield stmt.span(i, min(i + 1, len(stmt.tokens) - 1))


def update_limit(stmt: Statement) -> Iterator[Hit]:
    """DML004: `UPDATE ... [ORDER BY ...] LIMIT n`."""
    return _top_limit(stmt, "UPDATE")


def delete_limit(stmt: Statement) -> Iterator[Hit]:
    """DML005: `DELETE ... LIMIT n`."""
    return _top_limit(stmt, "DELETE")


def multi_table_update(stmt: Statement) -> Iterator[Hit]:
    """DML006: `UPDATE a JOIN b ... SET` / `UPDATE a, b SET` (the table list is the evidence)."""
    if stmt.word(0) != "UPDATE":
        return
    top = stmt.top_level()
    set_at = next((i for i in top if stmt.word(i) == "SET"), None)
    if set_at is None:
        return
    if any(stmt.word(i) == "JOIN" or stmt.type_is(i, TokenType.COMMA) for i in top if i < set_at):
        yield stmt.span(0, set_at - 1)


def multi_table_delete(stmt: Statement) -> Iterator[Hit]:
    """DML007: `DELETE a FROM a JOIN b`, `DELETE a, b FROM ...`, `DELETE FROM a USING a JOIN b`."""
    tree = stmt.tree
    if not isinstance(tree, exp.Delete) or stmt.word(0) != "DELETE":
        return
    joined = isinstance(tree.this, exp.Table) and bool(tree.this.args.get("joins"))
    if tree.args.get("tables") or tree.args.get("using") or joined:
        end = next((i for i in stmt.top_level() if stmt.word(i) in _DELETE_END), len(stmt.tokens))
        yield stmt.span(0, end - 1)
