"""What every check receives (`Statement`) and returns (`Hit`s), plus token helpers.

A check is `def check(stmt: Statement) -> Iterable[Hit]`: one parsed statement in,
the spans of every occurrence of its construct out (offsets into the ORIGINAL SQL
text, end exclusive). The engine keeps the first occurrence and counts the rest.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlglot.tokens import Token, TokenType

HOLE = re.compile(r"^pgready_hole_\w+$", re.IGNORECASE)
LITERAL_TOKENS = frozenset({
    TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.HEX_STRING, TokenType.BIT_STRING,
    TokenType.BYTE_STRING, TokenType.RAW_STRING, TokenType.NATIONAL_RAW_STRING,
    TokenType.HEREDOC_STRING, TokenType.UNICODE_STRING, TokenType.NUMBER, TokenType.IDENTIFIER,
})
_NOT_WORDS = LITERAL_TOKENS | {
    TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA, TokenType.DOT, TokenType.SEMICOLON,
    TokenType.PLACEHOLDER, TokenType.DQMARK, TokenType.PARAMETER, TokenType.SESSION_PARAMETER,
}


@dataclass(frozen=True)
class Hit:
    start: int
    end: int  # exclusive
    detail: str = ""


@dataclass(frozen=True)
class Statement:
    """One statement of the SQL text: its raw tokens and, when it parsed, its tree."""

    sql: str  # the whole original SQL text (token offsets point into it)
    tokens: tuple[Token, ...]  # as written: `??` stays DQMARK, holes stay identifiers
    tree: Any | None  # sqlglot expression, None when the parse failed
    error: str | None  # parser's reason when the statement did not parse
    kind: str  # select | insert | ... (see classify.statement_kind)
    placeholders: str  # driver | orm | pyformat | named (auditor.placeholders)
    target: str | None = None  # PostgreSQL driver the code moves to: asyncpg, psycopg ... or None

    def word(self, i: int) -> str:
        """Upper-cased text of a bare word or operator token ("" for literals, quoted names, holes)."""
        return self._words[i] if 0 <= i < len(self.tokens) else ""

    def positions(self, word: str) -> list[int]:
        """Token indexes whose word (see `word`) is `word`: one index per statement, not one scan per rule."""
        return self._positions.get(word, [])

    @functools.cached_property
    def _positions(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, word in enumerate(self._words):
            if word:
                index.setdefault(word, []).append(i)
        return index

    def nodes(self, classes: tuple[type, ...]) -> list:
        """Tree nodes of these sqlglot classes, in walk order (the tree is walked once per statement)."""
        return [node for cls in classes for node in self._nodes_by_type.get(cls, ())] if len(classes) > 1 \
            else list(self._nodes_by_type.get(classes[0], ()))

    @functools.cached_property
    def _nodes_by_type(self) -> dict[type, list]:
        index: dict[type, list] = {}
        if self.tree is not None:
            for node in self.tree.walk():
                for cls in type(node).__mro__:
                    index.setdefault(cls, []).append(node)
        return index

    @functools.cached_property
    def _words(self) -> tuple[str, ...]:
        words = []
        for tok in self.tokens:
            if tok.token_type in _NOT_WORDS or HOLE.match(tok.text):
                words.append("")
            else:
                words.append(" ".join(tok.text.upper().split()))  # sqlglot merges some: `PRIMARY KEY`
        return tuple(words)

    def type_is(self, i: int, *types: TokenType) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].token_type in types

    def is_hole(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and bool(HOLE.match(self.tokens[i].text))

    def span(self, first: int, last: int, detail: str = "") -> Hit:
        """Hit from token `first` through token `last` (inclusive)."""
        return Hit(self.tokens[first].start, self.tokens[last].end + 1, detail)

    def whole(self, detail: str = "") -> Hit:
        if not self.tokens:
            return Hit(0, len(self.sql), detail)
        return self.span(0, len(self.tokens) - 1, detail)

    def close_paren(self, i: int) -> int:
        """Index of the `)` matching the `(` at `i`, or -1 when unbalanced."""
        depth = 0
        for j in range(i, len(self.tokens)):
            kind = self.tokens[j].token_type
            depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
            if depth == 0:
                return j
        return -1

    def top_level(self) -> list[int]:
        """Indexes of the tokens outside any parentheses."""
        found, depth = [], 0
        for i, tok in enumerate(self.tokens):
            if tok.token_type == TokenType.R_PAREN:
                depth -= 1
            elif depth == 0:
                found.append(i)
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
        return found

    def starts(self, *words: str) -> bool:
        return all(self.word(i) == w for i, w in enumerate(words))

    def sequence(self, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """(first, last) token indexes where the bare words appear consecutively
        (compared word by word, so `ORDER BY` matches whether sqlglot merged it or not)."""
        flat = self._flat_words
        n = len(words)
        return [(flat[k][1], flat[k + n - 1][1]) for k in self._word_positions.get(words[0], ())
                if k + n <= len(flat) and all(flat[k + m][0] == w for m, w in enumerate(words))]

    @functools.cached_property
    def _flat_words(self) -> list[tuple[str, int]]:
        return [(part, i) for i in range(len(self.tokens)) for part in (self.word(i).split() or [""])]

    @functools.cached_property
    def _word_positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for k, (part, _) in enumerate(self._flat_words):
            positions.setdefault(part, []).append(k)
        return positions


def node_span(stmt: Statement, node: Any) -> Hit | None:
    """Span of a sqlglot node from the positions its parser left (node or descendants)."""
    starts, ends = [], []
    for sub in node.walk():
        meta = sub.meta if sub._meta else None
        if meta and "start" in meta:
            starts.append(meta["start"])
            ends.append(meta["end"] + 1)
    if not starts:
        return None
    return Hit(min(starts), max(ends))
