"""Per-module HTTP route facts for Python: Flask, FastAPI, aiohttp and Django declarations.

Reads an already-parsed tree-sitter-python tree and records, without resolving anything
across modules: the apps/blueprints/routers created here (`Owner`), the routes attached to
them (`RouteDecl`), the mounts between them (`Mount`), Django URL pattern lists, imports,
and the HTTP-method names each class defines. `auditor.routes` composes these across
modules. References to other objects stay dotted names as written (`views.order_detail`).
The scanned code is never imported or run; literals are read with `ast.literal_eval`.
"""
from __future__ import annotations

import ast
from auditor.facts import Handler, Mount, Owner, PyClass, PyImport, PyRouteFacts, RouteDecl, UrlPattern
from auditor.model import Location

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_CTORS = {"Flask": ("flask", "app"), "Quart": ("flask", "app"), "APIFlask": ("flask", "app"),
          "Blueprint": ("flask", "blueprint"), "APIBlueprint": ("flask", "blueprint"),
          "FastAPI": ("fastapi", "app"), "APIRouter": ("fastapi", "router"),
          "Application": ("aiohttp", "app"), "RouteTableDef": ("aiohttp", "table")}
_FRAMEWORK_MODULES = {"flask": "flask", "quart": "flask", "apiflask": "flask", "fastapi": "fastapi",
                      "starlette": "fastapi", "aiohttp": "aiohttp", "django": "django"}
_MOUNTS = {"register_blueprint", "include_router", "add_subapp", "add_routes", "mount"}
_AIOHTTP_ADD = {f"add_{m}": m.upper() for m in HTTP_METHODS}
_PATTERN_CALLS = {"path": False, "re_path": True, "url": True}
_TRANSPARENT = {"if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
                "finally_clause", "with_statement", "block", "module", "expression_statement",
                "decorated_definition"}
_OTHER_FRAMEWORKS = {"sanic", "tornado", "falcon", "bottle", "litestar", "pyramid", "web2py"}


def extract_route_facts(root_node, source: bytes, path: str) -> PyRouteFacts:
    """Route facts of one module; pure: reads the tree and the bytes only."""
    ex = _Extractor(source, path)
    ex.visit(root_node)
    return PyRouteFacts(
        path=path, imports=tuple(ex.imports), star_imports=tuple(ex.stars), symbols=frozenset(ex.symbols),
        classes=tuple(ex.classes), owners=tuple(ex.owners.values()), routes=tuple(ex.routes),
        mounts=tuple(ex.mounts), patterns=tuple((k, tuple(v)) for k, v in ex.patterns.items()),
        frameworks=tuple(sorted(ex.frameworks)))


def _methods(names) -> tuple[str, ...]:
    """Upper-cased HTTP methods; ("ANY",) for `*` or a value not known statically. Others are dropped."""
    known = [n.upper() for n in names if n is not None and n.lower() in HTTP_METHODS]
    return ("ANY",) if not known or None in names or "*" in names else tuple(dict.fromkeys(known))


