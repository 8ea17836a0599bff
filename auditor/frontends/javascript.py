"""JavaScript/TypeScript frontend: one tree-sitter walk turns a module into `ModuleFacts`.

It records what the code *is* (bindings, imports, exports, functions, classes, calls with
symbolic argument values, SQL-looking literals, receiver-independent driver-API uses); it
never decides what is a finding. Deciding which calls send SQL needs other modules and
happens in `auditor.resolve`.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from auditor.facts import (
    CallFact, ClassFact, Cls, Elem, Func, FunctionFact, JsRoutesLater, Member, ModuleFacts, Opaque, Param, Text,
)
from auditor.frontends.jstext import lit_text, looks_like_sql
from auditor.frontends.jsmodules import ModuleMixin
from auditor.frontends.jsroutes_names import CLASSES
from auditor.frontends.jsuses import _COMPARE, ERROR_CODE, JsUsesMixin
from auditor.frontends.jsvalues import FUNCTIONS, ValueMixin, operator
from auditor.frontends.walker import TreeWalker, syntax_diagnostic
from auditor.model import Diagnostic, DriverUse, Location

@lru_cache(maxsize=None)
def _parser(language: str):
    import tree_sitter as ts

    if language == "javascript":
        import tree_sitter_javascript as grammar

        lang = grammar.language()
    else:
        import tree_sitter_typescript as grammar

        lang = grammar.language_tsx() if language == "tsx" else grammar.language_typescript()
    return ts.Parser(ts.Language(lang))


# The keyword tokens `function` and `class` are anonymous nodes with the type of a function or class
# node, so the walk, which dispatches on the type, takes them for one (the `function` of an overload
# signature becomes an anonymous function). Every other handler is for a named node type.
_KEYWORD = re.compile(rb"\b(?:function|class)\b")


def _keyword_parents(root, data: bytes) -> frozenset[int] | None:
    """Ids of the nodes with such a keyword child: the walk reads all their children, named children
    elsewhere, and finds what reading every child found. None (read every child everywhere) for a
    tree with syntax errors, which may hold zero-width MISSING keywords no text search finds."""
    if root.has_error:
        return None
    found = set()
    for match in _KEYWORD.finditer(data):
        node = root.descendant_for_byte_range(match.start(), match.end())
        if node is not None and not node.is_named and node.type in ("function", "class") and node.parent is not None:
            found.add(node.parent.id)
    return frozenset(found)


# `prisma.$queryRaw<User[]>`...``: TypeScript allows type arguments on a tagged template, the
# tree-sitter grammar does not. Blanking them (same byte length) keeps every position exact.
_TAGGED_TYPE_ARGS = re.compile(rb"(?<=[\w$])<[\w$\s.,\[\]{}|&:;?'\"]{1,200}?>(?=\s*`)")
_TAGGED_TYPE_END = re.compile(rb">\s*`")  # how every match of it ends

# How SQL text can start, after a literal's opening quote (see jstext._SQL_START): space and `(`, then
# the first letter of a statement, or what may hide one (an escape, a `${}`, a non-ASCII character)
_SQL_LEAD = re.compile(rb"[\s\x1c-\x1f(]*+[sSiIrRuUdDcCaAwWlL\\$\x80-\xff]")


def parse_module(text: str, path: str, language: str) -> tuple[ModuleFacts, list[Diagnostic]]:
    data = _source_bytes(text, language)
    tree = _parser(language).parse(data)
    walker = _Walker(data, text, path, language, _keyword_parents(tree.root_node, data))
    walker.visit(tree.root_node)
    facts = walker.facts()
    facts = replace(facts, route_facts=_route_facts(tree.root_node, data, text, facts))
    return facts, syntax_diagnostic(tree.root_node, path)


def _source_bytes(text: str, language: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    if language != "javascript" and _TAGGED_TYPE_END.search(data):  # (the full pattern is slow on generics)
        data = _TAGGED_TYPE_ARGS.sub(lambda m: b" " * len(m.group(0)), data)
    return data


def _route_facts(root, data: bytes, text: str, facts: ModuleFacts):
    """The module's `JsRouteFacts`, or a `JsRoutesLater` when it declares no routes and its text
    can be rebuilt from its lines (extracting route facts costs as much as the rest of the walk)."""
    from auditor.frontends.jsroutes import extract_js_route_facts, may_declare_routes

    later = None if may_declare_routes(data, facts.path) else _rebuilder(text, facts.lines)
    return later if later is not None else extract_js_route_facts(root, data, facts.path)


def _rebuilder(text: str, lines: tuple[str, ...]) -> JsRoutesLater | None:
    """How `text` is its lines joined, if one line ending does it."""
    for newline in ("\n", "\r\n"):
        body = newline.join(lines)
        if text == body or text == body + newline:
            return JsRoutesLater(newline, len(text) > len(body))
    return None


def route_facts(facts: ModuleFacts):
    """A module's `JsRouteFacts`; computed now (its text rebuilt and parsed again) if parsing left them for later."""
    later = facts.route_facts
    if not isinstance(later, JsRoutesLater):
        return later
    from auditor.frontends.jsroutes import extract_js_route_facts

    text = later.newline.join(facts.lines) + (later.newline if later.final_newline else "")
    data = _source_bytes(text, facts.language)
    return extract_js_route_facts(_parser(facts.language).parse(data).root_node, data, facts.path)


