"""One statement from MySQL to PostgreSQL: parse, transform, regenerate, keep the original bytes
of everything unchanged, convert placeholders, then hand the result to `proof` for its label.

Every fired rule, transform note and proof failure becomes a reason; nothing is dropped quietly.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Token, TokenType

from auditor.checks.base import Statement
from auditor.classify import SqlMatch, parse_tokens
from auditor.rewrite import identifiers, params
from auditor.rewrite.tokendiff import PH_MARKER, Edit, diff

# sqlglot warns on stderr about what it cannot write ("Unsupported ...", "Argument ... is not supported");
# the proof turns every such gap into a reason, so the warnings would only be noise in a report
logging.getLogger("sqlglot").addFilter(lambda rec: rec.levelno > logging.WARNING)
PLACEHOLDER_RULES = frozenset({"question-mark-placeholder", "pyformat-placeholder"})
_FRAGMENT = re.compile(r"/\*pgready_hole_\w+\*/")
_VALUE_HOLE = re.compile(r"\bpgready_hole_\w+\b")


@dataclass
class Draft:
    """A statement's rewrite before its proof: the edits and what caps its safety."""

    start: int
    end: int
    edits: list[Edit]
    notes: list[tuple[str, str]]  # (safety, reason): review/manual caps
    matches: list[SqlMatch]
    out_placeholders: str
    param_edits: frozenset = frozenset()  # the edits that only convert a parameter to the target's style


def region(sql: str, stmts: Sequence[Statement], i: int) -> tuple[int, int]:
    """Offsets a statement owns in the input: from after the previous statement's `;` up to its own
    `;` (to the end of the text for the last statement), so the comments around it belong to it."""
    start = _after_semicolon(sql, stmts[i - 1].tokens[-1].end + 1) if i > 0 else 0
    end = _after_semicolon(sql, stmts[i].tokens[-1].end + 1) - 1 if i < len(stmts) - 1 else len(sql)
    return start, end


def _after_semicolon(sql: str, pos: int) -> int:
    """The offset after the first `;` at or after `pos` that is not inside a comment."""
    while pos < len(sql):
        if sql.startswith("/*", pos):
            close = sql.find("*/", pos + 2)
            pos = len(sql) if close < 0 else close + 2
        elif sql.startswith("--", pos) or sql[pos] == "#":
            newline = sql.find("\n", pos)
            pos = len(sql) if newline < 0 else newline + 1
        elif sql[pos] == ";":
            return pos + 1
        else:
            pos += 1
    return pos


def draft(sql: str, stmt: Statement, span: tuple[int, int], matches: list[SqlMatch],
          target: str | None, schema) -> Draft:
    out_mode = "pyformat" if target == "psycopg" and stmt.placeholders in ("driver", "pyformat") else stmt.placeholders
    d = Draft(span[0], span[1], [], [], matches, out_mode)
    if not matches:
        return d
    if all(m.rule.fix.value == "manual" for m in matches):
        return d  # nothing here has a mechanical rewrite: the label says so, no need to try
    if stmt.tree is None or isinstance(stmt.tree, exp.Command) and stmt.kind != "replace":
        reason = stmt.error or "sqlglot keeps this statement as an opaque command"
        d.notes.append(("manual", f"the MySQL parse is incomplete ({reason}): rewrite it by hand"))
        return d
    marked, placeholders, index = marked_parse(sql, stmt)
    pyformat = stmt.placeholders == "pyformat"
    if marked.tree is None:
        d.notes.append(("manual", f"the statement does not parse with its parameters marked ({marked.error})"))
        return d
    tree, notes = _transform(marked.tree.copy(), stmt.kind, schema)
    d.notes += [(n.safety, n.reason) for n in notes]
    d.notes += [("review", reason) for reason in identifiers.settle(tree)]
    _plain_null_order(tree)
    try:
        new_sql = _writer().generate(tree, copy=False)
        new_tokens = Postgres().tokenize(new_sql)
        if pyformat and d.out_placeholders == "pyformat":
            new_sql = _double_percent(new_sql, new_tokens)
            new_tokens = Postgres().tokenize(new_sql)
    except Exception as exc:  # noqa: BLE001 - sqlglot cannot write it: say so, never guess
        d.notes.append(("manual", f"sqlglot cannot write this statement for PostgreSQL ({type(exc).__name__}: {exc})"))
        return d
    d.edits = diff(sql, stmt.tokens, new_sql, new_tokens, index) + _hash_comments(sql, stmt, span)
    _placeholders(sql, d, placeholders, index, stmt.placeholders, target)
    if target is None and any(m.rule.slug in PLACEHOLDER_RULES for m in matches):
        d.notes.append(("review", "parameters stay as written (? or %s): name the PostgreSQL driver (--target) "
                                  "to have them converted to $1 or %s"))
    return d


class _Postgres(Postgres):
    """PostgreSQL as sqlglot writes it, except `x IS NOT NULL` stays so (not `NOT x IS NULL`): the
    same meaning, and the token diff then leaves the user's text alone."""

    class Generator(Postgres.Generator):
        def not_sql(self, expression: exp.Not) -> str:
            inner = expression.this
            if isinstance(inner, exp.Is) and not inner.args.get("comments"):
                return f"{self.sql(inner, 'this')} IS NOT {self.sql(inner, 'expression')}"
            return super().not_sql(expression)


