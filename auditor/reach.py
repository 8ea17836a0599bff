"""What a function reaches: the functions it calls, transitively, resolved like sinks are.

Used to tell which SQL sites and findings an HTTP route reaches. Calls that do not resolve to
a project function are counted by the link stage, not dropped. Everything is indexed once per
module and memoised per function, so routes sharing middleware or services cost nothing extra.
"""
from __future__ import annotations

from functools import lru_cache

from auditor.facts import Func


class Reach:
    def __init__(self, project):
        self.project = project
        self._children: dict[str, dict[int, list[int]]] = {}
        self._calls: dict[str, dict[int, list]] = {}
        self.functions = lru_cache(maxsize=None)(self._functions)

    def _index(self, path: str) -> None:
        facts = self.project.module(path)
        children: dict[int, list[int]] = {}
        for fid, fn in facts.functions.items():
            children.setdefault(fn.parent, []).append(fid)
        calls: dict[int, list] = {}
        for call in facts.calls:
            calls.setdefault(call.fid, []).append(call)
        self._children[path], self._calls[path] = children, calls

    def nested(self, path: str, fid: int) -> list[int]:
        """fid and every function defined inside it."""
        if path not in self._children:
            self._index(path)
        found, todo = [], [fid]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(self._children[path].get(current, ()))
        return found

    def _functions(self, path: str, fid: int) -> frozenset[tuple[str, int]]:
        """(path, fid) of `fid`, the functions nested in it, and everything they call, transitively."""
        seen: set[tuple[str, int]] = set()
        todo = [(path, fid)]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            where = current[0]
            for inner in self.nested(*current):
                if (where, inner) in seen and inner != current[1]:
                    continue
                seen.add((where, inner))
                for call in self._calls[where].get(inner, ()):
                    target = self.project.eval(where, call.callee)
                    if target[0] == "func":
                        todo.append((target[1], target[2]))
                    for arg in call.args:  # callbacks passed inline run too
                        if isinstance(arg, Func):
                            todo.append((where, arg.fid))
        return frozenset(seen)

    def function_named(self, path: str, name: str) -> int | None:
        facts = self.project.module(path)
        if facts is None:
            return None
        return next((fid for fid, fn in sorted(facts.functions.items()) if fn.name == name), None)
