"""pgready's own sqlglot transforms: what sqlglot's MySQL -> PostgreSQL transpiler gets wrong.

sqlglot writes most MySQL for PostgreSQL correctly; these steps fix the rest on the parsed MySQL
tree before the engine generates PostgreSQL from it. Each step knows one family
(`transforms_upsert`: INSERT IGNORE / ON DUPLICATE KEY / REPLACE; `transforms_dml`: UPDATE and
DELETE with LIMIT or joins; `transforms_ddl`: types and options of CREATE/ALTER;
`transforms_expr`: functions and operators). A step that changes meaning on some data says so with
a `review` Note; one that cannot be done mechanically leaves its node alone with a `manual` Note.
A step that fails on a shape nobody foresaw is rolled back (the tree stays as the step found it)
and becomes a manual Note: the tool never guesses and never raises here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

__all__ = ["Note", "transform", "note"]


@dataclass(frozen=True)
class Note:
    safety: str  # "review" or "manual": caps the statement's safety
    reason: str  # one sentence a migration engineer reads, naming the construct


def note(notes: list[Note], safety: str, reason: str) -> None:
    """Add a note once (a construct met twice in a statement is explained once)."""
    if not any(n.reason == reason for n in notes):
        notes.append(Note(safety, reason))


Step = Callable[[exp.Expression, str, object, list[Note]], exp.Expression]


def _steps() -> tuple[tuple[str, Step], ...]:
    from auditor.rewrite import transforms_ddl, transforms_dml, transforms_expr, transforms_upsert

    return (
        ("upsert", transforms_upsert.upsert),
        ("update/delete", transforms_dml.update_delete),
        ("ddl", transforms_ddl.ddl),
        ("expressions", transforms_expr.expressions),
    )


def transform(tree: exp.Expression, kind: str, schema) -> tuple[exp.Expression, list[Note]]:
    """tree: a sqlglot MySQL tree (a copy: mutated here); kind: the statement kind from
    auditor.classify (for `replace` the tree is an exp.Insert). Returns the tree to generate with
    `tree.sql(dialect="postgres")` and the notes that cap the statement's safety."""
    notes: list[Note] = []
    for name, step in _steps():
        before, mine = tree.copy(), []
        try:
            tree = step(tree, kind, schema, mine) or tree
            for n in mine:
                note(notes, n.safety, n.reason)
        except Exception as exc:  # noqa: BLE001 - an unforeseen shape: keep the node, say so
            tree = before
            note(notes, "manual", f"pgready could not rewrite this statement's {name} "
                                  f"({type(exc).__name__}: {exc}); rewrite that part by hand")
    return tree, notes
