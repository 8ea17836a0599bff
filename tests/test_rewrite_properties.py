"""Property-based tests of the rewrite engine: random MySQL statements from a small grammar of
what applications send (MySQL functions and operators, LIMIT a,b, INSERT IGNORE / ON DUPLICATE
KEY, UPDATE ... LIMIT, backticked names, string literals full of quotes and backslashes, `?`
or `%s` parameters), and three promises checked on every one of them:

- the engine never raises, whatever the text;
- `safe` is earned: the output parses with PostgreSQL's own parser (pglast) and rewriting it
  again changes nothing;
- `review` output parses too, or one of its reasons says it does not.

Hand-picked examples test what we thought of; this tests the combinations we did not.
Deterministic for CI: derandomized, a fixed number of examples, no example database.
"""
from __future__ import annotations

import re

import pglast
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.catalog import load_rules
from auditor.model import FixSafety
from auditor.rewrite import rewrite_sql

RULES = load_rules()
PH = "\x00P\x00"  # a parameter, written as `?` or `%s` once the statement is complete
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TABLES = ["users", "orders", "sessions", "`audit_logs`", "`UserSession`", "`order`", "guild_settings"]
COLUMNS = ["id", "name", "email", "created_at", "total", "status", "`id`", "`userId`", "`createdAt`",
           "`key`", "`group`", "`display_name`", "u.id", "u.`email`"]
SIMPLE_COLUMNS = ["id", "name", "email", "total", "status", "`value`", "`userId`", "`key`"]
CONSTANTS = ["NULL", "NOW()", "CURDATE()", "CURRENT_TIMESTAMP", "UNIX_TIMESTAMP()", "LAST_INSERT_ID()",
             "TRUE", "FALSE", "0", "1", "-1", "3.14", "100"]
FUNCS_1 = ["LCASE", "UCASE", "LOWER", "UPPER", "LENGTH", "CHAR_LENGTH", "ABS", "ISNULL", "UNIX_TIMESTAMP",
           "DATE", "YEAR", "MONTH", "HEX", "MD5", "TRIM", "FROM_UNIXTIME", "SUM", "COUNT", "MAX"]
FUNCS_2 = ["IFNULL", "COALESCE", "CONCAT", "ROUND", "LEFT", "LOCATE", "INSTR", "DATEDIFF", "FIND_IN_SET",
           "TRUNCATE", "NULLIF", "GREATEST"]
FUNCS_3 = ["IF", "CONCAT", "SUBSTRING", "SUBSTRING_INDEX", "REPLACE", "CONCAT_WS"]
BINARY = ["+", "-", "*", "/", "%", "DIV", "MOD", "=", "<>", "!=", "<", ">=", "<=>", "AND", "OR", "XOR",
          "&&", "||", "LIKE", "NOT LIKE", "REGEXP"]
UNITS = ["DAY", "HOUR", "MINUTE", "SECOND", "MONTH", "YEAR", "WEEK"]
FORMATS = ["'%Y-%m-%d'", "'%Y-%m-%d %H:%i:%s'", "'%d/%m/%Y'", "'%H:%i'", "'%b %e, %Y'"]
TARGETS = ["node-postgres", "asyncpg", "psycopg", None]
# The plain flavour: what most application SQL looks like (portable, or MySQL with a safe
# rewrite), so that enough statements come out `safe` for the proof properties to bite.
PLAIN = {"constants": ["NULL", "NOW()", "CURRENT_TIMESTAMP", "CURDATE()", "TRUE", "0", "1", "100"],
         "f1": ["LOWER", "UPPER", "LCASE", "UCASE", "ABS", "LENGTH", "TRIM", "MAX"],
         "f2": ["IFNULL", "COALESCE", "ROUND", "NULLIF"], "f3": ["COALESCE", "IF"],
         "binary": ["+", "-", "*", "=", "<>", "<", ">=", "AND", "OR"],
         "columns": ["id", "total", "u.id", "`id`", "`total`", "created_at"], "tables": ["users", "orders", "`sessions`"]}
RICH = {"constants": CONSTANTS, "f1": FUNCS_1, "f2": FUNCS_2, "f3": FUNCS_3, "binary": BINARY,
        "columns": COLUMNS, "tables": TABLES}


# A character or escape in a string literal: (as written inside '...', as written inside "...").
_SPECIALS = [("\\'", "'"), ("''", "\\'"), ('"', '""'), ('\\"', '\\"'), ("\\\\", "\\\\"),
             ("\\n", "\\n"), ("\\t", "\\t"), ("\\%", "\\%"), ("\\_", "\\_"), ("%", "%"),
             ("`", "`"), ("--", "--"), ("/*", "/*"), ("#", "#"), (";", ";"), ("?", "?")]


