"""Python frontend: one tree-sitter-python walk turns a module into `ModuleFacts`.

tree-sitter rather than `ast`: it reads every Python version (2.x files, 3.12 generics,
`match`) and keeps going past a syntax error. The scanned code is never imported or run.
Values and string pieces come from `pyvalues`; this module records declarations, calls,
`with` blocks, decorators and the driver-API uses that need no receiver knowledge.
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.facts import (
    Block, CallFact, ClassFact, Cls, Func, FunctionFact, Import, ModuleFacts, Param, Text, This,
)
from auditor.frontends.jstext import lit_text, looks_like_sql
from auditor.frontends.pyuses import ERROR_CODE, PyUsesMixin
from auditor.frontends.pyvalues import PyValueMixin, code_children
from auditor.frontends.walker import TreeWalker, syntax_diagnostic
from auditor.model import Diagnostic, DriverUse



@lru_cache(maxsize=None)
def _parser():
    import tree_sitter as ts
    import tree_sitter_python as grammar

    return ts.Parser(ts.Language(grammar.language()))


def parse_module(text: str, path: str) -> tuple[ModuleFacts, list[Diagnostic]]:
    data = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(data)
    walker = _Walker(data, text, path)
    walker.visit(tree.root_node)
    hint = " (Python 2 syntax?)" if re.search(r"^\s*print\s+[\"'\w]", text, re.MULTILINE) else ""
    diagnostics = syntax_diagnostic(tree.root_node, path, hint)
    route_facts = None
    try:
        from auditor.frontends.pyroutes import extract_route_facts

        route_facts = extract_route_facts(tree.root_node, data, path)
    except ImportError:
        pass
    return walker.facts(route_facts), diagnostics


class _Walker(TreeWalker, PyUsesMixin, PyValueMixin):
    def __init__(self, data: bytes, text: str, path: str):
        super().__init__(data, text, path)
        self.class_stack: list[int] = []
        self.functions: dict[int, FunctionFact] = {}
        self.returns: dict[int, list] = {}
        self.class_info: dict[int, dict] = {}
        self.bindings: dict[tuple[int, str], object] = {}
        self.calls: list[CallFact] = []
        self.literals: list = []
        self.uses: list[DriverUse] = []
        self.references: list = []
        self.blocks: list[Block] = []
        self.exports: dict[str, object] = {}

    def symbol(self) -> str:
        return self.functions[self.fid].name if self.fid else ""

    def facts(self, route_facts) -> ModuleFacts:
        functions = {fid: FunctionFact(f.fid, f.name, f.params, f.cid, f.parent, f.line, f.end_line,
                                       tuple(self.returns.get(fid, ())), f.decorators)
                     for fid, f in self.functions.items()}
        classes = {cid: ClassFact(cid, c["name"], tuple(sorted(c["methods"].items())), tuple(c["fields"].items()),
                                  c["super"]) for cid, c in self.class_info.items()}
        exports = {name: value for (scope, name), value in self.bindings.items() if scope == 0 and "." not in name}
        return ModuleFacts(path=self.path, language="python", functions=functions, classes=classes,
                           bindings=dict(self.bindings), exports=exports, calls=tuple(self.calls),
                           literals=tuple(self.literals), driver_uses=tuple(self.uses), lines=tuple(self.lines),
                           references=tuple(self.references), blocks=tuple(self.blocks), route_facts=route_facts)

    # -- traversal -------------------------------------------------------------------------
    def visit(self, node) -> None:
        handler = getattr(self, "on_" + node.type, None)
        if handler is None or handler(node) is not False:
            for child in node.children:
                self.visit(child)

    def bind_target(self, target, value) -> None:
        kind = target.type
        if kind == "identifier":
            self.bindings[(self.fid, self.src(target))] = value
        elif kind in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"):
            from auditor.facts import Elem

            for index, child in enumerate(c for c in target.named_children):
                self.bind_target(child, Elem(value, index))
        elif kind == "attribute":
            obj, attr = target.child_by_field_name("object"), self.src(target.child_by_field_name("attribute"))
            if obj.type == "identifier" and self.src(obj) == "self" and self.this_stack:
                self.class_info[self.this_stack[-1]]["fields"][attr] = value
            elif obj.type == "identifier":
                self.bindings[(self.fid, f"{self.src(obj)}.{attr}")] = value

    def on_import_statement(self, node):
        for name in node.children_by_field_name("name"):
            if name.type == "aliased_import":
                dotted = self.src(name.child_by_field_name("name"))
                self.bindings[(self.fid, self.src(name.child_by_field_name("alias")))] = Import(dotted, "*")
            else:
                dotted = self.src(name)
                top = dotted.split(".")[0]
                self.bindings[(self.fid, top)] = Import(top, "*")
        return False

    def on_import_from_statement(self, node):
        module = self.src(node.child_by_field_name("module_name")).replace(" ", "")
        for name in node.children_by_field_name("name"):
            if name.type == "aliased_import":
                original = self.src(name.child_by_field_name("name"))
                self.bindings[(self.fid, self.src(name.child_by_field_name("alias")))] = Import(module, original)
            else:
                self.bindings[(self.fid, self.src(name))] = Import(module, self.src(name))
        return False

    def on_assignment(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if right is None:
            return None
        value = self.value(right)
        self.bind_target(left, value)
        if left.type == "identifier" and self.directly_in_class():
            self.class_info[self.class_stack[-1]]["fields"][self.src(left)] = value  # class constant
        self.visit(right)
        if left.type != "identifier":
            self.visit(left)
        return False

    def directly_in_class(self) -> bool:
        """In a class body itself (not in one of its methods)."""
        return bool(self.class_stack) and self.class_depth == len(self.scopes)

    def on_augmented_assignment(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        if left.type == "identifier" and op is not None and self.src(op) == "+=":
            name = self.src(left)
            scope = next((s for s in self.chain if (s, name) in self.bindings), None)
            old = self.bindings.get((scope, name)) if scope is not None else None
            if isinstance(old, Text):
                self.bindings[(scope, name)] = Text(old.pieces + self.pieces(right), old.lit_id, True, old.formatted)
                for child in right.children:
                    self.visit(child)
                return False
        return None

    # -- functions and classes -------------------------------------------------------------
    def on_decorated_definition(self, node):
        definition = node.child_by_field_name("definition")
        decorators = tuple(self.value(d.named_children[0]) for d in node.children
                           if d.type == "decorator" and d.named_children)
        for d in node.children:
            if d.type == "decorator":
                self.visit(d)
        self.define(definition, decorators, start=node)
        return False

    def on_function_definition(self, node):
        self.define(node, ())
        return False

    def on_class_definition(self, node):
        self.define(node, ())
        return False

    def define(self, node, decorators, start=None) -> None:
        if node.type == "class_definition":
            self.define_class(node)
        elif node.type == "function_definition":
            self.define_function(node, decorators, start or node)

    def define_function(self, node, decorators, start) -> None:
        """A function or method; its line is that of its first decorator, if any."""
        fid = self.id_for(node)
        name = self.src(node.child_by_field_name("name"))
        cid = self.class_stack[-1] if self.directly_in_class() else 0
        qualified = f"{self.class_info[cid]['name']}.{name}" if cid else name
        params = [p for p in node.child_by_field_name("parameters").named_children
                  if p.type not in ("keyword_separator", "positional_separator", "comment")]
        is_static = any("staticmethod" in str(getattr(d, "name", "")) for d in decorators)
        self_param = params[0] if cid and params and not is_static else None
        if cid:
            self.class_info[cid]["methods"][name] = fid
        else:
            self.bindings[(self.fid, name)] = Func(fid)
        line, _ = self.point(start.start_point)
        end_line, _ = self.point(node.end_point)
        listed = [p for p in params if p is not self_param]
        self.functions[fid] = FunctionFact(fid, qualified, tuple(self.src(p) for p in listed), cid, self.fid, line,
                                           end_line, (), decorators)
        self.enter(fid)
        if self_param is not None:
            self.bindings[(fid, self.param_name(self_param))] = This(cid)
        for index, param in enumerate(listed):
            name_ = self.param_name(param)
            if name_:
                self.bindings[(fid, name_)] = Param(fid, index)
        body = node.child_by_field_name("body")
        saved_depth, self.class_depth = self.class_depth, -1
        if body is not None:
            self.visit(body)
        self.class_depth = saved_depth
        self.leave()

    class_depth = -1

    def param_name(self, param) -> str:
        if param.type == "identifier":
            return self.src(param)
        name = param.child_by_field_name("name")
        if name is not None:
            return self.src(name)
        inner = next((c for c in param.named_children if c.type == "identifier"), None)
        return self.src(inner) if inner is not None else ""

    def define_class(self, node) -> None:
        cid = self.id_for(node)
        name = self.src(node.child_by_field_name("name"))
        bases = node.child_by_field_name("superclasses")
        first = code_children(bases)[:1] if bases is not None else []
        superclass = self.value(first[0]) if first else None
        self.class_info[cid] = {"name": name, "methods": {}, "fields": {}, "super": superclass}
        self.bindings[(self.fid, name)] = Cls(cid)
        self.class_stack.append(cid)
        self.this_stack.append(cid)
        saved_depth, self.class_depth = self.class_depth, len(self.scopes)
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body)
        self.class_depth = saved_depth
        self.this_stack.pop()
        self.class_stack.pop()

    def on_return_statement(self, node):
        expr = next(iter(node.named_children), None)
        if expr is not None and self.fid:
            self.returns.setdefault(self.fid, []).append(self.value(expr))

    def on_yield(self, node):
        """A generator's yields are what `with helper() as x` binds (contextlib.contextmanager)."""
        expr = next((c for c in node.named_children if c.type != "comment"), None)
        if expr is not None and self.fid:
            self.returns.setdefault(self.fid, []).append(self.value(expr))

    def on_lambda(self, node):
        fid = self.id_for(node)
        params_node = node.child_by_field_name("parameters")
        params = [p for p in (params_node.named_children if params_node is not None else [])]
        line, _ = self.point(node.start_point)
        end_line, _ = self.point(node.end_point)
        self.functions[fid] = FunctionFact(fid, f"{self.symbol()}/<lambda>" if self.fid else "<lambda>",
                                           tuple(self.src(p) for p in params), 0, self.fid, line, end_line)
        self.enter(fid)
        for index, param in enumerate(params):
            self.bindings[(fid, self.param_name(param))] = Param(fid, index)
        body = node.child_by_field_name("body")
        if body is not None:
            self.returns.setdefault(fid, []).append(self.value(body))
            self.visit(body)
        self.leave()
        return False

    # -- calls, blocks, driver uses --------------------------------------------------------
    def on_call(self, node):
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args, kwargs = [], []
        for arg in (args_node.named_children if args_node is not None else []):
            if arg.type == "keyword_argument":
                key = self.src(arg.child_by_field_name("name"))
                val = arg.child_by_field_name("value")
                kwargs.append((key, self.value(val), self.loc(arg)))
                self.keyword_use(key, val, arg)
            elif arg.type in ("list_splat", "dictionary_splat"):
                inner = code_children(arg)
                args.append(self.value(inner[0]) if inner else None)
            elif arg.type != "comment":
                args.append(self.value(arg))
        if self.is_text_node(node):  # "...".format(...)
            self.literal_candidate(node)
        text = re.sub(r"\s+", "", self.src(fn))
        self.calls.append(CallFact(self.id_for(node), self.fid, self.value(fn), text[:80], tuple(args),
                                   self.loc(node), False, None, tuple(kwargs)))

    def on_with_statement(self, node):
        body = node.child_by_field_name("body")
        body_line = self.point(body.start_point)[0] if body is not None else node.start_point[0] + 1
        end_line = self.point(node.end_point)[0]
        clause = next((c for c in node.children if c.type == "with_clause"), None)
        for item in (clause.named_children if clause is not None else []):
            value_node = item.child_by_field_name("value")
            if value_node is None:
                continue
            target = None
            if value_node.type == "as_pattern":
                target = value_node.child_by_field_name("alias")
                value_node = value_node.named_children[0]
            value = self.value(value_node)
            self.blocks.append(Block(self.fid, value, self.loc(item), body_line, end_line))
            if target is not None and target.named_children:
                self.bind_target(target.named_children[0], value)

    def on_string(self, node):
        content = "".join(self.src(c) for c in node.children if c.type == "string_content")
        if ERROR_CODE.match(content):
            self.uses.append(DriverUse("mysql-error-code", self.loc(node), self.src(node), "high", self.symbol()))
        elif content == "django.db.backends.mysql":
            self.uses.append(DriverUse("django-mysql-backend", self.loc(node), self.src(node), "high", self.symbol()))
        self.literal_candidate(node)
        for child in node.children:
            if child.type == "interpolation":
                self.visit(child)
        return False

    def on_concatenated_string(self, node):
        self.literal_candidate(node)
        for string in node.named_children:
            for child in string.children:
                if child.type == "interpolation":
                    self.visit(child)
        return False

    def on_binary_operator(self, node):
        if self.is_text_node(node):
            self.literal_candidate(node)
            self.visit_text_children(node)
            return False
        return None

    def visit_text_children(self, node) -> None:
        for child in node.children:
            if child.type in ("string", "concatenated_string"):
                for part in child.children:
                    if part.type == "interpolation":
                        self.visit(part)
            elif child.type == "binary_operator" and self.is_text_node(child):
                self.visit_text_children(child)
            else:
                self.visit(child)

    def literal_candidate(self, node) -> None:
        parent = node.parent
        if parent is not None and (parent.type == "concatenated_string" or
                                   (parent.type == "binary_operator" and self.is_text_node(parent))):
            return
        if parent is not None and parent.type == "attribute" and parent.parent is not None \
                and parent.parent.type == "call" and self.is_text_node(parent.parent):
            return  # the receiver of "...".format(): the call is the candidate
        if parent is not None and parent.type == "expression_statement" and self.is_docstring(parent):
            return
        text = self.text_value(node)
        if text is not None and looks_like_sql(lit_text(text.pieces)):
            self.literals.append((text, self.loc(node), self.fid))

    def is_docstring(self, statement) -> bool:
        block = statement.parent
        if block is None or block.type not in ("block", "module"):
            return False
        first = next((c for c in block.named_children if c.type != "comment"), None)
        return first is not None and first.start_byte == statement.start_byte
