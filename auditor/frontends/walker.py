"""What every tree-sitter frontend walker shares: positions, ids, scopes, references, parse errors.

Positions are 1-based lines and 1-based columns counted in characters (tree-sitter counts bytes).
"""
from __future__ import annotations

from auditor.facts import Ref
from auditor.model import Diagnostic, Location


class TreeWalker:
    def __init__(self, data: bytes, text: str, path: str):
        self.data, self.path = data, path
        self.lines = text.splitlines()
        self.byte_lines = data.splitlines()
        self.ids: dict[tuple, int] = {}
        self.scopes: list[int] = []  # enclosing function ids, innermost last
        self.this_stack: list[int] = []  # what `this` / `self` is: a class id

    def id_for(self, node) -> int:
        """A stable small id per node (functions, classes, calls and literals are known by it)."""
        return self.ids.setdefault((node.start_byte, node.end_byte, node.type), len(self.ids) + 1)

    def point(self, point) -> tuple[int, int]:
        row, byte_col = point
        line = self.byte_lines[row] if row < len(self.byte_lines) else b""
        return row + 1, len(line[:byte_col].decode("utf-8", "replace")) + 1

    def loc(self, node) -> Location:
        line, col = self.point(node.start_point)
        end_line, end_col = self.point(node.end_point)
        return Location(self.path, line, col, end_line, end_col)

    def src(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def ref(self, node) -> Ref:
        """An identifier, to be looked up in the scopes around it."""
        line, col = self.point(node.start_point)
        end_line, end_col = self.point(node.end_point)
        return Ref(self.chain, self.src(node), line, col, end_line, end_col)

    @property
    def fid(self) -> int:
        return self.scopes[-1] if self.scopes else 0

    @property
    def chain(self) -> tuple[int, ...]:
        return tuple(reversed(self.scopes)) + (0,)


def syntax_diagnostic(root, path: str, hint: str = "") -> list[Diagnostic]:
    """One diagnostic naming the first syntax error; the rest of the file was still analysed."""
    if not root.has_error:
        return []
    stack, line = [root], root.start_point[0] + 1
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            line = node.start_point[0] + 1
            break
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing or c.type == "ERROR"]))
    return [Diagnostic(path, "syntax-error", f"syntax error near line {line}{hint}; the rest of the file was still "
                                             "analysed", line)]