class _Walker(TreeWalker, ModuleMixin, JsUsesMixin, ValueMixin):
    def __init__(self, data: bytes, text: str, path: str, language: str, keyword_parents: frozenset[int] | None = None):
        super().__init__(data, text, path)
        self.language = language
        self.keyword_parents = keyword_parents
        self.classes: list[int] = []  # this_stack (TreeWalker) may also hold an ES5 constructor function
        self.prototype_owner: dict[int, int] = {}  # function id -> constructor of `X.prototype.m = function`
        self.functions: dict[int, FunctionFact] = {}
        self.function_returns: dict[int, list] = {}
        self.class_info: dict[int, dict] = {}
        self.bindings: dict[tuple[int, str], object] = {}
        self.declared: set[tuple[int, str]] = set()
        self.exports: dict[str, object] = {}
        self.module_value = None
        self.star_exports: list[str] = []
        self.calls: list[CallFact] = []
        self.literals: list = []
        self.uses: list[DriverUse] = []
        self.array_targets: dict[int, Location] = {}
        self.pending_names: dict[int, str] = {}
        self.opaques: dict[str, Opaque] = {}  # see ValueMixin.opaque

    def facts(self) -> ModuleFacts:
        functions = {fid: FunctionFact(f.fid, f.name, f.params, f.cid, f.parent, f.line, f.end_line,
                                       tuple(self.function_returns.get(fid, ())))
                     for fid, f in self.functions.items()}
        classes = {cid: ClassFact(cid, c["name"], tuple(sorted(c["methods"].items())),
                                  tuple(c["fields"].items()), c["super"])
                   for cid, c in self.class_info.items()}
        calls = tuple(c if c.call_id not in self.array_targets else
                      CallFact(c.call_id, c.fid, c.callee, c.callee_text, c.args, c.location, c.tagged,
                               self.array_targets[c.call_id]) for c in self.calls)
        return ModuleFacts(path=self.path, language=self.language, functions=functions, classes=classes,
                           bindings=dict(self.bindings), exports=dict(self.exports), module_value=self.module_value,
                           star_exports=tuple(self.star_exports), calls=calls, literals=tuple(self.literals),
                           driver_uses=tuple(self.uses), lines=tuple(self.lines))

    # -- traversal -------------------------------------------------------------------------
    def visit(self, node) -> None:
        """Run the node's handler; walk its children unless the handler returns False (it walked them itself)."""
        handler = _HANDLERS.get(node.type)
        if handler is None or handler(self, node) is not False:
            self.visit_children(node)

    def visit_children(self, node) -> None:
        parents = self.keyword_parents
        if parents is None or parents and node.id in parents:
            for child in node.children:
                self.visit(child)
            return
        for child in node.named_children:
            # Without named children a node records nothing (a name, a number, `''`, `return;`):
            # at most an empty string takes a literal id no fact refers to.
            if child.named_child_count:
                handler = _HANDLERS.get(child.type)  # `visit`, inline: it runs for most nodes
                if handler is None or handler(self, child) is not False:
                    self.visit_children(child)

    def children(self, node) -> list:
        """What a walk reads: the named children, or all where `_keyword_parents` says a keyword is."""
        parents = self.keyword_parents
        return node.children if parents is None or parents and node.id in parents else node.named_children

    def bind(self, scope: int, name: str, value) -> None:
        self.bindings[(scope, name)] = value
        self.declared.add((scope, name))

    def bind_pattern(self, pattern, value, scope: int) -> None:
        kind = pattern.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            self.bind(scope, self.src(pattern), value)
        elif kind == "object_pattern":
            for child in pattern.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    self.bind(scope, self.src(child), Member(value, self.src(child)))
                    self.result_prop(child, self.src(child))
                elif child.type == "pair_pattern":
                    key = self.src(child.child_by_field_name("key")).strip("'\"")
                    self.result_prop(child.child_by_field_name("key"), key)
                    self.bind_pattern(child.child_by_field_name("value"), Member(value, key), scope)
                elif child.type == "object_assignment_pattern":
                    self.bind_pattern(child.child_by_field_name("left"), Member(value, self.src(child.child_by_field_name("left"))), scope)
        elif kind == "array_pattern":
            for index, child in enumerate(c for c in pattern.named_children):
                self.bind_pattern(child, Elem(value, index), scope)
        elif kind == "rest_pattern" and pattern.named_children:
            self.bind_pattern(pattern.named_children[0], value, scope)
        elif kind in ("assignment_pattern", "object_assignment_pattern"):
            self.bind_pattern(pattern.child_by_field_name("left"), value, scope)
        elif kind in ("required_parameter", "optional_parameter"):
            self.bind_pattern(pattern.child_by_field_name("pattern"), value, scope)

    def symbol(self) -> str:
        return self.functions[self.fid].name if self.fid else ""

    # -- declarations ----------------------------------------------------------------------
    def on_variable_declarator(self, node):
        name, init = node.child_by_field_name("name"), node.child_by_field_name("value")
        if init is not None:
            value = self.value(init)
            if name.type == "array_pattern":
                self.mark_array_target(init, name)
            self.bind_pattern(name, value, self.fid)
            self.name_function(init, self.src(name))
        elif name.type == "identifier":
            self.declared.add((self.fid, self.src(name)))

    def mark_array_target(self, init, pattern) -> None:
        inner = self.unwrap(init)
        if inner.type == "call_expression":
            self.array_targets[self.id_for(inner)] = self.loc(pattern)

    def name_function(self, node, name: str) -> None:
        inner = self.unwrap(node)
        if inner.type in FUNCTIONS:
            self.pending_names[self.id_for(inner)] = name

    def on_assignment_expression(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        value = self.value(right)
        text = self.src(left)
        if left.type == "identifier":
            scope = next((s for s in self.chain if (s, text) in self.declared), 0)
            self.bindings[(scope, text)] = value
            self.name_function(right, text)
        elif left.type == "array_pattern":
            self.mark_array_target(right, left)
            self.bind_pattern(left, value, self.fid)
        elif text == "module.exports":
            self.module_value = value
        elif left.type == "member_expression":
            obj, prop = self.src(left.child_by_field_name("object")), self.src(left.child_by_field_name("property"))
            if obj in ("exports", "module.exports"):
                self.exports[prop] = value
                self.name_function(right, prop)
            elif obj == "this" and self.this_stack:
                self.class_entry(self.this_stack[-1])["fields"][prop] = value
            elif obj.endswith(".prototype"):
                self.prototype_method(obj[: -len(".prototype")], prop, right)
            elif prop == "prototype" and self.unwrap(right).type == "object":
                for pair in self.unwrap(right).named_children:
                    if pair.type == "pair":
                        self.prototype_method(obj, self.src(pair.child_by_field_name("key")), pair.child_by_field_name("value"))
        self.visit(right)
        if left.type != "identifier":
            self.visit(left)
        return False

    def on_augmented_assignment_expression(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op = self.src(node.child_by_field_name("operator") or node.children[1])
        if left.type == "identifier" and op == "+=":
            name = self.src(left)
            scope = next((s for s in self.chain if (s, name) in self.bindings), None)
            old = self.bindings.get((scope, name)) if scope is not None else None
            if isinstance(old, Text):
                self.bindings[(scope, name)] = Text(old.pieces + self.pieces(right), old.lit_id, True)
                self.visit_children(right)
                return False
        return None

    def class_entry(self, cid: int) -> dict:
        if cid not in self.class_info:
            fn = self.functions.get(cid)
            self.class_info[cid] = {"name": fn.name if fn else "<class>", "methods": {}, "fields": {}, "super": None}
        return self.class_info[cid]

    def prototype_method(self, owner: str, method: str, fn_node) -> None:
        """`Owner.prototype.method = function () {...}`: an ES5 class method; `this` is an Owner."""
        bound = next((self.bindings[(s, owner)] for s in self.chain if (s, owner) in self.bindings), None)
        fn_node = self.unwrap(fn_node)
        if not isinstance(bound, Func) or fn_node.type not in FUNCTIONS:
            return
        fid = self.id_for(fn_node)
        self.class_entry(bound.fid)["methods"][method] = fid
        self.prototype_owner[fid] = bound.fid
        self.pending_names[fid] = f"{self.class_entry(bound.fid)['name']}.{method}"

    # -- functions and classes -------------------------------------------------------------
    def on_function(self, node) -> bool:
        fid, kind = self.id_for(node), node.type
        name_node = node.child_by_field_name("name")
        name = self.pending_names.pop(fid, None) or (self.src(name_node) if name_node is not None else None)
        cid = self.classes[-1] if self.classes and kind == "method_definition" else 0
        if name is None:
            # no line numbers in symbols: they feed fingerprints, which must survive edits elsewhere
            name = f"{self.symbol()}/<anonymous>" if self.fid else "<anonymous>"
        if cid:
            cname = self.class_info[cid]["name"]
            self.class_info[cid]["methods"][name] = fid
            qualified = f"{cname}.{name}"
        else:
            qualified = name
        if kind in ("function_declaration", "generator_function_declaration") and name_node is not None:
            self.bind(self.fid, self.src(name_node), Func(fid))
        params_node = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        params = []
        if params_node is not None:
            plist = params_node.named_children if params_node.type == "formal_parameters" else [params_node]
            params = [p for p in plist if p.type not in ("comment",)]
        line, _ = self.point(node.start_point)
        end_line, _ = self.point(node.end_point)
        self.functions[fid] = FunctionFact(fid, qualified, tuple(self.src(p) for p in params), cid, self.fid, line, end_line)
        own_this = kind not in ("arrow_function", "method_definition")
        if own_this:
            self.this_stack.append(self.prototype_owner.get(fid, fid))  # ES5: a function can be a constructor
        self.enter(fid)
        for index, param in enumerate(params):
            self.bind_pattern(param, Param(fid, index), fid)
        body = node.child_by_field_name("body")
        if body is not None:
            if kind == "arrow_function" and body.type != "statement_block":
                self.function_returns.setdefault(fid, []).append(self.value(body))
            self.visit(body)
        self.leave()
        if own_this:
            self.this_stack.pop()
        return False

    def on_return_statement(self, node):
        expr = next((c for c in node.named_children), None)
        if expr is not None and self.fid:
            self.function_returns.setdefault(self.fid, []).append(self.value(expr))

    def on_class(self, node) -> bool:
        cid = self.id_for(node)
        name_node = node.child_by_field_name("name")
        name = self.src(name_node) if name_node is not None else self.pending_names.pop(cid, "<class>")
        heritage = next((c for c in node.children if c.type == "class_heritage"), None)
        superclass = None
        if heritage is not None and heritage.named_children:
            target = heritage.named_children[0]
            if target.type == "extends_clause":
                target = target.child_by_field_name("value") or target.named_children[0]
            superclass = self.value(target)
        self.class_info[cid] = {"name": name, "methods": {}, "fields": {}, "super": superclass}
        if name_node is not None:
            self.bind(self.fid, name, Cls(cid))
        self.classes.append(cid)
        self.this_stack.append(cid)
        body = node.child_by_field_name("body")
        for member in (body.named_children if body is not None else []):
            if member.type in ("field_definition", "public_field_definition"):
                key = member.child_by_field_name("property") or member.child_by_field_name("name")
                val = member.child_by_field_name("value")
                if key is not None and val is not None:
                    self.class_info[cid]["fields"][self.src(key)] = self.value(val)
            self.visit(member)
        self.classes.pop()
        self.this_stack.pop()
        return False

    # -- calls and driver uses -------------------------------------------------------------
    def on_call_expression(self, node):
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        tagged = args_node is not None and args_node.type == "template_string"
        if args_node is None:
            args = ()
        elif tagged:
            args = (self.template(args_node),)
        else:
            args = tuple(self.value(a) for a in args_node.named_children if a.type != "comment")
        if fn.type == "member_expression" and self.src(fn.child_by_field_name("property")) == "then":
            self.mark_then_destructuring(fn.child_by_field_name("object"), args_node)
        callee = self.value(fn)
        text = self.squeezed(self.unwrap(fn), 80)  # `await query<T>(...)` parses as (await query)<T>(...)
        self.calls.append(CallFact(self.id_for(node), self.fid, callee, text, args, self.loc(node), tagged))
        if not tagged:
            self.visit_children(node)
            return False
        for child in self.children(node):
            if child.start_byte == args_node.start_byte and child.type == args_node.type:
                self.visit_children(child)
            else:
                self.visit(child)
        return False

    def mark_then_destructuring(self, receiver, args_node) -> None:
        inner = self.unwrap(receiver)
        if inner.type != "call_expression" or args_node is None or not args_node.named_children:
            return
        callback = args_node.named_children[0]
        params = callback.child_by_field_name("parameters") if callback.type in FUNCTIONS else None
        first = params.named_children[0] if params is not None and params.named_children else None
        if first is not None and first.type in ("required_parameter",):
            first = first.child_by_field_name("pattern")
        if first is not None and first.type == "array_pattern":
            self.array_targets[self.id_for(inner)] = self.loc(first)

    def on_binary_expression(self, node):
        op = operator(node)
        if op in _COMPARE:
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            for a, b in ((left, right), (right, left)):
                if b.type == "number" and self.is_errno(a):
                    self.uses.append(DriverUse("mysql-error-code", self.loc(b), self.src(node)[:80], "high", self.symbol()))
        if op == "+" and self.is_text_node(node):
            self.literal_candidate(node)
            self.visit_inner_calls_of_text(node)
            return False

    def on_string(self, node):
        content = self.string_value(node)
        if ERROR_CODE.match(content):
            self.uses.append(DriverUse("mysql-error-code", self.loc(node), self.src(node), "high", self.symbol()))
        self.literal_candidate(node)
        return False

    def on_template_string(self, node):
        self.literal_candidate(node)

    def literal_candidate(self, node) -> None:
        if node.type != "binary_expression" and not _SQL_LEAD.match(self.data, node.start_byte + 1, node.end_byte):
            return  # (most literals: `looks_like_sql` would say no, and their text need not be built)
        parent = node.parent
        if parent is not None and (parent.type == "binary_expression" and self.is_text_node(parent)):
            return
        if parent is not None and parent.type == "arguments" and parent.parent is not None and \
                parent.parent.type == "call_expression" and self.src(parent.parent.child_by_field_name("function")) == "require":
            return
        text = self.text_value(node)
        if text is not None and looks_like_sql(lit_text(text.pieces)):
            self.literals.append((text, self.loc(node), self.fid))

    def visit_inner_calls_of_text(self, node) -> None:
        for child in self.children(node):
            if child.type == "binary_expression" and self.is_text_node(child):
                self.visit_inner_calls_of_text(child)
            elif child.type == "string":
                continue
            else:
                self.visit(child)


def _handlers() -> dict:
    """node type -> handler (`on_<type>`; `on_function` and `on_class` for every function and class type)."""
    table = {name[len("on_"):]: getattr(_Walker, name) for name in dir(_Walker) if name.startswith("on_")}
    table.update(dict.fromkeys(FUNCTIONS, _Walker.on_function))
    table.update(dict.fromkeys(CLASSES, _Walker.on_class))
    return table


_HANDLERS = _handlers()
