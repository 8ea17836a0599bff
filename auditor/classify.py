"""Run the rule catalogue over one SQL text: tokenize once, parse each statement once,
give every rule's check the same `Statement`s, keep the first hit per rule.

Never raises on any SQL text: what sqlglot cannot read becomes PAR001 with its reason.
"""
from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.tokens import Token, TokenType

from auditor.catalog import CatalogError, Rule
from auditor.checks.base import HOLE, Statement
from auditor.placeholders import bind_markers, mode_of

EVIDENCE_MAX = 200
_STRICT = False  # tests set this to let a crashing check raise instead of being skipped


@dataclass(frozen=True)
class SqlMatch:
    rule: Rule
    start: int  # offsets into the analysed SQL text; end exclusive
    end: int
    evidence: str  # sql[start:end], cut at EVIDENCE_MAX characters
    detail: str = ""  # e.g. "3 occurrences", or the parser's reason for PAR001
    spans: tuple[tuple[int, int], ...] = ()  # every occurrence (start, end), first one included


@dataclass(frozen=True)
class SqlAnalysis:
    matches: tuple[SqlMatch, ...]
    tables: tuple[str, ...]
    statement: str  # kind of the first statement
    parse_error: str | None
    complete: bool  # every statement parsed into a full tree (no error, no opaque command)
    writes: tuple[str, ...] = ()  # the tables among `tables` the SQL changes (the rest are read)


def analyze_sql(sql: str, rules: Sequence[Rule], *, placeholders: str = "driver",
                target: str | None = None) -> SqlAnalysis:
    """placeholders: driver | orm | pyformat | named (see auditor.placeholders);
    target: the PostgreSQL driver the code moves to (auditor.placeholders.TARGETS) or None."""
    checks = [(rule, fn) for rule in rules if (fn := matcher(rule)) is not None]
    try:
        stmts = split_and_parse(sql, mode_of(placeholders))
        if target is not None:
            stmts = [replace(s, target=target) for s in stmts]
        matches = tuple(sorted(_run(sql, stmts, checks), key=lambda m: (m.start, m.rule.id)))
        errors = [s.error for s in stmts if s.error]
        return SqlAnalysis(
            matches=matches,
            tables=tables(stmts),
            statement=stmts[0].kind if stmts else "other",
            parse_error=errors[0] if errors else None,
            complete=not errors and not any(s.tree is None or _is_command(s) for s in stmts),
            writes=writes(stmts),
        )
    except Exception as exc:  # noqa: BLE001 - a scan must go on whatever the text is
        if _STRICT:
            raise
        return SqlAnalysis((), (), "unparsed", f"internal error: {type(exc).__name__}: {exc}", False)


def rules_for_driver_use(rules: Iterable[Rule]) -> dict[str, Rule]:
    """kind -> rule, for the rules judged on driver-API records (`match: {driver_use: kind}`)."""
    return {r.match["driver_use"]: r for r in rules if r.match and "driver_use" in r.match}


@functools.lru_cache(maxsize=None)
def matcher(rule: Rule) -> Callable | None:
    """The check a rule runs on SQL, None for rules judged on code records."""
    if rule.check:
        module, _, name = rule.check.partition(":")
        fn = getattr(importlib.import_module(module), name, None)
        if not callable(fn):
            raise CatalogError(f"{rule.path}: check {rule.check!r} is not a function")
        return fn
    from auditor.checks.declarative import compile_match

    return compile_match(rule.match)


def _run(sql, stmts, checks) -> Iterable[SqlMatch]:
    holes = [(t.start, t.end + 1) for s in stmts for i, t in enumerate(s.tokens) if s.is_hole(i)]
    for rule, fn in checks:
        hits = []
        for stmt in stmts:
            try:
                hits.extend(fn(stmt))
            except Exception:  # noqa: BLE001 - one broken check must not hide the others
                if _STRICT:
                    raise
        hits = [h for h in hits if not any(a <= h.start and h.end <= b for a, b in holes)]
        if hits:
            first = min(hits, key=lambda h: (h.start, h.end))
            detail = first.detail or (f"{len(hits)} occurrences" if len(hits) > 1 else "")
            spans = tuple(sorted({(h.start, h.end) for h in hits}))
            yield SqlMatch(rule, first.start, first.end, sql[first.start:first.end][:EVIDENCE_MAX], detail, spans)


# --- tokenize once, parse each statement once -------------------------------------------

