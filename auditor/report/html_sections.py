"""The HTML report's reference sections: table usage, the findings table, verification verdicts,
schema/configuration items, the rule reference and diagnostics. All text is escaped here."""
from __future__ import annotations

from typing import Mapping

from .html_base import (
    Context, anchor, badge, cell, esc, file_anchor, filter_box, finding_anchor, hours, plural, rule_anchor,
    section, table, val, SAFETIES, SEVERITIES,
)


def _site_link(ctx: Context, site_id: str) -> str:
    site = ctx.sites.get(site_id)
    if site is None:
        return esc(site_id)
    return (f'<a href="#{file_anchor(site.path)}" class="open-file">{esc(site.path)}:{site.line}</a>'
            f' <span class="muted">{esc(site.statement)}</span>')


def _route_link(ctx: Context, route_id: str) -> str:
    route = ctx.routes.get(route_id)
    text = f"{route.method} {route.path}" if route else route_id
    return f'<a href="#route-{esc(route_id)}">{esc(text)}</a>'


def table_usage(ctx: Context) -> str:
    rows = []
    for t in sorted(ctx.inv.tables, key=lambda t: str(t["name"])):
        name = str(t["name"])
        reads, writes, routes = (sorted(set(t.get(k, ()))) for k in ("reads", "writes", "routes"))
        n, low, high = ctx.table_effort(t)
        where = "".join(f"<li>reads at {_site_link(ctx, s)}</li>" for s in reads)
        where += "".join(f"<li>writes at {_site_link(ctx, s)}</li>" for s in writes)
        where += "".join(f"<li>route {_route_link(ctx, r)}</li>" for r in routes)
        detail = f'<details><summary>{len(reads) + len(writes)} sites, {len(routes)} routes</summary><ul>{where}</ul></details>'
        rows.append(f'<tr id="{anchor("table", name)}">' + cell(name, sort=name, cls="name")
                    + cell(len(reads), sort=len(reads), cls="num") + cell(len(writes), sort=len(writes), cls="num")
                    + cell(len(routes), sort=len(routes), cls="num") + cell(n, sort=n, cls="num")
                    + cell(hours(low, high), sort=high, cls="num") + cell(detail, raw=True) + "</tr>")
    if not rows:
        return section("table-usage", "Table usage", '<p class="muted">No tables were named in the SQL found.</p>')
    headers = (("table", "text"), ("read sites", "num"), ("write sites", "num"), ("routes", "num"),
               ("findings", "num"), ("effort", "num"), ("where", "text"))
    return section("table-usage", "Table usage",
                   filter_box("table-usage-table", "Filter tables") + table("table-usage-table", headers, rows),
                   note="Which SQL sites read and write each table, and which routes reach them.")


def _options(name: str, label: str, values) -> str:
    opts = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return (f'<label>{esc(label)} <select data-filter-attr="{esc(name)}" data-filter-for="findings-table">'
            f'<option value="">all</option>{opts}</select></label>')


def findings_table(ctx: Context, counts: Mapping) -> str:
    rows = []
    for f in ctx.findings:
        sev, fix = val(f.severity), val(f.fix_safety)
        loc = f"{f.location.path}:{f.location.line}:{f.location.col}"
        rows.append(
            f'<tr data-severity="{esc(sev)}" data-category="{esc(f.category)}" data-fix="{esc(fix)}">'
            + cell(badge("sev", sev), sort=SEVERITIES[::-1].index(sev) if sev in SEVERITIES else -1, raw=True)
            + cell(f'<a href="#{rule_anchor(f.rule_id)}">{esc(f.rule_id)}</a>', sort=f.rule_id, raw=True)
            + cell(f.category)
            + cell(badge("fix", fix), sort=SAFETIES.index(fix) if fix in SAFETIES else -1, raw=True)
            + cell(f'<a href="#{finding_anchor(f.id)}" class="open-finding">{esc(loc)}</a>',
                   sort=f"{f.location.path}\x00{f.location.line:09d}", raw=True)
            + cell(f.message, cls="msg")
            + cell(f"{f.effort_low:g}\u2013{f.effort_high:g} min", sort=f.effort_high, cls="num") + "</tr>")
    if not rows:
        return section("findings", "Findings", '<p class="ok">No findings: nothing in the scanned code is known '
                                               'to break on PostgreSQL.</p>')
    controls = ('<div class="controls no-print">' + filter_box("findings-table", "Filter findings (text)")
                + _options("severity", "severity", [s for s in SEVERITIES if counts["by_severity"].get(s)])
                + _options("category", "category", sorted(counts["by_category"]))
                + _options("fix", "fix safety", [s for s in SAFETIES if counts["by_fix_safety"].get(s)])
                + f'<span class="count" data-count-for="findings-table">{len(rows)} of {len(rows)} shown</span></div>')
    headers = (("severity", "num"), ("rule", "text"), ("category", "text"), ("fix", "num"),
               ("location", "text"), ("message", "text"), ("effort", "num"))
    return section("findings", f"Findings ({len(rows)})",
                   controls + '<div class="scroll tall">' + table("findings-table", headers, rows) + "</div>",
                   note="Click a header to sort, a location to open its file below.")


