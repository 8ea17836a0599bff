"""The rewrite stage: every site's SQL rewritten for PostgreSQL, labelled, and checked against
the source it would be written back into.

A finding's `fix_safety` is the lowest of: its rule's safety, the label the rewrite engine
proved for its statement (auditor.rewrite.proof), `review` when the SQL varies at run time,
and `review` when the text cannot be written back exactly (built in several places). So a
finding labelled `safe` is one `pgready fix --write` applies, and after it no safe finding is left.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from auditor.model import Finding, FixSafety, Site, SiteFix
from auditor.redact import redact

_MARKER = re.compile(r"/\*pgready_hole_(\d+)\*/|\bpgready_hole_(\d+)\b")
DYNAMIC = "the SQL text varies at run time (holes or conditional appends): check the rewrite for every variant"


class SiteRewriter:
    """Rewrites each distinct SQL text once (projects send the same query from several places),
    with the project's schema for ON CONFLICT targets."""

    def __init__(self, rules, schema=None, cache=None):
        from auditor.cache import Memo

        self.rules, self.schema = rules, schema
        self.done = Memo("rewrite", cache, tuple(r.id for r in rules), repr(schema))

    def rewrite(self, sql: str, placeholders: str, target: str | None, matches=None):
        """The Rewrite of `sql`, or None when every rule that fired is manual (nothing to rewrite)."""
        from auditor.rewrite import rewrite_sql

        if matches is not None and all(m.rule.fix is FixSafety.MANUAL for m in matches):
            return None
        return self.done((sql, placeholders, target),
                         lambda: rewrite_sql(sql, self.rules, placeholders=placeholders, target=target,
                                             schema=self.schema, matches=matches))


def statement_at(rewrite, offset: int):
    """The statement of `rewrite` whose region holds `offset` (the last one for offsets past the end)."""
    for st in rewrite.statements:
        if st.start <= offset < st.end:
            return st
    return rewrite.statements[-1] if rewrite.statements else None


def earned(site: Site, st) -> tuple[FixSafety, tuple[str, ...]]:
    """A statement's safety as a fix of this site: the engine's label, capped for dynamic SQL."""
    safety, reasons = st.safety, tuple(st.reasons)
    if site.dynamic and st.changed and safety.rank > FixSafety.REVIEW.rank:
        safety, reasons = FixSafety.REVIEW, reasons + (DYNAMIC,)
    return safety, reasons


def display(text: str, site: Site) -> str:
    """Rewritten SQL as a reader wants it: hole markers shown as the code's own expressions."""
    sources = {h.index: h.source for h in site.holes}

    def source(m: re.Match) -> str:
        index = int(m.group(1) or m.group(2))
        return sources.get(index, m.group(0))

    return redact(_MARKER.sub(source, text))


def site_fix(site: Site, rewrite) -> SiteFix | None:
    """The edits `fix` may apply to this site, each with its statement's earned safety."""
    if rewrite is None or not rewrite.changed:
        return None
    edits, reasons, lowest = [], [], FixSafety.SAFE
    for st in rewrite.statements:
        if not st.changed:
            continue
        safety, why = earned(site, st)
        lowest = min(lowest, safety, key=lambda s: s.rank)
        reasons += [r for r in why if r not in reasons]
        edits += [(e.start, e.end, e.text, safety.value) for e in st.edits]
    return SiteFix(site.id, site.path, tuple(edits), lowest, tuple(reasons))


def text_edits(source: str, site: Site, edits: Sequence[tuple[int, int, str]], verify: bool = True):
    """Edits of the file text for SQL edits of `site.sql`; a str (the reason) when not exact.
    The scan maps without verifying (`verify=False`); `fix` re-parses the edited file to be sure."""
    from auditor.edit import TextEdit, site_edits

    if site.language != "sql":
        return site_edits(source, site, edits, verify)
    start = offset_of(source, site.sql_location.line, site.sql_location.col)
    if start is None or source[start:start + len(site.sql)] != site.sql:
        return "the statement no longer reads the same in the file"
    return [TextEdit(start + s, start + e, text) for s, e, text in edits]


def offset_of(text: str, line: int, col: int) -> int | None:
    """Character offset of a 1-based (line, col) in `text`, None past its end."""
    pos = 0
    for _ in range(line - 1):
        nl = text.find("\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    return pos + col - 1 if pos + col - 1 <= len(text) else None


def check_sources(fixes: Iterable[SiteFix], sites: dict[str, Site], read: Callable[[str], str | None]
                  ) -> tuple[list[SiteFix], dict[str, str]]:
    """Fixes whose edits can be written back exactly; for the others, why not (site id -> reason)."""
    kept, refused = [], {}
    for fix in fixes:
        site, source = sites.get(fix.site_id), read(fix.path)
        result = "the file cannot be read" if source is None or site is None else \
            text_edits(source, site, [(s, e, t) for s, e, t, _ in fix.edits], verify=False)
        if isinstance(result, str):
            refused[fix.site_id] = result
            kept.append(replace(fix, edits=tuple((s, e, t, "manual") for s, e, t, _ in fix.edits),
                                safety=FixSafety.MANUAL, reasons=fix.reasons + (result,)))
        else:
            kept.append(fix)
    return kept, refused


def lower_findings(findings: Sequence[Finding], refused: dict[str, str]) -> tuple[Finding, ...]:
    """Findings of sites whose text cannot be written back exactly are at most `review`."""
    out = []
    for f in findings:
        reason = refused.get(f.site_id or "")
        if reason and f.fix_safety is FixSafety.SAFE:
            f = replace(f, fix_safety=FixSafety.REVIEW, fix_reasons=f.fix_reasons + (f"not written back: {reason}",))
        out.append(f)
    return tuple(out)
