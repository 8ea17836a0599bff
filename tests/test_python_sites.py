"""What the Python frontend + resolve stage must recognise: sinks, wrappers, SQL text, transactions, uses."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.pipeline import scan, scan_text


def project(tmp_path: Path, files: dict[str, str]):
    for rel, code in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = code if isinstance(code, bytes) else textwrap.dedent(code).encode("utf-8")
        target.write_bytes(data)
    return scan(tmp_path)


def sites(inv, path=None):
    return {s.line: s for s in inv.sites if path is None or s.path == path}


def rules_at(inv):
    return sorted((f.location.path, f.anchor_line, f.rule_id) for f in inv.findings)


@pytest.mark.parametrize("connect", [
    "import pymysql\nconn = pymysql.connect(host='db')",
    "import MySQLdb\nconn = MySQLdb.connect(host='db')",
    "import mysql.connector\nconn = mysql.connector.connect(host='db')",
    "from mysql.connector import pooling\nconn = pooling.MySQLConnectionPool(pool_size=2).get_connection()",
    "from pymysql import connect\nconn = connect(host='db')",
])
def test_dbapi_drivers_cursors_and_with_blocks(connect):
    inv = scan_text(connect + textwrap.dedent("""
        cur = conn.cursor()
        cur.execute("SELECT id FROM users WHERE id = %s", (1,))
        with conn.cursor() as c2:
            c2.executemany("INSERT INTO t (a) VALUES (%s)", [(1,), (2,)])
    """), "drivers.py")
    found = sites(inv)
    assert [(s.kind, s.placeholders, s.statement) for s in found.values()] == [
        ("driver", "pyformat", "select"), ("driver", "pyformat", "insert")]
    assert not inv.findings  # %s placeholders are fine for psycopg


def test_async_drivers_pools_and_databases():
    inv = scan_text(textwrap.dedent("""
        import aiomysql
        from databases import Database

        database = Database("mysql://bot:pw@db/bot")

        async def main():
            pool = await aiomysql.create_pool(host="db")
            async with pool.acquire() as conn:
                async with conn.cursor(aiomysql.DictCursor) as cur:
                    await cur.execute("SELECT IFNULL(a, 0) FROM t")
            rows = await database.fetch_all(query="SELECT * FROM users WHERE id = :id", values={"id": 1})
    """), "async_db.py")
    found = sites(inv)
    assert (found[11].kind, found[11].callee) == ("driver", "cur.execute")
    assert (found[12].kind, found[12].placeholders) == ("driver", "named")
    assert ("async_db.py", 11, "FUN001") in rules_at(inv)
    assert ("async_db.py", 10, "DRV012") in rules_at(inv)


def test_sqlalchemy_text_exec_driver_sql_and_begin_blocks():
    inv = scan_text(textwrap.dedent("""
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import Session

        engine = create_engine("mysql+pymysql://bot:secret@db/bot")

        def report():
            with engine.begin() as conn:
                conn.execute(text("SELECT GROUP_CONCAT(name) FROM guilds WHERE owner_id = :owner"), {"owner": 1})
                conn.exec_driver_sql("DELETE FROM sessions WHERE expires_at < NOW()")
            with Session(engine) as session:
                session.execute("UPDATE users SET xp = 0")
    """), "reports.py")
    found = sites(inv)
    assert (found[9].callee, found[9].kind, found[9].placeholders) == ("text", "orm-raw", "named")
    assert found[10].callee == "conn.exec_driver_sql" and found[12].callee == "session.execute"
    assert [t.kind for t in inv.transactions] == ["block"]
    assert len(inv.transactions[0].sites) == 2
    assert ("reports.py", 9, "FUN003") in rules_at(inv)


def test_django_raw_sql_and_atomic(tmp_path):
    inv = project(tmp_path, {
        "shop/views.py": """
            from django.db import connection, transaction
            from django.db.models.expressions import RawSQL
            from .models import Order

            @transaction.atomic
            def close(order_id):
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE orders SET status = 'closed' WHERE id = %s", [order_id])

            def recent():
                with transaction.atomic():
                    rows = list(Order.objects.raw("SELECT * FROM orders ORDER BY created_at DESC LIMIT 5, 10"))
                return Order.objects.annotate(n=RawSQL("SELECT IFNULL(COUNT(*), 0) FROM items WHERE order_id = orders.id", ()))
        """,
        "shop/models.py": "from django.db import models\nclass Order(models.Model):\n    pass\n",
    })
    found = sites(inv, "shop/views.py")
    assert {line: s.kind for line, s in found.items()} == {9: "orm-raw", 13: "orm-raw", 14: "orm-raw"}
    blocks = sorted((t.line, len(t.sites)) for t in inv.transactions)
    assert blocks == [(6, 1), (12, 1)]
    assert ("shop/views.py", 13, "SYN003") in rules_at(inv) and ("shop/views.py", 14, "FUN001") in rules_at(inv)


def test_wrappers_methods_and_objects_across_modules(tmp_path):
    inv = project(tmp_path, {
        "bot/db.py": """
            import pymysql

            class Database:
                def __init__(self, dsn):
                    self.conn = pymysql.connect(host=dsn)

                def query(self, sql, *params):
                    with self.conn.cursor() as cur:
                        cur.execute(sql, params)
                        return cur.fetchall()

                def one(self, sql, *params):
                    rows = self.query(sql, *params)
                    return rows[0]
        """,
        "bot/__init__.py": """
            from .db import Database

            class Bot:
                pass

            bot = Bot()
            bot.db = Database("db")
        """,
        "bot/cogs/stats.py": """
            from bot import bot
            from ..db import Database

            def leaderboard():
                return bot.db.query("SELECT user_id, SUM(xp) FROM stats GROUP BY user_id")

            class StatsCog:
                def __init__(self):
                    self.db = Database("db")

                def top(self):
                    return self.db.one("SELECT * FROM stats ORDER BY xp DESC LIMIT 1")
        """,
    })
    found = sites(inv, "bot/cogs/stats.py")
    assert {line: (s.kind, s.callee) for line, s in found.items()} == {
        6: ("wrapper", "bot.db.query"), 13: ("wrapper", "self.db.one")}
    assert not [s for s in inv.sites if s.path == "bot/db.py"]


def test_sql_text_constants_fstrings_formatting_and_concatenation(tmp_path):
    inv = project(tmp_path, {
        "app/queries.py": 'ACTIVE = "SELECT * FROM `users` WHERE active = 1"\n',
        "app/jobs.py": """
            import pymysql
            from app.queries import ACTIVE
            conn = pymysql.connect()
            cur = conn.cursor()

            class Q:
                RECENT = ("SELECT id FROM chat_messages "
                          "WHERE created_at > NOW() - INTERVAL 1 DAY")

            def run(table, uid, col):
                cur.execute(ACTIVE)
                cur.execute(Q.RECENT)
                cur.execute(f"SELECT * FROM {table} WHERE id = %s", (uid,))
                cur.execute("SELECT * FROM users WHERE id = %s" % uid)
                cur.execute("SELECT {} FROM users".format(col))
                cur.execute(\"\"\"
                    SELECT IFNULL(name, 'n/a')
                      FROM users\"\"\")
        """,
    })
    found = sites(inv, "app/jobs.py")
    assert all(s.kind == "driver" for s in found.values())
    assert found[12].sql == "SELECT * FROM `users` WHERE active = 1" and not found[12].dynamic
    assert found[13].sql == "SELECT id FROM chat_messages WHERE created_at > NOW() - INTERVAL 1 DAY"
    assert found[14].dynamic and found[14].holes[0].kind == "identifier"
    assert found[15].dynamic and found[16].dynamic
    syn001 = [f for f in inv.findings if f.rule_id == "SYN001"]
    assert [(f.location.path, f.location.line, f.location.col, f.anchor_line) for f in syn001] == [
        ("app/queries.py", 1, 25, 12)]  # the constant's own file and column; annotated at the call
    ifnull = next(f for f in inv.findings if f.rule_id == "FUN001")
    assert (ifnull.location.line, ifnull.location.col) == (18, 16)
    built = sorted(f.anchor_line for f in inv.findings if f.rule_id == "DRV015")
    assert built == [15, 16]  # % and .format(), not the f-string
    assert not [s for s in inv.sites if s.kind == "literal"]  # the constants reached their sinks


def test_python_driver_uses():
    inv = scan_text(textwrap.dedent("""
        import pymysql
        from pymysql.err import IntegrityError
        conn = pymysql.connect(charset="utf8mb4", init_command="SET NAMES utf8mb4")

        def save(name):
            conn.begin()
            try:
                with conn.cursor(pymysql.cursors.SSCursor) as cur:
                    cur.execute("INSERT INTO u (n) VALUES (%s) ON DUPLICATE KEY UPDATE n = n", (name,))
                    if cur.rowcount == 2:
                        pass
                    new_id = cur.lastrowid
                    cur.nextset()
                conn.commit()
            except IntegrityError as err:
                if err.args[0] in (1062, 1452):
                    conn.rollback()
            return conn.escape_string(name)
    """), "uses.py")
    kinds = sorted((u.kind, u.location.line) for u in inv.driver_uses)
    assert kinds == [
        ("connection-charset", 4), ("connection-charset", 4), ("escape-format", 19), ("insert-id", 13),
        ("multiple-statements", 14), ("mysql-cursor-class", 9), ("mysql-error-code", 17),
        ("mysql-error-code", 17), ("mysql-exception-class", 16), ("transaction-driver-methods", 7),
        ("upsert-rowcount", 11)]


def test_bad_python_input_gives_diagnostics_not_crashes(tmp_path):
    marker = tmp_path / "executed"
    inv = project(tmp_path, {
        "py2.py": "import MySQLdb\ndb = MySQLdb.connect()\nprint 'hello'\ncur = db.cursor()\n"
                  "cur.execute('SELECT IFNULL(a, 1) FROM t')\ntry:\n    pass\nexcept Exception, e:\n    print e\n",
        "broken.py": "import pymysql\nc = pymysql.connect().cursor()\ndef f(:\n    pass\n"
                     "c.execute('SELECT IFNULL(d, 4) FROM t')\n",
        "modern.py": "import pymysql\ntype Rows[T] = list[T]\ndef first[T](rows: Rows[T]) -> T:\n"
                     "    match rows:\n        case [x, *_]:\n            return x\n"
                     "conn = pymysql.connect()\nconn.cursor().execute('SELECT IFNULL(b, 2) FROM t')\n",
        "latin.py": "# -*- coding: latin-1 -*-\n# caf\xe9\nimport pymysql\nc = pymysql.connect().cursor()\n"
                    "c.execute('SELECT IFNULL(c, 3) FROM t')\n".encode("latin-1"),
        "side_effect.py": f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit(3)\n",
    })
    assert not marker.exists()  # the scanned code is never executed
    # tree-sitter-python reads Python 2 (print statements, `except X, e`): a correct scan, no diagnostic
    assert [(d.path, d.kind, d.line) for d in inv.diagnostics] == [("broken.py", "syntax-error", 3)]
    ifnull = sorted((f.location.path, f.location.line) for f in inv.findings if f.rule_id == "FUN001")
    assert ifnull == [("broken.py", 5), ("latin.py", 5), ("modern.py", 8), ("py2.py", 5)]


def test_mixed_repository_one_inventory(tmp_path):
    inv = project(tmp_path, {
        "api/db.js": "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
                     "pool.query('SELECT IFNULL(a, 0) FROM t');\n",
        "worker/db.py": "import pymysql\ncur = pymysql.connect().cursor()\ncur.execute('SELECT IFNULL(a, 0) FROM t')\n",
    })
    assert {(s.path, s.language) for s in inv.sites} == {("api/db.js", "javascript"), ("worker/db.py", "python")}
    assert {(f.location.path, f.rule_id) for f in inv.findings} == {("api/db.js", "FUN001"), ("worker/db.py", "FUN001")}


def test_routes_reach_the_inventory_and_json(tmp_path):
    import io
    import json

    from auditor.report import json as json_report

    inv = project(tmp_path, {
        "app/__init__.py": """
            from flask import Flask
            from .users import bp

            def create_app():
                app = Flask(__name__)
                app.register_blueprint(bp, url_prefix="/api/users")
                return app
        """,
        "app/users.py": """
            from flask import Blueprint
            from .db import query
            bp = Blueprint("users", __name__)

            @bp.get("/<int:user_id>")
            def get_user(user_id):
                return query("SELECT * FROM users WHERE id = %s", user_id)
        """,
        "app/db.py": "import pymysql\nconn = pymysql.connect()\n"
                     "def query(sql, *a):\n    with conn.cursor() as c:\n        c.execute(sql, a)\n",
    })
    assert [(r.method, r.path, r.framework, r.handler, r.handler_path) for r in inv.routes] == [
        ("GET", "/api/users/<int:user_id>", "flask", "get_user", "app/users.py")]
    out = io.StringIO()
    json_report.render(inv, out, {})
    assert json.loads(out.getvalue())["routes"][0]["path"] == "/api/users/<int:user_id>"


def test_callproc_connection_query_and_with_connection_block():
    inv = scan_text(textwrap.dedent("""
        import MySQLdb
        db = MySQLdb.connect(host="db")

        def nightly():
            with db:
                cur = db.cursor()
                cur.callproc("refresh_stats", (7,))
                db.query("DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP()")
    """), "nightly.py")
    found = sites(inv)
    assert (found[8].sql, found[8].statement) == ("CALL refresh_stats", "other")
    assert (found[9].callee, found[9].kind) == ("db.query", "driver")
    assert [(t.kind, t.line, len(t.sites)) for t in inv.transactions] == [("block", 6, 2)]
    assert [(f.rule_id, f.location.line) for f in inv.findings] == [("FUN009", 9)]


def test_fields_filled_by_known_literals_keep_the_sql_parseable():
    inv = scan_text(textwrap.dedent('''
        import pymysql
        cur = pymysql.connect().cursor()

        def fks(strict, table):
            cur.execute("""
                SELECT k.COLUMN_NAME FROM information_schema.TABLE_CONSTRAINTS AS i
                {JOIN} information_schema.KEY_COLUMN_USAGE AS k ON i.CONSTRAINT_NAME = k.CONSTRAINT_NAME
                WHERE i.TABLE_NAME = %s
            """.format(JOIN="JOIN" if strict else "LEFT JOIN"), (table,))
            cur.execute("SELECT * FROM t ORDER BY id %s" % ("ASC" if strict else "DESC"))
    '''), "fks.py")
    found = sites(inv)
    assert "JOIN information_schema.KEY_COLUMN_USAGE" in found[6].sql and found[6].dynamic
    assert found[11].sql == "SELECT * FROM t ORDER BY id ASC" and found[11].dynamic
    assert not [f for f in inv.findings if f.rule_id == "PAR001"]
    assert sorted(f.anchor_line for f in inv.findings if f.rule_id == "DRV015") == [6, 11]


def test_js_ternary_of_literals_in_a_template():
    inv = scan_text("const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
                    "pool.query(`SELECT * FROM users ${all ? '' : 'WHERE active = 1'} ORDER BY id`);\n", "t.js")
    assert inv.sites[0].sql == "SELECT * FROM users  ORDER BY id" and inv.sites[0].dynamic
    assert not inv.findings


def test_a_call_inside_a_concatenation_is_a_hole_not_a_crash():
    """`"..." + str(x) + "..."` is common; only `"...".format(...)` is read as formatting."""
    inv = scan_text('import pymysql\nconn = pymysql.connect()\n\ndef f(cur, x):\n'
                    '    cur.execute("SELECT a FROM `t` WHERE id = " + str(x) + " LIMIT 1, 2")\n', "app.py")
    (site,) = inv.sites
    assert site.dynamic and site.sql.startswith("SELECT a FROM `t` WHERE id = pgready_hole_1")
    assert [h.source for h in site.holes] == ["str(x)"]
    assert {f.rule_id for f in inv.findings} >= {"SYN001", "SYN003"}


def test_comments_inside_parentheses_are_not_the_expression():
    """A comment after `(` was read as the parenthesised expression: the hole's source was `# why`."""
    inv = scan_text(textwrap.dedent("""
        import pymysql
        conn = pymysql.connect()

        class Repo(  # the base keeps the connection
                object):
            def f(self, cur, table, x):
                sql = (  # the report query
                    "SELECT n FROM " + table
                )
                cur.execute(sql)
                cur.execute("SELECT n FROM t WHERE a = %s" % (  # the id
                    x
                ))
                cur.execute("SELECT n FROM " + (  # table
                    table) + " LIMIT 1")
    """), "app.py")
    found = {s.line: s for s in inv.sites}
    assert sorted(found) == [9, 12, 15]
    assert [[h.source for h in found[n].holes] for n in (9, 12, 15)] == [["table"], ["%s <- x"], ["table"]]


def test_a_frontend_failure_costs_one_file_not_the_scan(tmp_path, monkeypatch):
    from auditor.frontends import python as frontend

    real = frontend.parse_module
    monkeypatch.setattr(frontend, "parse_module",
                        lambda text, rel: (_ for _ in ()).throw(AttributeError("boom")) if rel == "bad.py" else real(text, rel))
    inv = project(tmp_path, {"good.py": "import pymysql\nconn = pymysql.connect()\nconn.cursor().execute('SELECT `a` FROM t')\n",
                             "bad.py": "x = 1\n"})
    assert [(d.path, d.kind) for d in inv.diagnostics] == [("bad.py", "internal")]
    assert "AttributeError: boom" in inv.diagnostics[0].message
    assert [f.location.path for f in inv.findings] == ["good.py"]
