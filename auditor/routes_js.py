"""JavaScript/TypeScript HTTP routes across modules: mounts composed, handlers resolved to functions.

Input: the per-module `JsRouteFacts` of `auditor.frontends.jsroutes`, keyed by project path;
`resolve(importer, spec)` names the project file an import reaches, `functions(path)` the
functions pgready sees in a file (name -> start line). An owner is an app or router created in
a module (`("owner", path, key)`), or a function parameter routes are declared on
(`("param", path, line, index)`: a Fastify plugin, `module.exports = (app) => {...}`).
Owners are walked from those no other owner mounts: `use(prefix, router)` (Express, Koa
`router.routes()`), Fastify `register(plugin, { prefix })`, `setup(app)`. Middleware follows
registration order (an Express `use` runs for the routes declared after it, path-scoped when it
has a path); Fastify hooks apply to their whole context. A route whose owner cannot be resolved is
kept with the prefix it has.
"""
from __future__ import annotations

from typing import Callable, Mapping

from auditor.facts import JsRef, JsRouteDecl, JsRouteFacts
from auditor.findings import stable_id
from auditor.frontends.jsroutes_decls import HOOKS
from auditor.model import Route

_DEPTH = 16


def join(*parts: str | None) -> str:
    out = ""
    for part in parts:
        if part and part != "/":
            out = out.rstrip("/") + "/" + part.lstrip("/")
    return out or "/"


def under(path: str, prefix: str) -> bool:
    """Express path-scoped middleware: `/api` covers `/api` and `/api/x`, not `/apix`."""
    prefix = prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


