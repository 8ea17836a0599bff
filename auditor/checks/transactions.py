"""Transaction control sent as SQL text."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement


def set_autocommit(stmt: Statement) -> Iterator[Hit]:
    """TXN003: `SET [SESSION|@@session.]autocommit = <value>`."""
    if stmt.word(0) != "SET":
        return
    for i in stmt.top_level():
        if stmt.word(i) == "AUTOCOMMIT" and stmt.type_is(i + 1, TokenType.EQ, TokenType.COLON_EQ):
            yield stmt.span(0, min(i + 2, len(stmt.tokens) - 1))
