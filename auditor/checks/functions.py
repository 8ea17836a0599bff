"""MySQL functions and operators whose use needs more than the name to judge (FUN0xx checks).

Plain `NAME(` calls are declarative (`match: {function: ...}`); the checks here look at the
arguments or the surroundings: an INTERVAL's value and unit, FORMAT's first argument,
GREATEST/LEAST's arguments, the right-hand side of `->`, MATCH ... AGAINST, and date-part
names that are also column types (`YEAR(4)`).
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from auditor.checks.base import Hit, Statement

# interval units PostgreSQL's `INTERVAL 'n' UNIT` accepts (plus `X TO Y`)
_PG_UNITS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})
_MYSQL_UNITS = _PG_UNITS | frozenset({
    "MICROSECOND", "WEEK", "QUARTER", "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND",
    "HOUR_MICROSECOND", "HOUR_SECOND", "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE",
    "DAY_HOUR", "YEAR_MONTH",
})
_DATE_ADD = frozenset({"DATE_ADD", "DATE_SUB", "ADDDATE", "SUBDATE"})  # FUN007 reports their INTERVAL
_STRINGS = frozenset({TokenType.STRING, TokenType.NATIONAL_STRING})
_NAMES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})


def _call_args(stmt: Statement, open_paren: int) -> list[tuple[int, int]]:
    """(first, last) token indexes of each top-level argument of the call whose `(` is at open_paren."""
    close = stmt.close_paren(open_paren)
    if close < 0 or close == open_paren + 1:
        return []
    args, start, depth = [], open_paren + 1, 0
    for j in range(open_paren + 1, close):
        kind = stmt.tokens[j].token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
        elif kind == TokenType.COMMA and depth == 0:
            args.append((start, j - 1))
            start = j + 1
    args.append((start, close - 1))
    return args


def _calls(stmt: Statement, names: frozenset[str]) -> Iterator[tuple[int, int]]:
    """(name index, `(` index) of every call NAME( ... ) by the name as written."""
    for i in range(len(stmt.tokens)):
        if stmt.word(i) in names and stmt.type_is(i + 1, TokenType.L_PAREN) and not stmt.type_is(i - 1, TokenType.DOT):
            yield i, i + 1


def _enclosing_call(stmt: Statement, i: int) -> str:
    """Name written before the innermost `(` that encloses token i ("" when none)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        kind = stmt.tokens[j].token_type
        if kind == TokenType.R_PAREN:
            depth += 1
        elif kind == TokenType.L_PAREN:
            if depth == 0:
                return stmt.word(j - 1)
            depth -= 1
    return ""


def interval_expression(stmt: Statement) -> Iterator[Hit]:
    """FUN017: `INTERVAL 1 DAY`, `INTERVAL ? HOUR`, `INTERVAL n DAY`, `INTERVAL '1' WEEK`,
    `INTERVAL '1:30' HOUR_MINUTE`: PostgreSQL takes only `INTERVAL 'text' [unit]` with its own units.
    INTERVALs written as DATE_ADD/DATE_SUB arguments are FUN007's."""
    for i in range(len(stmt.tokens)):
        if stmt.word(i) != "INTERVAL" or stmt.type_is(i - 1, TokenType.DOT):
            continue
        j = i + 1
        while stmt.type_is(j, TokenType.DASH, TokenType.PLUS):
            j += 1
        if j >= len(stmt.tokens):
            continue
        if stmt.type_is(j, TokenType.L_PAREN):
            j = stmt.close_paren(j)
            if j < 0:
                continue
        else:
            while stmt.type_is(j + 1, TokenType.DOT) and j + 2 < len(stmt.tokens):
                j += 2  # t.col
            if stmt.type_is(j + 1, TokenType.L_PAREN):
                j = stmt.close_paren(j + 1)  # INTERVAL ceil(x) DAY
                if j < 0:
                    continue
        unit = stmt.word(j + 1)
        if unit not in _MYSQL_UNITS:
            continue  # `INTERVAL '1 day'`, or MySQL's INTERVAL(n, a, b ...) comparison function
        quoted = stmt.type_is(i + 1, *_STRINGS) and j == i + 1
        if quoted and unit in _PG_UNITS:
            continue  # INTERVAL '7' DAY is standard SQL, PostgreSQL takes it
        if _enclosing_call(stmt, i) in _DATE_ADD:
            continue
        yield stmt.span(i, j + 1)


