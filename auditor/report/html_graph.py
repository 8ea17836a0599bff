"""The HTML report's graph view: routes -> modules -> tables as an inline SVG in three columns.

A route links to the modules (directories) of the SQL sites it reaches, a module to the tables its
sites use. Laid out here, no library: each column spreads its nodes evenly over the same height
and edges are curves between them. Hovering (or focusing) a node highlights what it connects to
(report.js reads `data-rel`)."""
from __future__ import annotations

from .html_base import Context, anchor, esc, module_of, section

ROW = 22
WIDTH = 1100
COLUMNS = (10, 450, 800)  # left edge of each column's labels
LABEL = (56, 44, 40)  # characters before a label is cut
CHAR = 6.6  # width of one character of the 11px monospace labels


def _label(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def graph(ctx: Context) -> str:
    route_mods: dict[str, set[str]] = {}
    mod_tables: dict[str, set[str]] = {}
    for route in ctx.inv.routes:
        for site_id in route.sites:
            site = ctx.sites.get(site_id)
            if site is None:
                continue
            route_mods.setdefault(route.id, set()).add(module_of(site.path))
    wanted = set().union(*route_mods.values()) if route_mods else {module_of(s.path) for s in ctx.inv.sites}
    for site in ctx.inv.sites:
        module = module_of(site.path)
        if module in wanted and site.tables:
            mod_tables.setdefault(module, set()).update(site.tables)
    if not wanted:
        return section("graph", "Graph: routes \u2192 modules \u2192 tables",
                       '<p class="muted">No SQL sites to draw.</p>')
    routes = sorted((r for r in ctx.inv.routes if r.id in route_mods), key=lambda r: (r.path, r.method, r.id))
    modules = sorted(wanted)
    tables = sorted(set().union(*mod_tables.values()) if mod_tables else set())
    keys = {("r", r.id): f"r{i}" for i, r in enumerate(routes)}
    keys |= {("m", m): f"m{i}" for i, m in enumerate(modules)}
    keys |= {("t", t): f"t{i}" for i, t in enumerate(tables)}

    rel: dict[str, set[str]] = {k: set() for k in keys.values()}
    edges: list[tuple[str, str]] = []
    for r in routes:
        for m in sorted(route_mods[r.id]):
            edges.append((keys["r", r.id], keys["m", m]))
        for t in ctx.route_tables(r):  # the tables its own sites use, not all of its modules' tables
            rel[keys["r", r.id]].add(keys["t", t])
            rel[keys["t", t]].add(keys["r", r.id])
    for m in modules:
        for t in sorted(mod_tables.get(m, ())):
            edges.append((keys["m", m], keys["t", t]))
    for a, b in edges:
        rel[a].add(b)
        rel[b].add(a)

    height = max(len(routes), len(modules), len(tables), 1) * ROW + 40
    pos: dict[str, tuple[float, float, float]] = {}  # x, y, where the label ends
    nodes: list[str] = []
    columns = (
        ("Routes", [(keys["r", r.id], f"{r.method} {r.path}", f"#route-{r.id}",
                     ctx.route_effort.get(r.id, {}).get("findings", 0)) for r in routes]),
        ("Modules", [(keys["m", m], m + "/" if m != "." else "(root)", "", 0) for m in modules]),
        ("Tables", [(keys["t", t], t, "#" + anchor("table", t), 0) for t in tables]),
    )
    heads = []
    for col, (title, column) in enumerate(columns):
        x = COLUMNS[col]
        heads.append(f'<text class="colhead" x="{x}" y="16">{esc(title)}</text>')
        step = (height - 40) / max(len(column), 1)
        for i, (key, text, href, findings) in enumerate(column):
            y = round(34 + step * (i + 0.5), 1)
            pos[key] = (x, y, x + 16 + CHAR * len(_label(text, LABEL[col])))
            cls = "node hot" if findings else "node"
            label = (f'<text x="{x + 10}" y="{y + 4}">{esc(_label(text, LABEL[col]))}</text>'
                     f'<title>{esc(text)}{f" ({findings} findings)" if findings else ""}</title>')
            body = f'<circle cx="{x + 3}" cy="{y}" r="4"></circle>{label}'
            if href:
                body = f'<a href="{esc(href)}">{body}</a>'
            nodes.append(f'<g class="{cls}" data-key="{key}" data-rel="{" ".join(sorted(rel[key]))}" '
                         f'tabindex="0">{body}</g>')
    paths = []
    for a, b in edges:
        (_, ya, start), (xb, yb, _) = pos[a], pos[b]
        end, mid = xb - 2, (start + xb) / 2
        paths.append(f'<path class="edge" data-a="{a}" data-b="{b}" '
                     f'd="M{start:g},{ya:g} C{mid:g},{ya:g} {mid:g},{yb:g} {end:g},{yb:g}"></path>')
    svg = (f'<svg class="graph" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
           f'aria-label="routes to modules to tables">{"".join(heads)}<g class="edges">{"".join(paths)}</g>'
           f'{"".join(nodes)}</svg>')
    note = (f"{len(routes)} routes with SQL, {len(modules)} modules, {len(tables)} tables. "
            "Hover a node to highlight what it reaches; red routes reach findings.")
    return section("graph", "Graph: routes \u2192 modules \u2192 tables", f'<div class="graph-wrap">{svg}</div>',
                   note=esc(note))
