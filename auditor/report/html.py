"""The inventory as one self-contained HTML page, for a lead planning the migration.

No network and no framework: the CSS and the vanilla JavaScript (auditor/report/assets/) are
inlined, so the file works opened from disk and prints cleanly. The first screen answers "how
much, where": headline numbers (findings by severity and category, estimated effort, the share
with a safe rewrite, the share verified), hot spots (files, modules, routes, tables by effort)
and the route impact table. Below: table usage, the findings table (sort by clicking a header,
filter by text, severity, category and fix safety, all in the browser), a drill-down per file
(code, message, the PostgreSQL way, the rewrite as a diff), verification verdicts, schema and
configuration items, the graph routes -> modules -> tables, the rule reference, diagnostics.

Every scanned string is escaped (auditor.report.html_base.esc). The same inventory always gives
the same bytes: everything is sorted and nothing depends on the clock.

Options: `root` (str/Path): when given, the drill-down shows a few lines of source around each
finding, read from that directory; `title` (str) overrides the page title.
"""
from __future__ import annotations

from importlib import resources
from typing import Mapping, TextIO

from ..model import Inventory
from .html_base import (
    Context, anchor, badge, cell, esc, file_anchor, filter_box, hours, pct, plural, section, table,
    SAFETIES, SEVERITIES,
)
from .html_files import drilldown
from .html_graph import graph
from .html_sections import diagnostics, findings_table, items, rule_reference, table_usage, verdicts
from .json import summarize


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    ctx = Context(inventory, dict(options or {}))
    counts = summarize(inventory)
    title = str(ctx.options.get("title") or f"pgready inventory: {inventory.root or '.'}")
    body = [
        _header(ctx, counts),
        '<main>',
        _overview(ctx, counts),
        '<div class="first-screen">',
        _hot_spots(ctx),
        _route_impact(ctx),
        '</div>',
        table_usage(ctx),
        findings_table(ctx, counts),
        drilldown(ctx),
        verdicts(ctx),
        items(ctx),
        graph(ctx),
        rule_reference(ctx),
        diagnostics(ctx),
        '</main>',
    ]
    head = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="pgready">\n'
            # nothing is ever fetched: no network from a report opened from disk
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
            f"<title>{esc(title)}</title>\n<style>\n{_asset('report.css')}</style>\n</head>\n<body>\n")
    page = (head + "\n".join(part for part in body if part)
            + f"\n<script>\n{_asset('report.js')}</script>\n</body>\n</html>\n")
    # ASCII only (anything else as &#N;): right whatever the encoding of `out`; the assets are ASCII
    out.write(page.encode("ascii", "xmlcharrefreplace").decode("ascii"))


def _asset(name: str) -> str:
    text = (resources.files("auditor.report") / "assets" / name).read_text(encoding="utf-8")
    return text if text.endswith("\n") else text + "\n"


def _header(ctx: Context, c: Mapping) -> str:
    inv = ctx.inv
    nav = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in (
        ("overview", "Overview"), ("hot-spots", "Hot spots"), ("route-impact", "Routes"),
        ("table-usage", "Tables"), ("findings", "Findings"), ("files", "Files"),
        ("verification", "Verification"), ("items", "Schema & config"), ("graph", "Graph"),
        ("rules", "Rules")))
    facts = (f"{plural(c['files'], 'file')} · {plural(c['sites'], 'SQL site')} ({c['dynamic_sites']} dynamic) · "
             f"{plural(c['routes'], 'route')} · {plural(c['tables'], 'table')} · "
             f"{plural(c['transactions'], 'transaction')}")
    return (f'<header><h1>pgready <span class="root">{esc(inv.root or ".")}</span></h1>'
            f'<p class="facts">{esc(facts)} · pgready {esc(inv.tool_version)}</p>'
            f'<nav class="no-print">{nav}</nav></header>')


def _overview(ctx: Context, c: Mapping) -> str:
    project = ctx.effort.get("project") or {"findings": 0, "low_hours": 0.0, "high_hours": 0.0}
    total = c["findings"]
    sev = "".join(f'<li>{badge("sev", s)} <b>{c["by_severity"][s]}</b></li>' for s in SEVERITIES)
    cats = sorted(c["by_category"].items(), key=lambda kv: (-kv[1], kv[0]))
    cat = "".join(f'<li><span class="cat">{esc(k)}</span> <b>{v}</b></li>' for k, v in cats)
    safe = c["by_fix_safety"]["safe"]
    fixes = " · ".join(f'{c["by_fix_safety"][s]} {s}' for s in SAFETIES)
    judged = ctx.inv.verdicts
    if judged:
        same = sum(1 for v in judged if v.verdict == "equivalent")
        verified = pct(same, len(judged))
        verified_note = f"{same} of {plural(len(judged), 'replayed site')} equivalent on PostgreSQL"
    else:
        verified, verified_note = "not verified", "run pgready verify to replay SQL on both engines"
    cards = [
        ("effort", "Estimated effort", hours(project["low_hours"], project["high_hours"]),
         f"person-hours for {plural(project['findings'], 'finding')} (docs/effort.md)"),
        ("findings", "Findings", str(total), None),
        ("fixable", "Auto-fixable", pct(safe, total), f"{safe} of {total} have a safe rewrite ({fixes})"),
        ("verified", "Verified", verified, verified_note),
    ]
    html_cards = []
    for key, label, big, note in cards:
        extra = f'<ul class="sev-list">{sev}</ul>' if key == "findings" else f'<p class="note">{esc(note)}</p>'
        html_cards.append(f'<div class="card" id="card-{key}"><h3>{esc(label)}</h3>'
                          f'<p class="big">{esc(big)}</p>{extra}</div>')
    html_cards.append(f'<div class="card wide" id="card-categories"><h3>Findings by category</h3>'
                      f'<ul class="cat-list">{cat or "<li>none</li>"}</ul></div>')
    return f'<section id="overview" class="cards">{"".join(html_cards)}</section>'