class JsComposer:
    def __init__(self, facts: dict[str, JsRouteFacts], resolve: Callable[[str, str], str | None],
                 functions: Callable[[str], Mapping[str, int]],
                 later: Callable[[str], JsRouteFacts | None] = lambda path: None):
        self.facts, self._resolve, self._functions, self._later = facts, resolve, functions, later
        self.owners = {(path, o.key): o for path, f in facts.items() for o in f.owners}
        self.events: dict[tuple, list] = {}
        self.routes: dict[str, Route] = {}
        self.visited: set[tuple] = set()
        self._specs: dict = {}
        self._funcs: dict = {}
        self._other: dict = {}

    # -- project lookups --------------------------------------------------------------------------
    def module(self, path: str) -> JsRouteFacts | None:
        """A module's facts: those given, else (a module that declares no routes) `later`'s, asked once."""
        if path in self.facts:
            return self.facts[path]
        if path not in self._other:
            self._other[path] = self._later(path)
        return self._other[path]

    def resolve(self, importer: str, spec: str) -> str | None:
        if (importer, spec) not in self._specs:
            self._specs[(importer, spec)] = self._resolve(importer, spec) if spec else None
        return self._specs[(importer, spec)]

    def funcs(self, path: str) -> tuple[Mapping[str, int], dict[int, list[str]]]:
        if path not in self._funcs:
            names = dict(self._functions(path) or {})
            lines: dict[int, list[str]] = {}
            for name, line in sorted(names.items(), key=lambda kv: (len(kv[0]), kv[0])):
                lines.setdefault(line, []).append(name)
            self._funcs[path] = names, lines
        return self._funcs[path]

    def function(self, path: str, name: str, line: int) -> tuple:
        """("fn", path, name, line), the name reconciled with what pgready calls the function at that line."""
        names, lines = self.funcs(path)
        if name in names and (not line or names[name] == line):
            return "fn", path, name, names[name]
        if line in lines:
            return "fn", path, lines[line][0], line
        return "fn", path, name, line

    def named(self, path: str, name: str) -> tuple | None:
        names, _ = self.funcs(path)
        return self.function(path, name, names[name]) if name in names else None

    # -- values across modules --------------------------------------------------------------------
    def value(self, path: str, ref: JsRef | None, depth: int = 0) -> tuple | None:
        if ref is None or depth > _DEPTH:
            return None
        kind = ref.kind
        if kind == "function":
            base = self.function(path, ref.name, ref.line)
        elif kind in ("owner", "class"):
            base = (kind, path, ref.name)
        elif kind == "param":
            base = ("param", path, ref.line, ref.index)
        elif kind == "instance":
            cls = ("class", path, ref.name) if ref.name else self.value(path, ref.callee, depth + 1)
            base = ("instance", cls[1], cls[2]) if cls is not None and cls[0] == "class" else None
        elif kind in ("object", "list", "call"):
            base = (kind, path, ref)
        elif kind == "import":
            target = self.resolve(path, ref.spec)
            base = self.export(target, ref.name, depth + 1) if target is not None else None
        else:
            base = None
        for m in ref.members:
            base = self.member(base, m, depth + 1)
        return base

    def export(self, target: str, name: str, depth: int) -> tuple | None:
        f = self.module(target)
        if f is None or depth > _DEPTH:
            return ("module", target) if name == "*" else self.named(target, name)
        exports = dict(f.exports)
        if name == "*":
            return self.value(target, exports["="], depth + 1) if "=" in exports else ("module", target)
        for candidate in ((name,) if name != "default" else ("default", "=")):
            if candidate in exports:
                return self.value(target, exports[candidate], depth + 1)
        if name == "default":
            return "module", target
        if "=" in exports:
            found = self.member(self.value(target, exports["="], depth + 1), name, depth + 1)
            if found is not None:
                return found
        for star in f.star_exports:
            other = self.resolve(target, star)
            found = self.export(other, name, depth + 1) if other is not None else None
            if found is not None:
                return found
        return self.named(target, name)

    def member(self, base: tuple | None, name: str, depth: int) -> tuple | None:
        if base is None:
            return None
        kind = base[0]
        if kind == "module":
            return self.export(base[1], name, depth + 1)
        if kind == "object":
            field = next((v for k, v in base[2].fields if k == name), None)
            return self.value(base[1], field, depth + 1) if field is not None else None
        if kind in ("class", "instance"):
            return self.named(base[1], f"{base[2]}.{name}")
        if kind == "owner" and name in ("routes", "middleware"):
            return base
        return None

    # -- what runs --------------------------------------------------------------------------------
    def factory(self, fn: tuple) -> tuple:
        """What a middleware factory call runs: the function it returns (`requireRole('admin')`)."""
        f = self.module(fn[1])
        for line, name, returned in (f.factories if f is not None else ()):
            if line == fn[3]:
                return self.function(fn[1], name, returned)
        return fn

    def expand(self, v: tuple | None, depth: int = 0) -> list[tuple]:
        """The functions (("fn", path, name, line)) a middleware or handler value runs, in order."""
        if v is None or depth > _DEPTH:
            return []
        kind = v[0]
        if kind == "fn":
            return [v]
        if kind == "list":
            return [e for item in v[2].args for e in self.expand(self.value(v[1], item), depth + 1)]
        if kind == "object":  # Fastify route options
            fields = dict(v[2].fields)
            return [e for k in (*HOOKS, "handler") if k in fields
                    for e in self.expand(self.value(v[1], fields[k]), depth + 1)]
        if kind == "call":
            callee = self.value(v[1], v[2].callee)
            out = [self.factory(callee)] if callee is not None and callee[0] == "fn" else []
            return out + [e for a in v[2].args for e in self.expand(self.value(v[1], a), depth + 1)]
        return []

    def child(self, v: tuple | None, kind: str, index: int = 0) -> tuple | None:
        """The owner a `use`, `register` or `setup(app)` item attaches."""
        if v is not None and v[0] == "module":  # `require()` of an ES module: its default export (Babel, avvio)
            v = self.export(v[1], "default", 1)
        if v is None:
            return None
        if v[0] in ("owner", "param") and kind == "use":
            return v
        if kind in ("register", "pass") and v[0] == "fn":
            return "param", v[1], v[3], index
        if kind == "register" and v[0] == "call":  # `register(fp(plugin))`
            inner = [self.value(v[1], a) for a in v[2].args]
            return next((self.child(i, kind) for i in inner if i is not None and i[0] == "fn"), None)
        return None

    # -- composition ------------------------------------------------------------------------------
    def fastify_plugin(self, v: tuple | None) -> bool:
        """`fp(plugin)` (fastify-plugin) is not encapsulated: Fastify ignores the `prefix` it is registered with."""
        if v is not None and v[0] == "module":
            v = self.export(v[1], "default", 1)
        callee = v[2].callee if v is not None and v[0] == "call" else None
        return callee is not None and callee.kind == "import" and callee.spec == "fastify-plugin"

    def items(self, path: str, refs, depth: int = 0) -> list[tuple | None]:
        """The values of `use(...)` arguments, arrays flattened (`app.use('/api', [auth, router])`)."""
        out = []
        for ref in refs:
            v = self.value(path, ref)
            if v is not None and v[0] == "list" and depth < _DEPTH:
                out += self.items(v[1], v[2].args, depth + 1)
            else:
                out.append(v)
        return out

    def owner_id(self, path: str, ref: JsRef) -> tuple:
        v = self.value(path, ref)
        if v is not None and v[0] in ("owner", "param"):
            return v
        return "unresolved", path, ref.text or ref.name

    def collect(self) -> set[tuple]:
        children = set()
        for path, f in sorted(self.facts.items()):
            for d in f.routes:
                if d.owner.kind == "next":
                    self.emit("nextjs", d.path, [], d, path)
                else:
                    self.events.setdefault(self.owner_id(path, d.owner), []).append(("route", path, d))
            for u in f.uses:
                self.events.setdefault(self.owner_id(path, u.owner), []).append((u.kind, path, u))
                for v in self.items(path, u.items):
                    found = self.child(v, u.kind, u.index)
                    if found is not None:
                        children.add(found)
        for oid, events in self.events.items():  # the owner's own module first, then registration order
            events.sort(key=lambda e: (e[1] != oid[1], e[1], e[2].order))
        return children

    def framework(self, oid: tuple, inherited: str | None, d: JsRouteDecl, path: str) -> str:
        owner = self.owners.get(oid[1:]) if oid[0] == "owner" else None
        if owner is not None:
            return owner.framework
        if d.framework or inherited:
            return d.framework or inherited
        known = [w for w in ("fastify", "koa", "express") if w in self.facts[path].frameworks]
        return known[0] if known else "fastify" if "fastify" in d.owner.text.lower() else "express"

    def walk(self, oid: tuple, base: str, inherited: list, framework: str | None, stack: tuple = ()) -> None:
        if oid in stack or len(stack) > _DEPTH:
            return
        self.visited.add(oid)
        owner = self.owners.get(oid[1:]) if oid[0] == "owner" else None
        framework = owner.framework if owner is not None else framework
        events = self.events.get(oid, [])
        active = list(inherited) + [("", self.expand(self.value(p, i))) for k, p, u in events if k == "hook" for i in u.items]
        for kind, path, ev in events:
            if kind == "route":
                found = self.framework(oid, framework, ev, path)
                self.emit(found, join(base, ev.path), [e for scope, es in active if under(ev.path, scope) for e in es], ev, path)
                continue
            for v in self.items(path, ev.items):
                child = self.child(v, ev.kind, ev.index)
                if child is None and kind == "use":
                    active.append((ev.prefix or "", self.expand(v)))
                elif child is not None:
                    mount = "" if self.fastify_plugin(v) else ev.prefix or ""
                    own = self.owners[child[1:]].prefix if child[0] == "owner" else ""
                    narrowed = [("", es) if under(mount, s) else (s[len(mount.rstrip("/")):], es)
                                for s, es in active if under(mount, s) or under(s, mount)]
                    self.walk(child, join(base, mount, own), narrowed, framework, stack + (oid,))

    def emit(self, framework: str, full: str, before: list, d: JsRouteDecl, path: str) -> None:
        chain = [self.expand(self.value(path, item)) for item in d.chain]
        last = chain[-1] if chain else []
        if last:
            handler, handler_path = last[-1][2], last[-1][1]
        else:
            handler, handler_path = (d.chain[-1].text or d.chain[-1].name) if d.chain else "", ""
        entries = tuple(dict.fromkeys((e[1], e[3]) for e in before + [e for es in chain for e in es]))
        full = full if full.startswith("/") else "/" + full
        rid = stable_id("R", framework, d.method, full, handler_path, handler)
        old = self.routes.get(rid)
        if old is None or (d.location.path, d.location.line, d.location.col) < (
                old.location.path, old.location.line, old.location.col):
            self.routes[rid] = Route(rid, d.method, full, framework, d.location, handler, handler_path, entries)

    def run(self) -> tuple[Route, ...]:
        children = self.collect()
        roots = sorted((o for o in self.events if o not in children), key=lambda o: (o[1], o[0], str(o[2:])))
        for oid in roots:
            self.walk(oid, self.owners[oid[1:]].prefix if oid[0] == "owner" else "", [], None)
        for oid in sorted(self.events, key=lambda o: (o[1], o[0], str(o[2:]))):
            if oid not in self.visited and any(e[0] == "route" for e in self.events[oid]):
                self.walk(oid, self.owners[oid[1:]].prefix if oid[0] == "owner" else "", [], None)
        return tuple(sorted(self.routes.values(), key=lambda r: (
            r.path, r.method, r.framework, r.handler, r.handler_path, r.location.path, r.location.line)))
