"""Function names and bindings of a JavaScript/TypeScript tree, for route extraction.

`Names` recomputes the symbol `frontends.javascript` gives each function (the declared name,
`Class.method`, `X.prototype.m` -> `X.m`, `const f = () =>` -> `f`, an object member -> its key
when the frontend evaluates the object, `export default` -> `default`, else
`<enclosing>/<anonymous>` or `<anonymous>`), from the tree alone, so route handlers can be named
as the rest of pgready names them. `Scopes` records what each name is bound to, per function.
"""
from __future__ import annotations

from auditor.frontends.jsvalues import FUNCTIONS, UNWRAP, wrapped

CLASSES = ("class_declaration", "class", "abstract_class_declaration")
_FIELDS = ("field_definition", "public_field_definition")


def key(node) -> tuple[int, int, str]:
    return node.start_byte, node.end_byte, node.type


def same(a, b) -> bool:
    return a is not None and b is not None and key(a) == key(b)


def enclosing(node, types=FUNCTIONS):
    node = node.parent
    while node is not None and node.type not in types:
        node = node.parent
    return node


def params(fn) -> list:
    """The parameter nodes of a function, in order."""
    node = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if node is None:
        return []
    return [p for p in node.named_children if p.type != "comment"] if node.type == "formal_parameters" else [node]


def param_name(p) -> str | None:
    if p.type in ("required_parameter", "optional_parameter"):
        p = p.child_by_field_name("pattern")
    if p is not None and p.type == "assignment_pattern":
        p = p.child_by_field_name("left")
    return p.text.decode("utf-8", "replace") if p is not None and p.type == "identifier" else None


class Names:
    def __init__(self, src):
        self.src = src
        self.memo: dict = {}

    def climb(self, node):
        """The outermost node that the frontend's `unwrap` reduces to `node`."""
        while node.parent is not None and node.parent.type in UNWRAP:
            p = node.parent
            inner = wrapped(p)
            if inner is None or not same(inner, node):
                break
            node = p
        return node

    def valued(self, obj) -> bool:
        """Whether the frontend evaluates this object literal (and so names its function members)."""
        top = self.climb(obj)
        p = top.parent
        if p is None:
            return False
        field = {"variable_declarator": "value", "assignment_expression": "right", "arrow_function": "body",
                 "export_statement": "value", "pair": "value", "field_definition": "value",
                 "public_field_definition": "value"}.get(p.type)
        if field is not None:
            if not same(p.child_by_field_name(field), top):
                return False
            return self.valued(p.parent) if p.type == "pair" else True
        if p.type == "arguments":
            return p.parent is not None and p.parent.type == "call_expression"
        return p.type == "return_statement" and enclosing(p) is not None

    def key_name(self, pair) -> str:
        k = pair.child_by_field_name("key")
        if k is None:
            return ""
        if k.type == "string":
            return "".join(self.src(c) for c in k.named_children if c.type in ("string_fragment", "escape_sequence"))
        return self.src(k)

    def pending(self, fn) -> str | None:
        """The name the surrounding code gives a function (`const f =`, `exports.f =`, `{ f: ... }`)."""
        top = self.climb(fn)
        p = top.parent
        if p is None:
            return None
        if p.type == "variable_declarator" and same(p.child_by_field_name("value"), top):
            return self.src(p.child_by_field_name("name"))
        if p.type == "assignment_expression" and same(p.child_by_field_name("right"), top):
            left = p.child_by_field_name("left")
            if left.type == "identifier":
                return self.src(left)
            if left.type == "member_expression" and self.src(left) != "module.exports":
                obj, prop = self.src(left.child_by_field_name("object")), self.src(left.child_by_field_name("property"))
                if obj in ("exports", "module.exports"):
                    return prop
                if obj.endswith(".prototype"):
                    return f"{obj[:-len('.prototype')]}.{prop}"
            return None
        if p.type == "pair" and same(p.child_by_field_name("value"), top):
            obj = self.climb(p.parent)
            holder = obj.parent
            if holder is not None and holder.type == "assignment_expression" and same(holder.child_by_field_name("right"), obj):
                left = self.src(holder.child_by_field_name("left"))
                if left.endswith(".prototype") and left.count(".") == 1:
                    return f"{left[:-len('.prototype')]}.{self.key_name(p)}"
            return self.key_name(p) if self.valued(p.parent) else None
        if p.type == "export_statement" and same(p.child_by_field_name("value"), top):
            return "default"
        return None

    def class_name(self, cls) -> str:
        name = cls.child_by_field_name("name")  # the frontend names no class expression after its variable
        return self.src(name) if name is not None else "<class>"

    def name(self, fn) -> str:
        k = key(fn)
        if k in self.memo:
            return self.memo[k]
        name = self.pending(fn)
        if name is None:
            own = fn.child_by_field_name("name")
            name = self.src(own) if own is not None else None
        if name is None:
            outer = enclosing(fn)
            name = f"{self.name(outer)}/<anonymous>" if outer is not None else "<anonymous>"
        if fn.type == "method_definition":
            cls = enclosing(fn, CLASSES)
            if cls is not None:
                name = f"{self.class_name(cls)}.{name}"
        self.memo[k] = name
        return name