def verdicts(ctx: Context) -> str:
    if not ctx.inv.verdicts:
        return section("verification", "Verification", '<p class="muted">Not verified: run <code>pgready verify'
                                                       '</code> to replay the rewrites on MySQL/MariaDB and '
                                                       'PostgreSQL with the same data.</p>')
    rows = []
    for v in sorted(ctx.inv.verdicts, key=lambda v: (v.verdict, v.site_id)):
        ran = ""
        if v.mysql_sql or v.pg_sql:
            ran = (f'<details><summary>what ran</summary><pre class="sql">-- MySQL/MariaDB\n{esc(v.mysql_sql)}\n'
                   f'-- PostgreSQL\n{esc(v.pg_sql)}</pre>{_rows_differ(v)}</details>')
        rows.append("<tr>" + cell(_site_link(ctx, v.site_id), sort=v.site_id, raw=True)
                    + cell(badge("verdict", v.verdict), sort=v.verdict, raw=True)
                    + cell(esc(v.detail) + ran, raw=True) + "</tr>")
    headers = (("site", "text"), ("verdict", "text"), ("detail", "text"))
    counts: dict[str, int] = {}
    for v in ctx.inv.verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    summary = " · ".join(f"{n} {esc(k)}" for k, n in sorted(counts.items()))
    return section("verification", "Verification", table("verdict-table", headers, rows),
                   note=f"Replayed on both engines with the same data: {summary}.")


def _rows_differ(v) -> str:
    if not (v.only_mysql or v.only_pg):
        return ""
    lines = [f"- {' | '.join(row)}" for row in v.only_mysql] + [f"+ {' | '.join(row)}" for row in v.only_pg]
    return f'<pre class="diff">{esc(chr(10).join(lines))}</pre>'


def items(ctx: Context) -> str:
    if not ctx.inv.items:
        return section("items", "Schema, ORM and configuration", '<p class="muted">None found.</p>')
    order = ("procedure", "function", "trigger", "event", "view", "data", "table", "prisma-model",
             "compose-service", "ci-service", "dependency", "env-variable", "orm-config")
    rank = {k: i for i, k in enumerate(order)}
    rows = []
    for i in sorted(ctx.inv.items, key=lambda i: (rank.get(i.kind, 99), i.location.path, i.location.line, i.name)):
        rows.append("<tr>" + cell(i.kind, sort=f"{rank.get(i.kind, 99):02d}{i.kind}") + cell(i.name, cls="name")
                    + cell(i.category)
                    + cell(f'<a href="#{file_anchor(i.location.path)}" class="open-file">{esc(i.location.path)}'
                           f':{i.location.line}</a>', sort=f"{i.location.path}\x00{i.location.line:09d}", raw=True)
                    + cell(i.size or "", sort=i.size, cls="num") + cell(i.detail) + "</tr>")
    headers = (("kind", "text"), ("name", "text"), ("category", "text"), ("where", "text"), ("size", "num"),
               ("detail", "text"))
    return section("items", f"Schema, ORM and configuration ({len(rows)})",
                   filter_box("items-table", "Filter items") + table("items-table", headers, rows),
                   note="Routines, tables, models, services and dependencies to carry over; size is lines "
                        "(bytes for data).")


def _link(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        return f"<li>{esc(url)}</li>"
    return f'<li><a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a></li>'


def rule_reference(ctx: Context) -> str:
    if not ctx.rules:
        return section("rules", "Rule reference", '<p class="muted">No rule fired.</p>')
    fired: dict[str, int] = {}
    for f in ctx.findings:
        fired[f.rule_id] = fired.get(f.rule_id, 0) + 1
    parts = []
    for rule_id in sorted(ctx.rules):
        r = ctx.rules[rule_id]
        refs = "".join(_link(str(u)) for u in r.get("references") or ())
        badges = " ".join(badge(k, str(r[key])) for k, key in (("sev", "severity"), ("fix", "fix_safety"))
                          if r.get(key))
        parts.append(
            f'<article class="rule" id="{rule_anchor(rule_id)}"><h3>{esc(rule_id)} {esc(r.get("title", ""))}</h3>'
            f'<p class="meta">{badges} <span class="cat">{esc(r.get("category", ""))}</span> '
            f'<code>{esc(r.get("slug", ""))}</code> · {plural(fired.get(rule_id, 0), "finding")}</p>'
            f'<p>{esc(r.get("message", ""))}</p>'
            + (f'<p class="why">{esc(r["why"])}</p>' if r.get("why") else "")
            + (f'<h4>The PostgreSQL way</h4><pre class="sql">{esc(r["postgres"])}</pre>' if r.get("postgres") else "")
            + (f'<h4>References</h4><ul class="refs">{refs}</ul>' if refs else "") + "</article>")
    return section("rules", f"Rule reference ({len(parts)} rules fired)", "\n".join(parts))


def diagnostics(ctx: Context) -> str:
    if not ctx.inv.diagnostics:
        return ""
    rows = "".join(f"<li><b>{esc(d.path)}{':' + str(d.line) if d.line else ''}</b> "
                   f'<span class="cat">{esc(d.kind)}</span> {esc(d.message)}</li>'
                   for d in sorted(ctx.inv.diagnostics, key=lambda d: (d.path, d.kind, d.message, d.line or 0)))
    return section("diagnostics", f"Diagnostics ({len(ctx.inv.diagnostics)})", f"<ul>{rows}</ul>",
                   note="Inputs that could not be analysed fully.")
