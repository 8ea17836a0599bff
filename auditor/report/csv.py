"""CSV: one row per finding, fixed columns, RFC 4180 (the stdlib csv module, CRLF line ends,
quoting where needed), for spreadsheets and issue trackers.

Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get
a leading `'`, so scanned text cannot become a formula (CSV injection). Numbers stay numbers.
`verdict` is what `pgready verify` saw at the finding's site, empty when it did not run.
"""
from __future__ import annotations

import csv
from typing import Mapping, TextIO

from ..model import Inventory
from . import shared

COLUMNS = ("id", "rule_id", "slug", "severity", "category", "fix_safety", "confidence", "path", "line",
           "col", "end_line", "end_col", "function", "message", "evidence", "suggestion", "rewrite",
           "fix_reasons", "effort_low_minutes", "effort_high_minutes", "site_id", "verdict", "code")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Strings that start like a formula are prefixed with `'`; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def rows(inventory: Inventory, options: Mapping | None = None):
    verdicts = shared.verdicts_by_site(inventory)
    for f in shared.ordered(inventory.findings):
        loc = f.location
        yield (f.id, f.rule_id, f.slug, f.severity.value, f.category, f.fix_safety.value, f.confidence,
               shared.report_path(loc.path, options), loc.line, loc.col, loc.end_line, loc.end_col, f.function,
               f.message, f.evidence, f.suggestion, f.rewrite, " | ".join(f.fix_reasons), f.effort_low,
               f.effort_high, f.site_id or "", verdicts.get(f.site_id or "", ""), f.code)


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in rows(inventory, options):
        writer.writerow([safe_cell(v) for v in row])
