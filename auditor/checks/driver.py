"""Driver-API rules that show in the SQL text itself (the rest come from the code frontends)."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement


def identifier_placeholder(stmt: Statement) -> Iterator[Hit]:
    """DRV005: mysql2's `??` identifier placeholder, outside strings and comments."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.DQMARK:
            yield stmt.span(i, i)
