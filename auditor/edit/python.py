"""Python literals holding a site's SQL, edited through libcst.

libcst keeps every byte of a module (quotes, prefixes, f-string fields, comments), which is why
it is used here although analysis runs on tree-sitter. The string expression at the site's SQL
location is a string, an f-string, an implicit concatenation or a `+` concatenation (parentheses
allowed). Its literals are decoded by auditor.edit.literals; each edited literal is parsed again
by libcst and must be one string of the same kind; the new nodes are swapped into the module, whose
code must then equal the original text with exactly those raw edits (so everything outside the
literals is provably unchanged). Last, the new literals are decoded from their own nodes and must
read as the rewritten SQL.

The scan's check (`verify=False`) needs the mapping only; auditor.edit.pytree gives the same answer
from tree-sitter, so a scan never imports libcst (~130 ms) nor parses with it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.edit import SEVERAL, Chain, TextEdit, apply, mapped, render, shifted_end
from auditor.edit.literals import Literal, Operand, Style, decode
from auditor.model import Site


class _Parsed:
    """A libcst module with the positions and parents of its nodes, as character offsets."""

    def __init__(self, text: str):
        import libcst as cst
        import libcst.metadata as md

        module = cst.parse_module(text)
        if module.code != text:
            raise ValueError("libcst does not round-trip this file")
        wrapper = md.MetadataWrapper(module, unsafe_skip_copy=True)
        self.module, self.text = module, text
        # line starts as libcst counts lines (\r\n, \r or \n), plus where a line after the last
        # one would start: libcst ends a module without a final newline there
        lines = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
        if lines[-1] != len(text):
            lines.append(len(text))
        self.spans = {node: (lines[r.start.line - 1] + r.start.column, lines[r.end.line - 1] + r.end.column)
                      for node, r in wrapper.resolve(md.PositionProvider).items()}
        # parents of the operands that matter here (concatenations, `%`, `.format`): cheaper than
        # libcst's ParentNodeProvider, which visits the whole module
        self.parents = {}
        for node in self.spans:
            if isinstance(node, (cst.BinaryOperation, cst.ConcatenatedString)):
                self.parents[node.left] = self.parents[node.right] = node
            elif isinstance(node, cst.Attribute):
                self.parents[node.value] = node


@lru_cache(maxsize=1)
def _empty():
    import libcst as cst

    return cst.Module(body=[])


def _code(node) -> str:
    """A node's own source text, without the parentheses around it (libcst is lossless)."""
    return _empty().code_for_node(node.with_changes(lpar=(), rpar=()) if hasattr(node, "lpar") else node)


UNPARSED = "libcst cannot parse this file ({}), so it is not edited"


@lru_cache(maxsize=4)
def _parse(text: str) -> _Parsed | str:
    try:
        return _Parsed(text)
    except Exception as error:  # noqa: BLE001 - libcst raises several error types for code it cannot read
        return UNPARSED.format(type(error).__name__)


def site_edits(source: str, site: Site, sql_edits, verify: bool = True) -> list[TextEdit] | str:
    if not verify:
        from auditor.edit.pytree import site_edits as mapped

        return mapped(source, site, sql_edits)
    return libcst_edits(source, site, sql_edits)


def libcst_edits(source: str, site: Site, sql_edits, verify: bool = True) -> list[TextEdit] | str:
    """The edits through libcst, verified; `verify=False` stops after the mapping, which is what
    auditor.edit.pytree must equal (tests/test_edit_python_scan_mapping.py holds them side by side)."""
    found = mapped(source, site, sql_edits, _parse, chain_at)
    if isinstance(found, str):
        return found
    parsed, (chain, nodes), (edits, expected) = found
    if not verify:
        return edits
    new_nodes = _rewritten_nodes(parsed, chain, nodes, edits)
    if isinstance(new_nodes, str):
        return new_nodes
    new_text = _swap(parsed, dict(zip(nodes, new_nodes)))
    if new_text != apply(source, edits):
        return "libcst did not produce the planned edit; the literal was left alone"
    after = _chain_after(new_text, chain, new_nodes, edits)
    if after is None or render(new_text, after) != expected:
        return "the edited literal would not read as the rewritten SQL; it was left alone"
    return edits


def chain_at(parsed: _Parsed, start: int, end: int):
    """(Chain, libcst node per chain item) of the string expression covering start..end."""
    import libcst as cst

    covering = [(b - a, node) for node, (a, b) in parsed.spans.items()
                if a <= start and end <= b and _textual(node)]
    if not covering:
        return SEVERAL
    node = min(covering, key=lambda c: c[0])[1]
    while _textual(parent := parsed.parents.get(node)):
        node = parent
    formatting = _formatting(parsed, node)
    if formatting:
        return formatting
    items, nodes = [], []
    for part in _operands(node):
        if isinstance(part, (cst.SimpleString, cst.FormattedString)):
            literal = _literal(parsed, part)
            if literal is None:
                return "a literal holding the SQL has an escape sequence pgready cannot read"
            items.append(literal)
        else:
            a, b = parsed.spans[part]
            items.append(Operand(a, b, parsed.text[a:b]))
        nodes.append(part)
    return Chain(tuple(items), *parsed.spans[node]), nodes


