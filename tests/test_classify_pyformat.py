"""Python DB-API SQL (`%s`, `%(name)s`, `%%`) and SQLAlchemy `:name` binds in `analyze_sql`,
and the target driver (SYN010 only for asyncpg)."""
from __future__ import annotations

import random

import pytest

import auditor.classify as classify
from auditor.catalog import load_rules
from auditor.classify import analyze_sql

RULES = load_rules()
PY = {"placeholders": "pyformat"}


def ids(sql: str, **kw) -> set[str]:
    return {m.rule.id for m in analyze_sql(sql, RULES, **kw).matches}


def match(sql: str, rule_id: str, **kw):
    return next(m for m in analyze_sql(sql, RULES, **kw).matches if m.rule.id == rule_id)


@pytest.mark.parametrize("sql", [
    "SELECT * FROM users WHERE id = %s",
    "SELECT * FROM users WHERE id = %(user_id)s AND org = %(org)s",
    "INSERT INTO t (a, b) VALUES (%s, %(b)s)",
    "SELECT price %% 10 FROM items WHERE id = %s",
    "SELECT * FROM users WHERE name LIKE '%%x%%' AND id = %s",
    "SELECT * FROM users WHERE note = '100%s'",
    "SELECT * FROM t WHERE a = %(first-name)s",
    "SELECT * FROM t WHERE a IN %s",
    "SELECT * FROM t LIMIT %s OFFSET %s",
    "UPDATE t SET a = %s WHERE id = %s; DELETE FROM u WHERE id = %(id)s",
])
def test_pyformat_sql_parses(sql):
    analysis = analyze_sql(sql, RULES, **PY)
    assert analysis.parse_error is None and analysis.complete, analysis.parse_error
    assert "PAR001" not in ids(sql, **PY) and "SYN002" not in ids(sql, **PY)


def test_without_pyformat_the_same_sql_does_not_parse():
    assert "PAR001" in ids("SELECT * FROM users WHERE id = %s")
    assert "PAR001" in ids("SELECT * FROM users WHERE id = %(id)s", placeholders="orm")


def test_placeholders_inside_strings_and_comments_are_left_alone():
    sql = "SELECT '100%s', 'a %(x)s b' FROM t -- %s\nWHERE code = 'Z%s'"
    analysis = analyze_sql(sql, RULES, **PY, target="asyncpg")
    assert analysis.complete and "SYN010" not in {m.rule.id for m in analysis.matches}
    assert match(sql, "SEM001", **PY).evidence == "code = 'Z%s'"  # a string literal with a letter


def test_double_percent_is_a_literal_percent():
    assert ids("SELECT a %% b FROM t", **PY) == set()
    assert analyze_sql("SELECT a %% b FROM t", RULES, **PY).tables == ("t",)
    like = match("SELECT * FROM users WHERE name LIKE '%%ann%%'", "SEM001", **PY)
    assert like.evidence == "name LIKE '%%ann%%'"


def test_offsets_after_placeholders_point_at_the_original_text():
    sql = "SELECT * FROM users WHERE org = %(org_id)s AND IFNULL(nick, %s) = %s LIMIT %s, %s"
    fun = match(sql, "FUN001", **PY)
    assert (fun.start, fun.end, fun.evidence) == (sql.index("IFNULL"), sql.index(" = %s L"), "IFNULL(nick, %s)")
    assert match(sql, "SYN003", **PY).evidence == "LIMIT %s, %s"


def test_placeholders_count_as_placeholders_for_sem001():
    sem = match("SELECT id FROM users WHERE email = %(email)s", "SEM001", **PY)
    assert sem.evidence == "email = %(email)s"
    assert match("SELECT id FROM users WHERE name LIKE %s", "SEM001", **PY).evidence == "name LIKE %s"
    assert "SEM001" not in ids("SELECT id FROM users WHERE id = %s", **PY)


