"""Byte-exact edits of Python literals through libcst (auditor.edit + auditor.edit.python).

Sites come from a real scan of each snippet; SQL edits are written by hand. Every accepted edit
is checked against the whole expected file text, and the new text must parse with libcst.
"""
from __future__ import annotations

import libcst as cst
import pytest

from auditor.edit import SEVERAL, apply, site_edits
from auditor.edit.literals import Style, encode
from auditor.pipeline import scan_text

HEAD = 'import pymysql\n\nconn = pymysql.connect(host="db", user="app")\n\n\ndef handler(user_id, name, offset, limit):\n' \
       '    with conn.cursor() as cur:\n'


def site_with(code: str, needle: str):
    sites = [s for s in scan_text(code, "app.py").sites if needle in s.sql]
    assert len(sites) == 1, [s.sql for s in scan_text(code, "app.py").sites]
    return sites[0]


def sub(sql: str, old: str, new: str) -> tuple[int, int, str]:
    start = sql.index(old)
    return start, start + len(old), new


def fix(code: str, needle: str, *edits):
    site = site_with(code, needle)
    return site_edits(code, site, [sub(site.sql, *e) for e in edits])


def applied(code: str, needle: str, *edits) -> str:
    result = fix(code, needle, *edits)
    assert not isinstance(result, str), result
    new = apply(code, result)
    assert cst.parse_module(new).code == new
    return new


def test_single_quoted_string_keeps_untouched_escapes():
    code = HEAD + "        cur.execute('SELECT `id`, note FROM `users` WHERE note = \\'it\\\\\\'s\\' AND tab = \\'\\t\\' " \
                  "AND id = %s', (user_id,))\n"
    new = applied(code, "FROM `users`", ("`id`", "id"), ("`users`", "users"))
    assert new == code.replace("`id`", "id").replace("`users`", "users")


def test_double_quoted_string_escapes_the_quote_and_newline_of_the_replacement():
    code = HEAD + '        cur.execute("SELECT `order` FROM t WHERE a = %s LIMIT 1", (name,))\n'
    new = applied(code, "`order`", ("`order`", '"order"'), (" LIMIT", "\nLIMIT"))
    assert new == HEAD + '        cur.execute("SELECT \\"order\\" FROM t WHERE a = %s\\nLIMIT 1", (name,))\n'


TRIPLE = HEAD + '''        cur.execute("""
            SELECT IFNULL(a, 0) AS a
              FROM `t`
             WHERE b = %s
        """, (name,))
'''


def test_triple_quoted_string_keeps_real_newlines_and_indentation():
    new = applied(TRIPLE, "IFNULL", ("IFNULL", "COALESCE"), ("`t`", "t\n              JOIN u ON u.id = t.u"))
    assert new == TRIPLE.replace("IFNULL", "COALESCE").replace("`t`", "t\n              JOIN u ON u.id = t.u")


def test_crlf_inside_a_triple_quoted_string_stays():
    code = TRIPLE.replace("\n", "\r\n")
    new = applied(code, "IFNULL", ("IFNULL", "COALESCE"))
    assert new == code.replace("IFNULL", "COALESCE")


def test_raw_string_is_edited_when_no_backslash_is_needed_and_refused_otherwise():
    code = HEAD + "        cur.execute(r\"SELECT `a` FROM t WHERE b REGEXP '\\d+'\")\n"
    new = applied(code, "REGEXP", ("`a`", "a"), ("REGEXP", "~"))
    assert new == code.replace("`a`", "a").replace("REGEXP", "~")
    reason = fix(code, "REGEXP", ("'\\d+'", "E'\\\\d+'"))
    assert isinstance(reason, str) and "raw string" in reason


def test_u_prefix_is_kept():
    code = HEAD + '        cur.execute(u"SELECT `a` FROM t")\n'
    assert applied(code, "`a`", ("`a`", "a")) == code.replace("`a`", "a")


FSTRING = HEAD + '        cur.execute(f"SELECT * FROM `t` WHERE id = {user_id!r} AND n = \'{{x}}\' LIMIT {offset:d}, {limit}")\n'


def test_f_string_fields_with_conversion_and_format_spec_are_kept():
    new = applied(FSTRING, "LIMIT", ("`t`", "t"))
    assert new == FSTRING.replace("`t`", "t")
    assert "{user_id!r}" in new and "'{{x}}'" in new


