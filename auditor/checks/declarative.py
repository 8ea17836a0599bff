"""The declarative `match` forms of rule files, turned into checks.

- `{node: Show}`: a sqlglot node of that class in the tree (the whole statement when it is the root);
- `{function: NAME | [NAMES]}`: a call `NAME(` by the name as written (sqlglot renames many);
- `{keyword: "ON DUPLICATE KEY UPDATE" | [..]}`: consecutive bare tokens, case-insensitive;
- `{type: [ENUM, SET]}`: a column definition whose type is written so;
- `{driver_use: kind}`: records of the code frontends, never SQL (no check).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from sqlglot import exp
from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement, node_span
from auditor.checks.columns import column_defs

Check = Callable[[Statement], Iterable[Hit]]


def compile_match(match: Mapping) -> Check | None:
    form, value = next(iter(match.items()))
    values = (value,) if isinstance(value, str) else tuple(value)
    if form == "node":
        return _node(tuple(getattr(exp, v) for v in values))
    if form == "function":
        return _function(frozenset(v.upper() for v in values))
    if form == "keyword":
        return _keyword(tuple(tuple(v.upper().split()) for v in values))
    if form == "type":
        return _type(frozenset(v.upper() for v in values))
    return None  # driver_use: judged on code records, not on SQL


def _node(classes: tuple[type, ...]) -> Check:
    def check(stmt: Statement) -> Iterable[Hit]:
        if stmt.tree is None:
            return
        for node in stmt.nodes(classes):
            span = stmt.whole() if node is stmt.tree else node_span(stmt, node)
            yield span or stmt.whole()
    return check


def _function(names: frozenset[str]) -> Check:
    def check(stmt: Statement) -> Iterable[Hit]:
        for i in sorted(i for name in names for i in stmt.positions(name)):
            if stmt.type_is(i + 1, TokenType.L_PAREN) and not stmt.type_is(i - 1, TokenType.DOT):
                close = stmt.close_paren(i + 1)
                yield stmt.span(i, close if close > 0 else i)
    return check


def _keyword(sequences: tuple[tuple[str, ...], ...]) -> Check:
    def check(stmt: Statement) -> Iterable[Hit]:
        for words in sequences:
            for first, last in stmt.sequence(words):
                yield stmt.span(first, last)
    return check


def _type(names: frozenset[str]) -> Check:
    def check(stmt: Statement) -> Iterable[Hit]:
        for col in column_defs(stmt):
            if " ".join(stmt.tokens[col.type].text.upper().split()) in names:
                yield stmt.span(col.type, col.params_end)
    return check