def string_literal(style: str):
    """MySQL string literals, single- or double-quoted, with every kind of quote and backslash
    escape in them (and `%` doubled where the driver formats with pyformat)."""
    plain = st.text(alphabet="ab Z09_", min_size=1, max_size=4).map(lambda t: (t, t))
    pieces = st.lists(st.one_of(plain, st.sampled_from(_SPECIALS)), max_size=5)

    def quote(parts: list[tuple[str, str]], double: bool) -> str:
        q = '"' if double else "'"
        out = q + "".join(p[1] if double else p[0] for p in parts) + q
        return out.replace("%", "%%") if style == "pyformat" else out

    return st.builds(quote, pieces, st.booleans())


def expressions(style: str, pool: dict[str, list[str]] | None = None):
    """Nested expressions over columns, literals, parameters, MySQL functions and operators."""
    pool = pool or RICH
    rich = pool is RICH
    text = string_literal(style) if rich else st.text(alphabet="abZ09 ", max_size=5).map(lambda t: f"'{t}'")
    leaf = st.one_of(st.sampled_from(pool["columns"]), st.sampled_from(pool["constants"]), text,
                     st.just(PH), st.integers(0, 500).map(str))
    fmt = st.sampled_from(FORMATS).map(lambda f: f.replace("%", "%%") if style == "pyformat" else f)

    def extend(sub):
        common = [
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(pool["f1"]), sub),
            st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(pool["f2"]), sub, sub),
            st.builds(lambda f, a, b, c: f"{f}({a}, {b}, {c})", st.sampled_from(pool["f3"]), sub, sub, sub),
            st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from(pool["binary"]), sub),
            st.builds(lambda a, neg: f"({a} IS {'NOT ' if neg else ''}NULL)", sub, st.booleans()),
            st.builds(lambda a, xs: f"({a} IN ({', '.join(xs)}))", sub, st.lists(sub, min_size=1, max_size=3)),
        ]
        if not rich:
            return st.one_of(*common)
        return st.one_of(*common,
            st.builds(lambda f, a, n, u: f"{f}({a}, INTERVAL {n} {u})", st.sampled_from(["DATE_ADD", "DATE_SUB"]),
                      sub, st.integers(1, 90), st.sampled_from(UNITS)),
            st.builds(lambda a, n, u: f"({a} + INTERVAL {n} {u})", sub, st.integers(1, 30), st.sampled_from(UNITS)),
            st.builds(lambda a, f: f"DATE_FORMAT({a}, {f})", sub, fmt),
            st.builds(lambda a, b, c: f"({a} BETWEEN {b} AND {c})", sub, sub, sub),
            st.builds(lambda a, t: f"CAST({a} AS {t})", sub, st.sampled_from(["CHAR", "SIGNED", "UNSIGNED", "DATE"])),
            st.builds(lambda a: f"NOT {a}", sub),
        )

    return st.recursive(leaf, extend, max_leaves=6 if rich else 3)


def limit():
    return st.sampled_from(["", " LIMIT 10", f" LIMIT {PH}", " LIMIT 20, 10", f" LIMIT {PH}, {PH}", " LIMIT 10 OFFSET 5"])


@st.composite
def select(draw, style: str, pool: dict) -> str:
    e = expressions(style, pool)
    items = draw(st.lists(st.builds(lambda x, a: x + (f" AS {a}" if a else ""), e,
                                    st.sampled_from(["", "label", "`Total`", "n"])), min_size=1, max_size=3))
    if draw(st.booleans()):
        sep = draw(st.sampled_from(["", " SEPARATOR ', '", " SEPARATOR ';'"]))
        items.append(f"GROUP_CONCAT({draw(st.sampled_from(SIMPLE_COLUMNS))} ORDER BY id{sep}) AS tags")
    sql = f"SELECT {', '.join(items)} FROM {draw(st.sampled_from(pool['tables']))} u"
    if draw(st.booleans()):
        sql += f" WHERE {draw(e)}"
    if "GROUP_CONCAT" in sql:
        sql += " GROUP BY u.id"
    if draw(st.booleans()):
        sql += f" ORDER BY {draw(st.sampled_from(pool['columns']))} {draw(st.sampled_from(['', 'ASC', 'DESC']))}".rstrip()
    return sql + draw(limit())


