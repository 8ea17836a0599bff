"""JavaScript/TypeScript literals holding a site's SQL, found and re-checked with tree-sitter.

The string expression at the site's SQL location is a string, a template literal, or a `+`
concatenation of them (parentheses allowed); its literals are decoded by auditor.edit.literals.
After editing, the file is parsed again: the expression must still be there, without syntax
errors, and must read as the rewritten SQL.
"""
from __future__ import annotations

from functools import lru_cache

from auditor.edit import SEVERAL, Chain, TextEdit, TreeText, apply, mapped, render, shifted_end
from auditor.edit.literals import Literal, Operand, Style, decode
from auditor.model import Site

_LITERALS = ("string", "template_string")


class _Parsed(TreeText):
    """A tree-sitter tree of a JavaScript/TypeScript text."""

    def __init__(self, text: str, language: str):
        from auditor.frontends.javascript import _TAGGED_TYPE_ARGS, _parser

        super().__init__(text)
        data = self.data
        if language != "javascript" and b"`" in data:  # as the frontend does: type args on tagged templates
            data = _TAGGED_TYPE_ARGS.sub(lambda m: b" " * len(m.group(0)), data)
        self.root = _parser(language).parse(data).root_node


@lru_cache(maxsize=4)
def _parse(text: str, language: str) -> _Parsed:
    return _Parsed(text, language)


def site_edits(source: str, site: Site, sql_edits, verify: bool = True) -> list[TextEdit] | str:
    found = mapped(source, site, sql_edits, lambda text: _parse(text, site.language), chain_at)
    if isinstance(found, str):
        return found
    parsed, chain, (edits, expected) = found
    if not verify:
        return edits
    new_text = apply(source, edits)
    again = _Parsed(new_text, site.language)  # not cached: seen once
    if again.root.has_error and not parsed.root.has_error:
        return "the edited file would not parse; the literal was left alone"
    after = chain_at(again, chain.start, shifted_end(chain, edits))
    if isinstance(after, str) or render(new_text, after) != expected or _errors(again, after):
        return "the edited literal would not read as the rewritten SQL; it was left alone"
    return edits


def chain_at(parsed: _Parsed, start: int, end: int) -> Chain | str:
    """The string expression covering characters start..end: its literals and other operands."""
    node = parsed.root.descendant_for_byte_range(parsed.byte(start), parsed.byte(end))
    while node is not None and node.type == "parenthesized_expression":  # a chain's own span
        node = _inside(node)
    while node is not None and node.type not in _LITERALS and not _is_plus(node):
        node = node.parent
    if node is None:
        return SEVERAL
    while node.parent is not None and (node.parent.type == "parenthesized_expression" or _is_plus(node.parent)):
        node = node.parent
    items = []
    for part in _operands(node):
        if part.type in _LITERALS:
            literal = _literal(parsed, part)
            if literal is None:
                return "a literal holding the SQL has an escape sequence pgready cannot read"
            items.append(literal)
        else:
            a, b = parsed.span(part)
            items.append(Operand(a, b, parsed.text[a:b]))
    return Chain(tuple(items), *parsed.span(node))


def _is_plus(node) -> bool:
    op = node.child_by_field_name("operator") if node.type == "binary_expression" else None
    return op is not None and op.type == "+"


def _inside(node):
    """The one expression in parentheses (a comment may sit beside it), None for a sequence."""
    inner = [c for c in node.named_children if not c.is_extra]
    return inner[0] if len(inner) == 1 else None


def _operands(node) -> list:
    if node.type == "parenthesized_expression" and _inside(node) is not None:
        return _operands(_inside(node))
    if _is_plus(node):
        return _operands(node.child_by_field_name("left")) + _operands(node.child_by_field_name("right"))
    return [node]


def _literal(parsed: _Parsed, node) -> Literal | None:
    start, end = parsed.span(node)
    quote = parsed.text[start]
    tagged = node.type == "template_string" and node.parent is not None and \
        node.parent.type == "call_expression" and node.parent.child_by_field_name("arguments") == node
    slots = tuple(parsed.span(c) for c in node.children if c.type == "template_substitution")
    style = Style("js", quote, tagged=tagged)
    units = decode(parsed.text, start + 1, end - 1, style, slots)
    return None if units is None else Literal(start, end, units, style)


def _errors(parsed: _Parsed, chain: Chain) -> bool:
    node = parsed.root.descendant_for_byte_range(parsed.byte(chain.start), parsed.byte(chain.end))
    return node is not None and node.has_error
