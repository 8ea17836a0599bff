"""`pgready fix`: a diff by default, --write applies safe fixes only, --unsafe-fixes adds review
ones, --select narrows the rules, a file changed since it was read is refused, and a second run
has nothing left to do."""
from __future__ import annotations

import textwrap

import pytest

from auditor.cli import main

APP_JS = textwrap.dedent("""\
    const mysql = require('mysql2/promise');
    const pool = mysql.createPool({ host: 'db' });

    async function user(id) {
      const [rows] = await pool.query('SELECT `id`, IFNULL(nick, name) AS label FROM users WHERE id = ?', [id]);
      return rows[0];
    }

    async function page(offset, size) {
      // newest first
      const [rows] = await pool.query(`
        SELECT id, title
          FROM posts
         ORDER BY created_at DESC
         LIMIT ?, ?`, [offset, size]);
      return rows;
    }

    async function upsertTag(name) {
      await pool.query('INSERT IGNORE INTO tags (name) VALUES (?)', [name]);
    }
    module.exports = { user, page, upsertTag };
    """)


@pytest.fixture()
def app(tmp_path):
    (tmp_path / "app.js").write_text(APP_JS, encoding="utf-8")
    return tmp_path


def fix(capsys, *argv):
    code = main(["fix", *argv, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def test_default_prints_the_diff_and_changes_nothing(app, capsys):
    code, out, err = fix(capsys, str(app))
    assert code == 1
    assert (app / "app.js").read_text(encoding="utf-8") == APP_JS
    assert "-  const [rows] = await pool.query('SELECT `id`, IFNULL(nick, name) AS label FROM users WHERE id = ?', [id]);" in out
    assert "+  const [rows] = await pool.query('SELECT id, COALESCE(nick, name) AS label FROM users WHERE id = $1', [id]);" in out
    assert "+     LIMIT $2 OFFSET $1`, [offset, size]);" in out
    assert "INSERT IGNORE" not in out.replace("-      await pool.query('INSERT IGNORE", "")  # review: not in the diff
    assert "would fix 2 place(s) in 1 file(s)" in err
    assert "review-level rewrite" in err and "DML002" in err


def test_write_applies_safe_fixes_keeps_the_rest_and_a_second_run_is_a_no_op(app, capsys):
    code, _, err = fix(capsys, str(app), "--write")
    assert code == 0 and "fixed 2 place(s) in 1 file(s)" in err
    text = (app / "app.js").read_text(encoding="utf-8")
    assert text == APP_JS.replace("SELECT `id`, IFNULL(nick, name) AS label FROM users WHERE id = ?",
                                  "SELECT id, COALESCE(nick, name) AS label FROM users WHERE id = $1") \
        .replace("LIMIT ?, ?`", "LIMIT $2 OFFSET $1`")
    code, out, _ = fix(capsys, str(app))
    assert (code, out) == (0, "")


def test_unsafe_fixes_add_review_level_rewrites(app, capsys):
    code, _, _ = fix(capsys, str(app), "--write", "--unsafe-fixes")
    assert code == 0
    assert "INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING" in (app / "app.js").read_text(encoding="utf-8")


def test_select_limits_the_rules_and_never_applies_what_they_do_not_explain(app, capsys):
    code, out, _ = fix(capsys, str(app), "--select", "SYN002,SYN003")
    assert code == 1
    assert "+     LIMIT $2 OFFSET $1`" in out
    assert "COALESCE" not in out  # IFNULL is not selected: that statement is left alone, with its reason


def test_a_file_changed_after_it_was_read_is_refused(app, capsys, monkeypatch):
    import auditor.fixplan as fixplan

    real = fixplan.plan

    def plan_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        (app / "app.js").write_text(APP_JS + "// edited meanwhile\n", encoding="utf-8")
        return result

    monkeypatch.setattr(fixplan, "plan", plan_then_edit)
    code, _, err = fix(capsys, str(app), "--write")
    assert code == 1 and "refused app.js" in err
    assert (app / "app.js").read_text(encoding="utf-8") == APP_JS + "// edited meanwhile\n"


def test_python_sql_is_rewritten_with_libcst_keeping_quotes_and_fields(tmp_path, capsys):
    source = textwrap.dedent('''\
        import pymysql

        conn = pymysql.connect(host="db")


        def recent(guild_id, table):
            with conn.cursor() as cur:
                cur.execute(
                    f"SELECT `id`, IFNULL(title, '') FROM {table} "
                    "WHERE guild_id = %s AND created_at >= CURDATE()",
                    (guild_id,),
                )
                return cur.fetchall()
        ''')
    (tmp_path / "repo.py").write_text(source, encoding="utf-8")
    code, _, _ = fix(capsys, str(tmp_path), "--write", "--unsafe-fixes")
    assert code == 0
    assert (tmp_path / "repo.py").read_text(encoding="utf-8") == source.replace(
        "f\"SELECT `id`, IFNULL(title, '') FROM {table} \"", "f\"SELECT id, COALESCE(title, '') FROM {table} \"").replace(
        "created_at >= CURDATE()", "created_at >= CURRENT_DATE")
