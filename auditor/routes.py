"""Python HTTP routes across modules: mounted prefixes composed, handlers resolved to files.

Input: the per-module `PyRouteFacts` of `auditor.frontends.pyroutes`, keyed by project path.
Owners (apps, blueprints, routers, route tables) are found through project imports
(`auditor.resolve.pymodules`); mounts (`register_blueprint`, `include_router`, `add_subapp`,
`add_routes`) give each owner every prefix it is reachable with. Prefix rules follow the
frameworks: a Flask `url_prefix` given at registration replaces the blueprint's own; a FastAPI
`prefix` at `include_router` is prepended to the router's own. Django patterns are walked from
each module whose `urlpatterns` no other module includes (ROOT_URLCONF-like), through
`include()` chains. A route whose owner or prefix cannot be resolved keeps the prefix it has.
"""
from __future__ import annotations

from typing import Callable, Mapping

from auditor.facts import JsRouteFacts
from auditor.findings import stable_id
from auditor.frontends.pyroutes import HTTP_METHODS, Handler, Owner, PyRouteFacts, UrlPattern
from auditor.model import Location, Route
from auditor.resolve.pymodules import resolve

_WEB = ("flask", "fastapi", "aiohttp")


def compose_python_routes(facts: dict[str, PyRouteFacts], exists: Callable[[str], bool]) -> tuple[Route, ...]:
    """Every route of the project, sorted by (path, method, framework, handler); pure."""
    return _Composer(facts, exists).run()


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path else prefix


def _slash(path: str) -> str:
    return path if path.startswith("/") else "/" + path


