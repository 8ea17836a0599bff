"""Link: routes -> the functions they run -> the calls they make -> SQL sites -> tables.

Computed once per scan from the resolved project (the same evaluation that finds wrappers),
and stored in the inventory as plain data: each route's reached sites, each table's readers
and writers, and the call graph with its unresolved share. `auditor.graph` turns this into a
networkx graph for `pgready graph` / `pgready impact`; reporters read it as is.
"""
from __future__ import annotations

from dataclasses import replace

from auditor.facts import Func, Member
from auditor.reach import Reach
from auditor.resolve.apis import BUILTINS


class Linker:
    def __init__(self, project, state, scanned: set[str]):
        self.project, self.state, self.scanned = project, state, scanned
        self.reach = Reach(project)
        self.ids: dict[tuple[str, int], str] = {}

    # -- functions ---------------------------------------------------------------------------
    def function_id(self, path: str, fid: int) -> str:
        """A readable id per function, unique in the scan: `path::name`, `path::name#2`, ..."""
        if not self.ids:
            for p in sorted(self.project.modules):
                taken: dict[str, int] = {}
                for f, fn in sorted(self.project.modules[p].functions.items()):
                    base = f"{p}::{fn.name}"
                    taken[base] = taken.get(base, 0) + 1
                    self.ids[(p, f)] = base if taken[base] == 1 else f"{base}#{taken[base]}"
        found = self.ids.get((path, fid))
        return found if found is not None else f"{path}::<module>"

    def entry_functions(self, route) -> set[tuple[str, int]]:
        """(path, fid) of the functions a route runs: its entry points by where they start, or its
        named handler (Python)."""
        found = set()
        for path, line in route.entry_points:
            facts = self.project.module(path)
            if facts is not None:
                found |= {(path, f) for f, fn in facts.functions.items() if fn.line == line}
        if not found and route.handler_path:
            fid = self.reach.function_named(route.handler_path, route.handler)
            if fid is not None:
                found.add((route.handler_path, fid))
            else:  # a class-based view: the framework calls its methods (get, get_queryset, ...)
                found |= self._view_methods(route.handler_path, route.handler.split(".")[0])
        return found

    def _view_methods(self, path: str, name: str) -> set[tuple[str, int]]:
        facts = self.project.module(path)
        cls = next((c for c in facts.classes.values() if c.name == name), None) if facts else None
        found, depth = set(), 0
        while cls is not None and depth < 8:
            found |= {(path, fid) for _, fid in cls.methods}
            parent = self.project.eval(path, cls.superclass) if cls.superclass is not None else ("unknown",)
            if parent[0] != "class":
                break
            path, cls, depth = parent[1], self.project.module(parent[1]).classes.get(parent[2]), depth + 1
        return found

    # -- routes and tables --------------------------------------------------------------------
    def routes(self, routes) -> tuple[tuple, dict]:
        """Routes with the sites they reach; and per route the (path, function name) it reaches."""
        by_scope: dict[tuple[str, int], list[str]] = {}
        for site_id, scope in self.state.site_scopes.items():
            if scope[1]:  # module-level SQL runs at import, not in a request
                by_scope.setdefault(scope, []).append(site_id)
        linked, reached_names = [], {}
        for route in routes:
            reached: set[tuple[str, int]] = set()
            for path, fid in sorted(self.entry_functions(route)):
                reached |= self.reach.functions(path, fid)
            sites = tuple(sorted(s for scope in reached for s in by_scope.get(scope, ())))
            linked.append(replace(route, sites=sites))
            reached_names[route.id] = {(p, self.project.modules[p].functions[f].name) for p, f in reached}
        return tuple(linked), reached_names

    def tables(self, routes) -> tuple[dict, ...]:
        usage: dict[str, dict] = {}
        for site in self.state.sites:
            for name in site.tables:
                row = usage.setdefault(name, {"name": name, "reads": [], "writes": [], "routes": set()})
                row["writes" if name in site.writes else "reads"].append(site.id)
        by_site = {}
        for route in routes:
            for site_id in route.sites:
                by_site.setdefault(site_id, set()).add(route.id)
        for row in usage.values():
            row["routes"] = sorted({r for s in row["reads"] + row["writes"] for r in by_site.get(s, ())})
            row["reads"], row["writes"] = sorted(row["reads"]), sorted(row["writes"])
        return tuple(usage[name] for name in sorted(usage))

    # -- calls ------------------------------------------------------------------------------
    def _on_library(self, path: str, call) -> bool:
        """`cur.execute(...)`: a method of an object the analysis knows is a library's."""
        return isinstance(call.callee, Member) and self.project.receiver(path, call)[0] in ("api", "instance")

    def calls(self, routes=()) -> dict:
        """Every call in the scanned files: to a project function (an edge), to a library the
        analysis knows, or unresolved (kept and counted, never dropped). The functions and edges
        listed are those of the graph pgready answers with: functions that send SQL or call, however
        indirectly, one that does, and the handlers of `routes`; in a large codebase most functions
        do neither, and listing them made the inventory mostly call graph."""
        edges: set[tuple[str, str]] = set()
        resolved = library = unresolved = 0
        unresolved_examples: dict[str, int] = {}
        for path in sorted(self.scanned):
            facts = self.project.modules[path]
            builtins = BUILTINS.get(facts.language, BUILTINS["javascript"])
            for call in facts.calls:
                target = self.project.callee(path, call)
                if target[0] == "func":
                    resolved += 1
                    edges.add((self.function_id(path, call.fid), self.function_id(target[1], target[2])))
                elif target[0] in ("api", "class", "instance") or self._on_library(path, call) \
                        or call.callee_text.split(".")[0].split("(")[0] in builtins:
                    library += 1
                else:
                    unresolved += 1
                    unresolved_examples[call.callee_text] = unresolved_examples.get(call.callee_text, 0) + 1
                for arg in call.args:  # a callback passed inline is called by whatever receives it
                    if isinstance(arg, Func):
                        edges.add((self.function_id(path, call.fid), self.function_id(path, arg.fid)))
        total = resolved + library + unresolved
        functions = sorted({(self.function_id(p, f), p, fn.line, fn.name)
                            for p in sorted(self.scanned) for f, fn in self.project.modules[p].functions.items()})
        senders = {s.id: self.function_id(*self.state.site_scopes[s.id]) for s in sorted(self.state.sites, key=lambda s: s.id)}
        kept = _reaching(set(senders.values()), edges) | _handlers(functions, routes)
        functions = [f for f in functions if f[0] in kept]
        edges = {e for e in edges if e[0] in kept and e[1] in kept}
        return {
            "total": total, "resolved": resolved, "library": library, "unresolved": unresolved,
            "unresolved_share": round(unresolved / total, 4) if total else 0.0,
            "top_unresolved": [name for name, _ in sorted(unresolved_examples.items(), key=lambda kv: (-kv[1], kv[0]))[:10]],
            "functions": [{"id": i, "path": p, "line": line, "name": n} for i, p, line, n in functions],
            "edges": [list(edge) for edge in sorted(edges)],
            "sites": senders,
        }


def _reaching(targets: set[str], edges) -> set[str]:
    """`targets` and every function from which a chain of calls leads to one of them."""
    callers: dict[str, list[str]] = {}
    for caller, callee in edges:
        callers.setdefault(callee, []).append(caller)
    found, stack = set(targets), list(targets)
    while stack:
        for caller in callers.get(stack.pop(), ()):
            if caller not in found:
                found.add(caller)
                stack.append(caller)
    return found


def _handlers(functions, routes) -> set[str]:
    """Function ids of the routes' entry points, matched as graph.build matches them."""
    by_location = {(p, line): i for i, p, line, _ in functions}
    by_name = {(p, n): i for i, p, _, n in functions}
    found = set()
    for route in routes:
        entries = [by_location.get(e) for e in route.entry_points] or [by_name.get((route.handler_path, route.handler))]
        found.update(filter(None, entries))
    return found
