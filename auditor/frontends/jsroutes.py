"""Per-module HTTP route facts for JavaScript/TypeScript: Express, Fastify, Koa and Next.js.

Reads an already-parsed tree-sitter tree and records, without resolving anything across
modules: the apps and routers created here (`JsOwner`), the routes declared on them or on
anything else that looks like one (`JsRouteDecl`), what attaches middleware and routers
(`JsUse`: `use`, Fastify `register`/`addHook`, `setup(app)`), the exports, and which functions
return a function (middleware factories like `requireRole('admin')`). Every reference is a
`JsRef` as far as this module knows it (a local function, an import, a parameter...);
`auditor.routes.compose_js_routes` resolves them across modules. Next.js file routes come from
`jsroutes_next`. The scanned code is never run.
"""
from __future__ import annotations

import re
from typing import Callable

from auditor.facts import JsOwner, JsRef, JsRouteDecl, JsRouteFacts, JsUse
from auditor.frontends.jsroutes_decls import DeclMixin
from auditor.frontends.jsroutes_names import CLASSES, Names, Scopes, enclosing, key
from auditor.frontends.jsroutes_next import next_routes, route_path
from auditor.frontends.jstext import decode_escape
from auditor.frontends.jsvalues import FUNCTIONS, operator, unwrap
from auditor.model import Location

_FRAMEWORKS = {"express": "express", "fastify": "fastify", "koa": "koa", "@koa/router": "koa",
               "koa-router": "koa", "next": "nextjs", "next/server": "nextjs"}


# What `may_declare_routes` looks for. An app or router is made only from a module of
# `DeclMixin.create`, and a module that imports a web framework (`plausible`) names it too; a
# route, `use`, `register`, `addHook` or `setup(app)` on anything else needs a receiver or
# parameter whose name ends like `ROUTERISH`. A module specifier the text may hide (escapes,
# concatenation, a variable or template as argument, anything unexpected after the keyword) counts
# as a framework: the search fails safe.
_FRAMEWORK_WORDS = (b"express", b"fastify", b"koa")
_ROUTERISH_WORDS = (b"app", b"router", b"server", b"fastify", b"instance", b"routes")  # ROUTERISH, in lower case
_SPEC_WORDS = (b"require", b"import", b"from")
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")  # regex \w
_NAME = _WORD | {ord("$")}  # what may continue a name
_GAP = rb"(?:\s|/\*[\s\S]*?\*/|//[^\n]*)*+"  # whitespace and comments (possessive: lookaheads see past them)
_PLAIN = rb"""(?:'[^'\\\n]*'|"[^"\\\n]*")"""  # a string literal without escapes: its text is its source
_PLAIN_CALL = _GAP + rb"\(" + _GAP + _PLAIN + _GAP + rb"[,)]"  # `('plain',` or `('plain')`
_HIDDEN_SPEC = re.compile(  # matched where one of _SPEC_WORDS starts a word
    rb"require(?![\w$])(?!" + _PLAIN_CALL + rb")"  # `require` other than `require('plain')`
    rb"|import(?=" + _GAP + rb"\()(?!" + _PLAIN_CALL + rb")"  # `import(...)` other than `import('plain')`
    rb"|(?:from|import)(?![\w$])(?!" + _GAP + rb"(?:[\w${}()\[\]*.,;:=]|" + _PLAIN + rb"))")  # `from 'a\x62'`


def may_declare_routes(source: bytes, path: str) -> bool:
    """False only when the module declares no app, router, route or `use` of any kind (its
    `JsRouteFacts` would have no owners, routes or uses): a text search, sound rather than exact."""
    if route_path(path) is not None or any(word in source for word in _FRAMEWORK_WORDS):
        return True
    return _occurs(source, _SPEC_WORDS, _hides_spec) or _occurs(source.lower(), _ROUTERISH_WORDS, _ends_name)


def _hides_spec(text: bytes, start: int, end: int) -> bool:
    """`require`, `import` or `from` as a word (not the end of a longer one) that `_HIDDEN_SPEC` matches."""
    return (start == 0 or text[start - 1] not in _WORD) and _HIDDEN_SPEC.match(text, start) is not None


def _ends_name(text: bytes, start: int, end: int) -> bool:
    """The word ends a name, as `ROUTERISH` wants (`myApp`; it ignores case, so `text` is lowered)."""
    return end == len(text) or text[end] not in _NAME


def _occurs(text: bytes, words: tuple[bytes, ...], accept) -> bool:
    """Whether `accept(text, start, end)` holds for an occurrence of one of `words` (`bytes.find`
    jumps from one to the next: quicker than a regex search trying every position)."""
    for word in words:
        start = text.find(word)
        while start >= 0:
            if accept(text, start, start + len(word)):
                return True
            start = text.find(word, start + 1)
    return False


