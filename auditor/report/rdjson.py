"""rdjson, the reviewdog Diagnostic Format: `reviewdog -f=rdjson -reporter=github-pr-review`.

One diagnostic per finding: message (with the PostgreSQL way), location (path, range), severity
(ERROR / WARNING / INFO), code (rule id and a link to its reference). reviewdog counts columns in
UTF-8 bytes, pgready in characters: the same on ASCII lines; on a line with other characters before
the finding a location column can be off (lines are always exact; reviewdog filters by line).
`suggestions` appear only for an exact replacement (auditor.report.shared) whose start column is
known to be a byte column and whose end is computed in bytes from the replaced text, so reviewdog's
"suggested change" applies exactly what `pgready fix` would.
"""
from __future__ import annotations

import json
from typing import Mapping, TextIO

from ..model import Finding, Inventory
from . import shared

SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    out.write(json.dumps(to_rdjson(inventory, options), indent=2, ensure_ascii=False) + "\n")


def to_rdjson(inventory: Inventory, options: Mapping | None = None) -> dict:
    rules, sites = shared.rules_by_id(inventory), shared.sites_by_id(inventory)
    return {
        "source": {"name": "pgready", "url": shared.project_url(options)},
        "severity": "WARNING",
        "diagnostics": [_diagnostic(f, rules, sites, options) for f in shared.ordered(inventory.findings)],
    }


def _position(line: int, col: int) -> dict:
    return {"line": max(1, line), "column": max(1, col)}


def _diagnostic(f: Finding, rules: dict, sites: dict, options) -> dict:
    loc = f.location
    rule = rules.get(f.rule_id, {})
    message = f.message + (f"\n\nPostgreSQL: {f.suggestion}" if f.suggestion else "")
    if f.rewrite:
        message += f"\n\nRewrite ({f.fix_safety.value}):\n{f.rewrite}"
    diagnostic: dict = {
        "message": message,
        "location": {"path": shared.report_path(loc.path, options), "range": {
            "start": _position(loc.line, loc.col),
            "end": _position(*max((loc.end_line, loc.end_col), (loc.line, loc.col)))}},
        "severity": SEVERITY[f.severity.value],
        "code": {"value": f.rule_id, "url": shared.rule_url(rule or {"id": f.rule_id}, options)},
    }
    replacement = shared.exact_replacement(f, sites.get(f.site_id or ""))
    if replacement is not None and replacement.ascii_start:
        start = {"line": replacement.start_line, "column": replacement.start_col}
        if replacement.start_line == replacement.end_line:
            end_col = replacement.start_col + len(_deleted_text(sites[f.site_id]).encode("utf-8"))
        else:
            end_col = 1 + len(_deleted_text(sites[f.site_id]).split("\n")[-1].encode("utf-8"))
        diagnostic["suggestions"] = [{"range": {"start": start, "end": {"line": replacement.end_line,
                                                                        "column": end_col}},
                                      "text": replacement.text}]
    return diagnostic


def _deleted_text(site) -> str:
    return site.sql  # an exact replacement deletes exactly the site's SQL text (see shared.exact_replacement)
