"""Python literals holding a site's SQL, mapped with tree-sitter for the scan's check.

The scan asks, for every site the rewrite engine changes, whether its SQL can be written back
exactly (`verify=False`). That needs the mapping only, not libcst's lossless rewrite, so it is
read from a tree-sitter tree here instead of importing (~130 ms) and running libcst. The answer
must be the one auditor.edit.python gives through libcst, since `fix --write` applies what the
scan labels safe: the same expression is found (the smallest string, f-string, implicit or `+`
concatenation covering the SQL, widened through `+`, implicit concatenation and parentheses),
`%` and `.format()` are refused alike, spans leave out an expression's own parentheses as
libcst's positions do, and a file libcst would not parse is refused with libcst's reason.
tests/test_edit_python_scan_mapping.py holds the two side by side.
"""
from __future__ import annotations

from functools import lru_cache

from auditor.edit import SEVERAL, Chain, TextEdit, TreeText, mapped
from auditor.edit.literals import Literal, Operand, Style, decode
from auditor.edit.pysyntax import libcst_error, opening
from auditor.edit.python import UNPARSED
from auditor.model import Site


class _Parsed(TreeText):
    """A tree-sitter-python tree of a text."""

    def __init__(self, text: str):
        from auditor.frontends.python import _parser

        super().__init__(text)
        self.root = _parser().parse(self.data).root_node


@lru_cache(maxsize=4)
def _parse(text: str) -> _Parsed | str:
    """The tree, or libcst's refusal: `fix --write` reads the file with libcst and would refuse it."""
    parsed = _Parsed(text)
    error = libcst_error(parsed.root, parsed.data, text)
    return UNPARSED.format(error) if error else parsed


def site_edits(source: str, site: Site, sql_edits) -> list[TextEdit] | str:
    """The edits auditor.edit.python's libcst mapping gives for `verify=False`, or its reason."""
    found = mapped(source, site, sql_edits, _parse, chain_at)
    return found if isinstance(found, str) else found[2][0]


def chain_at(parsed: _Parsed, start: int, end: int) -> Chain | str:
    """The string expression covering characters start..end: its literals and other operands."""
    node = parsed.root.descendant_for_byte_range(parsed.byte(start), parsed.byte(end))
    while node is not None and not _textual(node):
        node = node.parent
    if node is None:
        return SEVERAL
    while _textual(parent := _outer(node).parent):
        node = parent
    formatting = _formatting(node)
    if formatting:
        return formatting
    items = []
    for part in _operands(node):
        if part.type == "string" and not _template(part):
            literal = _literal(parsed, part)
            if literal is None:
                return "a literal holding the SQL has an escape sequence pgready cannot read"
            items.append(literal)
        else:
            a, b = _bare_span(parsed, part)
            items.append(Operand(a, b, parsed.text[a:b]))
    return Chain(tuple(items), *parsed.span(node))


# -- the expression: what libcst calls SimpleString, FormattedString, ConcatenatedString, `+` ----
def _textual(node) -> bool:
    if node is None:
        return False
    if node.type == "binary_operator":
        return node.child_by_field_name("operator").type == "+"
    return node.type == "concatenated_string" or node.type == "string" and not _template(node)


def _template(node) -> bool:
    """A t-string (Python 3.14): libcst's TemplatedString, neither textual nor a literal there."""
    return b"t" in opening(node)[0]


def _outer(node):
    """`node` with the parentheses around it: libcst keeps them on the node itself."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _inner(node):
    """The expression inside parentheses (a comment may sit next to it)."""
    while node.type == "parenthesized_expression":
        node = next(c for c in node.named_children if not c.is_extra)
    return node


def _formatting(node) -> str:
    """Why text built with `%` or `.format()` is not edited: its fields are code, not SQL."""
    outer = _outer(node)
    parent = outer.parent
    if parent is None:
        return ""
    if parent.type == "binary_operator" and parent.child_by_field_name("operator").type == "%" \
            and parent.child_by_field_name("left") == outer:
        return "the SQL is built with % formatting; change the format string by hand"
    if parent.type == "attribute" and parent.child_by_field_name("object") == outer \
            and parent.child_by_field_name("attribute").text == b"format":
        return "the SQL is built with .format(); change the format string by hand"
    return ""


def _operands(node) -> list:
    node = _inner(node)
    if node.type == "concatenated_string":
        return [c for c in node.named_children if c.type == "string"]
    if node.type == "binary_operator" and _textual(node):
        return _operands(node.child_by_field_name("left")) + _operands(node.child_by_field_name("right"))
    return [node]


def _bare_span(parsed: _Parsed, node) -> tuple[int, int]:
    """An operand's span without its own parentheses: a tuple's or a generator's belong to the
    node in tree-sitter, to its `lpar`/`rpar` in libcst (whose span of `()` is empty, at `)`)."""
    if node.type not in ("tuple", "generator_expression") or node.children[0].type != "(":
        return parsed.span(node)
    inside = [c for c in node.children[1:-1] if not c.is_extra]
    start = (inside[0] if inside else node.children[-1]).start_byte
    end = max(start, inside[-1].end_byte if inside else start)
    return parsed.char(start), parsed.char(end)


# -- one literal ---------------------------------------------------------------------------------
def _literal(parsed: _Parsed, node) -> Literal | None:
    start, end = parsed.span(node)
    prefix, quote = opening(node)
    fstring = b"f" in prefix
    slots = tuple(parsed.span(c) for c in node.children if c.type == "interpolation") if fstring else ()
    style = Style("py", quote, raw=b"r" in prefix, fstring=fstring, binary=b"b" in prefix)
    units = decode(parsed.text, start + len(prefix) + len(quote), end - len(quote), style, slots)
    return None if units is None else Literal(start, end, units, style)
