"""What the HTML report's modules share: escaping, numbers, anchors and small table builders.

Every piece of scanned text (paths, SQL, code, messages, names) goes through `esc`; the builders
here take raw strings and escape them, so callers never concatenate unescaped text.
"""
from __future__ import annotations

import hashlib
import html
import posixpath
import re
from typing import Iterable, Sequence

SEVERITIES = ("error", "warning", "info")
SAFETIES = ("safe", "review", "manual")


def esc(text: object) -> str:
    """Text (anything) as HTML text or attribute value: `& < > " '` escaped."""
    return html.escape("" if text is None else str(text), quote=True)


def val(x) -> str:
    return getattr(x, "value", x)


def slug(text: str) -> str:
    """A token safe in an id/class: letters, digits, `-` and `_` only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-") or "x"


def rule_anchor(rule_id: str) -> str:
    return "rule-" + slug(rule_id)


def finding_anchor(finding_id: str) -> str:
    return "f-" + slug(finding_id)


def module_of(path: str) -> str:
    """The module (directory) a path belongs to, as auditor.effort rolls it up."""
    return posixpath.dirname(path) or "."


def hours(low: float, high: float) -> str:
    return f"{_num(low)}\u2013{_num(high)} h"


def _num(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}".rstrip("0").rstrip(".") if x >= 10 else f"{x:.2f}".rstrip("0").rstrip(".")


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "\u2013"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def badge(kind: str, value: str) -> str:
    """A coloured label: kind is `sev` or `fix` or `verdict`."""
    return f'<span class="badge {esc(kind)}-{slug(value)}">{esc(value)}</span>'


def cell(text: object, sort: object | None = None, cls: str = "", raw: bool = False) -> str:
    """A <td>; `sort` is the value the sorter uses (numbers sort numerically)."""
    attrs = f' data-v="{esc(sort)}"' if sort is not None else ""
    attrs += f' class="{esc(cls)}"' if cls else ""
    return f"<td{attrs}>{text if raw else esc(text)}</td>"


def table(table_id: str, headers: Sequence[tuple[str, str]], rows: Iterable[str], cls: str = "") -> str:
    """A sortable table. headers: (label, type) with type `text` or `num`; rows: finished <tr>s."""
    head = "".join(f'<th data-type="{esc(t)}" tabindex="0" aria-sort="none">{esc(label)}</th>'
                   for label, t in headers)
    body = "\n".join(rows)
    return (f'<table id="{esc(table_id)}" class="sortable {esc(cls)}">'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>")


def filter_box(table_id: str, placeholder: str) -> str:
    return (f'<input type="search" class="filter no-print" data-filter-for="{esc(table_id)}" '
            f'placeholder="{esc(placeholder)}" aria-label="{esc(placeholder)}">')


def section(section_id: str, title: str, body: str, note: str = "") -> str:
    note_html = f'<p class="note">{note}</p>' if note else ""
    return (f'<section id="{esc(section_id)}"><h2>{esc(title)}</h2>{note_html}\n{body}\n</section>')


def anchor(prefix: str, text: str) -> str:
    """A unique, safe id for any text (a path, a table name): readable part + short hash."""
    return f"{prefix}-{slug(text)[:60]}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def file_anchor(path: str) -> str:
    return anchor("file", path)


class Context:
    """The inventory with the lookups every section needs, computed once."""

    def __init__(self, inventory, options):
        self.inv = inventory
        self.options = options
        self.sites = {s.id: s for s in inventory.sites}
        self.routes = {r.id: r for r in inventory.routes}
        self.verdicts = {v.site_id: v for v in inventory.verdicts}
        self.rules = {str(r.get("id", "")): r for r in inventory.rules}
        self.effort = inventory.effort or {}
        self.route_effort = {r["route"]: r for r in self.effort.get("by_route", ())}
        self.findings = sorted(inventory.findings, key=lambda f: (f.location.path, f.location.line,
                                                                  f.location.col, f.rule_id, f.id))
        by_site: dict[str, list] = {}
        for f in self.findings:
            if f.site_id:
                by_site.setdefault(f.site_id, []).append(f)
        self.site_findings = by_site

    def route_tables(self, route) -> list[str]:
        return sorted({t for s in route.sites if s in self.sites for t in self.sites[s].tables})

    def table_effort(self, table: dict) -> tuple[int, float, float]:
        """(findings, low hours, high hours) of the findings at the sites that use the table."""
        site_ids = sorted(set(table.get("reads", ())) | set(table.get("writes", ())))
        found = [f for s in site_ids for f in self.site_findings.get(s, ())]
        return (len(found), round(sum(f.effort_low for f in found) / 60, 2),
                round(sum(f.effort_high for f in found) / 60, 2))
