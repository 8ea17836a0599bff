"""Rebuild the SQL text a site sends, with typed holes that still parse.

Known text comes from literals and string constants in scope; everything else becomes a
hole rendered as `pgready_hole_N` (a value or identifier) or `/*pgready_hole_N*/` (a spliced
fragment). Every character of the result maps back to a source position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dataclasses import replace

from auditor.facts import Member, Piece, Ref, Text
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
    lit_ids: frozenset[tuple[str, int]]  # (path, literal id) of every literal used
    dynamic: bool
    formatted: bool = False  # some text was built by `%` or `.format()`


@dataclass(frozen=True)
class Rendered:
    sql: str
    spans: tuple[tuple[int, int, Piece], ...]  # (start, end, piece) in sql
    holes: tuple[Hole, ...]


def flatten(project: Project, path: str, value, param_holes: bool = False, prefix: str = "") -> Flat:
    """The pieces of SQL text `value` stands for, following string constants across modules."""
    pieces: list[Piece] = [Piece("lit", prefix, 0, 0, False)] if prefix else []
    lit_ids: set[tuple[str, int]] = set()
    flags = {"dynamic": False, "formatted": False}

    def add(v, depth: int, where: str) -> None:
        if isinstance(v, (Ref, Member)):
            resolved = project.eval(where, v) if depth < 20 else ("unknown",)
            if resolved[0] == "text":
                add(resolved[2], depth + 1, resolved[1])
            else:
                name = v.name if isinstance(v, Ref) else f"<attribute {v.name}>"
                line, col = (v.line, v.col) if isinstance(v, Ref) else (0, 0)
                end = (v.end_line or v.line, v.end_col or v.col + len(v.name)) if isinstance(v, Ref) else (0, 0)
                pieces.append(Piece("hole", name, line, col, False, param_holes, *end,
                                    path="" if where == path else where))
        elif isinstance(v, Text):
            lit_ids.add((where, v.lit_id))
            flags["dynamic"] |= v.dynamic or v.formatted  # string-built SQL varies even when no hole is left
            flags["formatted"] |= v.formatted
            for piece in v.pieces:
                add(piece, depth + 1, where)
        elif isinstance(v, Piece):
            piece = v if where == path else replace(v, path=where)
            pieces.append(piece if piece.kind == "lit" or not param_holes else replace(piece, param=True))
        else:
            pieces.append(Piece("hole", getattr(v, "source", "") or "<expression>", 0, 0))

    add(value, 0, path)
    merged = tuple(pieces)
    has_holes = any(p.kind == "hole" and not p.param for p in merged)
    return Flat(merged, frozenset(lit_ids), flags["dynamic"] or has_holes, flags["formatted"])


def render(flat: Flat, path: str, mode: str = "mixed", at: tuple[int, int] = (1, 1)) -> Rendered:
    """mode: `mixed` (types from the text before each hole), `identifier` or `fragment` for all.
    `at`: where a hole with no source position of its own is reported (the call)."""
    out, spans, holes = [], [], []
    length = 0
    for piece in flat.pieces:
        if piece.kind == "lit":
            text = piece.text
        else:
            index = len(holes) + 1
            kind = "param" if piece.param else _hole_kind("".join(out), mode)
            text = "?" if kind == "param" else (f"/*pgready_hole_{index}*/" if kind == "fragment" else f"pgready_hole_{index}")
            line, col = (piece.line, piece.col) if piece.line else at
            holes.append(Hole(index, kind, piece.text, Location(piece.path or path, line, col,
                                                                 piece.end_line or line, piece.end_col or col),
                              length, length + len(text)))
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


def position(rendered: Rendered, offset: int) -> tuple[str, int, int]:
    """Source (path, line, col) of a character offset in the rendered SQL; path "" is the site's own
    file, line 0 means no source position (text the call implies, such as `CALL `)."""
    for start, end, piece in rendered.spans:
        if start <= offset < end or (offset == end and piece is rendered.spans[-1][2]):
            if piece.kind == "lit" and piece.exact:
                return (piece.path, *_advance(piece.line, piece.col, piece.text[: offset - start]))
            return piece.path, piece.line, piece.col
    if rendered.spans:
        last = rendered.spans[-1][2]
        if last.kind == "lit" and last.exact:
            return (last.path, *_advance(last.line, last.col, last.text))
        return last.path, last.line, last.col
    return "", 0, 0


def _advance(line: int, col: int, text: str) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return line + newlines, len(text) - text.rfind("\n")
    return line, col + len(text)


def extent(rendered: Rendered, path: str, at: tuple[int, int] = (1, 1)) -> Location:
    """Where the SQL text starts and ends in the source (pieces with a source position only);
    at the call (`at`) when nothing of it has a position, e.g. `db.query(buildSql())`."""
    located = [p for _, _, p in rendered.spans if p.line]
    if not located:
        return Location(path, at[0], at[1], at[0], at[1])
    first, last = located[0], located[-1]
    if last.kind == "lit" and last.exact:
        end_line, end_col = _advance(last.line, last.col, last.text)
    else:
        end_line, end_col = last.end_line or last.line, last.end_col or last.col
    return Location(first.path or path, first.line, first.col, end_line, end_col)