@st.composite
def insert(draw, style: str, pool: dict) -> str:
    cols = draw(st.lists(st.sampled_from(SIMPLE_COLUMNS), min_size=1, max_size=3, unique=True))
    values = [draw(expressions(style, pool)) for _ in cols]
    verb = draw(st.sampled_from(["INSERT INTO", "INSERT IGNORE INTO", "REPLACE INTO"]))
    sql = f"{verb} {draw(st.sampled_from(pool['tables']))} ({', '.join(cols)}) VALUES ({', '.join(values)})"
    if verb == "INSERT INTO" and draw(st.booleans()):
        sets = [draw(st.sampled_from([f"{c} = VALUES({c})", f"{c} = {c} + 1", f"{c} = {PH}"])) for c in cols]
        sql += " ON DUPLICATE KEY UPDATE " + ", ".join(sets)
    return sql


@st.composite
def update(draw, style: str, pool: dict) -> str:
    cols = draw(st.lists(st.sampled_from(SIMPLE_COLUMNS), min_size=1, max_size=2, unique=True))
    sets = ", ".join(f"{c} = {draw(expressions(style, pool))}" for c in cols)
    sql = f"UPDATE {draw(st.sampled_from(pool['tables']))} SET {sets}"
    if draw(st.booleans()):
        sql += f" WHERE {draw(expressions(style, pool))}"
    if draw(st.booleans()):
        sql += " ORDER BY id"
    return sql + draw(st.sampled_from(["", " LIMIT 1", f" LIMIT {PH}", " LIMIT 100"]))


@st.composite
def delete(draw, style: str, pool: dict) -> str:
    sql = f"DELETE FROM {draw(st.sampled_from(pool['tables']))} WHERE {draw(expressions(style, pool))}"
    return sql + draw(st.sampled_from(["", " LIMIT 1", " ORDER BY id LIMIT 1000"]))


@st.composite
def statements(draw) -> tuple[str, str, str | None]:
    """(sql, placeholders mode, target): `?` for any target, `%s` (pyformat) for Python drivers."""
    style = draw(st.sampled_from(["driver", "driver", "pyformat"]))
    target = draw(st.sampled_from(TARGETS if style == "driver" else ["psycopg", "asyncpg"]))
    pool = draw(st.sampled_from([PLAIN, PLAIN, RICH]))
    sql = draw(st.one_of(select(style, pool), insert(style, pool), update(style, pool), delete(style, pool)))
    return sql.replace(PH, "?" if style == "driver" else "%s"), style, target


_PG_TOKEN = re.compile(r"""[eE]'(?:\\.|''|[^'\\])*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|%%|%s|\?|[^'"?%eE/-]+|.""", re.S)


def pg_parse_error(text: str) -> str:
    """pglast's complaint about `text` ("" when it parses); `?` and `%s` stand in as $n."""
    out, n = [], 0
    for tok in _PG_TOKEN.findall(text):
        if tok in ("?", "%s"):
            n += 1
            tok = f"${n}"
        out.append("%" if tok == "%%" else tok)
    try:
        return "" if pglast.parse_sql("".join(out)) else "no statement"
    except Exception as exc:  # noqa: BLE001 - any complaint is a failed parse
        return f"{type(exc).__name__}: {exc}"


def output_mode(style: str, target: str | None) -> str:
    """How the rewritten text marks its parameters, for reading it a second time."""
    return "pyformat" if target == "psycopg" or (target is None and style == "pyformat") else "driver"


@SETTINGS
@given(statements())
def test_safe_is_earned_and_review_explains_itself(case):
    sql, style, target = case
    result = rewrite_sql(sql, RULES, placeholders=style, target=target)  # must never raise
    assert len(result.statements) == 1, (sql, result.statements)
    st_ = result.statements[0]
    error = pg_parse_error(st_.sql)
    if st_.safety is FixSafety.SAFE:
        assert not error, (sql, st_.sql, error)
        again = rewrite_sql(st_.sql, RULES, placeholders=output_mode(style, target), target=target)
        assert again.sql == st_.sql, (sql, st_.sql, again.sql)
    elif st_.safety is FixSafety.REVIEW:
        assert not error or any("parse" in r for r in st_.reasons), (sql, st_.sql, error, st_.reasons)
    assert st_.reasons or st_.safety is FixSafety.SAFE


@SETTINGS
@given(st.lists(st.sampled_from(["SELECT ", "FROM ", "WHERE ", "LIMIT ", "t", "`", "'", '"', "\\", "?", "%s",
                                  ";", "#", "--", "/*", "*/", "(", ")", "=", ",", "0", "a", "\n", " "]),
                max_size=25).map("".join),
       st.sampled_from(["driver", "pyformat", "orm", "named"]), st.sampled_from(TARGETS))
def test_the_engine_never_raises_on_any_text(text, style, target):
    result = rewrite_sql(text, RULES, placeholders=style, target=target)
    for st_ in result.statements:
        if st_.safety is FixSafety.SAFE and st_.changed:
            assert not pg_parse_error(st_.sql), (text, st_.sql)
