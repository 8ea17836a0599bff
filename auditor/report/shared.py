"""What the machine formats (SARIF, rdjson, GitHub, Markdown, CSV) share: ordering, rule links, paths,
and the one question that needs care, whether a finding's rewrite is an exact edit of the file.

Reporters read the inventory only. A saved inventory does not carry `Inventory.fixes` (the edits
`pgready fix` applies), so an exact replacement is derived from what both have: the site's SQL
text, where it sits (`Site.sql_location`), the finding's source line (`Finding.code`) and its
rewrite. `exact_replacement` returns one only when that text provably is the site's statement,
byte for byte, and the rewrite can go into it without any escaping; otherwise None, and reporters
show the rewrite as text instead of offering an edit.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import quote

from ..model import Finding, FixSafety, Inventory, Site
from ..redact import MASK

# Where the rule reference is published; reports link each rule to its section of docs/rules.md.
# Override with options["project_url"] (e.g. a fork or a mirror).
PROJECT_URL = "https://github.com/pgready/pgready"
SEVERITIES = ("error", "warning", "info")
_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]", re.UNICODE)


def project_url(options: Mapping | None) -> str:
    return str((options or {}).get("project_url") or PROJECT_URL).rstrip("/")


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to '-'."""
    return _NOT_IN_ANCHOR.sub("", heading.strip().lower()).replace(" ", "-")


def rule_url(rule: Mapping, options: Mapping | None = None) -> str:
    """The rule's section in docs/rules.md (its heading is `## ID `slug`: title`, see auditor.ruledocs)."""
    rid, slug, title = rule.get("id", ""), rule.get("slug", ""), rule.get("title", "")
    anchor = heading_anchor(f"{rid} `{slug}`: {title}") if slug and title else rid.lower()
    return f"{project_url(options)}/blob/main/docs/rules.md#{anchor}"


def rules_by_id(inventory: Inventory) -> dict[str, dict]:
    """Rule metadata of the rules that fired, plus a minimal entry for any finding whose rule is missing."""
    rules = {str(r.get("id")): dict(r) for r in inventory.rules if r.get("id")}
    for f in inventory.findings:
        rules.setdefault(f.rule_id, {"id": f.rule_id, "slug": f.slug, "title": f.slug, "category": f.category,
                                     "severity": f.severity.value, "fix_safety": f.fix_safety.value,
                                     "message": f.message, "why": "", "postgres": f.suggestion, "references": []})
    return dict(sorted(rules.items()))


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file order, ties broken by rule and fingerprint: the same inventory, the same order."""
    return sorted(findings, key=lambda f: (f.location.path, f.location.line, f.location.col, f.location.end_line,
                                           f.location.end_col, f.rule_id, f.id))


def by_importance(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then those with a rewrite, then the larger effort, then file order."""
    return sorted(ordered(findings), key=lambda f: (-f.severity.rank, not f.rewrite, -f.effort_high))


def report_path(path: str, options: Mapping | None) -> str:
    """The finding's path as the consumer needs it: relative, forward slashes, under options["path_prefix"]
    (the scanned folder's place in the repository, when pgready scanned a subfolder)."""
    prefix = str((options or {}).get("path_prefix") or "").replace("\\", "/").strip("/")
    path = path.replace("\\", "/")
    return posixpath.normpath(posixpath.join(prefix, path)) if prefix else path


def uri(path: str, options: Mapping | None) -> str:
    """A relative URI reference for the path (spaces, '%', '#' ... percent-encoded)."""
    return quote(report_path(path, options), safe="/")


def baseline_ids(options: Mapping | None) -> frozenset[str] | None:
    """Finding ids of the baseline (options["baseline"]), None when no baseline was given."""
    ids = (options or {}).get("baseline")
    return None if ids is None else frozenset(ids)


def verdicts_by_site(inventory: Inventory) -> dict[str, str]:
    return {v.site_id: v.verdict for v in inventory.verdicts}


def sites_by_id(inventory: Inventory) -> dict[str, Site]:
    return {s.id: s for s in inventory.sites}


@dataclass(frozen=True)
class Replacement:
    """Replace [start, end) of `path` (1-based lines, 1-based character columns, end exclusive) with `text`."""

    path: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    text: str
    ascii_start: bool  # the start line is ASCII before start_col, so character columns are byte columns


def exact_replacement(finding: Finding, site: Site | None) -> Replacement | None:
    """The file edit that applies the finding's rewrite, when it is provably exact (see the module doc)."""
    if finding.fix_safety is not FixSafety.SAFE or not finding.rewrite or site is None:
        return None
    sql, text = site.sql, finding.rewrite
    if site.holes or site.dynamic or not sql or sql != sql.strip() or MASK in sql or MASK in text:
        return None
    # one statement, no comment that the rewrite could have left out of its statement region
    if any(mark in sql for mark in (";", "--", "/*", "#")) or "\n" in text and site.language != "sql":
        return None
    loc = site.sql_location
    if site.language == "sql":  # statements of .sql files are verbatim slices of the file (auditor.fixes)
        lines = sql.split("\n")
        end = (loc.line + len(lines) - 1, loc.col + len(sql) if len(lines) == 1 else len(lines[-1]) + 1)
        if end != (loc.end_line, loc.end_col):
            return None
        ascii_start = loc.col == 1 or (finding.location.line == loc.line and _prefix_ascii(finding.code, sql))
        return Replacement(site.path, loc.line, loc.col, end[0], end[1], text, ascii_start)
    return _literal_replacement(finding, site, text)


def _literal_replacement(finding: Finding, site: Site, text: str) -> Replacement | None:
    """A plain one-line string literal whose source text is the SQL itself (no escapes), seen in the
    finding's source line; the rewrite must need no escaping in that literal either."""
    loc, sql, code = site.sql_location, site.sql, finding.code
    if loc.line != loc.end_line or loc.end_col - loc.col != len(sql) or finding.location.line != loc.line:
        return None
    if "\\" in sql or "\n" in sql or "\r" in sql or code.count(sql) != 1:
        return None
    i = code.index(sql)
    if i == 0 or i + len(sql) >= len(code) or loc.col - 1 - i < 0:
        return None
    quote_char = code[i - 1]
    if quote_char not in ("'", '"', "`") or code[i + len(sql)] != quote_char:
        return None
    before = code[:i - 1].rstrip(quote_char)  # Python '''...''' on one line
    if before and (before[-1].isalnum() or before[-1] in "_$"):  # r'', f'', b'', tagged templates
        return None
    forbidden = (quote_char, "\\", "\n", "\r", "\u2028", "\u2029") + (("${",) if quote_char == "`" else ())
    if any(ch in text for ch in forbidden):
        return None
    return Replacement(site.path, loc.line, loc.col, loc.line, loc.end_col, text,
                       code[:i].isascii())


def _prefix_ascii(code: str, sql: str) -> bool:
    i = code.find(sql)
    return i >= 0 and code[:i].isascii()


def one_line(text: str, limit: int = 0) -> str:
    """Whitespace runs (newlines included) as one space, cut to `limit` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if not limit or len(text) <= limit else text[:limit - 1].rstrip() + "…"