class _Extractor:
    def __init__(self, source: bytes, path: str):
        self.data, self.path, self.lines = source, path, source.splitlines()
        self.imports: list[PyImport] = []
        self.stars: list[str] = []
        self.symbols: set[str] = set()
        self.classes: list[PyClass] = []
        self.owners: dict[str, Owner] = {}
        self.routes: list[RouteDecl] = []
        self.mounts: list[Mount] = []
        self.patterns: dict[str, list[UrlPattern]] = {}
        self.frameworks: set[str] = set()
        self.aliases: dict[str, str] = {}  # `router = app.router` -> `app.router`

    # -- reading nodes ----------------------------------------------------------------------------
    def src(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def loc(self, node) -> Location:
        def point(p):
            line = self.lines[p[0]] if p[0] < len(self.lines) else b""
            return p[0] + 1, len(line[:p[1]].decode("utf-8", "replace")) + 1
        return Location(self.path, *point(node.start_point), *point(node.end_point))

    def dotted(self, node, raw: bool = False) -> str | None:
        """`a.b.c` as text for a chain of names, else None; `r` of `r = app.router` reads as `app.router`."""
        parts = []
        while node is not None and node.type == "attribute":
            parts.append(self.src(node.child_by_field_name("attribute")))
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier":
            return None
        head = self.src(node)
        return ".".join([head if raw else self.aliases.get(head, head), *reversed(parts)])

    def string(self, node) -> str | None:
        if node is None or node.type not in ("string", "concatenated_string") or any(
                c.type == "interpolation" for s in [node, *node.children] for c in s.children):
            return None
        try:
            value = ast.literal_eval(self.src(node))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        return value if isinstance(value, str) else None

    def args(self, call):
        positional, keywords = [], {}
        arguments = call.child_by_field_name("arguments")
        for a in arguments.named_children if arguments is not None else ():
            if a.type == "keyword_argument":
                keywords[self.src(a.child_by_field_name("name"))] = a.child_by_field_name("value")
            elif a.type not in ("comment", "list_splat", "dictionary_splat"):
                positional.append(a)
        return positional, keywords

    def methods(self, node, default: tuple[str, ...]) -> tuple[str, ...]:
        if node is None:
            return default
        return _methods([self.string(i) for i in node.named_children] if node.type in ("list", "tuple", "set") else [None])

    def add_route(self, owner, methods, path, handler, node, framework="") -> None:
        self.routes.append(RouteDecl(owner, methods, path, handler, self.loc(node), framework))

    # -- traversal --------------------------------------------------------------------------------
    def visit(self, root) -> None:
        """Pre-order walk with an explicit stack (deeply nested code must not exhaust recursion)."""
        stack = [(root, "", True)]
        while stack:
            node, cls, top = stack.pop()
            kind = node.type
            if kind in ("import_statement", "import_from_statement"):
                self.on_import(node)
            elif kind == "decorated_definition":
                self.on_decorated(node, cls)
            elif kind in ("class_definition", "function_definition"):
                name_node, body = node.child_by_field_name("name"), node.child_by_field_name("body")
                name = self.src(name_node) if name_node is not None else ""
                if top and name:
                    self.symbols.add(name)
                    if kind == "class_definition":
                        self.on_class(node, name, body)
                if body is not None:
                    stack.append((body, name if kind == "class_definition" else "", False))
                continue
            elif kind in ("assignment", "augmented_assignment"):
                self.on_assign(node, top)
            elif kind == "call":
                self.on_call(node, top)
            stack.extend((c, cls, top and kind in _TRANSPARENT) for c in reversed(node.children))

    def on_import(self, node) -> None:
        module = self.src(node.child_by_field_name("module_name")) if node.type == "import_from_statement" else ""
        if any(c.type == "wildcard_import" for c in node.children):
            self.stars.append(module)
        self.frameworks.add(_FRAMEWORK_MODULES.get(module.split(".")[0], ""))
        for n in node.children_by_field_name("name"):
            alias = n.child_by_field_name("alias") if n.type == "aliased_import" else None
            name = self.src(n.child_by_field_name("name") if alias is not None else n)
            local = self.src(alias) if alias is not None else name
            self.imports.append(PyImport(local, module, name) if module else PyImport(local, name))
            self.symbols.add(local.split(".")[0])
            self.frameworks.add(_FRAMEWORK_MODULES.get(name.split(".")[0], "") if not module else "")
        self.frameworks.discard("")

    def on_class(self, node, name: str, body) -> None:
        bases = node.child_by_field_name("superclasses")
        defined = set()
        for stmt in body.named_children if body is not None else ():
            fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
            if fn is not None and fn.type == "function_definition":
                defined.add(self.src(fn.child_by_field_name("name")))
        self.classes.append(PyClass(name, tuple(m for m in HTTP_METHODS if m in defined),
                                    tuple(filter(None, map(self.dotted, bases.named_children if bases else ())))))

    def on_decorated(self, node, cls: str) -> None:
        definition = node.child_by_field_name("definition")
        name_node = definition.child_by_field_name("name") if definition is not None else None
        if name_node is None:
            return
        name = self.src(name_node)
        is_class = definition.type == "class_definition"
        handler = Handler(name if is_class or not cls else f"{cls}.{name}", is_class, True)
        for deco in (c for c in node.children if c.type == "decorator"):
            call = next((c for c in deco.named_children if c.type == "call"), None)
            func = call.child_by_field_name("function") if call is not None else None
            owner = self.dotted(func.child_by_field_name("object")) if func is not None and func.type == "attribute" else None
            if owner is None:
                continue
            verb = self.src(func.child_by_field_name("attribute"))
            pos, kw = self.args(call)
            strings = [self.string(p) for p in pos]
            route_path = strings[0] if strings else self.string(kw.get("path") or kw.get("rule"))
            if verb == "route" and len(strings) >= 2 and None not in strings[:2]:  # aiohttp route(method, path)
                self.add_route(owner, _methods([strings[0]]), strings[1], handler, deco, "aiohttp")
            elif route_path is None or (is_class and verb != "view"):
                continue
            elif verb in HTTP_METHODS:
                self.add_route(owner, (verb.upper(),), route_path, handler, deco)
            elif verb in ("route", "api_route"):
                self.add_route(owner, self.methods(kw.get("methods"), ("GET",)), route_path, handler, deco)
            elif verb == "view":
                self.add_route(owner, (), route_path, handler, deco, "aiohttp")

    def on_assign(self, node, top: bool) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "identifier" or right is None:
            return
        name = self.src(left)
        self.aliases.pop(name, None)
        if top:
            self.symbols.add(name)
        owner = self.constructed(right, name) if right.type == "call" else None
        if owner is not None:
            self.owners[name] = owner
        elif right.type == "attribute" and self.src(right.child_by_field_name("attribute")) == "router":
            self.aliases[name] = self.dotted(right) or name  # `router = app.router`, `r = users.router`
        elif top:
            self.add_list(name, right, node.type == "augmented_assignment")

    def constructed(self, call, name: str) -> Owner | None:
        callee = self.dotted(call.child_by_field_name("function"), raw=True) or ""
        framework, kind = _CTORS.get(callee.split(".")[-1], (None, None))
        origin = callee.split(".")[0]
        module = next((i.module or i.local for i in reversed(self.imports) if i.local.split(".")[0] == origin), "")
        root = module.split(".")[0]
        if framework is None or _FRAMEWORK_MODULES.get(root, framework) != framework or root in _OTHER_FRAMEWORKS or (
                kind == "app" and framework == "aiohttp" and "web" not in callee.split(".") and root != "aiohttp"):
            return None
        kw = self.args(call)[1]
        return Owner(name, framework, kind, self.string(kw.get("url_prefix" if framework == "flask" else "prefix")) or "")

    def list_items(self, node):
        """Items of `[...]`, `(...)` or of lists joined with `+` (other operands ignored); None if no list."""
        items, found, stack = [], False, [node]
        while stack:
            n = stack.pop()
            if n.type in ("list", "tuple"):
                items[:0], found = n.named_children, True  # right operands are popped first
            elif n.type == "binary_operator" and self.src(n.child_by_field_name("operator")) == "+":
                stack += [n.child_by_field_name("left"), n.child_by_field_name("right")]
        return items if found else None

    def add_list(self, name: str, right, extend: bool) -> None:
        """A module-level list of Django patterns, or of aiohttp `web.get(...)` route definitions."""
        items = self.list_items(right)
        if items is None:
            return
        patterns = list(filter(None, map(self.pattern, items)))
        if patterns or name == "urlpatterns" or (extend and name in self.patterns):
            self.patterns[name] = (self.patterns.get(name, []) if extend else []) + patterns
        if self.web_routes(name, items) and name not in self.owners:
            self.owners[name] = Owner(name, "aiohttp", "table")

    def aiohttp_route(self, owner: str, verb: str, pos, kw, node) -> bool:
        """`web.get(path, handler)`, `router.add_get(...)`, `add_route(method, path, handler)`, `add_view`."""
        methods = () if verb in ("view", "add_view") else (_AIOHTTP_ADD.get(verb) or verb.upper(),)
        if verb in ("route", "add_route"):
            if len(pos) < 3:
                return False
            methods, pos = _methods([self.string(pos[0])]), pos[1:]
        route_path = self.string(pos[0]) if pos else None
        target = pos[1] if len(pos) > 1 else kw.get("handler")
        if route_path is None or target is None:
            return False
        handler = self.handler(target)
        self.add_route(owner, methods, route_path, Handler(handler.expr, not methods), node, "aiohttp")
        return True

    def web_routes(self, owner: str, items) -> bool:
        found = False
        for call in (e for e in items if e.type == "call"):
            callee = self.dotted(call.child_by_field_name("function")) or ""
            verb = callee.rsplit(".", 1)[-1]
            if callee.endswith("web." + verb) and verb in (*HTTP_METHODS, "route", "view"):
                found = self.aiohttp_route(owner, verb, *self.args(call), call) or found
        return found

    def handler(self, node) -> Handler:
        """A view as written: `views.f`, `OrderView.as_view()`, `login_required(views.f)`."""
        while node is not None and node.type == "call":
            func = node.child_by_field_name("function")
            if func.type == "attribute" and self.src(func.child_by_field_name("attribute")) == "as_view":
                return Handler(self.dotted(func.child_by_field_name("object")) or "", True)
            node = (self.args(node)[0] or [None])[0]
        return Handler(self.dotted(node) or "")

    def pattern(self, call) -> UrlPattern | None:
        func = call.child_by_field_name("function") if call.type == "call" else None
        name = (self.dotted(func) or "").rsplit(".", 1)[-1]
        if name not in _PATTERN_CALLS:
            return None
        pos, kw = self.args(call)
        route = self.string(pos[0] if pos else kw.get("route"))
        view = pos[1] if len(pos) > 1 else kw.get("view")
        if route is None or view is None:
            return None
        where, regex = self.loc(call), _PATTERN_CALLS[name]
        inner = view.child_by_field_name("function") if view.type == "call" else None
        if (self.dotted(inner) or "").rsplit(".", 1)[-1] != "include":
            if (self.dotted(view) or "").endswith(".urls"):  # `admin.site.urls`, `router.urls`: an URLconf
                return UrlPattern(route, regex, where, include_ref=self.dotted(view))
            return UrlPattern(route, regex, where, handler=self.handler(view))
        target = (self.args(view)[0] or [None])[0]
        if target is not None and target.type == "tuple" and target.named_children:
            target = target.named_children[0]  # include((patterns, 'app_name'))
        if target is None:
            return None
        if self.string(target) is not None:
            return UrlPattern(route, regex, where, include_module=self.string(target))
        if target.type == "list":
            return UrlPattern(route, regex, where, children=tuple(filter(None, map(self.pattern, target.named_children))))
        return UrlPattern(route, regex, where, include_ref=self.dotted(target) or "")

    def on_call(self, node, top: bool) -> None:
        func = node.child_by_field_name("function")
        target = self.dotted(func.child_by_field_name("object")) if func is not None and func.type == "attribute" else None
        if target is None:
            return
        verb, (pos, kw) = self.src(func.child_by_field_name("attribute")), self.args(node)
        if verb in ("append", "extend") and top and target in self.patterns and pos:
            items = [pos[0]] if verb == "append" else (self.list_items(pos[0]) or [])
            self.patterns[target] += filter(None, map(self.pattern, items))
        elif verb == "add_url_rule" and pos and self.string(pos[0]) is not None:
            view = pos[2] if len(pos) > 2 else kw.get("view_func")
            handler = self.handler(view) if view is not None else Handler("")
            methods = self.methods(kw.get("methods"), () if handler.view_class else ("GET",))
            self.add_route(target, methods, self.string(pos[0]), handler, node, "flask")
        elif verb in _AIOHTTP_ADD or verb in ("add_route", "add_view"):
            self.aiohttp_route(target, verb, pos, kw, node)
        elif verb in _MOUNTS and pos:
            if verb == "add_routes" and self.list_items(pos[0]) is not None:
                self.web_routes(target, self.list_items(pos[0]))
                return
            child, prefix = pos[0], None
            if verb in ("add_subapp", "mount") and len(pos) > 1:
                prefix, child = self.string(pos[0]), pos[1]
            elif verb in ("register_blueprint", "include_router"):
                given = kw.get("url_prefix" if verb == "register_blueprint" else "prefix")
                prefix = self.string(given) if given is not None else None
            if self.dotted(child):
                self.mounts.append(Mount(target, self.dotted(child), prefix, self.loc(node)))