def test_markers_never_fire_syn002_but_a_question_mark_still_does():
    assert "SYN002" not in ids("SELECT * FROM t WHERE a = %s AND b = %(b)s", **PY)
    assert match("SELECT * FROM t WHERE a = %s AND b = ?", "SYN002", **PY).evidence == "?"


def test_tables_exclude_markers():
    assert analyze_sql("SELECT * FROM %s JOIN users u ON u.id = %s", RULES, **PY).tables == ("users",)
    assert analyze_sql("INSERT INTO logs (msg) VALUES (%(msg)s)", RULES, **PY).tables == ("logs",)
    assert analyze_sql("SELECT * FROM ? WHERE a = ?", RULES).tables == ()


def test_syn010_fires_only_for_the_asyncpg_target():
    sql = "SELECT * FROM users WHERE name = %(name)s AND id = %s"
    syn = match(sql, "SYN010", **PY, target="asyncpg")
    assert (syn.start, syn.end, syn.evidence, syn.detail) == (33, 41, "%(name)s", "2 occurrences")
    for target in (None, "psycopg", "node-postgres", "postgres.js"):
        assert "SYN010" not in ids(sql, **PY, target=target), target
    assert "SYN010" not in ids("SELECT * FROM users WHERE id = $1", **PY, target="asyncpg")
    assert "SYN010" not in ids("SELECT '%s' FROM t", **PY, target="asyncpg")


def test_target_does_not_change_other_rules():
    sql = "SELECT IFNULL(a, 0) FROM t WHERE id = %s"
    assert ids(sql, **PY) == ids(sql, **PY, target="asyncpg") - {"SYN010"} == {"FUN001"}
    assert ids("SELECT * FROM t WHERE id = ?", target="asyncpg") == {"SYN002"}


def test_named_binds_parse_and_are_placeholders():
    sql = "SELECT * FROM users WHERE id = :id AND email = :email ORDER BY :order LIMIT :limit"
    analysis = analyze_sql(sql, RULES, placeholders="named")
    assert analysis.complete and analysis.tables == ("users",)
    assert {m.rule.id: m.evidence for m in analysis.matches} == {"SEM001": "email = :email"}
    assert "SYN002" not in ids("SELECT * FROM t WHERE a = ? AND b = :b", placeholders="named")
    assert "SEM001" in ids("SELECT * FROM users WHERE name LIKE :pattern", placeholders="named")
    assert analyze_sql("SET @n := 1", RULES, placeholders="named").parse_error is None


def test_driver_and_orm_modes_are_unchanged_and_unknown_modes_mean_driver():
    assert "SYN002" in ids("SELECT * FROM t WHERE id = ?")
    assert "SYN002" not in ids("SELECT * FROM t WHERE id = ?", placeholders="orm")
    assert ids("SELECT * FROM t WHERE id = ?", placeholders="bogus") == {"SYN002"}


GARBAGE = ["%", "%%", "%s", "%(", "%()s", "%(a", "%(a)", "%(a)s%(b)s", "%ss", "SELECT %s%s", "SELECT %(a)s)s",
           "SELECT '%s", "SELECT :", ":a", "SELECT :1", "%%%s%%%", "SELECT * FROM t WHERE a = %(a b)s"]


@pytest.mark.parametrize("mode", ["pyformat", "named"])
def test_never_raises_on_placeholder_garbage(mode, monkeypatch):
    monkeypatch.setattr(classify, "_STRICT", True)
    rng = random.Random(7)
    words = ["SELECT", "FROM", "t", "%", "%s", "%%", "%(a)s", "(", ")", "s", ":", ":x", "'%s'", ",", ";", "?", "LIKE"]
    soup = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(200)]
    soup += ["".join(rng.choice(words) for _ in range(rng.randint(0, 8))) for _ in range(200)]
    for sql in GARBAGE + soup:
        analysis = analyze_sql(sql, RULES, placeholders=mode, target="asyncpg")
        for m in analysis.matches:
            assert 0 <= m.start <= m.end <= len(sql) and m.evidence == sql[m.start:m.end][:classify.EVIDENCE_MAX]