def extract_js_route_facts(root_node, source: bytes, path: str) -> JsRouteFacts:
    """Route facts of one module; pure: reads the tree and the bytes only."""
    ex = _Extractor(source, path)
    ex.run(root_node)
    return ex.facts()


def _reader(data: bytes) -> Callable:
    """The source text of a node ("" for a field missing from a tree with syntax errors)."""
    def src(node) -> str:
        return "" if node is None else data[node.start_byte:node.end_byte].decode("utf-8", "replace")
    return src


class _Extractor(DeclMixin):
    def __init__(self, source: bytes, path: str):
        self.data, self.path, self.lines = source, path, source.splitlines()
        self.src = _reader(source)  # a plain function: a bound method kept by Names would be a cycle
        self.names = Names(self.src)
        self.scopes = Scopes(self.src)
        self.memo: dict = {}
        self.active: set = set()
        self.owners: dict[str, JsOwner] = {}
        self.routes: list[JsRouteDecl] = []
        self.uses: list[JsUse] = []
        self.exports: dict[str, tuple] = {}  # name -> (value node or ref, node declaring it)
        self.stars: list[str] = []
        self.frameworks: set[str] = set()
        self.classes: dict[str, dict[str, object]] = {}  # class name -> method name -> node
        self.calls: list = []
        self.functions: list = []

    # -- reading nodes ----------------------------------------------------------------------------
    def loc(self, node) -> Location:
        def point(p):
            line = self.lines[p[0]] if p[0] < len(self.lines) else b""
            return p[0] + 1, len(line[:p[1]].decode("utf-8", "replace")) + 1
        return Location(self.path, *point(node.start_point), *point(node.end_point))

    def unwrap(self, node):
        return unwrap(node)

    def args(self, call) -> list:
        node = call.child_by_field_name("arguments")
        return [a for a in node.named_children if a.type != "comment"] if node is not None and node.type == "arguments" else []

    def string(self, node, depth: int = 0) -> str | None:
        """The text of a string literal, a template without substitutions, a `+` of those, or a const naming one."""
        node = self.unwrap(node)
        if node is None or depth > 8:
            return None
        if node.type in ("string", "template_string"):
            if any(c.type == "template_substitution" for c in node.children):
                return None
            return "".join(self.src(c) if c.type == "string_fragment" else decode_escape(self.src(c))
                           for c in node.children if c.type in ("string_fragment", "escape_sequence"))
        if node.type == "binary_expression" and operator(node) == "+":
            a, b = self.string(node.child_by_field_name("left"), depth + 1), self.string(node.child_by_field_name("right"), depth + 1)
            return a + b if a is not None and b is not None else None
        if node.type == "identifier":
            found = self.scopes.lookup(self.src(node), node)
            if found is not None and found[0] == "value" and found[1] is not None and not found[2]:
                return self.string(found[1], depth + 1)
        return None

    def strings(self, node) -> list[str] | None:
        """A path argument: a string, or an array of strings."""
        node = self.unwrap(node)
        if node is not None and node.type == "array":
            found = [self.string(c) for c in node.named_children]
            return [s for s in found if s is not None] if found else None
        s = self.string(node)
        return None if s is None else [s]

    def field(self, obj, name: str):
        obj = self.unwrap(obj)
        for pair in (obj.named_children if obj is not None and obj.type == "object" else ()):
            if pair.type == "pair" and self.names.key_name(pair) == name:
                return pair.child_by_field_name("value")
            if pair.type in ("shorthand_property_identifier", "method_definition") and name == self.src(
                    pair.child_by_field_name("name") or pair):
                return pair
        return None

    # -- traversal --------------------------------------------------------------------------------
    def run(self, root) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if not node.named_child_count:  # a name, a number, a comment: declares and calls nothing
                continue
            self.scopes.declare(node)
            kind = node.type
            if kind == "call_expression":
                self.calls.append(node)
                self.import_spec(node)
            elif kind in FUNCTIONS:
                self.functions.append(node)
            elif kind in CLASSES:
                self.on_class(node)
            elif kind == "export_statement":
                self.on_export(node)
            elif kind == "assignment_expression":
                self.on_assign(node)
            elif kind == "import_statement":
                self.framework(self.string(node.child_by_field_name("source")) or "")
            stack.extend(reversed(node.named_children))
        for call in self.calls:
            self.on_call(call)

    def framework(self, spec: str) -> None:
        if spec in _FRAMEWORKS:
            self.frameworks.add(_FRAMEWORKS[spec])

    def import_spec(self, call) -> str | None:
        fn, args = call.child_by_field_name("function"), self.args(call)
        if (fn.type == "import" or fn.type == "identifier" and self.src(fn) == "require") and args:
            spec = self.string(args[0])
            if spec is not None:
                self.framework(spec)
            return spec
        return None

    def on_class(self, node) -> None:
        body = node.child_by_field_name("body")
        methods = {self.src(m.child_by_field_name("name")): m for m in (body.named_children if body else ())
                   if m.type == "method_definition"}
        self.classes.setdefault(self.names.class_name(node), methods)

    def on_export(self, node) -> None:
        source = node.child_by_field_name("source")
        spec = self.string(source) if source is not None else None
        declaration, value = node.child_by_field_name("declaration"), node.child_by_field_name("value")
        default = any(c.type == "default" for c in node.children)
        if declaration is not None:
            name = declaration.child_by_field_name("name")
            if name is not None:
                self.exports["default" if default else self.src(name)] = (name, node)
            for d in declaration.named_children:
                if d.type == "variable_declarator" and getattr(d.child_by_field_name("name"), "type", "") == "identifier":
                    self.exports[self.src(d.child_by_field_name("name"))] = (d.child_by_field_name("name"), node)
        elif value is not None and default:
            self.exports["default"] = (value, node)
        clause = next((c for c in node.children if c.type == "export_clause"), None)
        for s in (clause.named_children if clause is not None else ()):
            if s.type != "export_specifier":  # a comment between the braces
                continue
            name, alias = s.child_by_field_name("name"), s.child_by_field_name("alias")
            exported = self.src(alias or name).strip("'\"")
            self.exports[exported] = (JsRef("import", spec=spec, name=self.src(name), text=self.src(s)), node) if spec \
                else (name, node)
        if spec and clause is None and any(c.type == "*" for c in node.children):
            self.stars.append(spec)

    def on_assign(self, node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        text = self.src(left)
        if text == "module.exports":
            self.exports["="] = (right, node)
        elif left.type == "member_expression":
            obj = self.src(left.child_by_field_name("object"))
            if obj in ("exports", "module.exports"):
                self.exports[self.src(left.child_by_field_name("property"))] = (right, node)

    # -- references -------------------------------------------------------------------------------
    def ref(self, node, name: str = "") -> JsRef:
        node = self.unwrap(node)
        if node is None:
            return JsRef("unknown")
        k = key(node)
        if k in self.memo:
            return self.memo[k]
        if k in self.active:
            return JsRef("unknown", text=self.src(node)[:80])
        self.active.add(k)
        try:
            found = self._ref(node, name)
        except RecursionError:  # absurdly deep expressions: not worth knowing
            found = JsRef("unknown", text=self.src(node)[:80])
        finally:
            self.active.discard(k)
        self.memo[k] = found
        return found

    def _ref(self, node, name: str) -> JsRef:
        kind, text = node.type, self.src(node)[:80]
        if kind in FUNCTIONS:
            return JsRef("function", self.names.name(node), node.start_point[0] + 1, text=text)
        if kind in ("identifier", "this"):
            return self.binding(node)
        if kind in ("member_expression", "subscript_expression"):
            prop = node.child_by_field_name("property") or node.child_by_field_name("index")
            label = self.string(prop) if kind == "subscript_expression" else self.src(prop)
            return self.member(self.ref(node.child_by_field_name("object")), label, text) if label else JsRef("unknown", text=text)
        if kind == "call_expression":
            return self.call_ref(node, name, text)
        if kind == "new_expression":
            return self.create(node, self.ref(node.child_by_field_name("constructor")), name, True) or \
                self.instance(self.ref(node.child_by_field_name("constructor")), text)
        if kind == "array":
            return JsRef("list", args=tuple(self.ref(c) for c in node.named_children if c.type != "comment"), text=text)
        if kind == "object":
            fields = []
            for c in node.named_children:
                if c.type == "pair":
                    fields.append((self.names.key_name(c), self.ref(c.child_by_field_name("value"))))
                elif c.type == "shorthand_property_identifier":
                    fields.append((self.src(c), self.binding(c)))
                elif c.type == "method_definition":
                    fields.append((self.src(c.child_by_field_name("name")), self.ref(c)))
            return JsRef("object", fields=tuple(fields), text=text)
        if kind in CLASSES:
            return JsRef("class", self.names.class_name(node), node.start_point[0] + 1, text=text)
        return JsRef("unknown", text=text)

    def binding(self, node) -> JsRef:
        text = self.src(node)
        found = self.scopes.lookup(text, node) if node.type != "this" else None
        if found is None:
            return JsRef("unknown", text=text)
        if found[0] == "fn":
            return JsRef("function", self.names.name(found[1]), found[1].start_point[0] + 1, text=text)
        if found[0] == "class":
            return JsRef("class", self.names.class_name(found[1]), found[1].start_point[0] + 1, text=text)
        if found[0] == "param":
            fn = found[1]
            return JsRef("param", self.names.name(fn), fn.start_point[0] + 1, index=found[2], text=text)
        if found[0] == "import":
            self.framework(found[1])
            return JsRef("import", spec=found[1], name=found[2], text=text)
        _, init, path, bound = found
        if init is None:
            return JsRef("unknown", text=text)
        scope = enclosing(init)
        base = self.ref(init, f"{self.names.name(scope)}/{bound}" if scope is not None else bound)
        for m in path:
            base = self.member(base, m, text)
        return base

    def member(self, base: JsRef, name: str, text: str) -> JsRef:
        if base.kind == "import" and base.name == "*" and not base.members:
            return JsRef("import", spec=base.spec, name=name, text=text)
        if base.kind == "object" and not base.members:
            return next((v for k, v in base.fields if k == name), JsRef("unknown", text=text))
        if base.kind in ("class", "instance") and base.name and not base.members and base.name in self.classes:
            method = self.classes[base.name].get(name)
            if method is not None:
                return JsRef("function", self.names.name(method), method.start_point[0] + 1, text=text)
        return JsRef(base.kind, base.name, base.line, base.spec, base.members + (name,), base.index, base.callee,
                     base.args, base.fields, text)

    def instance(self, cls: JsRef, text: str) -> JsRef:
        if cls.kind == "class" and not cls.members:
            return JsRef("instance", cls.name, cls.line, text=text)
        return JsRef("instance", callee=cls, text=text)

    def call_ref(self, node, name: str, text: str) -> JsRef:
        spec = self.import_spec(node)
        if spec is not None:
            return JsRef("import", spec=spec, name="*", text=text)
        fn = self.unwrap(node.child_by_field_name("function"))
        if fn is None:
            return JsRef("unknown", text=text)
        if fn.type == "member_expression" and not self.args(node):
            prop = self.src(fn.child_by_field_name("property"))
            if prop in ("routes", "middleware"):  # Koa: `router.routes()` mounts the router
                return self.ref(fn.child_by_field_name("object"))
        callee = self.ref(fn)
        made = self.create(node, callee, name, False)
        if made is not None:
            return made
        args = tuple(self.ref(a) for a in self.args(node)
                     if self.unwrap(a) is not None and self.unwrap(a).type not in ("string", "number", "template_string"))
        return JsRef("call", callee=callee, args=args, text=text)

    def create(self, node, callee: JsRef, name: str, new: bool) -> JsRef | None:
        """An app or router made by `express()`, `express.Router()`, `Fastify()`, `new Koa()`, `new Router()`."""
        if callee.kind != "import":
            return None
        spec, what = callee.spec, (callee.name, *callee.members)
        plain = what in (("*",), ("default",))
        made = None
        if spec == "express":
            made = ("express", "app") if plain else ("express", "router") if what[-1] == "Router" else None
        elif spec == "fastify" and (plain or what in (("fastify",), ("Fastify",), ("default", "fastify"))):
            made = ("fastify", "app")
        elif spec == "koa" and (plain or what == ("Koa",)):
            made = ("koa", "app")
        elif spec in ("koa-router", "@koa/router") and (plain or what == ("Router",)):
            made = ("koa", "router")
        if made is None:
            return None
        args = self.args(node)
        prefix = ""
        if made == ("koa", "router") and args:
            prefix = self.string(self.field(args[0], "prefix")) or "" if self.field(args[0], "prefix") is not None else ""
        owner = name or f"<{node.start_point[0] + 1}:{node.start_point[1] + 1}>"
        while owner in self.owners and self.owners[owner].location != self.loc(node):
            owner += "'"
        self.owners[owner] = JsOwner(owner, made[0], made[1], prefix, self.loc(node))
        return JsRef("owner", owner, node.start_point[0] + 1, text=self.src(node)[:80])

    # -- results ----------------------------------------------------------------------------------
    def export_ref(self, value) -> JsRef:
        return value if isinstance(value, JsRef) else self.ref(value)

    def facts(self) -> JsRouteFacts:
        exports = {name: self.export_ref(v) for name, (v, _) in self.exports.items()}
        factories = []
        for fn in self.functions:
            r = self.returned(fn)
            if r is not None:
                factories.append((fn.start_point[0] + 1, r.name, r.line))
        routes = self.routes + next_routes(self.path, {n: (exports[n], self.loc(at)) for n, (_, at) in self.exports.items()})
        return JsRouteFacts(
            path=self.path, owners=tuple(self.owners.values()), routes=tuple(routes), uses=tuple(self.uses),
            exports=tuple(exports.items()), star_exports=tuple(self.stars),
            factories=tuple(dict.fromkeys(factories)), frameworks=tuple(sorted(self.frameworks)))