LEGIT_COMMANDS = frozenset({  # statements sqlglot keeps opaque but MySQL accepts: no PAR001
    "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "SET", "LOCK", "UNLOCK", "REPLACE", "CALL", "GRANT",
    "REVOKE", "FLUSH", "KILL", "ANALYZE", "OPTIMIZE", "CHECK", "REPAIR", "CHECKSUM", "HANDLER",
    "LOAD", "DO", "RESET", "PURGE", "XA", "SAVEPOINT", "RELEASE", "PREPARE", "EXECUTE",
    "DEALLOCATE", "START", "BEGIN", "COMMIT", "ROLLBACK", "USE", "RENAME", "HELP",
})
# valid in MySQL and PostgreSQL alike, but sqlglot raises on them: leading words -> no PAR001
WELL_FORMED = (("RELEASE", "SAVEPOINT"),)
_KINDS = (
    ((exp.Select, exp.SetOperation, exp.Subquery), "select"), ((exp.Insert,), "insert"),
    ((exp.Update,), "update"), ((exp.Delete,), "delete"),
    ((exp.Create, exp.Drop, exp.Alter, exp.TruncateTable), "ddl"), ((exp.Transaction,), "begin"),
    ((exp.Commit,), "commit"), ((exp.Rollback,), "rollback"), ((exp.Show,), "show"), ((exp.Set,), "set"),
)
_COMMAND_KINDS = {"LOCK": "lock", "UNLOCK": "lock", "SHOW": "show", "SET": "set", "RENAME": "ddl",
                  "REPLACE": "replace", "START": "begin", "BEGIN": "begin"}


class _Tokenizer(MySQL.Tokenizer):
    """MySQL's tokenizer without its command shortcut: sqlglot turns everything after a leading
    REPLACE/LOCK TABLES/CALL ... into one string token; checks need the real tokens, so the
    parser gets that string rebuilt by `_for_parser`."""

    COMMANDS: set = set()


@functools.cache
def _dialect() -> MySQL:
    import logging

    # sqlglot logs every fallback to an opaque command; we report those ourselves (PAR001)
    logging.getLogger("sqlglot").addFilter(lambda rec: "Falling back to parsing as a 'Command'" not in rec.getMessage())
    return MySQL()


def split_and_parse(sql: str, placeholders: str) -> list[Statement]:
    try:
        tokens = bind_markers(sql, _Tokenizer(dialect=_dialect()).tokenize(sql), placeholders)
    except Exception as exc:  # noqa: BLE001 - TokenError and whatever else the tokenizer raises
        return [Statement(sql, (), None, f"cannot tokenize: {exc}", "unparsed", placeholders)]
    stmts, chunk = [], []
    for tok in [*tokens, None]:
        if tok is not None and tok.token_type != TokenType.SEMICOLON:
            chunk.append(tok)
        elif chunk:
            stmts.append(parse_tokens(sql, tuple(chunk), placeholders))
            chunk = []
    if not stmts and sql.strip():  # only comments (`/*!40101 SET NAMES utf8 */`): lexical checks still run
        stmts.append(Statement(sql, (), None, None, "other", placeholders))
    return stmts


def parse_tokens(sql: str, tokens: tuple[Token, ...], placeholders: str) -> Statement:
    """One statement from its tokens (offsets into `sql`); the rewrite engine re-parses with marked placeholders."""
    # `??` (mysql2 identifier placeholder) parses as a hole-like identifier at the same offsets
    work = [Token(TokenType.VAR, "pgready_hole_qq", t.line, t.col, t.start, t.end, t.comments)
            if t.token_type == TokenType.DQMARK else t for t in tokens]
    first = work[0]
    if _is_replace(tokens):
        # REPLACE INTO has INSERT's grammar (sqlglot keeps it opaque): read it as one for tables & checks
        work[0] = Token(TokenType.INSERT, "INSERT", first.line, first.col, first.start, first.end, first.comments)
    tree = error = None
    try:
        tree = _dialect().parser(error_level=ErrorLevel.RAISE).parse(_for_parser(sql, work), sql)[0]
        word = _command_word(tree)
        if word and word not in LEGIT_COMMANDS:
            error = f"sqlglot fell back to an opaque command at {word!r}: the statement was not understood"
    except ParseError as exc:
        words = tuple(t.text.upper() for t in tokens[:2])
        error = None if words in WELL_FORMED and len(tokens) == 3 else _reason(exc)
    except Exception as exc:  # noqa: BLE001 - whatever sqlglot raises, the statement is unparsed
        error = f"{type(exc).__name__}: {exc}"
    if error:
        tree = None
    return Statement(sql, tokens, tree, error, _kind(tree, tokens, error), placeholders)


