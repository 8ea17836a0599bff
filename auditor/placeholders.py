"""Bind parameters as the sending code writes them, made readable for sqlglot.

`analyze_sql` is told how a site's SQL marks its parameters (`mode`):
- `driver`: `?` reaches the driver (mysql/mysql2 in JS, a prepared cursor in Python);
- `orm`: the ORM binds `?` itself (knex.raw, sequelize.query, Prisma);
- `pyformat`: Python DB-API `%s` / `%(name)s`, with `%%` for a literal percent (pymysql,
  MySQLdb, mysql.connector, aiomysql, Django); `?` still reaches the driver;
- `named`: SQLAlchemy `text()` / `databases` `:name` binds; `?` is not a placeholder rule's business.

sqlglot's MySQL tokenizer reads `%s` as `%` + `s` and `:name` as `:` + `name`. `bind_markers`
merges those runs into ONE `PLACEHOLDER` token whose text is the placeholder as written and whose
offsets cover it in the ORIGINAL text: the parser turns it into `exp.Placeholder` (never a table or
a column), checks see one placeholder token, and reported offsets need no mapping. The marker's
text is never `?`, so SYN002 (`?` only) cannot fire on it. `%%` becomes one `%` (modulo) token.
Quoted strings and comments are already single tokens (or gone), so `'100%s'` is left alone.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

MODES = ("driver", "orm", "pyformat", "named")
TARGETS = ("node-postgres", "postgres.js", "psycopg", "asyncpg")
# what a site's SQL will run through on PostgreSQL when no --target is given: the language's
# usual driver, except that Prisma's raw API stays Prisma (it is the client on both sides)
DEFAULT_TARGET = {"javascript": "node-postgres", "typescript": "node-postgres", "tsx": "node-postgres",
                  "python": "psycopg"}
CLIENT_TARGETS = TARGETS + ("prisma",)
_PYFORMAT = re.compile(r"%(?:%|s|\([^()'\"`;\s]*\)s)")
_NAMED = re.compile(r"(?<![\w:\\]):(\w+)(?!:)")  # SQLAlchemy's own bind pattern


def mode_of(placeholders: object) -> str:
    """The placeholder mode, `driver` for anything unknown (analyze_sql never raises)."""
    return placeholders if placeholders in MODES else "driver"


def is_pyformat(tok: Token) -> bool:
    """A `%s` / `%(name)s` marker made by `bind_markers`."""
    return tok.token_type == TokenType.PLACEHOLDER and tok.text.startswith("%")


def bind_markers(sql: str, tokens: Sequence[Token], mode: str) -> list[Token]:
    """`tokens` with each pyformat (or named) placeholder run merged into one marker token."""
    if mode == "pyformat":
        return _merge(sql, tokens, TokenType.MOD, _PYFORMAT)
    if mode == "named":
        return _merge(sql, tokens, TokenType.COLON, _NAMED)
    return list(tokens)


def _merge(sql: str, tokens: Sequence[Token], opener: TokenType, pattern: re.Pattern) -> list[Token]:
    out, i = [], 0
    while i < len(tokens):
        tok = tokens[i]
        found = pattern.match(sql, tok.start) if tok.token_type == opener else None
        last = _last_covered(tokens, i, found.end()) if found else -1
        if last < 0:
            out.append(tok)
            i += 1
            continue
        text = sql[tok.start:found.end()]
        kind = TokenType.MOD if text == "%%" else TokenType.PLACEHOLDER
        comments = [c for t in tokens[i:last + 1] for c in t.comments]
        out.append(Token(kind, "%" if kind == TokenType.MOD else text, tok.line, tok.col,
                         tok.start, found.end() - 1, comments))
        i = last + 1
    return out


def _last_covered(tokens: Sequence[Token], i: int, end: int) -> int:
    """Index of the token ending exactly at `end` (exclusive) with no gap since token i; else -1."""
    for j in range(i + 1, len(tokens)):
        if tokens[j].start != tokens[j - 1].end + 1 or tokens[j].end > end - 1:
            return -1
        if tokens[j].end == end - 1:
            return j
    return -1
