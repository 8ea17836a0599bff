"""Byte-exact edits of JavaScript/TypeScript literals (auditor.edit + auditor.edit.javascript).

Sites come from a real scan of each snippet; the SQL edits are written by hand (what the rewrite
engine would send), so these tests pin the edit layer, not the engine. Every accepted edit is
checked against the whole expected file text and must still parse with tree-sitter.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from auditor.edit import SEVERAL, TextEdit, apply, site_edits
from auditor.edit.literals import Style, encode
from auditor.edit.javascript import _parse
from auditor.pipeline import scan_text

HEAD = "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n\n"


def site_with(code: str, filename: str, needle: str):
    sites = [s for s in scan_text(code, filename).sites if needle in s.sql]
    assert len(sites) == 1, [s.sql for s in scan_text(code, filename).sites]
    return sites[0]


def sub(sql: str, old: str, new: str, after: str = "") -> tuple[int, int, str]:
    """The SQL edit replacing the first `old` (after `after`) by `new`."""
    start = sql.index(old, sql.index(after) + len(after) if after else 0)
    return start, start + len(old), new


def fix(code: str, filename: str, needle: str, *edits) -> str | list[TextEdit]:
    site = site_with(code, filename, needle)
    sql_edits = [sub(site.sql, *e) if isinstance(e[0], str) else e for e in edits]
    return site_edits(code, site, sql_edits)


def applied(code: str, filename: str, needle: str, *edits) -> str:
    result = fix(code, filename, needle, *edits)
    assert not isinstance(result, str), result
    new = apply(code, result)
    language = {"js": "javascript", "ts": "typescript"}[filename.rsplit(".", 1)[1]]
    assert not _parse(new, language).root.has_error  # parsed as the scan parses it
    return new


def test_single_quoted_string_keeps_its_escapes_and_only_the_edited_bytes_change():
    code = HEAD + (
        "async function find(id) {\n"
        "  const [rows] = await pool.query('SELECT `id`, note FROM `users` WHERE note = \\'it\\\\\\'s\\' "
        "AND tag = \\'\\u00e9\\' AND id = ?', [id]);\n"
        "  return rows;\n}\n")
    new = applied(code, "app.js", "FROM `users`", ("`id`", "id"), ("`users`", "users"), ("?", "$1"))
    assert new == code.replace("`id`", "id").replace("`users`", "users").replace("id = ?'", "id = $1'")
    assert "\\'it\\\\\\'s\\'" in new and "\\u00e9" in new  # untouched escapes, byte for byte


def test_double_quoted_string_escapes_quotes_backslashes_and_newlines_in_the_replacement():
    code = HEAD + 'pool.query("SELECT `order` FROM t WHERE a = \'x\' LIMIT 1");\n'
    new = applied(code, "app.js", "`order`", ("`order`", '"order"'), (" LIMIT", "\nLIMIT"), ("'x'", "E'\\\\x'"))
    assert new == HEAD + 'pool.query("SELECT \\"order\\" FROM t WHERE a = E\'\\\\\\\\x\'\\nLIMIT 1");\n'


TEMPLATE = HEAD + """async function page(status, offset, limit) {
  const [rows] = await pool.query(`
    SELECT id, IFNULL(nick, '') AS nick
      FROM \\`users\\`
     WHERE status = ${status}
     LIMIT ${offset}, ${limit}`);
  return rows;
}
"""


def test_template_literal_keeps_substitutions_indentation_and_escaped_backticks():
    new = applied(TEMPLATE, "app.js", "IFNULL", ("IFNULL", "COALESCE"))
    assert new == TEMPLATE.replace("IFNULL", "COALESCE")


def test_an_edit_may_move_a_substitution_inside_the_same_template():
    site = site_with(TEMPLATE, "app.js", "IFNULL")
    sql = site.sql
    limit = sql.index("LIMIT ") + len("LIMIT")
    comma = sql.index(", pgready_hole_3")
    edits = [(limit, limit, " pgready_hole_3 OFFSET"), (comma, comma + len(", pgready_hole_3"), ""),
             sub(sql, "`users`", "users")]
    result = site_edits(TEMPLATE, site, edits)
    assert not isinstance(result, str), result
    new = apply(TEMPLATE, result)
    assert new == TEMPLATE.replace("LIMIT ${offset}, ${limit}", "LIMIT ${limit} OFFSET ${offset}") \
        .replace("\\`users\\`", "users")


def test_a_replacement_that_would_open_a_substitution_is_escaped_in_a_template():
    new = applied(TEMPLATE, "app.js", "IFNULL", ("''", "'${x}`'"))
    assert "IFNULL(nick, '\\${x}\\`')" in new


def test_concatenated_literals_are_edited_around_a_concatenated_variable():
    code = HEAD + "function q(name) {\n  return pool.query('SELECT * FROM `t` WHERE a = ' + name + ' LIMIT 5, 10');\n}\n"
    new = applied(code, "app.js", "LIMIT 5", ("`t`", "t"), ("5, 10", "10 OFFSET 5"))
    assert new == code.replace("`t`", "t").replace("5, 10", "10 OFFSET 5")


def test_typescript_with_type_arguments_and_non_ascii_text_before_the_literal():
    code = ("import mysql from 'mysql2/promise';\nconst pool = mysql.createPool({});\n// café ☕ — prices in €\n"
            "export async function list(): Promise<void> {\n"
            "  await pool.query<any[]>('SELECT `nom` FROM `cafés` WHERE libellé = \\'thé\\' AND id = ?', [1]);\n}\n")
    new = applied(code, "list.ts", "cafés", ("`nom`", "nom"), ("`cafés`", '"cafés"'), ("?", "$1"))
    assert new == code.replace("`nom`", "nom").replace("`cafés`", '"cafés"').replace("id = ?'", "id = $1'")


def test_prisma_tagged_template_keeps_bound_parameters():
    code = ("import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"
            "export async function top(userId: number) {\n"
            "  return prisma.$queryRaw<{ id: number }[]>`SELECT \\`id\\`, IFNULL(score, 0) FROM users "
            "WHERE id = ${userId}`;\n}\n")
    new = applied(code, "top.ts", "IFNULL", ("`id`", "id"), ("IFNULL", "COALESCE"))
    assert new == code.replace("\\`id\\`", "id").replace("IFNULL", "COALESCE")


def test_crlf_line_endings_inside_a_template_stay():
    code = HEAD.replace("\n", "\r\n") + "pool.query(`SELECT *\r\n  FROM \\`users\\`\r\n  WHERE IFNULL(a, 0) = 1`);\r\n"
    new = applied(code, "app.js", "IFNULL", ("IFNULL", "COALESCE"), ("`users`", "users"))
    assert new == code.replace("IFNULL", "COALESCE").replace("\\`users\\`", "users")


# -- refusals ---------------------------------------------------------------------------------
def test_an_edit_across_a_concatenated_variable_is_refused():
    code = HEAD + "function q(offset, limit) {\n  return pool.query('SELECT * FROM t LIMIT ' + offset + ', ' + limit);\n}\n"
    site = site_with(code, "app.js", "LIMIT")
    reason = site_edits(code, site, [sub(site.sql, "pgready_hole_1, pgready_hole_2", "pgready_hole_2 OFFSET pgready_hole_1")])
    assert isinstance(reason, str) and "concatenated" in reason
    moved = site_edits(code, site, [sub(site.sql, "LIMIT ", "LIMIT pgready_hole_2 OFFSET ")])
    assert isinstance(moved, str) and "hole 2" in moved


def test_dropping_a_substitution_is_refused():
    reason = fix(TEMPLATE, "app.js", "IFNULL", ("= pgready_hole_1", "IS NULL"))
    assert isinstance(reason, str) and "'status'" in reason


def test_a_literal_that_no_longer_reads_as_the_site_sql_is_refused():
    site = site_with(TEMPLATE, "app.js", "IFNULL")
    changed = TEMPLATE.replace("IFNULL(nick, '')", "IFNULL(nick, '?')")
    assert "does not read as" in site_edits(changed, site, [sub(site.sql, "IFNULL", "COALESCE")])


def test_sql_assembled_by_appends_or_in_another_file_is_refused():
    code = HEAD + ("function q(name) {\n  let sql = 'SELECT * FROM `t` WHERE 1 = 1';\n"
                   "  if (name) {\n    sql += ' AND name = ?';\n  }\n  sql += ' LIMIT 5, 10';\n"
                   "  return pool.query(sql, [name]);\n}\n")
    site = site_with(code, "app.js", "LIMIT 5, 10")
    assert site_edits(code, site, [sub(site.sql, "`t`", "t")]) == SEVERAL
    elsewhere = replace(site, sql_location=replace(site.sql_location, path="lib/sql.js"))
    assert "another file (lib/sql.js)" in site_edits(code, elsewhere, [sub(site.sql, "`t`", "t")])


def test_text_known_from_a_constant_is_not_taken_for_a_hole():
    code = HEAD + "const TABLE = 'users';\nfunction q(id) {\n  return pool.query(`SELECT * FROM ${TABLE} WHERE id = ${id} LIMIT 1, 2`);\n}\n"
    site = site_with(code, "app.js", "FROM users")
    reason = site_edits(code, site, [sub(site.sql, "1, 2", "2 OFFSET 1")])
    assert isinstance(reason, str) and "known from elsewhere" in reason


@pytest.mark.parametrize("text, quote, expected", [
    ("it's \\ \n", "'", "it\\'s \\\\ \\n"),
    ('say "hi"\r', '"', 'say \\"hi\\"\\r'),
    ("`a` ${b} \\", "`", "\\`a\\` \\${b} \\\\"),
])
def test_encoding_for_each_kind_of_js_literal(text, quote, expected):
    assert encode(text, Style("js", quote), lambda index: None) == (expected, [])


def test_a_marker_of_a_hole_this_literal_does_not_interpolate_is_refused():
    assert "hole 2" in encode("LIMIT pgready_hole_2", Style("js", "`"), lambda index: None)
    assert encode("LIMIT pgready_hole_2", Style("js", "`"), lambda index: "${n}" if index == 2 else None) \
        == ("LIMIT ${n}", [2])


@pytest.mark.parametrize("call", [
    'pool.query(("SELECT IFNULL(m, 0) FROM t"))',
    'pool.query(( // why\n  "SELECT IFNULL(m, 0) FROM t"))',
    'pool.query(("SELECT IFNULL(m, 0) " + /* then */ "FROM t"))',
])
def test_sql_in_parentheses_with_or_without_comments_is_edited(call):
    """Once refused: the re-check looked for the literal at the parentheses' span and found none."""
    code = HEAD + f"async function f() {{\n  await {call};\n}}\n"
    new = applied(code, "a.js", "IFNULL", ("IFNULL", "COALESCE"))
    assert new == code.replace("IFNULL", "COALESCE")
