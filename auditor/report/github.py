"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

    ::error file=src/db.js,line=12,col=5,endLine=12,endColumn=17,title=SYN001 backtick-identifier::message

Severity error -> `error`, warning -> `warning`, info -> `notice`. Columns only for one-line
spans (GitHub ignores them otherwise). Escaping follows the runner: in the message `%`, CR and LF
become %25, %0D, %0A; in property values `:` and `,` become %3A and %2C as well, so scanned text
can never end a command early or start a new one. GitHub shows only the first few annotations
of each kind per step, so the most important come first (severity, then rewrite, then effort,
then file order). A summary `::notice` line comes last.
"""
from __future__ import annotations

from typing import Mapping, TextIO

from ..model import Finding, Inventory
from . import shared

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    for f in shared.by_importance(inventory.findings):
        out.write(annotation(f, options) + "\n")
    counts = {s: 0 for s in shared.SEVERITIES}
    for f in inventory.findings:
        counts[f.severity.value] += 1
    total = len(inventory.findings)
    summary = (f"pgready: {total} finding{'s' if total != 1 else ''} "
               f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info)")
    out.write(f"::notice title=pgready::{escape_data(summary)}\n")


def annotation(f: Finding, options: Mapping | None = None) -> str:
    loc = f.location
    props = [("file", shared.report_path(loc.path, options)), ("line", str(max(1, loc.line)))]
    end_line = max(loc.end_line, loc.line)
    if end_line == loc.line:
        props += [("col", str(max(1, loc.col))), ("endLine", str(end_line)),
                  ("endColumn", str(max(loc.end_col, loc.col, 1)))]
    else:
        props.append(("endLine", str(end_line)))
    props.append(("title", f"{f.rule_id} {f.slug}"))
    message = f.message
    if f.suggestion:
        message += f"\nPostgreSQL: {f.suggestion}"
    if f.rewrite:
        message += f"\nRewrite ({f.fix_safety.value}): {f.rewrite}"
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMAND[f.severity.value]} {head}::{escape_data(message)}"