class _Composer:
    def __init__(self, facts: dict[str, PyRouteFacts], exists: Callable[[str], bool]):
        self.facts, self.exists = facts, exists
        self.owners: dict[tuple[str, str], Owner] = {
            (path, o.name): o for path, f in facts.items() for o in f.owners}
        self.into: dict[tuple[str, str], list] = {}
        self.routes: dict[str, Route] = {}
        self.visited: set[tuple[str, str]] = set()  # Django (file, list name) walked

    # -- names across modules -------------------------------------------------------------------
    def locate(self, module: str, expr: str, depth: int = 0) -> tuple[str, str] | None:
        """(file, symbol) that `expr` names in `module`; symbol "" for a module; None if outside the project."""
        f = self.facts.get(module)
        if f is None or depth > 12:
            return None
        parts = expr.split(".")
        for k in range(len(parts), 0, -1):
            imp = next((i for i in reversed(f.imports) if i.local == ".".join(parts[:k])), None)
            if imp is not None:
                break
        else:
            if parts[0] in f.symbols:
                return module, expr
            for star in f.star_imports:
                target = resolve(module, star, self.exists)
                if target in self.facts and parts[0] in self.facts[target].symbols:
                    return self.locate(target, expr, depth + 1)
            return None  # not defined here: a parameter, a builtin, a dynamic name
        rest = ".".join(parts[k:])
        if imp.name:
            sep = "" if imp.module.endswith(".") else "."
            sub = resolve(module, f"{imp.module}{sep}{imp.name}", self.exists)
            if sub is not None:
                return self.member(sub, rest, depth)
            target = resolve(module, imp.module, self.exists)
            return self.locate(target, ".".join(p for p in (imp.name, rest) if p), depth + 1) if target else None
        target = resolve(module, imp.module, self.exists)
        return self.member(target, rest, depth) if target else None

    def member(self, module: str, rest: str, depth: int) -> tuple[str, str] | None:
        if not rest:
            return module, ""
        head = rest.split(".")[0]
        f = self.facts.get(module)
        if module.endswith("__init__.py") and (f is None or head not in f.symbols):
            sub = resolve(module, "." + head, self.exists)
            if sub is not None:
                return self.member(sub, rest[len(head) + 1:], depth + 1)
        return self.locate(module, rest, depth + 1)

    def owner_key(self, module: str, expr: str) -> tuple[str, str] | None:
        """The owner `expr` names; `app.router` (aiohttp, Starlette) stands for `app`."""
        where = self.locate(module, expr)
        if where is not None and where not in self.owners and expr.endswith(".router"):
            where = self.locate(module, expr[:-len(".router")])
        return where if where is not None and where in self.owners else None

    def class_methods(self, module: str, name: str, depth: int = 0) -> dict[str, tuple[str, str]]:
        """HTTP method -> (handler symbol, file) a project class defines or inherits from project bases."""
        f = self.facts.get(module)
        cls = next((c for c in f.classes if c.name == name), None) if f is not None else None
        if cls is None or depth > 8:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for base in reversed(cls.bases):
            where = self.locate(module, base)
            if where is not None and where[1]:
                found.update(self.class_methods(*where, depth + 1))
        found.update({m: (f"{name}.{m}", module) for m in cls.methods})
        return {m: found[m] for m in HTTP_METHODS if m in found}

    def handlers(self, module: str, handler: Handler | None, methods: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(method, handler symbol, handler file) for each route a declaration makes."""
        expr = handler.expr if handler is not None else ""
        where = (module, expr) if handler is not None and handler.local else (
            self.locate(module, expr) if expr else None)
        symbol, path = (where[1], where[0]) if where is not None and where[1] else (expr, "")
        if handler is None or not handler.view_class:
            return [(m, symbol, path) for m in methods]
        defined = self.class_methods(path, symbol) if path else {}
        if methods:
            return [(m, *defined.get(m.lower(), (symbol, path))) for m in methods]
        return [(m.upper(), s, p) for m, (s, p) in defined.items()] or [("ANY", symbol, path)]

    def add(self, framework: str, path: str, location: Location, found: list[tuple[str, str, str]]) -> None:
        path = _slash(path)
        for method, handler, handler_path in found:
            rid = stable_id("R", framework, method, path, handler_path, handler)
            route = Route(rid, method, path, framework, location, handler, handler_path)
            old = self.routes.get(rid)
            if old is None or (location.path, location.line, location.col) < (
                    old.location.path, old.location.line, old.location.col):
                self.routes[rid] = route

    # -- Flask, FastAPI, aiohttp ----------------------------------------------------------------
    def prefixes(self, key: tuple[str, str], seen: frozenset = frozenset()) -> list[str]:
        owner = self.owners[key]
        if key in seen:
            return []
        out: list[str] = []
        for parent, mount in self.into.get(key, ()):
            if owner.framework == "flask":
                own = mount.prefix if mount.prefix is not None else owner.prefix
            elif owner.framework == "fastapi":
                own = (mount.prefix or "") + owner.prefix
            else:
                own = mount.prefix or ""
            bases = self.prefixes(parent, seen | {key}) if parent is not None else [""]
            out += [_join(b, own) for b in bases]
        return list(dict.fromkeys(out)) or [owner.prefix]

    def guess(self, f: PyRouteFacts, decl) -> str | None:
        """Framework of a route whose owner is not found (a function parameter, `create_app()`)."""
        head = decl.owner.split(".")[0]
        imported = any(i.local.split(".")[0] == head for i in f.imports)
        if not decl.path.startswith("/") and decl.path or (imported and self.locate(f.path, decl.owner) is None):
            return None  # e.g. `@mock.patch(...)`: a library object, not a route owner
        known = [w for w in _WEB if w in f.frameworks]
        if decl.framework or len(known) == 1:
            return decl.framework or known[0]
        return "fastapi" if "{" in decl.path else "flask" if "<" in decl.path else None

    def web(self) -> None:
        for module, f in self.facts.items():
            for mount in f.mounts:
                child = self.owner_key(module, mount.child)
                if child is not None:
                    self.into.setdefault(child, []).append((self.owner_key(module, mount.parent), mount))
        for module, f in sorted(self.facts.items()):
            for decl in f.routes:
                key = self.owner_key(module, decl.owner)
                framework = self.owners[key].framework if key else self.guess(f, decl)
                if framework is None:
                    continue
                found = self.handlers(module, decl.handler, decl.methods)
                for prefix in (self.prefixes(key) if key else [""]):
                    joined = prefix + decl.path if framework == "fastapi" else _join(prefix, decl.path)
                    self.add(framework, joined, decl.location, found)

    # -- Django ---------------------------------------------------------------------------------
    def target(self, module: str, p: UrlPattern) -> tuple[str, str] | None:
        """(file, list name) an include() names."""
        if p.include_module:
            found = resolve(module, p.include_module, self.exists)
            return (found, "urlpatterns") if found else None
        where = self.locate(module, p.include_ref) if p.include_ref else None
        if where is None or where[0] not in self.facts:
            return None
        return (where[0], where[1] or "urlpatterns") if where[1] in ("", *dict(self.facts[where[0]].patterns)) else None

    def includes(self, module: str, patterns) -> list[tuple[str, str]]:
        out = []
        for p in patterns:
            out += self.includes(module, p.children) + [t for t in [self.target(module, p)] if t]
        return out

    def walk(self, module: str, patterns, prefix: str, chain: frozenset) -> None:
        for p in patterns:
            segment = p.route
            if p.regex:
                segment = segment[1:] if segment.startswith("^") else segment
                segment = segment[:-1] if segment.endswith("$") and not segment.endswith("\\$") else segment
            full = prefix + segment
            if p.children:
                self.walk(module, p.children, full, chain)
            elif p.include_module or p.include_ref:
                t = self.target(module, p)
                if t is not None and t not in chain:
                    self.visited.add(t)
                    self.walk(t[0], dict(self.facts[t[0]].patterns).get(t[1], ()), full, chain | {t})
            elif p.handler is not None and p.handler.expr:
                self.add("django", full, p.location, self.handlers(
                    module, p.handler, () if p.handler.view_class else ("ANY",)))

    def django(self) -> None:
        lists = {(m, name): pats for m, f in self.facts.items() for name, pats in f.patterns}
        included = {t for (m, _), pats in lists.items() for t in self.includes(m, pats)}
        roots = sorted(k for k in lists if k[1] == "urlpatterns" and k not in included)
        for key in roots + sorted(k for k in lists if k[1] == "urlpatterns"):
            if key not in self.visited:
                self.visited.add(key)
                self.walk(key[0], lists[key], "", frozenset({key}))

    def run(self) -> tuple[Route, ...]:
        self.web()
        self.django()
        return tuple(sorted(self.routes.values(), key=lambda r: (
            r.path, r.method, r.framework, r.handler, r.handler_path, r.location.path, r.location.line)))


def compose_js_routes(facts: dict[str, JsRouteFacts], resolve: Callable[[str, str], str | None],
                      functions: Callable[[str], Mapping[str, int]],
                      later: Callable[[str], JsRouteFacts | None] = lambda path: None) -> tuple[Route, ...]:
    """Every JavaScript/TypeScript route of the project (Express, Fastify, Koa, Next.js), sorted like
    `compose_python_routes`; pure. `resolve(importer, spec)` gives the project file an import names
    (`Project.resolve_spec`), `functions(path)` the name -> start line of the functions in a file.
    `facts` may leave out modules that declare no routes (`JsRoutesLater`): `later(path)` gives
    their facts (exports, middleware factories) when a route refers to them, None for no module.
    See `auditor.routes_js`."""
    from auditor.routes_js import JsComposer

    return JsComposer(facts, resolve, functions, later).run()
