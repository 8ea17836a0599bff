"""What every tree-sitter frontend walker shares: positions, ids, scopes, references, parse errors.

Positions are 1-based lines and 1-based columns counted in characters (tree-sitter counts bytes).
"""
from __future__ import annotations

from sys import intern

from auditor.facts import Ref
from auditor.model import Diagnostic, Location


class TreeWalker:
    def __init__(self, data: bytes, text: str, path: str):
        self.data, self.path = data, path
        self.lines = text.splitlines()
        # ASCII without a carriage return: tree-sitter's rows are the lines, and a byte column is a
        # character column (else `point` counts characters, in lines that a lone `\r` also ends)
        self.plain = data.isascii() and b"\r" not in data
        self.byte_lines = data.splitlines() if not self.plain else []
        self.ids: dict[tuple, int] = {}
        self.scopes: list[int] = []  # enclosing function ids, innermost last
        self.fid = 0  # the innermost enclosing function, 0 for the module
        self.chain: tuple[int, ...] = (0,)  # the scopes a name is looked up in, innermost first
        self._outer: list[tuple[int, ...]] = []  # the chains around this one (refs share these tuples)
        self.this_stack: list[int] = []  # what `this` / `self` is: a class id

    def id_for(self, node) -> int:
        """A stable small id per node (functions, classes, calls and literals are known by it)."""
        return self.ids.setdefault((node.start_byte, node.end_byte, node.type), len(self.ids) + 1)

    def enter(self, fid: int) -> None:
        """Into the body of function `fid`."""
        self.scopes.append(fid)
        self._outer.append(self.chain)
        self.fid, self.chain = fid, (fid,) + self.chain

    def leave(self) -> None:
        self.scopes.pop()
        self.chain = self._outer.pop()
        self.fid = self.scopes[-1] if self.scopes else 0

    def point(self, point) -> tuple[int, int]:
        row, byte_col = point
        if self.plain:
            return row + 1, byte_col + 1
        line = self.byte_lines[row] if row < len(self.byte_lines) else b""
        return row + 1, len(line[:byte_col].decode("utf-8", "replace")) + 1

    def span(self, node) -> tuple[int, int, int, int]:
        """line, col, end line, end col"""
        if self.plain:
            (row, col), (end_row, end_col) = node.start_point, node.end_point
            return row + 1, col + 1, end_row + 1, end_col + 1
        return self.point(node.start_point) + self.point(node.end_point)

    def loc(self, node) -> Location:
        return Location(self.path, *self.span(node))

    def src(self, node) -> str:
        text = self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        # short texts are mostly names, repeated across the code base: one string object each
        return intern(text) if len(text) <= 48 else text

    def head(self, node, limit: int) -> str:
        """`src(node)[:limit]`, without decoding a long node whole (a character is at most 4 bytes)."""
        start, end = node.start_byte, node.end_byte
        return self.src(node)[:limit] if end - start <= 4 * limit else \
            self.data[start:start + 4 * limit].decode("utf-8", "replace")[:limit]

    def squeezed(self, node, limit: int) -> str:
        """The node's source without whitespace, cut to `limit` characters (a call's callee text),
        decoding only as much of a long node as that takes."""
        start, end, size = node.start_byte, node.end_byte, 8 * limit
        while end - start > size:
            text = "".join(self.data[start:start + size].decode("utf-8", "replace").split())
            if len(text) >= limit + 4:  # (a character cut in two at the end decodes to at most 3)
                return text[:limit]
            size *= 4
        return "".join(self.src(node).split())[:limit]

    def ref(self, node) -> Ref:
        """An identifier, to be looked up in the scopes around it."""
        return Ref(self.chain, self.src(node), *self.span(node))


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
