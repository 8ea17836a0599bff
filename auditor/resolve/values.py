"""Evaluate the symbolic values of `ModuleFacts` across modules.

An abstract value is a small tuple: ("api", type) for a third-party API object (typed by
`auditor.resolve.apis`), ("func", path, fid), ("class", path, cid), ("instance", path, cid),
("object", path, members), ("module", path), ("text", path, Text), ("param", path, fid, index),
("unknown",). Knowledge of libraries lives in the apis tables, not in code paths here.
"""
from __future__ import annotations

import posixpath
from typing import Callable

from auditor.facts import (
    Call, Cls, Elem, Func, Import, Member, ModuleFacts, New, Obj, Param, Ref, Text, This,
)
from auditor.resolve import apis

UNKNOWN = ("unknown",)
_ACTIVE = ("active",)  # in the memo while its value is being worked out
MYSQL_MODULE, MYSQL_CLIENT = ("api", "mysql.module"), ("api", "mysql.client")
EXTENSIONS = (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts")


class Project:
    """All modules of one scan, with memoised evaluation of their values."""

    def __init__(self, modules: dict[str, ModuleFacts], load: Callable[[str], ModuleFacts | None] | None = None,
                 aliases: tuple = ()):
        self.modules = dict(modules)
        self._load = load
        self.aliases = aliases  # tsconfig/jsconfig `paths`, see auditor.resolve.aliases
        self._memo: dict = {}  # (path, value) -> result, or _ACTIVE while it is being evaluated
        self._callees: dict[str, dict[int, tuple]] = {}  # path -> call id -> callee
        self._receivers: dict[str, dict[int, tuple]] = {}  # path -> call id -> receiver
        self._callbacks: dict | None = None
        self._param_calls: dict | None = None

    # -- modules ------------------------------------------------------------------------------
    def module(self, path: str) -> ModuleFacts | None:
        if path not in self.modules and self._load is not None:
            loaded = self._load(path)
            if loaded is not None:
                self.modules[path] = loaded
                self._callbacks = self._param_calls = None
        return self.modules.get(path)

    def resolve_spec(self, importer: str, spec: str) -> str | None:
        if importer.endswith((".py", ".pyi")):
            from auditor.resolve.pymodules import resolve

            return resolve(importer, spec, lambda rel: self.module(rel) is not None)
        if spec.startswith("."):
            bases = [posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))]
        else:
            from auditor.resolve.aliases import expand

            bases = expand(spec, self.aliases)
        for base in bases:
            stem = base[:-3] if base.endswith(".js") else base  # TypeScript imports './x.js' for x.ts
            candidates = [base] + [stem + ext for ext in EXTENSIONS] + [base + "/index" + ext for ext in EXTENSIONS]
            found = next((c for c in candidates if self.module(c) is not None), None)
            if found is not None:
                return found
        return None

    # -- evaluation ---------------------------------------------------------------------------
    def eval(self, path: str, value) -> tuple:
        key = (path, value)
        found = self._memo.get(key)  # few lookups: hashing a value hashes all of it
        if found is _ACTIVE:  # a cycle: unknown here, and not remembered
            return UNKNOWN
        if found is not None:
            return found
        self._memo[key] = _ACTIVE
        try:
            result = self._eval(path, value)
        except BaseException:
            del self._memo[key]
            raise
        self._memo[key] = result
        return result

    def callee(self, path: str, call) -> tuple:
        """`eval(path, call.callee)`, kept per call: the resolve and link stages ask it of every call
        (outside any evaluation, so what `eval` gives is final), and a lookup by call id is cheaper
        than hashing the callee again."""
        return self._per_call(self._callees, path, call, call.callee)

    def receiver(self, path: str, call) -> tuple:
        """`eval(path, call.callee.base)` of a method call (`Member` callee), kept per call like `callee`."""
        return self._per_call(self._receivers, path, call, call.callee.base)

    def _per_call(self, table: dict, path: str, call, value) -> tuple:
        known = table.get(path)
        if known is None:
            known = table[path] = {}
        found = known.get(call.call_id)
        if found is None:
            found = known[call.call_id] = self.eval(path, value)
        return found

    def _eval(self, path: str, v) -> tuple:
        facts = self.module(path)
        if facts is None or v is None:
            return UNKNOWN
        if isinstance(v, Ref):
            for scope in v.scopes:
                if (scope, v.name) in facts.bindings:
                    return self.eval(path, facts.bindings[(scope, v.name)])
            return UNKNOWN
        if isinstance(v, Text):
            return ("text", path, v)
        if isinstance(v, Import):
            return self.imported(path, v.spec, v.name)
        if isinstance(v, Member):
            if isinstance(v.base, Ref):
                found = self.attribute_binding(path, v.base, v.name)
                if found is not None:
                    return self.eval(*found)
            return self.member(self.eval(path, v.base), v.name)
        if isinstance(v, Call):
            return self.call_result(path, v)
        if isinstance(v, New):
            target = self.eval(path, v.callee)
            if target[0] in ("class", "func"):  # `new Store()` of an ES5 constructor function too
                return ("instance", target[1], target[2])
            return self.call_api(target)
        if isinstance(v, Func):
            return ("func", path, v.fid)
        if isinstance(v, Cls):
            return ("class", path, v.cid)
        if isinstance(v, This):
            return ("instance", path, v.cid) if v.cid else UNKNOWN
        if isinstance(v, Obj):
            return ("object", path, v.members)
        if isinstance(v, Param):
            return self.param(path, v)
        if isinstance(v, Elem):
            return UNKNOWN
        return UNKNOWN

    def attribute_binding(self, path: str, ref: Ref, attr: str):
        """`bot.db = Database()` at module level, read as `bot.db` here or where `bot` is imported."""
        facts = self.module(path)
        for scope in ref.scopes:
            if (scope, f"{ref.name}.{attr}") in facts.bindings:
                return path, facts.bindings[(scope, f"{ref.name}.{attr}")]
            bound = facts.bindings.get((scope, ref.name))
            if bound is not None:
                if isinstance(bound, Import) and bound.name != "*":
                    target = self.resolve_spec(path, bound.spec)
                    target_facts = self.module(target) if target else None
                    if target_facts is not None and (0, f"{bound.name}.{attr}") in target_facts.bindings:
                        return target, target_facts.bindings[(0, f"{bound.name}.{attr}")]
                return None
        return None

    def imported(self, importer: str, spec: str, name: str) -> tuple:
        target = self.resolve_spec(importer, spec)
        if target is not None:
            if name == "*":
                return self.module_object(target)
            found = self.export(target, name)
            if found == UNKNOWN and importer.endswith(".py"):  # `from pkg import submodule`
                sub = self.resolve_spec(importer, spec.rstrip(".") + "." + name if spec.strip(".") else spec + name)
                return self.module_object(sub) if sub is not None else UNKNOWN
            return found
        language = "python" if importer.endswith((".py", ".pyi")) else "javascript"
        api = apis.imported_type(language, spec, name)
        return ("api", api) if api else UNKNOWN

    def module_object(self, path: str) -> tuple:
        facts = self.module(path)
        if facts is not None and facts.module_value is not None:
            return self.eval(path, facts.module_value)
        return ("module", path)

    def export(self, path: str, name: str, seen: frozenset = frozenset()) -> tuple:
        facts = self.module(path)
        if facts is None or path in seen:
            return UNKNOWN
        if name in facts.exports:
            return self.eval(path, facts.exports[name])
        if facts.module_value is not None:
            whole = self.eval(path, facts.module_value)
            return whole if name == "default" else self.member(whole, name)
        for spec in facts.star_exports:
            target = self.resolve_spec(path, spec)
            if target is not None:
                found = self.export(target, name, seen | {path})
                if found != UNKNOWN:
                    return found
        return ("module", path) if name == "default" else UNKNOWN

    def member(self, base: tuple, name: str) -> tuple:
        kind = base[0]
        if kind == "api":
            found = apis.member_type(base[1], name)
            return ("api", found) if found else UNKNOWN
        if kind == "module":
            return self.export(base[1], name)
        if kind == "object":
            found = dict(base[2]).get(name)
            return self.eval(base[1], found) if found is not None else UNKNOWN
        if kind in ("instance", "class"):
            return self.class_member(base[1], base[2], name, instance=kind == "instance")
        return UNKNOWN

    def class_member(self, path: str, cid: int, name: str, instance: bool, depth: int = 0) -> tuple:
        facts = self.module(path)
        cls = facts.classes.get(cid) if facts is not None else None
        if cls is None or depth > 8:
            return UNKNOWN
        methods, fields = dict(cls.methods), dict(cls.fields)
        if name in methods:
            return ("func", path, methods[name])
        if name in fields:  # instance attributes, and class attributes (constants) read on the class
            return self.eval(path, fields[name])
        if cls.superclass is not None:
            parent = self.eval(path, cls.superclass)
            if parent[0] == "class":
                return self.class_member(parent[1], parent[2], name, instance, depth + 1)
        return UNKNOWN

    def call_result(self, path: str, v: Call) -> tuple:
        target = self.eval(path, v.callee)
        if target[0] == "class":  # Python: calling a class makes an instance
            return ("instance", target[1], target[2])
        if target[0] == "func":
            facts = self.module(target[1])
            fn = facts.functions.get(target[2]) if facts is not None else None
            for returned in (fn.returns if fn is not None else ()):
                result = self.eval(target[1], returned)
                if result != UNKNOWN and result[0] != "param":
                    return result
            return UNKNOWN
        return self.call_api(target)

    @staticmethod
    def call_api(target: tuple) -> tuple:
        result = apis.CALLS.get(target[1]) if target[0] == "api" else None
        return ("api", result) if result else UNKNOWN

    # -- parameters -------------------------------------------------------------------------
    def param(self, path: str, p: Param) -> tuple:
        """A callback's parameter takes what its caller passes; anything else stays symbolic."""
        site = self.callbacks().get((path, p.fid))
        if site is not None:
            call, arg_index = site
            callee = call.callee
            if isinstance(callee, Member) and callee.name == "getConnection" and p.index == 1 \
                    and self.eval(path, callee.base) == MYSQL_CLIENT:  # pool.getConnection((err, conn) => ...)
                return MYSQL_CLIENT
            target = self.eval(path, callee)
            if target[0] == "func":
                for inner_path, inner in self.param_calls().get((target[1], target[2], arg_index), ()):
                    if p.index < len(inner.args):
                        passed = self.eval(inner_path, inner.args[p.index])
                        if passed != UNKNOWN:
                            return passed
        return ("param", path, p.fid, p.index)

    def callbacks(self) -> dict:
        """(path, fid) of an inline function -> (the call it is passed to, argument index)."""
        if self._callbacks is None:
            index = {}
            for path, facts in list(self.modules.items()):
                for call in facts.calls:
                    for i, arg in enumerate(call.args):
                        if isinstance(arg, Func):
                            index[(path, arg.fid)] = (call, i)
            self._callbacks = index
        return self._callbacks

    def param_calls(self) -> dict:
        """(path, fid, index) -> calls that invoke that parameter, e.g. `fn(conn)` inside `tx(fn)`."""
        if self._param_calls is None:
            index: dict = {}
            for path, facts in list(self.modules.items()):
                for call in facts.calls:
                    if isinstance(call.callee, Ref):
                        for scope in call.callee.scopes:
                            bound = facts.bindings.get((scope, call.callee.name))
                            if bound is not None:
                                if isinstance(bound, Param):
                                    index.setdefault((path, bound.fid, bound.index), []).append((path, call))
                                break
            self._param_calls = index
        return self._param_calls

    def enclosing(self, path: str, fid: int) -> list[int]:
        """fid and the functions around it, innermost first."""
        facts = self.module(path)
        chain = []
        while fid and facts is not None and fid in facts.functions and fid not in chain:
            chain.append(fid)
            fid = facts.functions[fid].parent
        return chain
