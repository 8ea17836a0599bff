"""Minimal edits from a regenerated statement: keep every unchanged token's original bytes.

sqlglot regenerates a whole statement (upper-case keywords, one line, `AS` before aliases).
A team reviewing `pgready fix` wants to see only what changes, in their own formatting. So
the original tokens (MySQL tokenizer) and the regenerated ones (PostgreSQL tokenizer) are
compared by a key that ignores what cannot change meaning (keyword case, `!=` vs `<>`), and
only the differing runs become edits. Whitespace and comments between unchanged tokens are
never touched.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from auditor.checks.base import LITERAL_TOKENS

PH_MARKER = re.compile(r"pgready_ph_(\d+)")
# words sqlglot drops that never change meaning: `INNER JOIN` -> `JOIN`, `LEFT OUTER JOIN` -> `LEFT JOIN`
_NOISE_DELETE = frozenset({"INNER", "OUTER"})
_SAME = {"!=": "<>"}
_CASTS = frozenset({"CAST", "TRY_CAST", "CONVERT", "SAFE_CAST"})


@dataclass(frozen=True)
class Edit:
    """Replace sql[start:end] (end exclusive) of the input text by `text`."""

    start: int
    end: int
    text: str


def key(sql: str, tok: Token, placeholder_index: dict[int, int]) -> object:
    """What must be equal for two tokens to mean the same; quoting and string forms count."""
    if tok.start in placeholder_index:
        return ("PH", placeholder_index[tok.start])
    found = PH_MARKER.fullmatch(tok.text)
    if found and tok.token_type == TokenType.VAR:
        return ("PH", int(found.group(1)))
    if tok.token_type in LITERAL_TOKENS:
        return sql[tok.start:tok.end + 1]  # as written: `name` vs "name" vs name differ
    text = tok.text.upper()
    return _SAME.get(text, text)


def diff(old_sql: str, old: Sequence[Token], new_sql: str, new: Sequence[Token],
         placeholder_index: dict[int, int]) -> list[Edit]:
    """Edits of `old_sql` (offsets of `old` tokens) that make its tokens read like `new`."""
    old, new = _without_alias_as(old), _without_alias_as(new)
    a = [key(old_sql, t, placeholder_index) for t in old]
    b = [key(new_sql, t, {}) for t in new]
    edits = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "delete" and all(a[i] in _NOISE_DELETE for i in range(i1, i2)):
            continue
        if op == "replace":
            text = _spaced(old_sql, old[i1].start, old[i2 - 1].end + 1, new_sql[new[j1].start:new[j2 - 1].end + 1])
            edits.append(Edit(old[i1].start, old[i2 - 1].end + 1, text))
        elif op == "delete":
            edits.append(_deletion(old_sql, old, i1, i2))
        else:
            edits.append(_insertion(old_sql, old, new_sql, new, i1, j1, j2))
    return edits


def _without_alias_as(tokens: Sequence[Token]) -> list[Token]:
    """Tokens without `AS` outside CAST(... AS type): the optional `AS` of an alias (`users AS u` ==
    `users u`) must not count as a change; structural ones (WITH x AS, CREATE ... AS) are on both sides."""
    out, in_cast = [], []
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.L_PAREN:
            in_cast.append(i > 0 and tokens[i - 1].text.upper() in _CASTS)
        elif tok.token_type == TokenType.R_PAREN and in_cast:
            in_cast.pop()
        elif tok.token_type == TokenType.ALIAS and not (in_cast and in_cast[-1]):
            continue
        out.append(tok)
    return out


def _word(ch: str) -> bool:
    return ch.isalnum() or ch in "_$'\"`"


def _spaced(sql: str, start: int, end: int, text: str) -> str:
    """`text` with a space where it would otherwise fuse with its neighbours (`IF(a` -> `CASE WHEN a`,
    `IF(?` -> `CASE WHEN ?`)."""
    if text and start > 0 and _word(text[0]) and (_word(sql[start - 1]) or sql[start - 1] == ")" and text[0].isalpha()):
        text = " " + text
    if text and end < len(sql) and _word(text[-1]) and (_word(sql[end]) or sql[end] in "?%:" and text[-1].isalpha()):
        text += " "
    return text


def _deletion(sql: str, old: Sequence[Token], i1: int, i2: int) -> Edit:
    """Delete tokens i1..i2, and one side's blank run when both sides have one (never comments or
    line breaks): `= DATE_ADD(x` -> `= (x`, `a  b c` -> `a  c`."""
    start, end = old[i1].start, old[i2 - 1].end + 1
    if 0 < start and end < len(sql) and sql[start - 1] in " \t" and sql[end] in " \t\r\n":
        while start > 0 and sql[start - 1] in " \t":
            start -= 1
    return Edit(start, end, "")


def _insertion(sql: str, old: Sequence[Token], new_sql: str, new: Sequence[Token], i1: int, j1: int, j2: int) -> Edit:
    """Insert new tokens j1..j2 before old token i1, spaced as the regenerated text spaces them: glued
    to the next token when they are glued there (`n` -> `counters.n`), else after the previous one."""
    if 0 < i1 < len(old) and j2 < len(new) and new[j2].start == new[j2 - 1].end + 1:
        at = old[i1].start
        return Edit(at, at, _spaced(sql, at, at, new_sql[new[j1].start:new[j2].start]))
    if i1 > 0 and j1 > 0:
        at = old[i1 - 1].end + 1
        return Edit(at, at, _spaced(sql, at, at, new_sql[new[j1 - 1].end + 1:new[j2 - 1].end + 1]))
    if i1 == 0 and old:
        stop = new[j2].start if j2 < len(new) else new[j2 - 1].end + 1
        return Edit(old[0].start, old[0].start, new_sql[new[j1].start:stop])
    at = old[-1].end + 1 if old else 0
    return Edit(at, at, " " + new_sql[new[j1].start:new[j2 - 1].end + 1])


def apply(text: str, edits: Sequence[Edit], offset: int = 0) -> str:
    """`text` with `edits` applied; edit offsets are `offset` + index into text."""
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        start, end = edit.start - offset, edit.end - offset
        if start < pos:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        out.append(text[pos:start])
        out.append(edit.text)
        pos = end
    out.append(text[pos:])
    return "".join(out)
