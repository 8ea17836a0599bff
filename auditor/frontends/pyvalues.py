"""Python expressions as symbolic values (`auditor.facts`), and string content as pieces.

Strings keep a character-exact map to the source (escapes map to their start); f-string
`{...}`, `%` conversions and `.format()` fields become holes. A walker mixin: it needs
`point`, `src`, `id_for`, `chain`, `this_stack` and records nothing itself.
"""
from __future__ import annotations

import re

from auditor.facts import Call, Elem, Func, Member, Obj, Opaque, Piece, Seq, Text
from auditor.frontends.jstext import decode_escape

_UNWRAP = {"parenthesized_expression", "await"}
_PERCENT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def code_children(node) -> list:
    """The named children that are code: comments may sit between any two of them."""
    return [c for c in node.named_children if not c.is_extra]


class PyValueMixin:
    def unwrap(self, node):
        while node is not None and node.type in _UNWRAP:
            inner = code_children(node)
            if not inner:
                break
            node = inner[-1] if node.type == "await" else inner[0]
        return node

    def value(self, node):
        node = self.unwrap(node)
        kind = node.type
        if kind == "identifier":
            return self.ref(node)
        if kind == "attribute":
            return Member(self.value(node.child_by_field_name("object")), self.src(node.child_by_field_name("attribute")))
        if kind == "subscript":
            index = node.child_by_field_name("subscript")
            base = self.value(node.child_by_field_name("value"))
            if index is not None and index.type == "string":
                return Member(base, self.string_content(index))
            if index is not None and index.type == "integer" and self.src(index).isdigit():
                return Elem(base, int(self.src(index)))
            return Opaque(self.src(node)[:80])
        if kind == "call":
            text = self.text_value(node)
            if text is not None:
                return text
            return Call(self.value(node.child_by_field_name("function")), self.id_for(node))
        if kind == "lambda":
            return Func(self.id_for(node))
        if kind in ("list", "tuple"):
            return Seq(tuple(self.value(item) for item in code_children(node)))
        if kind == "dictionary":
            members = []
            for pair in node.named_children:
                if pair.type == "pair" and pair.child_by_field_name("key").type == "string":
                    members.append((self.string_content(pair.child_by_field_name("key")),
                                    self.value(pair.child_by_field_name("value"))))
            return Obj(tuple(members))
        text = self.text_value(node)
        if text is not None:
            return text
        return Opaque(self.src(node)[:80])

    # -- strings ---------------------------------------------------------------------------
    def is_text_node(self, node) -> bool:
        node = self.unwrap(node)
        if node.type in ("string", "concatenated_string"):
            return True
        if node.type == "binary_operator":
            op = self.src(node.child_by_field_name("operator"))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op == "%":
                return self.unwrap(left).type in ("string", "concatenated_string")
            return op == "+" and (self.is_text_node(left) or self.is_text_node(right))
        if node.type == "call":
            fn = node.child_by_field_name("function")
            return fn.type == "attribute" and self.src(fn.child_by_field_name("attribute")) == "format" \
                and self.unwrap(fn.child_by_field_name("object")).type in ("string", "concatenated_string")
        return False

    def text_value(self, node) -> Text | None:
        node = self.unwrap(node)
        if not self.is_text_node(node):
            return None
        pieces, formatted = self.pieces_of(node)
        return Text(tuple(pieces), self.id_for(node), False, formatted)

    def pieces(self, node) -> tuple:
        return tuple(self.pieces_of(node)[0])

    def pieces_of(self, node) -> tuple[list, bool]:
        node = self.unwrap(node)
        if node.type == "string":
            return self.string_pieces(node), False
        if node.type == "concatenated_string":
            return [p for s in node.named_children for p in self.string_pieces(s)], False
        if node.type == "binary_operator":
            op = self.src(node.child_by_field_name("operator"))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op == "%":
                return self.substitute(self.pieces_of(left)[0], _PERCENT, right, "%%", "%"), True
            (lp, lf), (rp, rf) = self.pieces_of(left), self.pieces_of(right)
            return lp + rp, lf or rf
        if node.type == "call" and self.is_format_call(node):  # "...".format(...)
            receiver = node.child_by_field_name("function").child_by_field_name("object")
            pieces = self.substitute(self.pieces_of(receiver)[0], _FORMAT_FIELD, node.child_by_field_name("arguments"),
                                     None, None)
            return pieces, True
        if node.type == "identifier":
            return [self.value(node)], False
        if node.type == "attribute":
            return [self.value(node)], False
        return [self.hole(node)], False

    def is_format_call(self, node) -> bool:
        """`<text>.format(...)`; any other call (`str(x)`, `quote(name)`) is a hole in the SQL."""
        fn = node.child_by_field_name("function")
        return fn is not None and fn.type == "attribute" and self.src(fn.child_by_field_name("attribute")) == "format"

    def hole(self, node) -> Piece:
        line, col = self.point(node.start_point)
        end_line, end_col = self.point(node.end_point)
        return Piece("hole", self.src(node), line, col, False, False, end_line, end_col)

    def format_arguments(self, args_node) -> tuple[list, dict]:
        """Positional and keyword argument nodes of `.format(...)` or the right side of `%`."""
        if args_node is None:
            return [], {}
        node = self.unwrap(args_node)
        if node.type == "dictionary":
            return [], {self.string_content(p.child_by_field_name("key")): p.child_by_field_name("value")
                        for p in node.named_children if p.type == "pair" and p.child_by_field_name("key").type == "string"}
        if node.type not in ("argument_list", "tuple"):
            return [node], {}
        positional = [a for a in node.named_children if a.type not in ("keyword_argument", "comment")]
        named = {self.src(a.child_by_field_name("name")): a.child_by_field_name("value")
                 for a in node.named_children if a.type == "keyword_argument"}
        return positional, named

    def literal_options(self, node) -> list[str] | None:
        """The strings an expression can be when all are literals (`"JOIN" if x else "LEFT JOIN"`)."""
        node = self.unwrap(node)
        if node is None:
            return None
        if node.type in ("string", "concatenated_string") and not any(
                c.type == "interpolation" for s in ([node] if node.type == "string" else node.named_children)
                for c in s.children):
            return [self.string_content(node) if node.type == "string"
                    else "".join(self.string_content(s) for s in node.named_children)]
        if node.type == "conditional_expression" and len(node.named_children) == 3:
            first, _, other = node.named_children
            a, b = self.literal_options(first), self.literal_options(other)
            return a + b if a is not None and b is not None else None
        return None

    def field_argument(self, token: str, positional: list, named: dict, counter: list):
        """The argument node a `%s` / `%(name)s` / `{}` / `{0}` / `{name!r}` field stands for."""
        name = token[2:token.index(")")] if token.startswith("%(") else \
            token[1:-1].split("!")[0].split(":")[0] if token.startswith("{") else ""
        if name.isdigit():
            index = int(name)
        elif name:
            return named.get(name)
        else:
            index, counter[0] = counter[0], counter[0] + 1
        return positional[index] if index < len(positional) else None

    def substitute(self, pieces: list, pattern, args_node, escaped, literal) -> list:
        """Turn `%s` / `{}` fields of literal pieces into holes standing for `args_node`; a field
        whose argument can only be known literals is rendered with the first (the SQL still parses)."""
        positional, named = self.format_arguments(args_node)
        counter = [0]
        out = []
        for piece in pieces:
            if not isinstance(piece, Piece) or piece.kind != "lit":
                out.append(piece)
                continue
            cursor = 0
            for match in pattern.finditer(piece.text):
                if match.start() > cursor:
                    out.append(_slice(piece, cursor, match.start()))
                token = match.group(0)
                if token in ("%%", "{{", "}}"):
                    out.append(Piece("lit", token[0], *_advance(piece, match.start()), False))
                else:
                    line, col = _advance(piece, match.start())
                    argument = self.field_argument(token, positional, named, counter)
                    options = self.literal_options(argument) if argument is not None else None
                    if options:
                        out.append(Piece("lit", options[0], line, col, False))
                    else:
                        source = f"{token} <- {self.src(argument if argument is not None else args_node)[:60]}" \
                            if args_node is not None else token
                        out.append(Piece("hole", source, line, col, False, False, line, col + len(token)))
                cursor = match.end()
            if cursor < len(piece.text):
                out.append(_slice(piece, cursor, len(piece.text)))
        return out

    def string_prefix(self, node) -> str:
        start = next((c for c in node.children if c.type == "string_start"), None)
        return self.src(start).lower().rstrip("'\"") if start is not None else ""

    def string_pieces(self, node) -> list:
        prefix = self.string_prefix(node)
        raw = "r" in prefix
        out = []
        for child in node.children:
            if child.type == "string_content":
                out.extend(self.content_pieces(child, raw, "f" in prefix))
            elif child.type == "interpolation":
                expr = child.named_children[0] if child.named_children else None
                if expr is not None and expr.type in ("identifier", "attribute") and \
                        not any(c.type in ("format_specifier", "type_conversion") for c in child.named_children):
                    out.append(self.value(expr))
                else:
                    out.append(self.hole(child))
        return out

    def content_pieces(self, content, raw: bool, fstring: bool) -> list:
        out, cursor = [], content.start_byte
        escapes = [] if raw else [c for c in content.children if c.type == "escape_sequence"]
        for esc in escapes + [None]:
            stop = esc.start_byte if esc is not None else content.end_byte
            if stop > cursor:
                text = self.data[cursor:stop].decode("utf-8", "replace")
                line, col = self.point(_point_at(self.data, cursor))
                exact = not (fstring and ("{{" in text or "}}" in text))
                out.append(Piece("lit", text if exact else text.replace("{{", "{").replace("}}", "}"), line, col, exact))
            if esc is not None:
                line, col = self.point(esc.start_point)
                out.append(Piece("lit", decode_escape(self.src(esc)), line, col, False))
                cursor = esc.end_byte
        return out

    def string_content(self, node) -> str:
        return "".join(p.text for p in self.string_pieces(node) if isinstance(p, Piece) and p.kind == "lit")


def _point_at(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    line_start = data.rfind(b"\n", 0, offset) + 1
    return row, offset - line_start


def _advance(piece: Piece, offset: int) -> tuple[int, int]:
    if not piece.exact:
        return piece.line, piece.col
    text = piece.text[:offset]
    newlines = text.count("\n")
    if newlines:
        return piece.line + newlines, len(text) - text.rfind("\n")
    return piece.line, piece.col + len(text)


def _slice(piece: Piece, start: int, end: int) -> Piece:
    line, col = _advance(piece, start)
    return Piece("lit", piece.text[start:end], line, col, piece.exact)
