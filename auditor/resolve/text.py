"""Rebuild the SQL text a site sends, with typed holes that still parse.

Known text comes from literals and string constants in scope; everything else becomes a
hole rendered as `pgready_hole_N` (a value or identifier) or `/*pgready_hole_N*/` (a spliced
fragment). Every character of the result maps back to a source position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.facts import Piece, Ref, Text
from auditor.model import Hole, Location
from auditor.resolve.values import Project

_IDENT_BEFORE = re.compile(r"(?:\bFROM|\bJOIN|\bINTO|\bUPDATE|\bTABLE|\bBY|\.|`)\s*$", re.IGNORECASE)
_OPERAND_BEFORE = re.compile(
    r"(?:[=<>(,+\-*/]|\b(?:SELECT|WHERE|AND|OR|ON|SET|LIMIT|OFFSET|VALUES|IN|LIKE|NOT|THEN|ELSE|WHEN|CASE|HAVING|IS|BETWEEN|INTERVAL|AS|DISTINCT))\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Flat:
    """SQL content as pieces (lit or hole), plus the literal ids it consumed."""

    pieces: tuple[Piece, ...]
    lit_ids: frozenset[int]
    dynamic: bool


@dataclass(frozen=True)
class Rendered:
    sql: str
    spans: tuple[tuple[int, int, Piece], ...]  # (start, end, piece) in sql
    holes: tuple[Hole, ...]


def flatten(project: Project, path: str, value, param_holes: bool = False) -> Flat:
    pieces: list[Piece] = []
    lit_ids: set[int] = set()
    dynamic = [False]

    def add(v, depth: int) -> None:
        if isinstance(v, Ref):
            resolved = project.eval(path, v) if depth < 20 else ("unknown",)
            if resolved[0] == "text" and resolved[1] == path:
                add(resolved[2], depth + 1)
            else:
                pieces.append(Piece("hole", v.name, v.line, v.col, False, param_holes, v.end_line or v.line,
                                    v.end_col or v.col + len(v.name)))
        elif isinstance(v, Text):
            lit_ids.add(v.lit_id)
            dynamic[0] |= v.dynamic
            for piece in v.pieces:
                add(piece, depth + 1)
        elif isinstance(v, Piece):
            pieces.append(v if v.kind == "lit" or not param_holes else
                          Piece("hole", v.text, v.line, v.col, False, True, v.end_line, v.end_col))
        else:
            pieces.append(Piece("hole", getattr(v, "source", "") or "<expression>", 0, 0))

    add(value, 0)
    merged = tuple(pieces)
    has_holes = any(p.kind == "hole" and not p.param for p in merged)
    return Flat(merged, frozenset(lit_ids), dynamic[0] or has_holes)


def render(flat: Flat, path: str, mode: str = "mixed") -> Rendered:
    """mode: `mixed` (types from the text before each hole), `identifier` or `fragment` for all."""
    out, spans, holes = [], [], []
    length = 0
    for piece in flat.pieces:
        if piece.kind == "lit":
            text = piece.text
        else:
            index = len(holes) + 1
            kind = "param" if piece.param else _hole_kind("".join(out), mode)
            text = "?" if kind == "param" else (f"/*pgready_hole_{index}*/" if kind == "fragment" else f"pgready_hole_{index}")
            holes.append(Hole(index, kind, piece.text, Location(path, piece.line, piece.col, piece.end_line or piece.line,
                                                                 piece.end_col or piece.col), length, length + len(text)))
        spans.append((length, length + len(text), piece))
        out.append(text)
        length += len(text)
    return Rendered("".join(out), tuple(spans), tuple(holes))


def _hole_kind(before: str, mode: str) -> str:
    if mode == "fragment":
        return "fragment"
    if _IDENT_BEFORE.search(before):
        return "identifier"
    if mode == "identifier" or _OPERAND_BEFORE.search(before) or not before.strip():
        return "value"
    return "fragment"


def position(rendered: Rendered, offset: int) -> tuple[int, int]:
    """Source (line, col) of a character offset in the rendered SQL."""
    for start, end, piece in rendered.spans:
        if start <= offset < end or (offset == end and piece is rendered.spans[-1][2]):
            if piece.kind == "lit" and piece.exact:
                return _advance(piece.line, piece.col, piece.text[: offset - start])
            return piece.line, piece.col
    if rendered.spans:
        last = rendered.spans[-1][2]
        return _advance(last.line, last.col, last.text) if last.kind == "lit" and last.exact else (last.line, last.col)
    return 0, 0


def _advance(line: int, col: int, text: str) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return line + newlines, len(text) - text.rfind("\n")
    return line, col + len(text)


def extent(rendered: Rendered, path: str) -> Location:
    """Where the SQL text starts and ends in the source."""
    located = [(s, e, p) for s, e, p in rendered.spans if p.line]
    if not located:
        return Location(path, 0, 0, 0, 0)
    first, last = located[0][2], located[-1]
    end_line, end_col = position(rendered, last[1]) if last[2].kind == "lit" else (last[2].end_line, last[2].end_col)
    return Location(path, first.line, first.col, end_line, end_col)
