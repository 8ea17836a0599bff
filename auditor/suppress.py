"""Inline suppressions: `pgready: ignore[RULE] reason` in a comment, on the line or the line above.

Written in the comment syntax of wherever it sits: `// ...` (JavaScript, TypeScript), `# ...`
(Python, TOML, YAML) and `-- ...` (SQL, also inside SQL text held by code, so a suppression can
travel with the query it excuses). Rules are named by id (`SYN003`) or slug
(`limit-offset-comma`), comma-separated. A suppression that suppresses nothing is handed back as
unused, so stale excuses get noticed instead of piling up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

from auditor.model import Finding

# The comment marker must start the line or follow a non-word character, so `a--b` or `x#y`
# inside other text do not read as comments; `/* pgready: ignore[...] */` is accepted as well.
_MARKER = re.compile(r"(?:^|(?<=[^\w]))(?://+|#+|--+|/\*+)\s*pgready:\s*ignore\[([^\]\n]*)\]([^\n]*)")
# What follows the reason on the same line but is not part of it: the end of a block comment, or
# the closing quote / bracket / semicolon of the string literal the SQL comment sits in.
_TRAILER = re.compile(r"""(?:\s*\*+/.*$)|[\s"'`);,{}\\]+$""")


@dataclass(frozen=True)
class Suppression:
    path: str  # relative to the scan root, forward slashes (as Finding.location.path)
    line: int  # 1-based line of the comment
    rules: tuple[str, ...]  # as written: ids or slugs
    reason: str
    trailing: bool = False  # after code on its line: covers that line only, not the next one


def find(path: str, lines: Sequence[str]) -> list[Suppression]:
    """Every suppression comment in one file's lines, in line order (several on a line are kept)."""
    found = []
    for number, text in enumerate(lines, 1):
        if "pgready" not in text:  # cheap pre-check: most lines never mention it
            continue
        for match in _MARKER.finditer(text):
            rules = tuple(token.strip() for token in match.group(1).split(",") if token.strip())
            if rules:
                trailing = bool(text[:match.start()].strip())
                found.append(Suppression(path, number, rules, _reason(match.group(2)), trailing))
    return found


def apply(findings: Iterable[Finding], suppressions: Iterable[Suppression],
          rules_by_id: Mapping | None = None) -> tuple[list[Finding], list[Finding], list[Suppression]]:
    """(kept, suppressed, unused).

    A suppression covers a finding of the same file, of one of its rules, whose `location.line`
    or `anchor_line` is the suppression's line (a comment at the end of the line), or the line
    below it when the comment stands on its own line (for SQL inside code, next to the construct
    or next to the call). `rules_by_id` (rule id -> Rule or metadata dict with `slug`) lets a slug name a
    rule whose findings are matched by id; without it, a finding's own id and slug are compared.
    `unused` holds each suppression with only the rules it named that matched nothing (a
    suppression naming `A, B` that only silenced `A` comes back as naming `B`).
    """
    suppressions = list(suppressions)
    aliases = _aliases(rules_by_id or {})
    by_place: dict[tuple[str, int], list[int]] = {}
    for index, sup in enumerate(suppressions):
        for line in (sup.line,) if sup.trailing else (sup.line, sup.line + 1):
            by_place.setdefault((sup.path, line), []).append(index)
    used: set[tuple[int, str]] = set()
    kept, suppressed = [], []
    for finding in findings:
        names = {finding.rule_id.upper(), finding.slug.lower()}
        hit = False
        for index in _candidates(finding, by_place):
            for token in suppressions[index].rules:
                if _canonical(token, aliases) in names or token.lower() in names or token.upper() in names:
                    used.add((index, token))
                    hit = True
        (suppressed if hit else kept).append(finding)
    unused = []
    for index, sup in enumerate(suppressions):
        idle = tuple(token for token in sup.rules if (index, token) not in used)
        if idle:
            unused.append(sup if idle == sup.rules else replace(sup, rules=idle))
    return kept, suppressed, unused


def _candidates(finding: Finding, by_place: Mapping) -> list[int]:
    """Indexes of the suppressions sitting on or just above the finding's line or its call line."""
    path = finding.location.path
    lines = {finding.location.line, finding.anchor_line or finding.location.line}
    found: list[int] = []
    for line in sorted(lines):
        for index in by_place.get((path, line), ()):
            if index not in found:
                found.append(index)
    return found


def _aliases(rules_by_id: Mapping) -> dict[str, str]:
    """Lower-cased id or slug -> upper-cased rule id."""
    aliases = {}
    for rule_id, rule in rules_by_id.items():
        slug = rule.get("slug", "") if isinstance(rule, Mapping) else getattr(rule, "slug", "")
        aliases[str(rule_id).lower()] = str(rule_id).upper()
        if slug:
            aliases[slug.lower()] = str(rule_id).upper()
    return aliases


def _canonical(token: str, aliases: Mapping[str, str]) -> str:
    return aliases.get(token.lower(), token)


def _reason(text: str) -> str:
    """The free text after `]`, without the comment or string closing that follows it."""
    return _TRAILER.sub("", text).strip()
