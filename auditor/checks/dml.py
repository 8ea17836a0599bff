"""MySQL-only forms of INSERT, REPLACE, UPDATE and DELETE."""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

_DELETE_END = frozenset({"WHERE", "ORDER", "LIMIT"})


def replace_into(stmt: Statement) -> Iterator[Hit]:
    """DML003: `REPLACE [LOW_PRIORITY|DELAYED] [INTO] t ...` (not the REPLACE() function)."""
    if stmt.word(0) == "REPLACE" and not stmt.type_is(1, TokenType.L_PAREN):
        into = next((i for i in (1, 2) if stmt.word(i) == "INTO"), 0)
        yield stmt.span(0, into)


def _top_limit(stmt: Statement, verb: str) -> Iterator[Hit]:
    if stmt.word(0) != verb:
        return
    for i in stmt.top_level():
        if stmt.word(i) == "LIMIT":
            yield stmt.span(i, min(i + 1, len(stmt.tokens) - 1))


def update_limit(stmt: Statement) -> Iterator[Hit]:
    """DML004: `UPDATE ... [ORDER BY ...] LIMIT n`."""
    return _top_limit(stmt, "UPDATE")


def delete_limit(stmt: Statement) -> Iterator[Hit]:
    """DML005: `DELETE ... LIMIT n`."""
    return _top_limit(stmt, "DELETE")


def multi_table_update(stmt: Statement) -> Iterator[Hit]:
    """DML006: `UPDATE a JOIN b ... SET` / `UPDATE a, b SET` (the table list is the evidence)."""
    if stmt.word(0) != "UPDATE":
        return
    top = stmt.top_level()
    set_at = next((i for i in top if stmt.word(i) == "SET"), None)
    if set_at is None:
        return
    if any(stmt.word(i) == "JOIN" or stmt.type_is(i, TokenType.COMMA) for i in top if i < set_at):
        yield stmt.span(0, set_at - 1)


def multi_table_delete(stmt: Statement) -> Iterator[Hit]:
    """DML007: `DELETE a FROM a JOIN b`, `DELETE a, b FROM ...`, `DELETE FROM a USING a JOIN b`."""
    tree = stmt.tree
    if not isinstance(tree, exp.Delete) or stmt.word(0) != "DELETE":
        return
    joined = isinstance(tree.this, exp.Table) and bool(tree.this.args.get("joins"))
    k = 1
    while stmt.word(k) in ("LOW_PRIORITY", "QUICK", "IGNORE"):  # modifiers, not a table list
        k += 1
    named = tree.args.get("tables") and stmt.word(k) != "FROM"
    if named or tree.args.get("using") or joined:
        end = next((i for i in stmt.top_level() if stmt.word(i) in _DELETE_END), len(stmt.tokens))
        yield stmt.span(0, end - 1)


# --- issue 5 ------------------------------------------------------------------------------

_DML_MODIFIERS = {"INSERT": ("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"), "UPDATE": ("LOW_PRIORITY",),
                  "DELETE": ("LOW_PRIORITY", "QUICK")}


def insert_set(stmt: Statement) -> Iterator[Hit]:
    """DML008: `INSERT [INTO] t SET a = 1, b = 2` (not `ON CONFLICT ... DO UPDATE SET`)."""
    if stmt.word(0) not in ("INSERT", "REPLACE") or stmt.type_is(1, TokenType.L_PAREN):
        return
    top = stmt.top_level()
    for i in top:
        word = stmt.word(i)
        if word in ("VALUES", "VALUE", "SELECT", "UPDATE", "ON", "DO", "WITH", "TABLE"):
            return
        if word == "SET":
            end = next((k for k in top if k > i and stmt.word(k) == "ON"), len(stmt.tokens)) - 1
            yield stmt.span(i, end)
            return


def insert_values_row(stmt: Statement) -> Iterator[Hit]:
    """DML009: `VALUES ROW(1, 2), ROW(3, 4)` (MySQL 8 row constructors in a VALUES list)."""
    for i in range(len(stmt.tokens)):
        if stmt.word(i) not in ("VALUES", "VALUE"):
            continue
        j = i + 1
        while stmt.word(j) == "ROW" and stmt.type_is(j + 1, TokenType.L_PAREN):
            close = stmt.close_paren(j + 1)
            if close < 0:
                break
            yield stmt.span(j, close)
            if not stmt.type_is(close + 1, TokenType.COMMA):
                break
            j = close + 2


def load_data_infile(stmt: Statement) -> Iterator[Hit]:
    """DML010: LOAD DATA [LOW_PRIORITY|CONCURRENT] [LOCAL] INFILE ... / LOAD XML ..."""
    if stmt.word(0) == "LOAD" and stmt.word(1) in ("DATA", "XML"):
        infile = next((i for i in range(2, min(6, len(stmt.tokens))) if stmt.word(i) == "INFILE"), 1)
        yield stmt.span(0, infile)


def select_into_outfile(stmt: Statement) -> Iterator[Hit]:
    """DML011: SELECT ... INTO OUTFILE 'f' / INTO DUMPFILE 'f'."""
    for i in range(len(stmt.tokens) - 1):
        if stmt.word(i) == "INTO" and stmt.word(i + 1) in ("OUTFILE", "DUMPFILE"):
            yield stmt.span(i, i + 1)


def handler_statement(stmt: Statement) -> Iterator[Hit]:
    """DML012: HANDLER t OPEN / READ / CLOSE."""
    if stmt.word(0) == "HANDLER" and len(stmt.tokens) > 2:
        yield stmt.span(0, 1)


def dml_priority_modifier(stmt: Statement) -> Iterator[Hit]:
    """DML013: INSERT LOW_PRIORITY|DELAYED|HIGH_PRIORITY, UPDATE LOW_PRIORITY, DELETE LOW_PRIORITY|QUICK
    (REPLACE's modifiers are part of DML003's evidence)."""
    allowed = _DML_MODIFIERS.get(stmt.word(0), ())
    i = 1
    while stmt.word(i) in allowed + ("IGNORE",):
        if stmt.word(i) != "IGNORE":
            yield stmt.span(i, i)
        i += 1


def update_delete_ignore(stmt: Statement) -> Iterator[Hit]:
    """DML014: UPDATE [LOW_PRIORITY] IGNORE / DELETE [LOW_PRIORITY] [QUICK] IGNORE."""
    if stmt.word(0) not in ("UPDATE", "DELETE"):
        return
    i = 1
    while stmt.word(i) in ("LOW_PRIORITY", "QUICK"):
        i += 1
    if stmt.word(i) == "IGNORE":
        yield stmt.span(0, i)
