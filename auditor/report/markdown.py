"""A Markdown pull-request comment (GitHub-flavoured): what a reviewer needs, in under a screen.

Counts by severity, estimated effort and the safely auto-fixable share; new vs existing findings
when a baseline is known (options["baseline"]: finding ids of the base branch's inventory, see
`pgready report --baseline`), otherwise it says the counts are of all findings. Then the top 10
findings (most severe first) with the PostgreSQL way and the suggested rewrite in ```sql blocks,
and the rest in a collapsed <details> table.

Scanned text (paths, messages, evidence, rewrites) cannot break the comment: inline text is
HTML-escaped and its Markdown punctuation backslash-escaped, newlines folded; code blocks use a
fence longer than any backtick run inside them. The comment stays under GitHub's 65,536-character
limit by cutting the <details> table and saying how many rows were left out.
"""
from __future__ import annotations

import re
from typing import Mapping, TextIO

from ..model import Finding, Inventory
from . import shared

MARKER = "<!-- pgready-report -->"  # lets a bot find and update its previous comment
TOP = 10
LIMIT = 60_000  # GitHub rejects comments over 65,536 characters
_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>])")
_ICON = {"error": "🔴", "warning": "🟡", "info": "🔵"}
_SAFETY = {"safe": "safe: `pgready fix` applies it", "review": "review: check it, then `pgready fix --unsafe-fixes`",
           "manual": "manual: a starting point, check it by hand"}
_LINES = 30


def _clip(sql: str) -> str:
    lines = sql[:6000].splitlines()
    return "\n".join(lines[:_LINES] + (["-- … (cut; the full rewrite is in the SARIF and HTML reports)"]
                                         if len(lines) > _LINES or len(sql) > 6000 else []))


def text(value, limit: int = 300) -> str:
    """Scanned text as inert inline Markdown: one line, `&<>` as entities, Markdown punctuation
    backslash-escaped, `@` kept from becoming a mention."""
    flat = shared.one_line(value, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCT.sub(r"\\\1", flat).replace("@", "@\u200b")


def trusted(value, limit: int = 500) -> str:
    """Text of the rule catalogue (reviewed, may use Markdown): one line, `&<>` as entities only."""
    return shared.one_line(value, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fence(body: str, language: str = "sql") -> str:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{body.rstrip()}\n{ticks}"


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    out.write(comment(inventory, options))


def comment(inventory: Inventory, options: Mapping | None = None) -> str:
    findings = shared.by_importance(inventory.findings)
    baseline = shared.baseline_ids(options)
    if baseline is not None:  # new findings first
        findings = sorted(findings, key=lambda f: f.id in baseline)
    rules = shared.rules_by_id(inventory)
    parts = [MARKER, _headline(inventory, baseline)]
    if not findings:
        parts.append("No findings: nothing in the scanned code is known to break on PostgreSQL.")
        return "\n\n".join(parts) + "\n"
    top, rest = findings[:TOP], findings[TOP:]
    parts.append(f"### Top {len(top)} finding{'s' if len(top) != 1 else ''}")
    parts += [_finding(i, f, rules.get(f.rule_id, {}), baseline, options) for i, f in enumerate(top, 1)]
    if rest:
        parts.append(_details(rest, baseline, options, LIMIT - sum(len(p) + 2 for p in parts)))
    parts.append(f"<sub>pgready {text(inventory.tool_version, 40)} · rule reference: "
                 f"{shared.project_url(options)}/blob/main/docs/rules.md</sub>")
    return "\n\n".join(parts) + "\n"


def _headline(inv: Inventory, baseline) -> str:
    counts = {s: 0 for s in shared.SEVERITIES}
    for f in inv.findings:
        counts[f.severity.value] += 1
    total = len(inv.findings)
    safe = sum(1 for f in inv.findings if f.fix_safety.value == "safe")
    lines = [f"## pgready: {total} PostgreSQL migration finding{'s' if total != 1 else ''}", "",
             "| | error | warning | info | total |", "|---|---:|---:|---:|---:|"]
    if baseline is None:
        lines.append(f"| all findings | {counts['error']} | {counts['warning']} | {counts['info']} | {total} |")
    else:
        for label, keep in (("new", lambda f: f.id not in baseline), ("existing", lambda f: f.id in baseline)):
            chosen = [f for f in inv.findings if keep(f)]
            by = {s: sum(1 for f in chosen if f.severity.value == s) for s in shared.SEVERITIES}
            lines.append(f"| {label} | {by['error']} | {by['warning']} | {by['info']} | {len(chosen)} |")
    effort = (inv.effort or {}).get("project") or {}
    extra = []
    if effort:
        extra.append(f"estimated effort **{effort.get('low_hours', 0):.1f}–{effort.get('high_hours', 0):.1f} h**")
    if total:
        extra.append(f"**{safe}** ({round(100 * safe / total)}%) safely auto-fixable with `pgready fix`")
    if inv.verdicts:
        same = sum(1 for v in inv.verdicts if v.verdict == "equivalent")
        extra.append(f"{same} of {len(inv.verdicts)} verified sites equivalent on PostgreSQL")
    if baseline is None:
        extra.append("no baseline given: counts are of all findings")
    return "\n".join(lines) + ("\n\n" + "; ".join(extra) + "." if extra else "")


def _where(f: Finding, options) -> str:
    return text(f"{shared.report_path(f.location.path, options)}:{f.location.line}", 200)


def _finding(i: int, f: Finding, rule: Mapping, baseline, options) -> str:
    status = "" if baseline is None else (" · **new**" if f.id not in baseline else " · existing")
    lines = [f"**{i}. {_ICON[f.severity.value]} {f.severity.value} [{text(f.rule_id, 20)}]"
             f"({shared.rule_url(rule or {'id': f.rule_id}, options)})** {text(f.slug, 60)} "
             f"· {_where(f, options)}{status}", "", text(f.message, 500)]
    if f.suggestion:
        lines += ["", f"PostgreSQL: {trusted(f.suggestion)}"]
    if f.rewrite:
        lines += ["", f"Suggested rewrite ({_SAFETY[f.fix_safety.value]}):", "", fence(_clip(f.rewrite))]
    return "\n".join(lines)


def _details(rest: list[Finding], baseline, options, budget: int) -> str:
    head = [f"<details><summary>{len(rest)} more finding{'s' if len(rest) != 1 else ''}</summary>", "",
            "| severity | rule | where | message | fix |" + (" status |" if baseline is not None else ""),
            "|---|---|---|---|---|" + ("---|" if baseline is not None else "")]
    rows, used, left = [], sum(len(h) + 1 for h in head) + 40, 0
    for n, f in enumerate(rest):
        status = "" if baseline is None else (" new |" if f.id not in baseline else " existing |")
        row = (f"| {f.severity.value} | {text(f.rule_id, 20)} | {_where(f, options)} | {text(f.message, 160)} "
               f"| {f.fix_safety.value} |{status}")
        if used + len(row) + 1 > budget:
            left = len(rest) - n
            break
        rows.append(row)
        used += len(row) + 1
    tail = ["", f"{left} more not shown (see the SARIF or HTML report)."] if left else []
    return "\n".join(head + rows + tail + ["", "</details>"])
