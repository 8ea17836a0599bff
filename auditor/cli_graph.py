"""`pgready graph` and `pgready impact`: read a fresh scan or a saved inventory, answer, exit."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from auditor.cli import EXIT_CLEAN, fail


def run(args) -> int:
    try:
        inventory = _inventory(args)
    except (ValueError, OSError) as error:
        return fail(error)
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    try:
        return _graph(inventory, args, out) if args.command == "graph" else _impact(inventory, args, out)
    finally:
        if args.output:
            out.close()


def _inventory(args):
    if args.inventory is not None:
        from auditor.report.json import load

        return load(args.inventory)
    if not Path(args.path).is_dir():
        raise ValueError(f"no such directory: {args.path}")
    from auditor.pipeline import scan

    return scan(Path(args.path))


def _graph(inventory, args, out) -> int:
    from auditor.graph import build
    from auditor.graphio import write

    write(build(inventory), args.format, out)
    return EXIT_CLEAN


def _impact(inventory, args, out) -> int:
    from auditor import graph

    try:
        if args.route:
            answer = [graph.route_impact(inventory, r) for r in graph.find_route(inventory, args.route)]
        elif args.table:
            answer = graph.table_impact(inventory, args.table)
        else:
            answer = {"finding": args.finding, "routes": graph.finding_routes(inventory, args.finding)}
    except ValueError as error:
        return fail(error)
    if args.format == "json":
        out.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(_text(answer))
    return EXIT_CLEAN


def _where(sites) -> str:
    return ", ".join(f"{s['path']}:{s['line']}" for s in sites) or "-"


def _text(answer) -> str:
    lines = []
    for item in answer if isinstance(answer, list) else [answer]:
        if "route" in item:
            effort = item["effort_hours"]
            lines += [f"{item['route']}  ({item['framework']}, declared at {item['declared_at']}, handler {item['handler']})",
                      f"  reaches {len(item['sites'])} SQL site(s), tables: {', '.join(item['tables']) or '-'}",
                      f"  {len(item['findings'])} finding(s), estimated {effort['low']:g} to {effort['high']:g} hours"]
            lines += [f"    site {s['path']}:{s['line']}  {s['statement']}  {', '.join(s['tables'])}" for s in item["sites"]]
            lines += [f"    {f['severity']:7} {f['rule']} {f['path']}:{f['line']}  {f['message']}" for f in item["findings"]]
        elif "table" in item:
            lines += [f"table {item['table']}", f"  read at:    {_where(item['reads'])}",
                      f"  written at: {_where(item['writes'])}", f"  routes:     {', '.join(item['routes']) or '-'}"]
        else:
            lines += [f"finding {item['finding']} is reached by: {', '.join(item['routes']) or 'no route'}"]
    return "\n".join(lines) + "\n"
