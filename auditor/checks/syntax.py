"""Lexical MySQL-isms: quoting, placeholders, LIMIT's comma form, DESCRIBE."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement
from auditor.placeholders import is_pyformat

_LIMIT_END = frozenset({"OFFSET", "FOR", "UNION", "LOCK", "INTO", "PROCEDURE", "EXCEPT", "INTERSECT"})
_NOT_A_TABLE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "TABLE", "FORMAT",
                          "ANALYZE", "EXTENDED", "PARTITIONS", "FOR", "VALUES"})


def backtick_identifier(stmt: Statement) -> Iterator[Hit]:
    """SYN001: `name` quoted with backticks."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.IDENTIFIER and stmt.sql[tok.start:tok.start + 1] == "`":
            yield stmt.span(i, i)


def double_quoted_string(stmt: Statement) -> Iterator[Hit]:
    """SYN004: "abc" is a string in MySQL, an identifier in PostgreSQL."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.STRING and stmt.sql[tok.start:tok.start + 1] == '"':
            yield stmt.span(i, i)


def question_mark_placeholder(stmt: Statement) -> Iterator[Hit]:
    """SYN002: `?` reaching the driver (an ORM that binds `?` itself is fine). Python DB-API
    code (`pyformat`) sends a `?` to the driver too; its `%s` markers are never `?`."""
    if stmt.placeholders not in ("driver", "pyformat"):
        return
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type == TokenType.PLACEHOLDER and tok.text == "?":
            yield stmt.span(i, i)


def pyformat_placeholder(stmt: Statement) -> Iterator[Hit]:
    """SYN010: `%s` / `%(name)s` when the code moves to asyncpg, which only takes $1, $2 ..."""
    if stmt.target != "asyncpg":
        return
    for i, tok in enumerate(stmt.tokens):
        if is_pyformat(tok):
            yield stmt.span(i, i)


def limit_offset_comma(stmt: Statement) -> Iterator[Hit]:
    """SYN003: `LIMIT offset, count`."""
    for i in range(len(stmt.tokens)):
        if stmt.word(i) != "LIMIT":
            continue
        depth = 0
        for j in range(i + 1, len(stmt.tokens)):
            kind = stmt.tokens[j].token_type
            if kind == TokenType.L_PAREN:
                depth += 1
            elif kind == TokenType.R_PAREN:
                if depth == 0:
                    break
                depth -= 1
            elif kind == TokenType.COMMA and depth == 0:
                yield stmt.span(i, min(j + 1, len(stmt.tokens) - 1))
                break
            elif depth == 0 and stmt.word(j) in _LIMIT_END:
                break


def describe_table(stmt: Statement) -> Iterator[Hit]:
    """SYN008: DESCRIBE t / DESC t / EXPLAIN t (the table form, not EXPLAIN SELECT)."""
    if stmt.word(0) in ("DESCRIBE", "DESC", "EXPLAIN") and len(stmt.tokens) > 1:
        if not stmt.type_is(1, TokenType.L_PAREN) and stmt.word(1) not in _NOT_A_TABLE:
            yield stmt.whole()
