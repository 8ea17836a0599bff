"""Write the dependency graph as JSON (node-link), DOT, GraphML or Mermaid; same input, same bytes."""
from __future__ import annotations

import json
from typing import TextIO

FORMATS = ("json", "dot", "graphml", "mermaid")


def write(graph, fmt: str, out: TextIO) -> None:
    {"json": _json, "dot": _dot, "graphml": _graphml, "mermaid": _mermaid}[fmt](graph, out)


def _nodes(graph):
    return sorted(graph.nodes(data=True), key=lambda n: n[0])


def _edges(graph):
    return sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))


def _json(graph, out: TextIO) -> None:
    doc = {"directed": True,
           "nodes": [{"id": n, **{k: v for k, v in sorted(d.items())}} for n, d in _nodes(graph)],
           "edges": [{"source": a, "target": b, **dict(sorted(d.items()))} for a, b, d in _edges(graph)]}
    out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _quote(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_SHAPES = {"route": "box", "function": "ellipse", "site": "note", "table": "cylinder", "finding": "octagon"}


def _label(node: str, data: dict) -> str:
    kind = data.get("kind", "")
    if kind == "route":
        return f"{data['method']} {data['path']}"
    if kind == "function":
        return f"{data['name']}\n{data['path']}:{data['line']}"
    if kind == "site":
        return f"{data['statement']} @ {data['path']}:{data['line']}"
    if kind == "table":
        return data["name"]
    if kind == "finding":
        return f"{data['rule']} {data['path']}:{data['line']}"
    return node


def _dot(graph, out: TextIO) -> None:
    out.write("digraph pgready {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n")
    for node, data in _nodes(graph):
        out.write(f"  {_quote(node)} [label={_quote(_label(node, data))}, shape={_SHAPES.get(data.get('kind'), 'box')}];\n")
    for a, b, data in _edges(graph):
        out.write(f"  {_quote(a)} -> {_quote(b)} [label={_quote(data.get('kind', ''))}];\n")
    out.write("}\n")


def _graphml(graph, out: TextIO) -> None:
    import io

    import networkx as nx

    ordered = nx.DiGraph()
    for node, data in _nodes(graph):
        ordered.add_node(node, **{k: (v if isinstance(v, (str, int, float, bool)) else str(v)) for k, v in data.items()})
    for a, b, data in _edges(graph):
        ordered.add_edge(a, b, **data)
    buffer = io.BytesIO()
    nx.write_graphml(ordered, buffer, encoding="utf-8")
    text = buffer.getvalue().decode("utf-8")
    out.write(text if text.endswith("\n") else text + "\n")


def _mermaid(graph, out: TextIO) -> None:
    """The lead's view: routes -> the tables they read or write (through the SQL sites they reach)."""
    out.write("flowchart LR\n")
    ids: dict[str, str] = {}
    for node, data in _nodes(graph):
        if data.get("kind") in ("route", "table"):
            ids[node] = f"n{len(ids)}"
            shape = ('["', '"]') if data["kind"] == "route" else ('[("', '")]')
            out.write(f"  {ids[node]}{shape[0]}{_label(node, data).replace(chr(34), '#quot;')}{shape[1]}\n")
    links = set()
    for node, data in _nodes(graph):
        if data.get("kind") != "route":
            continue
        for site in graph.successors(node):
            if not site.startswith("site:"):
                continue
            for table in graph.successors(site):
                if table.startswith("table:"):
                    links.add((ids[node], ids[table], graph.edges[site, table]["kind"]))
    for a, b, kind in sorted(links):
        out.write(f"  {a} -->|{kind}| {b}\n")
