"""The inventory for a person at a terminal (rich).

Layout: a header line with the totals; a table by severity and a table by rule; the
findings grouped by file (`line:col  SEVERITY  RULE-ID  message`, then the code line and
the suggestion); then the diagnostics. Colour only when `out` is a terminal, fixed width
(options["width"], default 100), no progress display: the same inventory always prints the
same text. Scanned text never reaches rich's markup parser (everything is `Text`).

Options: `width` (int), `color` (True/False to override the terminal check).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Finding, Inventory
from .json import summarize

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_FIX_STYLE = {"safe": "green", "review": "yellow", "manual": "dim"}
_SEVERITIES = ("error", "warning", "info")


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    options = options or {}
    color = options.get("color")
    if color is None:
        try:
            color = bool(out.isatty())
        except (AttributeError, ValueError):
            color = False
    console = Console(
        file=out, width=int(options.get("width") or 100), height=25, force_terminal=color, no_color=not color,
        color_system="auto" if color else None, highlight=False, markup=False, emoji=False,
        force_jupyter=False, force_interactive=False, legacy_windows=False,
    )
    counts = summarize(inventory)
    console.print(_header(inventory, counts))
    if options.get("verification_only"):
        from auditor.report.terminal_verify import print_verdicts

        print_verdicts(console, inventory)
        return
    if not inventory.findings:
        console.print(Text("No findings: nothing in the scanned code is known to break on PostgreSQL.",
                           style="bold green"))
    else:
        for title, table in (("Findings by severity", _severity_table(counts)),
                             ("Findings by rule", _rule_table(inventory.findings)),
                             ("Hot spots (estimated effort)", _hot_spots(inventory.effort)),
                             ("Route impact", _route_impact(inventory)),
                             ("Schema, ORM and configuration items", _items(inventory))):
            if table is None:
                continue
            console.print()
            console.print(Text(title, style="bold"))
            console.print(table)
        _print_findings(console, inventory.findings, console.encoding.startswith("utf"))
    if inventory.verdicts:
        from auditor.report.terminal_verify import print_verdicts

        print_verdicts(console, inventory)
    if inventory.diagnostics:
        _print_diagnostics(console, inventory)


def _header(inv: Inventory, c: Mapping) -> Text:
    text = Text()
    text.append("pgready", style="bold")
    text.append(f" {inv.tool_version}  ")
    text.append(inv.root or ".", style="bold")
    text.append(f"\n{_n(c['files'], 'file')} scanned, {_n(c['sites'], 'SQL site')} "
                f"({c['dynamic_sites']} dynamic), {_n(c['transactions'], 'transaction')}, "
                f"{_n(c['findings'], 'finding')}")
    if c["diagnostics"]:
        text.append(f", {_n(c['diagnostics'], 'diagnostic')}")
    project = (inv.effort or {}).get("project")
    if project and project["findings"]:
        text.append(f"\nEstimated effort: {project['low_hours']:g} to {project['high_hours']:g} person-hours "
                    "(docs/effort.md)")
    return text


def _items(inv, limit: int = 20):
    """Routines (manual work, with size), tables, models, containers, dependencies, variables."""
    if not inv.items:
        return None
    table = Table(box=None, pad_edge=False)
    for column in ("kind", "name", "where", "size", "detail"):
        table.add_column(column, justify="right" if column == "size" else "left", overflow="ellipsis")
    order = ("procedure", "function", "trigger", "event", "view", "data", "compose-service", "ci-service",
             "dependency", "env-variable", "prisma-model", "table", "orm-config")
    ranked = sorted(inv.items, key=lambda i: (order.index(i.kind) if i.kind in order else 99, i.location.path,
                                              i.location.line))
    for item in ranked[:limit]:
        table.add_row(item.kind, Text(item.name), Text(f"{item.location.path}:{item.location.line}"),
                      str(item.size or ""), Text(item.detail[:60]))
    if len(ranked) > limit:
        table.add_row(Text(f"… {len(ranked) - limit} more in the JSON inventory"), "", "", "", "")
    return table


def _route_impact(inv, limit: int = 15):
    """Routes that reach findings, most effort first: what breaks behind each endpoint."""
    rows = {r["route"]: r for r in (inv.effort or {}).get("by_route", ())}
    table_names = {}
    sites = {s.id: s for s in inv.sites}
    for route in inv.routes:
        table_names[route.id] = sorted({t for s in route.sites if s in sites for t in sites[s].tables})
    ranked = [r for r in inv.routes if rows.get(r.id, {}).get("findings")]
    ranked.sort(key=lambda r: (-rows[r.id]["high_hours"], r.path, r.method))
    if not ranked:
        return None
    table = Table(box=None, pad_edge=False)
    for column in ("route", "sites", "findings", "hours", "tables"):
        table.add_column(column, justify="left" if column in ("route", "tables") else "right",
                         no_wrap=column == "route", overflow="ellipsis")
    for route in ranked[:limit]:
        row = rows[route.id]
        names = ", ".join(table_names[route.id])
        table.add_row(Text(f"{route.method} {route.path}"), str(len(route.sites)), str(row["findings"]),
                      f"{row['low_hours']:g} to {row['high_hours']:g}", Text(names if len(names) < 40 else names[:39] + "…"))
    if len(ranked) > limit:
        table.add_row(Text(f"… {len(ranked) - limit} more (pgready impact --route)"), "", "", "", "")
    return table


def _hot_spots(effort, limit: int = 5):
    """Top files and routes by estimated effort, or None when nothing was estimated."""
    if not effort or not effort["by_file"]:
        return None
    table = Table(box=None, pad_edge=False)
    for column in ("where", "findings", "hours (low to high)"):
        table.add_column(column, justify="right" if column != "where" else "left")
    rows = [("file " + r["path"], r) for r in effort["by_file"][:limit]]
    rows += [("module " + r["module"], r) for r in effort["by_module"][:3]]
    for name, row in rows:
        table.add_row(Text(name), str(row["findings"]), f"{row['low_hours']:g} to {row['high_hours']:g}")
    return table


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _severity_table(c: Mapping) -> Table:
    table = Table(show_edge=False)
    table.add_column("Severity")
    table.add_column("Count", justify="right")
    for sev in _SEVERITIES:
        table.add_row(Text(sev, style=_SEVERITY_STYLE[sev]), str(c["by_severity"][sev]))
    return table


def _rule_table(findings: tuple[Finding, ...]) -> Table:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.rule_id].append(f)
    table = Table(show_edge=False)
    for name, justify in (("Rule", "left"), ("Slug", "left"), ("Severity", "left"),
                          ("Fix", "left"), ("Count", "right")):
        table.add_column(name, justify=justify)

    def order(item: tuple[str, list[Finding]]):
        rule_id, fs = item
        return (-max(_sev(f) for f in fs), -len(fs), rule_id)

    for rule_id, fs in sorted(groups.items(), key=order):
        sev = _SEVERITIES[2 - max(_sev(f) for f in fs)]
        fixes = sorted({_val(f.fix_safety) for f in fs}, key=lambda v: -_rank(v))
        fix = Text()
        for i, v in enumerate(fixes):
            fix.append(("/" if i else "") + v, style=_FIX_STYLE.get(v, ""))
        slug = sorted({f.slug for f in fs})[0]
        table.add_row(Text(rule_id), Text(slug), Text(sev, style=_SEVERITY_STYLE[sev]), fix, str(len(fs)))
    return table


def _print_findings(console: Console, findings: tuple[Finding, ...], utf: bool) -> None:
    bar, arrow = ("│ ", "→ ") if utf else ("| ", "-> ")
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.location.path].append(f)
    for path in sorted(by_file):
        fs = sorted(by_file[path], key=lambda f: (f.location.line, f.location.col, f.rule_id, f.id))
        console.print()
        head = Text(path, style="bold underline")
        head.append(f"  ({_n(len(fs), 'finding')})", style="dim")
        console.print(head)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")
        shown: set[tuple[str | None, str]] = set()  # a statement's rewrite once, not once per finding
        for f in fs:
            sev = _val(f.severity)
            grid.add_row(f"  {f.location.line}:{f.location.col}", Text(sev.upper(), style=_SEVERITY_STYLE.get(sev, "")),
                         Text(f.rule_id), Text(f.message))
            if f.code:
                code = Text(bar, style="dim", no_wrap=True, overflow="ellipsis")
                code.append(f.code, style="")
                grid.add_row("", "", "", code)
            if f.suggestion:
                tip = Text(arrow, style="green")
                tip.append(f.suggestion)
                grid.add_row("", "", "", tip)
            if f.rewrite and (f.site_id, f.rewrite) not in shown:
                shown.add((f.site_id, f.rewrite))
                fix = Text(f"fix ({_val(f.fix_safety)}): ", style=_FIX_STYLE.get(_val(f.fix_safety), ""))
                lines = [line.rstrip() for line in f.rewrite.splitlines() if line.strip()]
                fix.append("\n".join(lines[:8]) + ("\n..." if len(lines) > 8 else ""))
                if f.fix_reasons:
                    fix.append(f"  [{f.fix_reasons[0]}]", style="dim")
                grid.add_row("", "", "", fix)
        console.print(grid)


def _print_diagnostics(console: Console, inv: Inventory) -> None:
    console.print()
    console.print(Text(f"Diagnostics ({len(inv.diagnostics)})", style="bold"))
    for d in sorted(inv.diagnostics, key=lambda d: (d.path, d.kind, d.message, d.line or 0)):
        line = Text("  ")
        line.append(d.path + (f":{d.line}" if d.line else ""), style="bold")
        line.append("  ")
        line.append(d.kind, style="magenta")
        line.append("  ")
        line.append(d.message)
        console.print(line)


_FIX_STYLE = {"safe": "green", "review": "yellow", "manual": "red"}


def _val(x) -> str:
    return getattr(x, "value", x)


def _sev(f: Finding) -> int:
    return _SEVERITIES[::-1].index(_val(f.severity))


def _rank(fix: str) -> int:
    return ("manual", "review", "safe").index(fix) if fix in ("manual", "review", "safe") else -1