def _is_replace(tokens) -> bool:
    """`REPLACE [INTO] t ...` as a statement (not a REPLACE(...) call)."""
    return tokens[0].token_type == TokenType.REPLACE and len(tokens) > 1 and tokens[1].token_type != TokenType.L_PAREN


def _for_parser(sql: str, tokens: list[Token]) -> list[Token]:
    """What sqlglot's own tokenizer hands the parser for a command: the rest as one string."""
    first = tokens[0]
    if first.token_type not in MySQL.Tokenizer.COMMANDS or len(tokens) < 2:
        return tokens
    start, end = tokens[1].start, tokens[-1].end
    rest = Token(TokenType.STRING, sql[start:end + 1], tokens[1].line, tokens[1].col, start, end)
    return [first, rest]


def _command_word(tree) -> str:
    if not isinstance(tree, exp.Command):
        return ""
    return str(tree.this or "").split()[0].upper() if str(tree.this or "").split() else "?"


def _reason(exc: ParseError) -> str:
    err = exc.errors[0] if exc.errors else {}
    reason = err.get("description") or str(exc).splitlines()[0]
    if err.get("line"):
        reason += f" (line {err['line']}, col {err['col']})"
    if err.get("highlight"):
        reason += f" near {err['highlight']!r}"
    return reason


def _kind(tree, tokens, error) -> str:
    if error:
        return "unparsed"
    if tokens and _is_replace(tokens):
        return "replace"
    if isinstance(tree, exp.Command):
        return _COMMAND_KINDS.get(_command_word(tree), "other")
    if isinstance(tree, exp.Describe):
        return "show" if isinstance(tree.this, exp.Table) else "other"
    return next((kind for classes, kind in _KINDS if isinstance(tree, classes)), "other")


def _is_command(stmt: Statement) -> bool:
    return isinstance(stmt.tree, exp.Command) or stmt.kind == "replace"


def tables(stmts: Sequence[Statement]) -> tuple[str, ...]:
    """Lower-cased tables read or written, CTE names, aliases, holes and placeholders left out."""
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt.tree, exp.Command) and stmt.kind == "lock":
            names.update(_locked_tables(stmt))
        if stmt.tree is None or isinstance(stmt.tree, (exp.Use, exp.Command)):
            continue
        found = list(stmt.tree.find_all(exp.Table))
        local = {c.alias_or_name.lower() for c in stmt.tree.find_all(exp.CTE)}
        local |= {t.alias.lower() for t in found if t.alias} | {"dual"}
        for table in found:
            if isinstance(table.this, exp.Placeholder):
                continue
            parts = [p for p in (table.catalog, table.db, table.name) if p]
            if not parts or any(HOLE.match(p) for p in parts) or (len(parts) == 1 and parts[0].lower() in local):
                continue
            names.add(".".join(parts).lower())
    return tuple(sorted(names))


_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Alter, exp.Drop, exp.TruncateTable)


def writes(stmts: Sequence[Statement]) -> tuple[str, ...]:
    """The tables among `tables(stmts)` that the statements change: INSERT/REPLACE/UPDATE/DELETE
    targets (multi-table DELETE: the listed ones; UPDATE: the first table) and DDL subjects."""
    found: set[str] = set()
    known = set(tables(stmts))
    for stmt in stmts:
        tree = stmt.tree
        if not isinstance(tree, _WRITES):
            continue
        targets = tree.args.get("tables") or tree.args.get("expressions") if isinstance(
            tree, (exp.Delete, exp.Drop, exp.TruncateTable)) else None
        if not targets:
            targets = [tree.args.get("this")]
        for target in targets:
            table = target if isinstance(target, exp.Table) else (target.find(exp.Table) if target else None)
            if table is not None:
                name = ".".join(p for p in (table.catalog, table.db, table.name) if p).lower()
                if name in known:
                    found.add(name)
    return tuple(sorted(found))


def _locked_tables(stmt: Statement):
    """`LOCK TABLES a READ, b AS x WRITE` -> a, b (sqlglot keeps LOCK opaque)."""
    expect_name = False
    for i, tok in enumerate(stmt.tokens):
        if stmt.word(i).endswith(("TABLES", "TABLE")) or tok.token_type == TokenType.COMMA:
            expect_name = True
        elif expect_name:
            expect_name = False
            if not stmt.is_hole(i) and tok.token_type in (TokenType.VAR, TokenType.IDENTIFIER):
                name = tok.text
                if stmt.type_is(i + 1, TokenType.DOT) and i + 2 < len(stmt.tokens):
                    name += "." + stmt.tokens[i + 2].text
                yield name.lower()
