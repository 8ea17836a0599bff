"""Lexical MySQL-isms sqlglot's tokenizer hides: backslash escapes inside string literals, and
comments (`# ...`, `/*! ... */`) that the tokenizer drops before any check sees them.

Comments are found by a small MySQL lexer over the raw text (`_lex`, cached per text) that skips
quoted strings and identifiers exactly as MySQL does; each comment is then reported by the ONE
statement whose stretch of text holds it (statements are cut at `;` outside quotes and comments,
and a stretch holding no code, such as `/*!40101 SET NAMES utf8 */;`, joins the next statement).
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import NamedTuple

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

_STRINGS = (TokenType.STRING, TokenType.NATIONAL_STRING)
# `\%` and `\_` keep their backslash in MySQL, exactly like a standard PostgreSQL string
_SAME_IN_POSTGRES = frozenset({"\\%", "\\_"})


# --- backslash escapes in string literals -----------------------------------------------------

def _escapes(stmt: Statement) -> Iterator[tuple[int, int, str, str]]:
    """(token index, offset of the backslash, the two-character escape, word before the literal)
    for every backslash escape written inside a quoted string literal."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type not in _STRINGS or _escape_string(stmt, i):
            continue
        raw = stmt.sql[tok.start:tok.end + 1]
        first = min((raw.find(q) for q in "'\"" if raw.find(q) >= 0), default=-1)
        if first < 0 or raw[-1] != raw[first]:
            continue
        k, last = first + 1, len(raw) - 1
        while k < last:
            if raw[k] == "\\" and k + 1 < len(raw):
                yield i, tok.start + k, raw[k:k + 2], stmt.word(i - 1)
                k += 2
            else:
                k += 1


def _escape_string(stmt: Statement, i: int) -> bool:
    """`E'...'`: already PostgreSQL's escape-string syntax (MySQL would not even read it so)."""
    return i > 0 and stmt.tokens[i - 1].text in ("E", "e") and stmt.tokens[i - 1].end + 1 == stmt.tokens[i].start \
        and stmt.type_is(i - 1, TokenType.VAR)


def backslash_quote_escape(stmt: Statement) -> Iterator[Hit]:
    """SYN011: `'it\\'s'` - a quote escaped with a backslash ends the string in PostgreSQL."""
    for i, at, pair, _ in _escapes(stmt):
        if pair == "\\'":
            yield Hit(stmt.tokens[i].start, at + 2)


def backslash_escape_sequence(stmt: Statement) -> Iterator[Hit]:
    """SYN012: `'\\n'`, `'C:\\\\dir'`, `'\\t'` ... read as escapes by MySQL, as plain characters by
    PostgreSQL. `\\%` / `\\_` mean the same in both; `\\'` is SYN011's; a `\\\\` in a LIKE pattern
    or an ESCAPE clause is left to the semantics rules that own LIKE (SEM014 / SEM015)."""
    for i, at, pair, before in _escapes(stmt):
        if pair == "\\'" or pair in _SAME_IN_POSTGRES:
            continue
        if before == "ESCAPE" or (pair == "\\\\" and before in ("LIKE", "ILIKE")):
            continue
        yield Hit(stmt.tokens[i].start, at + 2)


# --- comments, read from the raw text ----------------------------------------------------------

class _Comment(NamedTuple):
    start: int
    end: int  # exclusive; a line comment stops before its newline
    kind: str  # hash | dash | block | conditional


class _Segment(NamedTuple):
    start: int
    end: int  # offset of the `;` that ends it, or len(sql)
    has_code: bool


@functools.lru_cache(maxsize=64)
def _lex(sql: str) -> tuple[tuple[_Comment, ...], tuple[_Segment, ...]]:
    """MySQL's lexical view of `sql`: its comments, and its statements' stretches of text."""
    comments: list[_Comment] = []
    segments: list[_Segment] = []
    n, k, seg_start, has_code = len(sql), 0, 0, False
    while k < n:
        c = sql[k]
        if c in "'\"`":
            k = _skip_quoted(sql, k)
            has_code = True
        elif c == "#" or (sql.startswith("--", k) and (k + 2 >= n or sql[k + 2] in " \t\r\n\f\v")):
            end = sql.find("\n", k)
            end = n if end < 0 else end
            comments.append(_Comment(k, end, "hash" if c == "#" else "dash"))
            k = end
        elif sql.startswith("/*", k):
            end = sql.find("*/", k + 2)
            end = n if end < 0 else end + 2
            conditional = sql.startswith("/*!", k) or sql.startswith("/*M!", k)
            comments.append(_Comment(k, end, "conditional" if conditional else "block"))
            k = end
        elif c == ";":
            segments.append(_Segment(seg_start, k, has_code))
            seg_start, has_code, k = k + 1, False, k + 1
        else:
            has_code = has_code or not c.isspace()
            k += 1
    segments.append(_Segment(seg_start, n, has_code))
    return tuple(comments), tuple(segments)


def _skip_quoted(sql: str, k: int) -> int:
    """Offset just past the quoted string or identifier opening at `k` (MySQL rules: a doubled
    quote is a quote; a backslash escapes the next character except in backtick names)."""
    quote, n, j = sql[k], len(sql), k + 1
    while j < n:
        if sql[j] == "\\" and quote != "`":
            j += 2
        elif sql[j] == quote:
            if j + 1 < n and sql[j + 1] == quote:
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return n


def _region(stmt: Statement, segments: tuple[_Segment, ...]) -> tuple[int, int]:
    """The stretch of text whose comments belong to `stmt`: its own segment, the code-less
    segments just before it, and every segment after it when none of those holds code."""
    first = stmt.tokens[0].start
    k = next((j for j, s in enumerate(segments) if s.start <= first <= s.end), len(segments) - 1)
    start = k
    while start > 0 and not segments[start - 1].has_code:
        start -= 1
    later_code = any(s.has_code for s in segments[k + 1:])
    return segments[start].start, segments[k].end if later_code else segments[-1].end


def _comments(stmt: Statement, kind: str) -> Iterator[_Comment]:
    comments, segments = _lex(stmt.sql)
    lo, hi = _region(stmt, segments) if stmt.tokens else (0, len(stmt.sql))  # a text of comments only
    for comment in comments:
        if comment.kind == kind and lo <= comment.start < hi:
            yield comment


def hash_comment(stmt: Statement) -> Iterator[Hit]:
    """SYN024: `# comment` (PostgreSQL reads `#` as its bitwise XOR operator)."""
    for comment in _comments(stmt, "hash"):
        yield Hit(comment.start, comment.end)


def conditional_comment(stmt: Statement) -> Iterator[Hit]:
    """SYN023: `/*! ... */`, `/*!40101 ... */`, MariaDB's `/*M!100100 ... */`: code MySQL runs,
    an ordinary comment PostgreSQL skips."""
    for comment in _comments(stmt, "conditional"):
        yield Hit(comment.start, comment.end)
