"""JavaScript/TypeScript expressions as symbolic values (`auditor.facts`) and string pieces.

A mixin of the tree-sitter walker: it needs the walker's positions (`point`, `src`), ids
(`id_for`), scope chain and class stack, and records nothing itself.
"""
from __future__ import annotations

from auditor.facts import Call, Cls, Elem, Func, Import, Member, New, Obj, Opaque, Piece, Ref, Text, This
from auditor.frontends.jstext import decode_escape

UNWRAP = {"parenthesized_expression", "await_expression", "as_expression", "non_null_expression",
          "satisfies_expression", "type_assertion", "spread_element"}  # `f(...args)` forwards args
_TEXT_KINDS = frozenset({"string", "template_string", "binary_expression"})
FUNCTIONS = {"function_declaration", "generator_function_declaration", "function_expression",
             "function", "arrow_function", "generator_function", "method_definition"}


def wrapped(node):
    """The expression a node of `UNWRAP` wraps (a comment may sit beside it), None if it has none."""
    children = node.named_children
    for child in (reversed(children) if node.type == "await_expression" else children):
        if not child.is_extra:
            return child
    return None


def operator(node) -> str:
    """A binary expression's operator token (`+`, `===`, `in`), "" when a syntax error left none."""
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def unwrap(node):
    """The expression inside parentheses, `await`, type assertions and spreads."""
    while node is not None and node.type in UNWRAP:
        inner = wrapped(node)
        if inner is None:
            break
        node = inner
    return node


class ValueMixin:
    def unwrap(self, node):
        return unwrap(node)

    def value(self, node):
        kind = node.type
        if kind in UNWRAP:
            node = self.unwrap(node)
            kind = node.type
        if kind == "identifier":
            return self.ref(node)
        if kind == "this":
            return This(self.this_stack[-1] if self.this_stack else 0)
        if kind == "member_expression":
            return Member(self.value(node.child_by_field_name("object")), self.src(node.child_by_field_name("property")))
        if kind == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is not None and index.type == "string":
                return Member(self.value(node.child_by_field_name("object")), self.string_value(index))
            if index is not None and index.type == "number" and index.text.isdigit():
                return Elem(self.value(node.child_by_field_name("object")), int(index.text))
            return self.opaque(node)
        if kind == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn.type == "identifier" and self.src(fn) == "require" and args is not None and args.named_children \
                    and args.named_children[0].type == "string":
                return Import(self.string_value(args.named_children[0]), "*")
            return Call(self.value(fn), self.id_for(node))
        if kind == "new_expression":
            return New(self.value(node.child_by_field_name("constructor")))
        if kind in FUNCTIONS:
            return Func(self.id_for(node))
        if kind in ("class",):
            return Cls(self.id_for(node))
        if kind == "object":
            return self.object_value(node)
        text = self.text_value(node) if kind in _TEXT_KINDS else None  # (`is_text_node` is False for any other)
        if text is not None:
            return text
        return self.opaque(node)

    def opaque(self, node) -> Opaque:
        """An expression not evaluated. Equal ones are one object (a module repeats `0`, `[]`, `null`...):
        fewer objects for the memory and the garbage collector of a scan."""
        source = self.head(node, 80)
        found = self.opaques.get(source)
        if found is None:
            found = self.opaques[source] = Opaque(source)
        return found

    def object_value(self, node) -> Obj:
        members = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                val = child.child_by_field_name("value")
                name = self.string_value(key) if key.type == "string" else self.src(key)
                members.append((name, self.value(val)))
                self.name_function(val, name)
            elif child.type == "shorthand_property_identifier":
                line, col = self.point(child.start_point)
                members.append((self.src(child), Ref(self.chain, self.src(child), line, col)))
            elif child.type == "method_definition":
                name = self.src(child.child_by_field_name("name"))
                members.append((name, Func(self.id_for(child))))
                self.pending_names[self.id_for(child)] = name
        return Obj(tuple(members))

    def is_text_node(self, node) -> bool:
        kind = node.type
        if kind in UNWRAP:
            node = self.unwrap(node)
            kind = node.type
        if kind in ("string", "template_string"):
            return True
        if kind == "binary_expression" and operator(node) == "+":
            return self.is_text_node(node.child_by_field_name("left")) or self.is_text_node(node.child_by_field_name("right"))
        return False

    def text_value(self, node) -> Text | None:
        node = self.unwrap(node)
        if not self.is_text_node(node):
            return None
        if node.type == "template_string":
            return self.template(node)
        return Text(tuple(self.pieces(node)), self.id_for(node))

    def pieces(self, node) -> tuple:
        node = self.unwrap(node)
        if node.type == "string":
            return self.string_pieces(node)
        if node.type == "template_string":
            template = self.template(node)
            return (template,) if template.dynamic else template.pieces
        if node.type == "binary_expression" and operator(node) == "+":
            return self.pieces(node.child_by_field_name("left")) + self.pieces(node.child_by_field_name("right"))
        if node.type == "identifier":
            v = self.value(node)
            return (v,)
        return (self.hole(node),)

    def hole(self, node) -> Piece:
        line, col, end_line, end_col = self.span(node)
        return Piece("hole", self.src(node), line, col, False, False, end_line, end_col)

    def literal_piece(self, child) -> Piece:
        """A string_fragment maps 1:1 onto the source; an escape sequence maps to its start."""
        line, col = self.point(child.start_point)
        exact = child.type == "string_fragment"
        raw = self.src(child)
        return Piece("lit", raw if exact else decode_escape(raw), line, col, exact)

    def string_pieces(self, node) -> tuple:
        return tuple(self.literal_piece(c) for c in node.children if c.type in ("string_fragment", "escape_sequence"))

    def template(self, node) -> Text:
        out, dynamic = [], False
        for child in node.children:
            if child.type in ("string_fragment", "escape_sequence"):
                out.append(self.literal_piece(child))
            elif child.type == "template_substitution":
                expr = next((c for c in child.named_children if c.type != "comment"), None)
                if expr is None:
                    continue
                inner = self.unwrap(expr)
                options = self.literal_options(inner)
                if inner.type == "identifier":
                    out.append(self.value(inner))
                elif options:  # `${asc ? 'ASC' : 'DESC'}`: render one; the site is dynamic all the same
                    line, col = self.point(child.start_point)
                    out.append(Piece("lit", options[0], line, col, False))
                    dynamic = True
                else:  # one value, even when it is text itself (`${`%${term}%`}` binds one parameter)
                    out.append(self.hole(child))
        return Text(tuple(out), self.id_for(node), dynamic)

    def literal_options(self, node) -> list[str] | None:
        """The strings an expression can be when all are plain literals (`c ? 'JOIN' : 'LEFT JOIN'`)."""
        node = self.unwrap(node)
        if node is None:
            return None
        if node.type == "string":
            return [self.string_value(node)]
        if node.type == "ternary_expression":
            a = self.literal_options(node.child_by_field_name("consequence"))
            b = self.literal_options(node.child_by_field_name("alternative"))
            return a + b if a is not None and b is not None else None
        return None

    def string_value(self, node) -> str:
        """The text of a string literal (what its `string_pieces` say), else the source."""
        if node is None:
            return ""
        if node.type != "string":
            return self.src(node)
        return "".join(self.src(c) if c.type == "string_fragment" else decode_escape(self.src(c))
                       for c in node.children if c.type in ("string_fragment", "escape_sequence"))
