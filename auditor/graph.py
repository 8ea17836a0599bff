"""The dependency graph: routes -> functions -> calls -> SQL sites -> tables, and impact queries.

Built from a finished inventory (a fresh scan or a saved JSON), so `pgready graph` and
`pgready impact` never re-analyse. networkx is imported only here, only when asked for.
"""
from __future__ import annotations

import difflib
import re


def build(inv):
    """A networkx DiGraph; node ids are `kind:id` (route:, function:, site:, table:, finding:)."""
    import networkx as nx

    graph = nx.DiGraph()
    calls = inv.calls or {"functions": [], "edges": [], "sites": {}}
    by_location = {(f["path"], f["line"]): f["id"] for f in calls["functions"]}
    by_name = {(f["path"], f["name"]): f["id"] for f in calls["functions"]}
    for f in calls["functions"]:
        graph.add_node(f"function:{f['id']}", kind="function", path=f["path"], line=f["line"], name=f["name"])
    for caller, callee in calls["edges"]:
        graph.add_edge(f"function:{caller}", f"function:{callee}", kind="calls")
    for route in inv.routes:
        node = f"route:{route.id}"
        graph.add_node(node, kind="route", method=route.method, path=route.path, framework=route.framework,
                       file=route.location.path, line=route.location.line)
        entries = [by_location.get(e) for e in route.entry_points] or [by_name.get((route.handler_path, route.handler))]
        for entry in filter(None, entries):
            graph.add_edge(node, f"function:{entry}", kind="runs")
        for site_id in route.sites:
            graph.add_edge(node, f"site:{site_id}", kind="reaches")
    for site in inv.sites:
        node = f"site:{site.id}"
        graph.add_node(node, kind="site", path=site.path, line=site.line, statement=site.statement,
                       site_kind=site.kind, dynamic=site.dynamic)
        owner = calls["sites"].get(site.id)
        if owner:
            graph.add_edge(f"function:{owner}", node, kind="sends")
        for table in site.tables:
            graph.add_node(f"table:{table}", kind="table", name=table)
            graph.add_edge(node, f"table:{table}", kind="writes" if table in site.writes else "reads")
    for finding in inv.findings:
        node = f"finding:{finding.id}"
        graph.add_node(node, kind="finding", rule=finding.rule_id, severity=finding.severity.value,
                       path=finding.location.path, line=finding.location.line)
        if finding.site_id:
            graph.add_edge(f"site:{finding.site_id}", node, kind="has")
    for node, data in graph.nodes(data=True):  # reached only through an edge: module level, read for context
        if "kind" not in data:
            path, _, name = node.split(":", 1)[1].partition("::")
            data.update(kind="function", path=path, line=0, name=name or "<module>")
    return graph


# -- queries (from the inventory's links; no graph needed) --------------------------------------

def find_route(inv, spec: str):
    """`GET /api/guilds/:id` (method optional) -> the routes that match; ValueError with suggestions."""
    match = re.match(r"^\s*(?:([A-Za-z]+)\s+)?(\S+)\s*$", spec)
    method, path = ((match.group(1) or "").upper(), match.group(2)) if match else ("", spec.strip())
    found = [r for r in inv.routes if r.path == path and (not method or r.method in (method, "ANY"))]
    if not found:
        known = [f"{r.method} {r.path}" for r in inv.routes]
        close = difflib.get_close_matches(spec.strip(), known, n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}" if close else f" ({len(known)} routes known; see `pgready graph`)"
        raise ValueError(f"no route {spec.strip()!r}{hint}")
    return found


def route_impact(inv, route) -> dict:
    sites = {s.id: s for s in inv.sites}
    findings = [f for f in inv.findings if f.site_id in set(route.sites)]
    reached = [sites[s] for s in route.sites if s in sites]
    return {
        "route": f"{route.method} {route.path}", "framework": route.framework,
        "declared_at": f"{route.location.path}:{route.location.line}", "handler": route.handler,
        "sites": [{"id": s.id, "path": s.path, "line": s.line, "statement": s.statement, "tables": list(s.tables)}
                  for s in sorted(reached, key=lambda s: (s.path, s.line))],
        "tables": sorted({t for s in reached for t in s.tables}),
        "findings": [{"id": f.id, "rule": f.rule_id, "severity": f.severity.value, "path": f.location.path,
                      "line": f.location.line, "message": f.message} for f in findings],
        "effort_hours": {"low": round(sum(f.effort_low for f in findings) / 60, 2),
                         "high": round(sum(f.effort_high for f in findings) / 60, 2)},
    }


def table_impact(inv, name: str) -> dict:
    row = next((t for t in inv.tables if t["name"] == name.lower()), None)
    if row is None:
        close = difflib.get_close_matches(name.lower(), [t["name"] for t in inv.tables], n=3, cutoff=0.5)
        raise ValueError(f"no table {name!r} in any SQL site" + (f"; did you mean: {', '.join(close)}" if close else ""))
    sites = {s.id: s for s in inv.sites}
    routes = {r.id: r for r in inv.routes}
    def where(ids):
        return sorted(({"id": i, "path": sites[i].path, "line": sites[i].line} for i in ids),
                      key=lambda s: (s["path"], s["line"], s["id"]))

    return {"table": row["name"], "reads": where(row["reads"]), "writes": where(row["writes"]),
            "routes": sorted(f"{routes[r].method} {routes[r].path}" for r in row["routes"])}


def finding_routes(inv, finding_id: str) -> list[str]:
    finding = next((f for f in inv.findings if f.id == finding_id), None)
    if finding is None:
        raise ValueError(f"no finding {finding_id!r}")
    return sorted(f"{r.method} {r.path}" for r in inv.routes if finding.site_id in r.sites)
