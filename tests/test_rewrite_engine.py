"""The rewrite engine: minimal edits, placeholders per target, holes kept, and labels that are
earned (safe only when proven), each with its reasons."""
from __future__ import annotations

import pglast
import pytest

from auditor.catalog import load_rules
from auditor.model import FixSafety
from auditor.rewrite import rewrite_sql

RULES = load_rules()
SAFE, REVIEW, MANUAL = FixSafety.SAFE, FixSafety.REVIEW, FixSafety.MANUAL


def one(sql: str, **kw):
    result = rewrite_sql(sql, RULES, **kw)
    assert len(result.statements) == 1, result.statements
    return result.statements[0]


def test_only_what_changes_is_edited_formatting_and_comments_stay():
    sql = ("select u.id,\n       IFNULL(u.nick, u.name)  as label -- shown in the admin list\n"
           "  from users u\n inner join orders o on o.user_id = u.id\n where u.id != 3")
    st = one(sql)
    assert st.sql == sql.replace("IFNULL", "COALESCE")
    assert st.safety is SAFE and st.reasons == ()
    at = sql.index("IFNULL")
    assert [(e.start, e.end, e.text) for e in st.edits] == [(at, at + len("IFNULL"), "COALESCE")]


@pytest.mark.parametrize("target, expected, safety", [
    ("node-postgres", "SELECT * FROM t WHERE a = $1 LIMIT $3 OFFSET $2", SAFE),
    ("asyncpg", "SELECT * FROM t WHERE a = $1 LIMIT $3 OFFSET $2", SAFE),
    ("psycopg", "SELECT * FROM t WHERE a = %s LIMIT %s OFFSET %s", MANUAL),  # positional: cannot swap
    (None, "SELECT * FROM t WHERE a = ? LIMIT ? OFFSET ?", MANUAL),
])
def test_placeholders_follow_the_parameter_they_stand_for(target, expected, safety):
    st = one("SELECT * FROM t WHERE a = ? LIMIT ?, ?", target=target)
    assert st.sql == expected
    assert st.safety is safety


def test_pyformat_stays_for_psycopg_and_becomes_numbered_for_asyncpg():
    sql = "SELECT `name` FROM users WHERE id = %s AND org = %s"
    assert one(sql, placeholders="pyformat", target="psycopg").sql == "SELECT name FROM users WHERE id = %s AND org = %s"
    st = one(sql, placeholders="pyformat", target="asyncpg")
    assert (st.sql, st.safety) == ("SELECT name FROM users WHERE id = $1 AND org = $2", SAFE)


def test_named_parameters_cannot_become_numbered_silently():
    st = one("SELECT * FROM users WHERE id = %(id)s LIMIT 1", placeholders="pyformat", target="asyncpg")
    assert st.safety is MANUAL
    assert any("named parameter %(id)s" in r for r in st.reasons)


def test_orm_bound_placeholders_are_left_to_the_orm():
    st = one("SELECT IFNULL(a, 0) FROM t WHERE id = ?", placeholders="orm", target="prisma")
    assert st.sql == "SELECT COALESCE(a, 0) FROM t WHERE id = ?"


def test_value_holes_and_fragment_holes_are_kept_exactly():
    sql = "SELECT IFNULL(a, 0) FROM t WHERE id = pgready_hole_1 /*pgready_hole_2*/ ORDER BY `b`"
    st = one(sql)
    assert st.sql == "SELECT COALESCE(a, 0) FROM t WHERE id = pgready_hole_1 /*pgready_hole_2*/ ORDER BY b"
    assert st.safety is SAFE


def test_hash_comments_become_double_dash():
    st = one("SELECT id FROM t # the ids\nWHERE a = 1")
    assert (st.sql, st.safety) == ("SELECT id FROM t -- the ids\nWHERE a = 1", SAFE)


@pytest.mark.parametrize("name, quoted, why", [
    ("user_id", "user_id", None),
    ("userId", '"userId"', "mixed-case"),
    ("order", '"order"', "keyword"),
])
def test_backticked_names_are_unquoted_only_when_that_keeps_their_meaning(name, quoted, why):
    st = one(f"SELECT `{name}` FROM t")
    assert st.sql == f"SELECT {quoted} FROM t"
    if why is None:
        assert st.safety is SAFE
    else:
        assert st.safety is REVIEW and any(why in r for r in st.reasons)


def test_review_rules_lower_the_label_and_say_which():
    st = one("SELECT DATE_FORMAT(created_at, '%Y-%m') FROM orders")
    assert st.safety is REVIEW
    assert any(r.startswith("FUN004") for r in st.reasons)
    pglast.parse_sql(st.sql)


def test_a_statement_sqlglot_cannot_read_is_manual_and_untouched():
    sql = "SELECT * FROM t WHERE a = 1 PROCEDURE ANALYSE()"
    st = one(sql)
    assert st.sql == sql and st.safety is MANUAL and st.reasons


def test_statements_of_a_script_are_labelled_one_by_one():
    result = rewrite_sql("SELECT IFNULL(a, 1) FROM t;\nSELECT 1 FROM t WHERE b = 2;\nLOAD DATA INFILE 'x' INTO TABLE t", RULES)
    labels = [(s.safety, s.changed) for s in result.statements]
    assert labels == [(SAFE, True), (SAFE, False), (MANUAL, False)]
    assert result.safety is MANUAL
    assert result.sql.startswith("SELECT COALESCE(a, 1) FROM t;\nSELECT 1 FROM t WHERE b = 2;")


def test_a_change_no_rule_explains_is_never_safe(monkeypatch):
    from auditor.rewrite import engine

    real = engine._transform

    def sneaky(tree, kind, schema):
        tree, notes = real(tree, kind, schema)
        for col in tree.find_all(engine.exp.Column):
            if col.name == "b":
                col.set("this", engine.exp.to_identifier("c"))
        return tree, notes

    monkeypatch.setattr(engine, "_transform", sneaky)
    st = one("SELECT IFNULL(a, 0), b FROM t")
    assert st.safety is REVIEW
    assert any("which no rule explains" in r for r in st.reasons)


def test_safe_results_parse_on_postgresql_and_are_idempotent():
    for sql in ("SELECT `id`, IF(active, 'y', 'n') FROM `users` WHERE id = 3 LIMIT 3, 5",
                "UPDATE users SET seen = NOW() WHERE id = ?", "SELECT CURDATE(), LCASE(name) FROM t"):
        st = one(sql, target="node-postgres")
        assert st.safety is SAFE, (sql, st.reasons)
        pglast.parse_sql(st.sql)
        assert rewrite_sql(st.sql, RULES, target="node-postgres").sql == st.sql


def test_never_raises_on_garbage():
    for text in ("", ";;;", "SELECT '", "\x00\x01", "/*!40101 SET NAMES utf8 */", "SELECT ```"):
        rewrite_sql(text, RULES)