def _mini(title: str, headers: tuple[str, str, str], rows: list[tuple[str, str, int, str]]) -> str:
    """One hot-spot list: name (finished HTML), its full text (a tooltip), findings, hours."""
    if not rows:
        body = '<tr><td colspan="3" class="muted">nothing estimated</td></tr>'
    else:
        body = "".join(f'<tr><td class="name" title="{esc(text)}">{name}</td><td class="num">{n}</td>'
                       f'<td class="num">{esc(h)}</td></tr>' for name, text, n, h in rows)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f'<div class="mini"><h3>{esc(title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _hot_spots(ctx: Context, limit: int = 5) -> str:
    effort = ctx.effort
    files = [(f'<a href="#{file_anchor(r["path"])}" class="open-file">{esc(r["path"])}</a>', r["path"], r["findings"],
              hours(r["low_hours"], r["high_hours"])) for r in effort.get("by_file", ())[:limit]]
    modules = [(esc(r["module"]), r["module"], r["findings"], hours(r["low_hours"], r["high_hours"]))
               for r in effort.get("by_module", ())[:limit]]
    routes = [(f'<a href="#route-{esc(r["route"])}">{esc(r["method"] + " " + r["path"])}</a>',
               f'{r["method"]} {r["path"]}', r["findings"],
               hours(r["low_hours"], r["high_hours"]))
              for r in effort.get("by_route", ()) if r["findings"]][:limit]
    ranked = sorted(((ctx.table_effort(t), t["name"]) for t in ctx.inv.tables),
                    key=lambda x: (-x[0][2], -x[0][0], x[1]))
    tables = [(f'<a href="#{anchor("table", name)}">{esc(name)}</a>', name, n, hours(low, high))
              for (n, low, high), name in ranked if n][:limit]
    grid = "".join((_mini("Files", ("file", "findings", "effort"), files),
                    _mini("Modules", ("module", "findings", "effort"), modules),
                    _mini("Routes", ("route", "findings", "effort"), routes),
                    _mini("Tables", ("table", "findings", "effort"), tables)))
    return section("hot-spots", "Hot spots by estimated effort", f'<div class="mini-grid">{grid}</div>')


def _route_impact(ctx: Context) -> str:
    rows = []
    ranked = sorted(ctx.inv.routes, key=lambda r: (-ctx.route_effort.get(r.id, {}).get("high_hours", 0.0),
                                                   -ctx.route_effort.get(r.id, {}).get("findings", 0),
                                                   r.path, r.method, r.id))
    for route in ranked:
        e = ctx.route_effort.get(route.id, {"findings": 0, "low_hours": 0.0, "high_hours": 0.0})
        names = ctx.route_tables(route)
        tables = ", ".join(f'<a href="#{anchor("table", t)}">{esc(t)}</a>' for t in names)
        handler = f"{route.handler_path}: {route.handler}" if route.handler_path else route.handler
        rows.append(f'<tr id="route-{esc(route.id)}">'
                    + cell(f'<span class="method">{esc(route.method)}</span> {esc(route.path)}'
                           f'<div class="sub">{esc(handler)}</div>', sort=f"{route.path} {route.method}", raw=True)
                    + cell(e["findings"], sort=e["findings"], cls="num")
                    + cell(hours(e["low_hours"], e["high_hours"]), sort=e["high_hours"], cls="num")
                    + cell(len(route.sites), sort=len(route.sites), cls="num")
                    + cell(tables, sort=len(names), raw=True) + "</tr>")
    if not rows:
        return section("route-impact", "Route impact", '<p class="muted">No HTTP routes were found.</p>')
    body = (filter_box("route-table", "Filter routes") + '<div class="scroll">'
            + table("route-table", (("route", "text"), ("findings", "num"), ("effort", "num"),
                                    ("sites", "num"), ("tables", "num")), rows) + "</div>")
    return section("route-impact", "Route impact", body)

