"""Route declarations in a JavaScript/TypeScript module (a mixin of `jsroutes._Extractor`).

Which calls declare routes (`router.get(path, ...)`, `router.route(path).get(...)`, Fastify
`route({...})`), attach middleware or routers (`use`, `register`, `addHook`) or hand an app to a
setup function (`setup(app)`), and which functions return a function (middleware factories
like `requireRole('admin')`). A receiver that is not an app or router created here (a
parameter, an import, a global) counts only when its name says so (`app`, `apiRouter`,
`fastify`...) or the module imports a web framework, and a handler is passed.
"""
from __future__ import annotations

import re

from auditor.facts import JsRef, JsRouteDecl, JsUse
from auditor.frontends.jsroutes_names import CLASSES, params
from auditor.frontends.jsvalues import FUNCTIONS

VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "head": "HEAD",
         "options": "OPTIONS", "all": "ANY", "del": "DELETE"}
HOOKS = ("onRequest", "preParsing", "preValidation", "preHandler")
ROUTERISH = re.compile(r"(?i)(app|router|server|fastify|instance|routes)$")
_CHAINED = set(VERBS) | {"use"}


class DeclMixin:
    def plausible(self, receiver, ref: JsRef, items) -> bool:
        """A route on something not known to be an app or router: a parameter, an import, a global."""
        if ref.kind == "owner":
            return True
        if ref.kind not in ("param", "import", "unknown") or not items:
            return False
        name = self.src(receiver).split(".")[-1]
        return bool(ROUTERISH.search(name)) or bool(self.frameworks - {"nextjs"}) and ref.kind != "import"

    def receiver(self, obj):
        """Strip chained registrations (`app.use(a).use(b)`, `router.get(...).post(...)`); find `.route(path)`."""
        obj = self.unwrap(obj)
        while obj is not None and obj.type == "call_expression":
            fn = self.unwrap(obj.child_by_field_name("function"))
            if fn is None or fn.type != "member_expression":
                return None, None
            prop, args = self.src(fn.child_by_field_name("property")), self.args(obj)
            if prop == "route" and len(args) == 1 and self.strings(args[0]) is not None:
                return self.unwrap(fn.child_by_field_name("object")), self.strings(args[0])
            if prop not in _CHAINED:
                return None, None
            obj = self.unwrap(fn.child_by_field_name("object"))
        return (obj, None) if obj is not None and obj.type in ("identifier", "member_expression", "this") else (None, None)

    def order(self, node) -> tuple[int, int]:
        return node.start_byte, node.end_byte

    def on_call(self, node) -> None:
        fn, args = self.unwrap(node.child_by_field_name("function")), self.args(node)
        if fn is None:
            return None
        if fn.type != "member_expression":
            return self.on_pass(node, args)
        prop = self.src(fn.child_by_field_name("property"))
        recv, chained_paths = self.receiver(fn.child_by_field_name("object"))
        if recv is None:
            return None
        if prop in VERBS:
            return self.on_verb(node, recv, VERBS[prop], chained_paths, args)
        if prop == "route" and len(args) == 1 and self.unwrap(args[0]).type == "object":
            return self.on_fastify_route(node, recv, args[0])
        if prop == "use" and args:
            return self.on_use(node, recv, args)
        if prop == "register" and args:
            opts = self.field(args[1], "prefix") if len(args) > 1 else None
            return self.add_use(node, recv, "register", (self.ref(args[0]),), self.string(opts) if opts is not None else None)
        if prop == "addHook" and len(args) >= 2 and self.string(args[0]) in HOOKS:
            return self.add_use(node, recv, "hook", (self.ref(args[1]),), None)
        return self.on_pass(node, args)

    def on_pass(self, node, args) -> None:
        """`setup(app)`, `require('./routes')(app)`: the callee may declare routes on its parameter."""
        for index, a in enumerate(args):
            a = self.unwrap(a)
            if a.type == "identifier":
                r = self.ref(a)
                if r.kind == "owner" and not r.members or r.kind == "param" and ROUTERISH.search(self.src(a)):
                    self.uses.append(JsUse(r, "pass", (self.ref(node.child_by_field_name("function")),),
                                           self.loc(node), self.order(node), None, index))

    def add_use(self, node, recv, kind, items, prefix) -> None:
        owner = self.ref(recv)
        if self.plausible(recv, owner, items):
            self.uses.append(JsUse(owner, kind, tuple(items), self.loc(node), self.order(node), prefix))

    def on_use(self, node, recv, args) -> None:
        prefixes = self.strings(args[0])
        items = [a for a in (args[1:] if prefixes is not None else args) if not self.error_handler(a)]
        for prefix in (prefixes or [None]) if items else ():
            self.add_use(node, recv, "use", tuple(self.ref(a) for a in items), prefix)

    def error_handler(self, node) -> bool:
        """`(err, req, res, next) => ...` runs only when a request fails: not an entry point."""
        node = self.unwrap(node)
        return node is not None and node.type in FUNCTIONS and len(params(node)) == 4

    def on_verb(self, node, recv, method, chained_paths, args) -> None:
        paths, items = chained_paths, args
        if paths is None:
            strings = [i for i, a in enumerate(args[:2]) if self.strings(a) is not None]
            if not strings:
                return
            paths = self.strings(args[strings[-1]])  # Koa: router.get('name', '/path', ...)
            items = args[strings[-1] + 1:]
        if not items:
            return
        owner = self.ref(recv)
        if owner.kind != "owner" and not all(p.startswith(("/", "*")) for p in paths):
            return
        if not self.plausible(recv, owner, items):
            return
        chain = tuple(self.ref(a) for a in items)
        for path in paths:
            self.routes.append(JsRouteDecl(owner, method, path, chain, self.loc(node), self.order(node)))

    def on_fastify_route(self, node, recv, options) -> None:
        url = self.field(options, "url") or self.field(options, "path")
        paths, method = self.strings(url) if url is not None else None, self.field(options, "method")
        handler = self.field(options, "handler")
        if paths is None or handler is None:
            return
        methods = self.strings(method) if method is not None else None
        owner = self.ref(recv)
        chain = tuple(self.ref(v) for v in [self.field(options, h) for h in HOOKS] + [handler] if v is not None)
        if not self.plausible(recv, owner, chain):
            return
        for path in paths:
            for m in dict.fromkeys(m.upper() for m in (methods or ["ANY"])):
                self.routes.append(JsRouteDecl(owner, "ANY" if m == "*" else m, path, chain, self.loc(node),
                                               self.order(node), "fastify"))

    def returned(self, fn):
        """The function a function returns (`(role) => (req, res, next) => ...`), if it is one of this module."""
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        if body.type != "statement_block":
            r = self.ref(body)
            return r if r.kind == "function" else None
        stack = list(body.named_children)  # a return statement is a named node, under named nodes
        while stack:
            n = stack.pop()
            if n.type == "return_statement" and n.named_children:
                r = self.ref(n.named_children[0])
                if r.kind == "function" and not r.members:
                    return r
            elif n.type not in FUNCTIONS and n.type not in CLASSES:
                stack.extend(n.named_children)
        return None