def _textual(node) -> bool:
    import libcst as cst

    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, cst.Add)
    return isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))


def _formatting(parsed: _Parsed, node) -> str:
    """Why text built with `%` or `.format()` is not edited: its fields are code, not SQL."""
    import libcst as cst

    parent = parsed.parents.get(node)
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo) and parent.left is node:
        return "the SQL is built with % formatting; change the format string by hand"
    if isinstance(parent, cst.Attribute) and parent.attr.value == "format":
        return "the SQL is built with .format(); change the format string by hand"
    return ""


def _operands(node) -> list:
    import libcst as cst

    if isinstance(node, cst.ConcatenatedString):
        return _operands(node.left) + _operands(node.right)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _operands(node.left) + _operands(node.right)
    return [node]


def _literal(parsed: _Parsed, node) -> Literal | None:
    start, end = parsed.spans[node]
    if parsed.text[start:end] != _code(node):
        return None
    return _decoded(node, parsed.text, start)


def _decoded(node, text: str, start: int) -> Literal | None:
    """The literal `node`, whose token starts at `start` in `text`, as units."""
    import libcst as cst

    token = _code(node)
    end = start + len(token)
    if isinstance(node, cst.SimpleString):
        prefix, quote, slots = node.prefix.lower(), node.quote, ()
    else:
        prefix, quote = node.start[:len(node.start) - len(node.end)].lower(), node.end
        slots = _field_spans(node, start + len(node.start))
    style = Style("py", quote, raw="r" in prefix, fstring="f" in prefix, binary="b" in prefix)
    units = decode(text, start + len(prefix) + len(quote), end - len(quote), style, slots)
    return None if units is None else Literal(start, end, units, style)


def _field_spans(node, offset: int) -> tuple[tuple[int, int], ...]:
    """Raw ranges of an f-string's `{...}` fields, from its parts' own lossless code."""
    import libcst as cst

    spans = []
    for part in node.parts:
        size = len(part.value) if isinstance(part, cst.FormattedStringText) else len(_code(part))
        if isinstance(part, cst.FormattedStringExpression):
            spans.append((offset, offset + size))
        offset += size
    return tuple(spans)


def _rewritten_nodes(parsed: _Parsed, chain: Chain, nodes: list, edits: list[TextEdit]) -> list | str:
    """Per chain item its node after the edits: a literal re-parsed from its edited token (which
    must be one string literal of the same kind), else the node itself."""
    import libcst as cst

    out = []
    for item, node in zip(chain.items, nodes):
        mine = [TextEdit(e.start - item.start, e.end - item.start, e.text) for e in edits
                if isinstance(item, Literal) and item.start <= e.start and e.end <= item.end]
        if not mine:
            out.append(node)
            continue
        token = apply(parsed.text[item.start:item.end], mine)
        try:
            new = cst.parse_expression(token)
        except Exception:  # noqa: BLE001 - any parse failure means the literal would be broken
            return "the edited literal would not parse; it was left alone"
        if type(new) is not type(node) or _code(new) != token:
            return "the edited literal would not stay one string literal; it was left alone"
        out.append(new.with_changes(lpar=node.lpar, rpar=node.rpar))
    return out


def _swap(parsed: _Parsed, replacements: dict) -> str:
    """The module's code with nodes replaced (by identity): libcst writes everything else as it
    was. Only nodes around the replaced ones are visited."""
    import libcst as cst

    replacements = {old: new for old, new in replacements.items() if new is not old}
    targets = [parsed.spans[node] for node in replacements]

    class Swap(cst.CSTTransformer):
        def on_visit(self, node) -> bool:
            span = parsed.spans.get(node)
            return span is None or any(span[0] <= a and b <= span[1] for a, b in targets)

        def on_leave(self, original, updated):
            return replacements.get(original, updated)

    return parsed.module.visit(Swap()).code


def _chain_after(new_text: str, chain: Chain, new_nodes: list, edits: list[TextEdit]) -> Chain | None:
    """The chain as it reads in `new_text`, each literal decoded from its new node."""
    items = []
    for item, node in zip(chain.items, new_nodes):
        shift = sum(len(e.text) - (e.end - e.start) for e in edits if e.end <= item.start)
        if isinstance(item, Operand):
            items.append(Operand(item.start + shift, item.end + shift, item.source))
            continue
        literal = _decoded(node, new_text, item.start + shift)
        if literal is None or new_text[literal.start:literal.end] != _code(node):
            return None
        items.append(literal)
    return Chain(tuple(items), chain.start, shifted_end(chain, edits))