def test_an_edit_may_move_f_string_fields():
    site = site_with(FSTRING, "LIMIT")
    sql = site.sql
    limit = sql.index("LIMIT ") + len("LIMIT")
    comma = sql.index(", pgready_hole_3")
    edits = [(limit, limit, " pgready_hole_3 OFFSET"), (comma, comma + len(", pgready_hole_3"), "")]
    new = apply(FSTRING, site_edits(FSTRING, site, edits))
    assert new == FSTRING.replace("LIMIT {offset:d}, {limit}", "LIMIT {limit} OFFSET {offset:d}")


def test_braces_in_replacement_text_are_doubled_in_an_f_string():
    new = applied(FSTRING, "LIMIT", ("`t`", "t WHERE tags @> '{a}'"))
    assert "FROM t WHERE tags @> '{{a}}' WHERE id" in new


IMPLICIT = HEAD + '''        cur.execute(
            "SELECT * FROM `users` "
            'WHERE name = %s '
            "LIMIT 5, 10",
            (name,),
        )
'''


def test_implicit_concatenation_inside_parentheses():
    new = applied(IMPLICIT, "LIMIT 5", ("`users`", "users"), ("5, 10", "10 OFFSET 5"))
    assert new == IMPLICIT.replace("`users`", "users").replace("5, 10", "10 OFFSET 5")


def test_an_edit_spanning_two_implicitly_concatenated_literals_goes_into_the_first():
    new = applied(IMPLICIT, "LIMIT 5", ("`users` WHERE", "users WHERE"))
    assert new == IMPLICIT.replace('`users` "', 'users WHERE"').replace("'WHERE name", "' name")


# -- refusals ---------------------------------------------------------------------------------
def test_percent_and_format_built_sql_is_refused():
    code = HEAD + "        cur.execute(\"SELECT `a` FROM t WHERE b = '%s'\" % name)\n" \
                  "        cur.execute(\"SELECT `b` FROM t WHERE b = '{}'\".format(name))\n"
    assert "% formatting" in fix(code, "`a`", ("`a`", "a"))
    assert ".format()" in fix(code, "`b`", ("`b`", "b"))


def test_an_edit_across_a_concatenated_variable_is_refused():
    code = HEAD + '        cur.execute("SELECT a FROM t WHERE b = " + name + " LIMIT 1, 2")\n'
    reason = fix(code, "LIMIT", ("= pgready_hole_1 LIMIT", "= pgready_hole_1 FETCH FIRST"))
    assert isinstance(reason, str) and "concatenated" in reason
    assert applied(code, "LIMIT", ("1, 2", "2 OFFSET 1")) == code.replace("1, 2", "2 OFFSET 1")


def test_changed_source_and_appended_sql_are_refused():
    site = site_with(TRIPLE, "IFNULL")
    assert "does not read as" in site_edits(TRIPLE.replace("AS a", "AS b"), site, [sub(site.sql, "IFNULL", "COALESCE")])
    code = HEAD + ('        sql = "SELECT * FROM `t` WHERE 1 = 1"\n        if name:\n'
                   '            sql += " AND name = %s"\n        sql += " LIMIT 5, 10"\n        cur.execute(sql)\n')
    site = site_with(code, "LIMIT 5")
    assert site_edits(code, site, [sub(site.sql, "`t`", "t")]) == SEVERAL


def test_a_file_libcst_cannot_parse_is_refused():
    code = HEAD + '        cur.execute("SELECT `a` FROM t")\n'
    site = site_with(code, "`a`")
    broken = code.replace("def handler(", "def handler((")
    reason = site_edits(broken, site, [sub(site.sql, "`a`", "a")])
    assert isinstance(reason, str) and ("libcst" in reason or "does not read" in reason)


@pytest.mark.parametrize("text, style, expected", [
    ("it's\n", Style("py", "'"), "it\\'s\\n"),
    ("it's\n", Style("py", "'''"), "it\\'s\n"),
    ("{a}", Style("py", '"', fstring=True), "{{a}}"),
    ("a\\b", Style("py", '"', binary=True), "a\\\\b"),
])
def test_encoding_for_python_literals(text, style, expected):
    assert encode(text, style, lambda index: None) == (expected, [])


def test_bytes_literals_refuse_non_ascii_and_raw_strings_refuse_their_quote():
    assert "bytes" in encode("é", Style("py", '"', binary=True), lambda index: None)
    assert "raw string" in encode('say "x"', Style("py", '"', raw=True), lambda index: None)


def test_a_file_without_a_final_newline_is_edited():
    """libcst ends such a module on a line after the last one; the line table must know it."""
    code = HEAD + '        cur.execute("SELECT `a` FROM t LIMIT 1, 2")'
    assert applied(code, "LIMIT", ("`a`", "a")).endswith('cur.execute("SELECT a FROM t LIMIT 1, 2")')
