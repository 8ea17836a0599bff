"""PAR001: the statement sqlglot could not read (the engine already tried; we report why)."""
from __future__ import annotations

from collections.abc import Iterator

from auditor.checks.base import Hit, Statement


def unparseable(stmt: Statement) -> Iterator[Hit]:
    if stmt.error:
        yield stmt.whole(stmt.error)