def format_function(stmt: Statement) -> Iterator[Hit]:
    """FUN025: MySQL's FORMAT(number, decimals[, locale]); PostgreSQL's own format('%s ...', ...)
    (first argument a string literal holding a `%` directive) is left alone."""
    for i, paren in _calls(stmt, frozenset({"FORMAT"})):
        args = _call_args(stmt, paren)
        if not args:
            continue
        first, last = args[0]
        tok = stmt.tokens[first]
        if first == last and tok.token_type in _STRINGS and "%" in tok.text:
            continue
        yield stmt.span(i, stmt.close_paren(paren))


_CLOCK = frozenset({"NOW", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP",
                    "LOCALTIME", "CURDATE", "CURTIME", "UTC_TIMESTAMP", "UTC_DATE", "SYSDATE"})


def _never_null(stmt: Statement, first: int, last: int) -> bool:
    """A number or string literal, a clock (NOW(), CURRENT_DATE ...), or COALESCE/IFNULL(..., never null)."""
    if first == last:
        return stmt.tokens[first].token_type in (_STRINGS | {TokenType.NUMBER}) or stmt.word(first) in _CLOCK
    if stmt.type_is(first, TokenType.DASH) and first + 1 == last:
        return stmt.type_is(last, TokenType.NUMBER)
    if stmt.type_is(first + 1, TokenType.L_PAREN) and stmt.close_paren(first + 1) == last:
        if stmt.word(first) in _CLOCK:
            return True
        if stmt.word(first) in ("COALESCE", "IFNULL"):
            args = _call_args(stmt, first + 1)
            return bool(args) and _never_null(stmt, *args[-1])
    return False


def greatest_least_null(stmt: Statement) -> Iterator[Hit]:
    """FUN044: GREATEST/LEAST with an argument that can be NULL (when every argument is a literal,
    a clock or COALESCE(..., literal), the call behaves the same on both databases)."""
    for i, paren in _calls(stmt, frozenset({"GREATEST", "LEAST"})):
        args = _call_args(stmt, paren)
        if args and all(_never_null(stmt, a, b) for a, b in args):
            continue
        yield stmt.span(i, stmt.close_paren(paren))


def json_arrow_path(stmt: Statement) -> Iterator[Hit]:
    """FUN031: `col->'$.a.b'` / `col->>'$.a'`: a MySQL JSON path on the right of PostgreSQL's
    key operators (where it is read as a key literally named `$.a.b`)."""
    for i, tok in enumerate(stmt.tokens):
        if tok.token_type in (TokenType.ARROW, TokenType.DARROW) and stmt.type_is(i + 1, *_STRINGS) \
                and stmt.tokens[i + 1].text.lstrip().startswith("$"):
            first = i - 1 if i > 0 else i
            yield stmt.span(first, i + 1)


def match_against(stmt: Statement) -> Iterator[Hit]:
    """FUN045: MATCH (cols) AGAINST ('words' [IN ... MODE])."""
    for i, paren in _calls(stmt, frozenset({"MATCH"})):
        close = stmt.close_paren(paren)
        if close > 0 and stmt.word(close + 1) == "AGAINST" and stmt.type_is(close + 2, TokenType.L_PAREN):
            end = stmt.close_paren(close + 2)
            yield stmt.span(i, end if end > 0 else close + 1)


_DATE_PARTS = frozenset({
    "YEAR", "MONTH", "DAY", "DAYOFMONTH", "HOUR", "MINUTE", "SECOND", "MICROSECOND", "DAYOFWEEK",
    "WEEKDAY", "DAYOFYEAR", "DAYNAME", "MONTHNAME", "QUARTER",
})


def date_part_functions(stmt: Statement) -> Iterator[Hit]:
    """FUN046: YEAR(d), MONTH(d), DAYOFWEEK(d) ... as calls; `y YEAR(4)` in a column
    definition (a name right before) is a type, not a call."""
    for i, paren in _calls(stmt, _DATE_PARTS):
        if stmt.type_is(i - 1, *_NAMES) and stmt.word(i - 1) != "RETURN":
            continue  # `built YEAR(4)`: a column's type
        close = stmt.close_paren(paren)
        yield stmt.span(i, close if close > 0 else i)
