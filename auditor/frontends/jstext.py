"""String content of JavaScript literals as `Piece`s that map back to source positions."""
from __future__ import annotations

import re

from auditor.facts import Piece

_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def decode_escape(raw: str) -> str:
    """Decode one JavaScript escape sequence (`\\n`, `\\x41`, `\\u{1F600}`, line continuation)."""
    body = raw[1:]
    if not body or body[0] in "\r\n\u2028\u2029":
        return ""
    if body[0] in _SIMPLE and len(body) == 1:
        return _SIMPLE[body[0]]
    try:
        if body[0] == "x":
            return chr(int(body[1:3], 16))
        if body[0] == "u":
            digits = body[2:-1] if body.startswith("u{") else body[1:5]
            return chr(int(digits, 16))
    except ValueError:
        return body
    return body


# What makes a string look like SQL. A pre-filter only: classification always comes from a parse.
_SQL_START = re.compile(
    r"""^\s*(?:\(\s*)?(?:
        select\s[\s\S]+?\sfrom\s
      | insert\s+(?:ignore\s+)?into\s
      | replace\s+into\s
      | update\s+[`"\w.]+\s+(?:set|(?:inner\s+|left\s+)?join)\s
      | delete\s+(?:[`\w.]+\s+)?from\s
      | (?:create|alter|drop)\s+(?:temporary\s+)?table\s
      | create\s+(?:unique\s+)?index\s
      | show\s+(?:full\s+)?(?:tables|columns|fields|index|indexes|keys|databases|status|variables|processlist|create)\b
      | (?:describe|desc)\s+[`\w]+\s*$
      | with\s+(?:recursive\s+)?\w+\s+as\s*\(
      | (?:start\s+transaction|lock\s+tables|unlock\s+tables)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SQL_SIGNAL = re.compile(r"[`?*=(]|\b(?:WHERE|JOIN|VALUES|SET|LIMIT|ORDER\s+BY|GROUP\s+BY)\b", re.IGNORECASE)
_UPPER_KEYWORD = re.compile(r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|SHOW|DESCRIBE|DESC|WITH|START|LOCK|UNLOCK)\b")


def looks_like_sql(text: str) -> bool:
    """True for text that reads as a SQL statement rather than prose.

    Keywords written in upper case are strong evidence; lower-case text must also carry
    SQL punctuation or clause keywords, and must not read as a sentence.
    """
    if not _SQL_START.match(text):
        return False
    if _UPPER_KEYWORD.match(text):
        return True
    stripped = text.strip()
    if stripped.endswith((".", "!", "?")) and "`" not in stripped:
        return False
    return bool(_SQL_SIGNAL.search(stripped))


def lit_text(pieces) -> str:
    """The known text of pieces (nested texts included); unknown parts read as ` x `."""
    from auditor.facts import Text

    return "".join(p.text if isinstance(p, Piece) and p.kind == "lit" else lit_text(p.pieces) if isinstance(p, Text)
                   else " x " for p in pieces)
