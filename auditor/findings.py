"""Findings from rule matches: location, safety lowered by evidence, stable fingerprints."""
from __future__ import annotations

import hashlib

from auditor.model import Finding, Location, Site
from auditor.redact import redact


def stable_id(prefix: str, *parts: str) -> str:
    """A short id from content only (never line numbers), so it survives unrelated edits."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}-{digest[:12]}"


class FindingFactory:
    def __init__(self, rules, modules: dict):
        from auditor.classify import rules_for_driver_use

        self.by_use = rules_for_driver_use(rules)
        self.modules = modules  # path -> ModuleFacts (live: modules read for context appear later)
        self.findings: list[Finding] = []
        self.seen_ids: dict[str, int] = {}

    def _unique(self, base: str) -> str:
        """Identical content twice in one symbol gets -2, -3 ... in source order (sorted later)."""
        count = self.seen_ids.get(base, 0) + 1
        self.seen_ids[base] = count
        return base if count == 1 else f"{base}-{count}"

    def register_site(self, site: Site) -> Site:
        unique = self._unique(site.id)
        if unique == site.id:
            return site
        from dataclasses import replace

        return replace(site, id=unique)

    def code_line(self, path: str, line: int) -> str:
        facts = self.modules.get(path)
        lines = facts.lines if facts is not None else ()
        return redact(lines[line - 1].strip())[:200] if 0 < line <= len(lines) else ""

    def from_sql_match(self, site: Site, rendered, match, rewrite=None) -> None:
        from auditor.fixes import display, earned, statement_at
        from auditor.resolve.text import position

        rule = match.rule
        where, line, col = position(rendered, match.start)
        _, end_line, end_col = position(rendered, max(match.start, match.end))
        if not line:  # text the call implies (no source): point at the call
            where, line, col, end_line, end_col = "", site.line, site.col, site.line, site.col
        fix, reasons, text = rule.fix, (), ""
        st = statement_at(rewrite, match.start) if rewrite is not None else None
        if st is not None:
            earned_safety, reasons = earned(site, st)
            fix = min(fix, earned_safety, key=lambda s: s.rank)
            text = display(st.sql, site).strip() if st.changed else ""
        message = rule.message + (f" ({match.detail})" if match.detail else "")
        self._add(rule, Location(where or site.path, line, col, end_line, end_col), message, match.evidence, site.confidence,
                  fix, site.id, site.line, (site.function, site.id), site.function, site.dynamic,
                  rewrite=text, reasons=reasons)

    def from_driver_use(self, use) -> None:
        rule = self.by_use.get(use.kind)
        if rule is None:
            return
        loc = use.location
        self._add(rule, loc, rule.message, use.evidence, use.confidence, rule.fix, None, loc.line,
                  (use.function, use.evidence), use.function, False)

    def _add(self, rule, loc, message, evidence, confidence, fix, site_id, anchor, identity, function,
             dynamic, rewrite: str = "", reasons: tuple[str, ...] = ()) -> None:
        from auditor.effort import finding_minutes

        fid = self._unique(stable_id("F", rule.id, loc.path, *identity))
        low, high = finding_minutes(rule.effort_minutes, fix.value, dynamic)
        self.findings.append(Finding(
            id=fid, rule_id=rule.id, slug=rule.slug, severity=rule.severity, fix_safety=fix,
            category=rule.category, location=loc, message=message, evidence=redact(evidence),
            suggestion=rule.postgres, confidence=confidence, site_id=site_id, anchor_line=anchor,
            code=self.code_line(loc.path, loc.line), function=function, effort_low=low, effort_high=high,
            rewrite=rewrite, fix_reasons=tuple(reasons)))

    def finish(self) -> tuple[Finding, ...]:
        return tuple(sorted(self.findings, key=lambda f: (f.location.path, f.location.line, f.location.col,
                                                          f.rule_id, f.id)))
