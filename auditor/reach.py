"""What a function reaches: the functions it calls, transitively, resolved like sinks are.

Used to tell which findings an HTTP route's handler reaches (effort per route; the route
graph builds on it). Calls that do not resolve to a project function are counted, not dropped.
"""
from __future__ import annotations

from auditor.facts import Func


class Reach:
    def __init__(self, project):
        self.project = project
        self.unresolved = 0
        self._calls_by_function: dict[tuple[str, int], list] = {}

    def calls_in(self, path: str, fid: int) -> list:
        key = (path, fid)
        if key not in self._calls_by_function:
            facts = self.project.module(path)
            inner = {fid} | {f for f, fn in facts.functions.items() if fid in self.project.enclosing(path, f)}
            self._calls_by_function[key] = [c for c in facts.calls if c.fid in inner]
        return self._calls_by_function[key]

    def functions(self, path: str, fid: int, limit: int = 5000) -> set[tuple[str, int]]:
        """(path, fid) of `fid` itself, the functions nested in it, and everything they call."""
        seen, todo = set(), [(path, fid)]
        while todo and len(seen) < limit:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            facts = self.project.module(current[0])
            seen.update((current[0], f) for f, fn in facts.functions.items()
                        if current[1] in self.project.enclosing(current[0], f))
            for call in self.calls_in(*current):
                target = self.project.eval(current[0], call.callee)
                if target[0] == "func":
                    todo.append((target[1], target[2]))
                elif target[0] not in ("api",):
                    self.unresolved += 1
                for arg in call.args:  # callbacks passed inline run too (router.get('/', async (req) => ...))
                    if isinstance(arg, Func):
                        todo.append((current[0], arg.fid))
        return seen

    def function_named(self, path: str, name: str) -> int | None:
        facts = self.project.module(path)
        if facts is None:
            return None
        return next((fid for fid, fn in sorted(facts.functions.items()) if fn.name == name), None)
