"""MySQL SQL text in, PostgreSQL SQL text out, each statement labelled safe / review / manual.

`rewrite_sql` is what `pgready rewrite`, `pgready fix`, the findings' suggested rewrites and
scripts all call. Modules: `engine` (parse, transform, regenerate, minimal edits,
placeholders), `transforms*` (what sqlglot's transpiler gets wrong), `identifiers`
(quoting), `params` (placeholder styles), `tokendiff` (edits that keep original bytes),
`proof` (the label and its reasons).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from auditor.model import FixSafety
from auditor.rewrite.tokendiff import Edit, apply

__all__ = ["Edit", "Rewrite", "StatementRewrite", "rewrite_sql"]


@dataclass(frozen=True)
class StatementRewrite:
    start: int  # the statement's region in the input (its leading comments included), end exclusive
    end: int
    original: str
    sql: str  # the rewritten statement (equal to `original` when nothing changes)
    edits: tuple[Edit, ...]  # offsets into the input text
    safety: FixSafety
    reasons: tuple[str, ...]
    rules: tuple[str, ...]  # ids of the rules that fired on the original

    @property
    def changed(self) -> bool:
        return self.sql != self.original


@dataclass(frozen=True)
class Rewrite:
    input: str
    sql: str
    statements: tuple[StatementRewrite, ...]
    safety: FixSafety  # the lowest label of the statements (safe when no statement needs anything)

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(e for s in self.statements for e in s.edits)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for s in self.statements for r in s.reasons))

    @property
    def changed(self) -> bool:
        return self.sql != self.input


def rewrite_sql(sql: str, rules: Sequence | None = None, *, placeholders: str = "driver",
                target: str | None = None, schema=None, prove: bool = True, matches=None) -> Rewrite:
    """Rewrite every statement of `sql` (one statement or a script).

    placeholders: how the code marks parameters (driver|orm|pyformat|named, see
    auditor.placeholders); target: node-postgres|postgres.js|psycopg|asyncpg or None (keep
    placeholders as written); schema: an `auditor.rewrite.schema.SchemaInfo` (keys for
    ON CONFLICT targets) or None; matches: `analyze_sql(sql, rules, ...)`'s matches when the caller
    has them already. Never raises on any text."""
    from auditor.catalog import load_rules
    from auditor.classify import analyze_sql, split_and_parse
    from auditor.placeholders import mode_of
    from auditor.rewrite import engine, proof

    rules = tuple(rules) if rules is not None else load_rules()
    mode = mode_of(placeholders)
    if matches is None:
        matches = analyze_sql(sql, rules, placeholders=mode, target=target).matches
    stmts = [s for s in split_and_parse(sql, mode) if s.tokens]

    def again(text: str, mode_again: str) -> str:
        return rewrite_sql(text, rules, placeholders=mode_again, target=target, schema=schema, prove=False).sql

    out = []
    for i, stmt in enumerate(stmts):
        span = engine.region(sql, stmts, i)
        mine = [_within(m, span) for m in matches]
        mine = [m for m in mine if m is not None]
        try:
            d = engine.draft(sql, stmt, span, mine, target, schema)
            text, lab = proof.label(sql, d, rules, target, again if prove else None)
        except Exception as exc:  # noqa: BLE001 - one odd statement must not stop a fix run
            d = engine.Draft(span[0], span[1], [], [("manual", f"internal error: {type(exc).__name__}: {exc}")], mine, mode)
            text, lab = proof.label(sql, d, rules, target, None)
        if prove and not mine and (error := proof.parse_error(text, mode)):
            lab.cap(FixSafety.MANUAL, f"PostgreSQL rejects this statement and no pgready rule says why: {error}")
        edits = tuple(d.edits) if text != sql[span[0]:span[1]] else ()
        out.append(StatementRewrite(span[0], span[1], sql[span[0]:span[1]], text, edits, lab.safety,
                                    tuple(lab.reasons), tuple(sorted({m.rule.id for m in mine}))))
    if not stmts and matches:  # only comments, e.g. `/*!40101 SET NAMES utf8 */`
        out.append(StatementRewrite(0, len(sql), sql, sql, (), FixSafety.MANUAL,
                                    ("pgready has no automatic rewrite for " + ", ".join(sorted({m.rule.id for m in matches})),),
                                    tuple(sorted({m.rule.id for m in matches}))))
    fired = [s.safety for s in out if s.rules or s.reasons]
    return Rewrite(sql, apply(sql, [e for s in out for e in s.edits]), tuple(out), proof.lowest(fired))


def _within(match, span: tuple[int, int]):
    spans = tuple(s for s in (match.spans or ((match.start, match.end),)) if span[0] <= s[0] < span[1])
    if not spans:
        return None
    return replace(match, start=spans[0][0], end=spans[0][1], spans=spans)