class Scopes:
    """Bindings per function (keyed by the function node; None for the module), declarations hoisted.

    A binding is ("fn", node), ("class", node), ("param", function node, index),
    ("import", spec, name) or ("value", init node, destructured member path, binding name).
    """

    def __init__(self, src):
        self.src = src  # must accept None (a field missing from a tree with syntax errors)
        self.table: dict = {}

    def scope_of(self, node):
        outer = enclosing(node)
        return key(outer) if outer is not None else None

    def bind(self, scope, name: str, binding, replace: bool = True) -> None:
        names = self.table.setdefault(scope, {})
        if replace or name not in names or names[name][0] == "value" and names[name][1] is None:
            names[name] = binding

    def bind_pattern(self, scope, pattern, init, path: tuple = ()) -> None:
        kind = pattern.type
        if kind == "identifier":
            self.bind(scope, self.src(pattern), ("value", init, path, self.src(pattern)))
        elif kind == "object_pattern":
            for child in pattern.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    self.bind(scope, self.src(child), ("value", init, path + (self.src(child),), self.src(child)))
                elif child.type == "pair_pattern":
                    k = child.child_by_field_name("key")
                    name = self.src(k).strip("'\"")
                    self.bind_pattern(scope, child.child_by_field_name("value"), init, path + (name,))
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    self.bind_pattern(scope, left, init, path + (self.src(left),))
        elif kind == "assignment_pattern":
            self.bind_pattern(scope, pattern.child_by_field_name("left"), init, path)

    def declare(self, node) -> None:
        """Record what `node` binds, if anything (called on every node of the tree)."""
        kind = node.type
        if kind in FUNCTIONS:
            for index, p in enumerate(params(node)):
                name = param_name(p)
                if name:
                    self.bind(key(node), name, ("param", node, index))
        if kind == "variable_declarator":
            name = node.child_by_field_name("name")
            if name is not None:
                self.bind_pattern(self.scope_of(node), name, node.child_by_field_name("value"))
        elif kind in ("function_declaration", "generator_function_declaration") or kind in CLASSES and kind != "class":
            name = node.child_by_field_name("name")
            if name is not None:
                self.bind(self.scope_of(node), self.src(name), ("fn" if kind not in CLASSES else "class", node))
        elif kind == "assignment_expression":
            left = node.child_by_field_name("left")
            if left.type == "identifier":
                name, fn = self.src(left), enclosing(node)
                while fn is not None and name not in self.table.get(key(fn), {}):
                    fn = enclosing(fn)
                scope = key(fn) if fn is not None else None
                self.bind(scope, name, ("value", node.child_by_field_name("right"), (), name), replace=False)
        elif kind == "import_statement":
            self.on_import(node)

    def on_import(self, node) -> None:
        source = node.child_by_field_name("source")
        spec = "".join(self.src(c) for c in source.named_children) if source is not None else ""
        for clause in (c for c in node.children if c.type == "import_clause"):
            for part in clause.named_children:
                if part.type == "identifier":
                    self.bind(None, self.src(part), ("import", spec, "default"))
                elif part.type == "namespace_import":
                    self.bind(None, self.src(part.named_children[-1]), ("import", spec, "*"))
                elif part.type == "named_imports":
                    for s in part.named_children:
                        name = s.child_by_field_name("name")
                        alias = s.child_by_field_name("alias") or name
                        if name is not None:
                            self.bind(None, self.src(alias), ("import", spec, self.src(name).strip("'\"")))

    def lookup(self, name: str, node):
        fn = enclosing(node) if node.type not in FUNCTIONS else node
        while fn is not None:
            found = self.table.get(key(fn), {}).get(name)
            if found is not None:
                return found
            fn = enclosing(fn)
        return self.table.get(None, {}).get(name)