def _writer():
    return _Postgres().generator(comments=False, unsupported_level=ErrorLevel.RAISE)


def _plain_null_order(tree: exp.Expression) -> None:
    """No NULLS FIRST/LAST where MySQL had none: sqlglot adds them to emulate MySQL's NULL order,
    which no rule reports; an unrewritten statement would not get them either, so neither does this."""
    for ordered in tree.find_all(exp.Ordered):
        ordered.set("nulls_first", bool(ordered.args.get("desc")))


def marked_parse(sql: str, stmt: Statement):
    """The statement parsed with each parameter as the column `pgready_ph_K` (K: its order in the
    text), so transforms may move it and still say which one it is; also the parameter tokens and
    their index by offset."""
    placeholders = [t for t in stmt.tokens if t.token_type == TokenType.PLACEHOLDER]
    index = {t.start: k for k, t in enumerate(placeholders)}
    pyformat = stmt.placeholders == "pyformat"
    marked = parse_tokens(sql, tuple(_marked(t, index, pyformat) for t in stmt.tokens), stmt.placeholders)
    return marked, placeholders, index


def _marked(tok: Token, index: dict[int, int], pyformat: bool) -> Token:
    """The token as the parser should read it: a placeholder as `pgready_ph_K`; in pyformat SQL a
    string's `%%` as the one `%` the database receives (so DATE_FORMAT('%%Y') means %Y)."""
    if tok.start in index:
        return Token(TokenType.VAR, f"pgready_ph_{index[tok.start]}", tok.line, tok.col, tok.start, tok.end, tok.comments)
    if pyformat and tok.token_type == TokenType.STRING and "%%" in tok.text:
        return Token(tok.token_type, tok.text.replace("%%", "%"), tok.line, tok.col, tok.start, tok.end, tok.comments)
    return tok


def _double_percent(sql: str, tokens: Sequence[Token]) -> str:
    """Regenerated SQL for a pyformat driver: each `%` inside a string literal written `%%` again."""
    out, pos = [], 0
    for tok in tokens:
        if tok.token_type == TokenType.STRING and "%" in sql[tok.start:tok.end + 1]:
            out += [sql[pos:tok.start], sql[tok.start:tok.end + 1].replace("%", "%%")]
            pos = tok.end + 1
    return "".join(out) + sql[pos:]


def _transform(tree, kind, schema):
    from auditor.rewrite.transforms import transform

    return transform(tree, kind, schema)


def _hash_comments(sql: str, stmt: Statement, span: tuple[int, int]) -> list[Edit]:
    """`# note` -> `-- note`: comments sit between tokens, where the token diff never looks."""
    edits, bounds = [], [span[0]]
    for tok in stmt.tokens:
        bounds += [tok.start, tok.end + 1]
    bounds.append(span[1])
    for gap_start, gap_end in zip(bounds[::2], bounds[1::2]):
        pos = gap_start
        while pos < gap_end:
            if sql.startswith("/*", pos):
                close = sql.find("*/", pos + 2, gap_end)
                pos = gap_end if close < 0 else close + 2
            elif sql.startswith("--", pos) or sql[pos] == "#":
                if sql[pos] == "#":
                    edits.append(Edit(pos, pos + 1, "--"))
                newline = sql.find("\n", pos, gap_end)
                pos = gap_end if newline < 0 else newline + 1
            else:
                pos += 1
    return edits


def _placeholders(sql: str, d: Draft, placeholders: list[Token], index: dict[int, int],
                  mode: str, target: str | None) -> None:
    """Rewrite every parameter in the target's style, in untouched text and inside edits alike."""
    if not placeholders:
        return
    written = [sql[t.start:t.end + 1] for t in placeholders]
    covered = [(e.start, e.end) for e in d.edits]
    untouched = [t for t in placeholders if not any(a <= t.start < b for a, b in covered)]
    events = sorted([(t.start, index[t.start]) for t in untouched]
                    + [(e.start, int(m.group(1))) for e in d.edits for m in PH_MARKER.finditer(e.text)])
    plan = params.plan(written, [k for _, k in events], mode, target)
    if plan.reason:
        d.notes.append((plan.safety, plan.reason))
    d.edits = [Edit(e.start, e.end, PH_MARKER.sub(lambda m: plan.forms[int(m.group(1))], e.text)) for e in d.edits]
    converted = [Edit(t.start, t.end + 1, plan.forms[index[t.start]]) for t in untouched
                 if plan.forms[index[t.start]] != written[index[t.start]]]
    d.edits += converted
    d.param_edits = frozenset(converted)
    if target == "psycopg" and mode == "driver" and plan.forms != tuple(written):
        if any("%" in t.text for t in _strings(sql[d.start:d.end])):
            d.notes.append(("review", "psycopg reads % as a parameter marker once parameters are passed: "
                                      "double each literal % (%%)"))


def _strings(sql: str) -> list[Token]:
    from sqlglot.dialects.mysql import MySQL

    return [t for t in MySQL().tokenize(sql) if t.token_type == TokenType.STRING]


def hole_markers(text: str) -> list[str]:
    """Every hole marker in `text`, fragments and values, in order (a rewrite must keep them all)."""
    fragments = _FRAGMENT.findall(text)
    values = _VALUE_HOLE.findall(_FRAGMENT.sub(" ", text))
    return sorted(fragments) + sorted(values)
