"""What the JS/TS frontend + resolve stage must recognise as SQL sites, transactions and driver uses."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.pipeline import scan, scan_text


def project(tmp_path: Path, files: dict[str, str]):
    for rel, code in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(code), encoding="utf-8")
    return scan(tmp_path)


def sites_by_line(inv, path):
    return {s.line: s for s in inv.sites if s.path == path}


DB = """
    const mysql = require('mysql2/promise');
    const pool = mysql.createPool(process.env.DB_URL);
    async function query(sql, params) {
      const [rows] = await pool.query(sql, params);
      return rows;
    }
    async function one(sql, params) {
      const rows = await query(sql, params);
      return rows[0] || null;
    }
    async function tx(fn) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const result = await fn(conn);
        await conn.commit();
        return result;
      } catch (err) {
        await conn.rollback();
        throw err;
      } finally {
        conn.release();
      }
    }
    module.exports = { query, one, tx, pool };
"""


def test_wrapper_exports_become_sinks_across_commonjs_modules(tmp_path):
    inv = project(tmp_path, {
        "lib/database.js": DB,
        "routes/users.js": """
            const db = require('../lib/database');
            async function list() {
              return db.query('SELECT id, email FROM users ORDER BY id');
            }
            async function get(id) {
              return db.one('SELECT * FROM users WHERE id = ?', [id]);
            }
            module.exports = { list, get };
        """,
    })
    sites = sites_by_line(inv, "routes/users.js")
    assert sorted(sites) == [4, 7]
    assert sites[4].kind == "wrapper" and sites[4].callee == "db.query"
    assert sites[7].callee == "db.one" and sites[7].sql == "SELECT * FROM users WHERE id = ?"
    assert sites[4].tables == ("users",) and sites[4].confidence == "high" and not sites[4].dynamic
    # the forwarding calls inside the wrapper module are not sites
    assert not [s for s in inv.sites if s.path == "lib/database.js"]


def test_esm_named_default_and_reexports(tmp_path):
    inv = project(tmp_path, {
        "lib/database.js": DB,
        "lib/index.mjs": "export { query as run } from './database.js';\n",
        "lib/repo.js": """
            const mysql = require('mysql2');
            class GuildRepository {
              constructor() { this.pool = mysql.createPool({}).promise(); }
              async query(sql, values) { const [rows] = await this.pool.execute(sql, values); return rows; }
              async byId(id) { return this.query('SELECT * FROM guilds WHERE id = ?', [id]); }
            }
            module.exports = new GuildRepository();
        """,
        "services/report.ts": """
            import { run } from '../lib/index.mjs';
            import repo from '../lib/repo';
            export async function stats(): Promise<number> {
              const rows: any[] = await run('SELECT COUNT(*) AS n FROM stats');
              await repo.query('DELETE FROM guilds WHERE id = 1');
              return rows.length;
            }
        """,
    })
    report = sites_by_line(inv, "services/report.ts")
    assert report[5].callee == "run" and report[5].kind == "wrapper"
    assert report[6].callee == "repo.query"
    repo = sites_by_line(inv, "lib/repo.js")
    assert list(repo) == [6] and repo[6].callee == "this.query"


def test_comments_inside_import_and_export_braces(tmp_path):
    """`import { // why\n a } from ...` once crashed the walk: the file was lost to a diagnostic."""
    inv = project(tmp_path, {
        "lib/database.js": DB,
        "lib/index.mjs": "export {\n  // the one helper callers need\n  query as run, /* and */ one,\n} from './database.js';\n",
        "services/report.ts": """
            import {
              // run: plain SQL through the pool
              run, /* one row */ one,
            } from '../lib/index.mjs';
            export async function stats(): Promise<number> {
              const rows: any[] = await run('SELECT COUNT(*) AS n FROM stats');
              await one('SELECT 1 FROM guilds WHERE id = 1');
              return rows.length;
            }
        """,
    })
    assert not [d for d in inv.diagnostics if d.kind == "internal"]
    report = sites_by_line(inv, "services/report.ts")
    assert report[7].callee == "run" and report[7].kind == "wrapper"
    assert report[8].callee == "one" and report[8].kind == "wrapper"


def test_comments_inside_parentheses_are_not_the_expression():
    inv = scan_text(textwrap.dedent("""
        const mysql = require('mysql2/promise');
        const pool = mysql.createPool({});
        async function f(table) {
          await pool.query("SELECT n FROM " + ( /* the table */ table) + " LIMIT 1");
          await pool.query(( // why
            "SELECT m FROM t"));
        }
    """), "c.js")
    found = {s.line: s for s in inv.sites}
    assert sorted(found) == [5, 6]
    assert [h.source for h in found[5].holes] == ["table"]
    assert found[6].sql == "SELECT m FROM t" and not found[6].holes


def test_driver_receivers_local_field_destructured_callback(tmp_path):
    inv = project(tmp_path, {
        "a.js": """
            import mysql from 'mysql2/promise';
            import { createPool } from 'mysql2/promise';
            const { pool } = require('./lib/database');
            export async function f() {
              const conn = await mysql.createConnection({});
              await conn.query('SELECT 1 FROM a');
              await pool.query('SELECT 1 FROM b');
              const other = createPool({});
              await other.execute({ sql: 'SELECT 1 FROM c WHERE id = ?', values: [1] });
            }
            const legacy = require('mysql').createPool({});
            legacy.getConnection((err, connection) => {
              connection.query('SELECT 1 FROM d', () => connection.release());
            });
        """,
        "lib/database.js": DB,
    })
    sites = sites_by_line(inv, "a.js")
    assert sorted(sites) == [7, 8, 10, 14]
    assert all(s.kind == "driver" for s in sites.values())
    assert sites[10].sql == "SELECT 1 FROM c WHERE id = ?"


def test_wrapper_of_wrapper_and_retry_helper(tmp_path):
    inv = project(tmp_path, {
        "lib/database.js": DB,
        "lib/retry.js": """
            const db = require('./database');
            async function withRetry(sql, params, attempts = 3) {
              for (let i = 0; ; i++) {
                try { return await db.query(sql, params); } catch (e) { if (i >= attempts) throw e; }
              }
            }
            exports.withRetry = withRetry;
        """,
        "jobs/cleanup.js": """
            const { withRetry } = require('../lib/retry');
            withRetry('DELETE FROM sessions WHERE expires_at < NOW()', []);
        """,
    })
    sites = sites_by_line(inv, "jobs/cleanup.js")
    assert sites[3].kind == "wrapper" and sites[3].tables == ("sessions",)
    assert not [s for s in inv.sites if s.path == "lib/retry.js"]


def test_sql_text_from_templates_concat_constants_and_appends():
    inv = scan_text(textwrap.dedent("""
        const mysql = require('mysql2/promise');
        const pool = mysql.createPool({});
        const TABLE = 'guilds';
        const BASE = 'SELECT id, name FROM ' + TABLE;
        async function list(sort, dir, name) {
          await pool.query(`${BASE} ORDER BY ${sort} ${dir}`);
          let sql = 'SELECT * FROM users WHERE 1 = 1';
          if (name) sql += ' AND name = ?';
          await pool.query(sql, [name]);
          await pool.query('SELECT a' + ' FROM b');
        }
    """), "q.js")
    sites = {s.line: s for s in inv.sites}
    assert sites[7].sql.startswith("SELECT id, name FROM guilds ORDER BY pgready_hole_1")
    assert sites[7].dynamic and sites[7].confidence == "medium"
    assert [h.source for h in sites[7].holes] == ["${sort}", "${dir}"] or [h.source for h in sites[7].holes] == ["sort", "dir"]
    assert sites[10].sql == "SELECT * FROM users WHERE 1 = 1 AND name = ?" and sites[10].dynamic
    assert sites[11].sql == "SELECT a FROM b" and not sites[11].dynamic
    # SQL text location points at the literal, not the call
    assert sites[11].sql_location.line == 11


def test_orm_raw_escapes_and_placeholder_styles():
    inv = scan_text(textwrap.dedent("""
        const { PrismaClient } = require('@prisma/client');
        const prisma = new PrismaClient();
        const knex = require('knex')({ client: 'mysql2' });
        const { Sequelize } = require('sequelize');
        const sequelize = new Sequelize('mysql://x');
        const { DataSource } = require('typeorm');
        const dataSource = new DataSource({ type: 'mysql' });
        async function f(id) {
          await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;
          await prisma.$queryRawUnsafe('SELECT * FROM users WHERE id = ?', id);
          await knex('users').whereRaw('LOWER(email) = ?', [id]);
          await sequelize.query('SELECT 1 FROM users');
          await dataSource.manager.query('SELECT * FROM users WHERE id = ?', [id]);
          const runner = dataSource.createQueryRunner();
          await runner.query('SELECT 1 FROM guilds');
        }
    """), "orm.js")
    sites = {s.line: s for s in inv.sites}
    assert sorted(sites) == [10, 11, 12, 13, 14, 16]
    assert {s.kind for s in sites.values()} == {"orm-raw"}
    assert sites[10].placeholders == "orm" and not sites[10].dynamic and sites[10].holes[0].kind == "param"
    assert sites[11].placeholders == "driver"
    assert sites[12].placeholders == "orm"
    assert sites[14].placeholders == "driver"  # TypeORM hands `?` to the driver: breaks on pg
    # placeholders decide SYN002: Prisma's tagged template and knex bind their own
    syn002 = sorted(f.anchor_line for f in inv.findings if f.rule_id == "SYN002")
    assert syn002 == [11, 14]


def test_literal_sql_without_sink_is_a_site_but_prose_is_not():
    inv = scan_text(textwrap.dedent("""
        const REPORT = `SELECT guild_id, COUNT(*) FROM stats GROUP BY guild_id`;
        const help = 'Select a guild from the list';
        const msg = "Update your profile settings.";
        const label = 'delete from favourites?';
        module.exports = { REPORT, help, msg, label };
    """), "strings.js")
    assert [(s.line, s.kind, s.confidence) for s in inv.sites] == [(2, "literal", "low")]


@pytest.mark.parametrize("code, kinds", [
    ("const r = await pool.query('INSERT INTO t (a) VALUES (1)'); console.log(r.insertId, r.affectedRows);",
     ["affected-rows", "insert-id"]),
    ("const [rows, fields] = await pool.query('SELECT 1 FROM t');", ["result-tuple"]),
    ("pool.query('SELECT 1 FROM t').then(([rows]) => rows);", ["result-tuple"]),
    ("const s = mysql.escape(name) + mysql.format('?', [1]);", ["escape-format", "escape-format"]),
    ("if (err.code === 'ER_DUP_ENTRY' || err.errno === 1062) {}", ["mysql-error-code", "mysql-error-code"]),
    ("const { changedRows } = await conn.query('UPDATE t SET a = 1');", ["changed-rows"]),
    ("const q = async () => db.query('SELECT 1 FROM t');", []),
])
def test_driver_uses(code, kinds):
    prelude = "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({ multipleStatements: false });\n" \
              "let conn, name, err;\nasync function main() {\n"
    inv = scan_text(prelude + code + "\n}\n", "uses.js")
    found = sorted(u.kind for u in inv.driver_uses if u.kind != "multiple-statements")
    assert found == sorted(kinds)


def test_transactions_three_ways(tmp_path):
    inv = project(tmp_path, {
        "lib/database.js": DB,
        "routes/guilds.js": """
            const db = require('../lib/database');
            async function move(a, b) {
              return db.tx(async (conn) => {
                await conn.query('UPDATE guilds SET owner_id = ? WHERE id = ?', [b, a]);
                await conn.query('INSERT INTO audit_logs (action) VALUES (?)', ['move']);
              });
            }
            async function raw(pool) {
              const conn = await db.pool.getConnection();
              await conn.query('START TRANSACTION');
              await conn.query('DELETE FROM stats WHERE guild_id = ?', [1]);
              await conn.query('COMMIT');
            }
            module.exports = { move, raw };
        """,
    })
    kinds = {(t.path, t.kind, t.line): len(t.sites) for t in inv.transactions}
    assert kinds[("routes/guilds.js", "wrapper", 4)] == 2
    assert kinds[("routes/guilds.js", "sql", 11)] == 1
    assert kinds[("lib/database.js", "driver-api", 15)] == 0
    wrapper_sites = sites_by_line(inv, "routes/guilds.js")
    assert wrapper_sites[5].kind == "driver"  # conn comes from tx(): a MySQL connection


def test_explicit_file_reads_imported_wrappers_for_context(tmp_path):
    files = {"lib/database.js": DB,
             "routes/chat.js": "const db = require('../lib/database');\ndb.query('SELECT * FROM chat_messages');\n"}
    project(tmp_path, files)
    inv = scan(tmp_path, [tmp_path / "routes/chat.js"])
    assert inv.files == ("routes/chat.js",)
    assert [(s.path, s.line, s.kind) for s in inv.sites] == [("routes/chat.js", 2, "wrapper")]


def test_rest_parameter_forwarders_and_default_object_exports(tmp_path):
    inv = project(tmp_path, {
        "db.mjs": """
            import mysql from 'mysql2/promise';
            const pool = mysql.createPool({});
            const query = (...args) => pool.query(...args);
            export default { query, execute: async function (sql, values) { return pool.execute(sql, values); } };
        """,
        "use.mjs": """
            import db from './db.mjs';
            await db.query('SELECT * FROM users');
            await db.execute('DELETE FROM sessions WHERE id = ?', [1]);
        """,
    })
    assert not [s for s in inv.sites if s.path == "db.mjs"]
    assert [(s.line, s.kind, s.callee) for s in inv.sites] == [(3, "wrapper", "db.query"), (4, "wrapper", "db.execute")]


def test_inline_callbacks_that_pass_their_argument_to_a_sink_are_sites_not_wrappers():
    inv = scan_text(textwrap.dedent("""
        const mysql = require('mysql2/promise');
        const pool = mysql.createPool({});
        const statements = ['DELETE FROM sessions', 'DELETE FROM tokens'];
        statements.forEach((statement) => pool.query(statement));
    """), "purge.js")
    # the call is a site whose SQL is unknown statically; the strings it may send are literal sites
    assert [(s.line, s.kind, s.dynamic, s.statement) for s in inv.sites] == [
        (4, "literal", False, "delete"), (4, "literal", False, "delete"), (5, "driver", True, "unknown")]


def test_tsconfig_path_aliases_resolve_imports(tmp_path):
    inv = project(tmp_path, {
        "tsconfig.json": """
            {
              // comments are allowed in tsconfig
              "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "~db": ["./src/lib/db.ts"] } },
            }
        """,
        "src/lib/db.ts": """
            import mysql from 'mysql2/promise';
            const pool = mysql.createPool(process.env.DATABASE_URL!);
            export async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
              const [rows] = await pool.query(text, params);
              return rows as T[];
            }
        """,
        "src/app/api/users/route.ts": """
            import { sql } from '@/lib/db';
            import * as db from '~db';
            export async function GET() {
              const rows = await sql('SELECT id, email FROM users');
              await db.sql('SELECT 1 FROM guilds');
              return Response.json(rows);
            }
        """,
    })
    route = sites_by_line(inv, "src/app/api/users/route.ts")
    assert {line: s.kind for line, s in route.items()} == {5: "wrapper", 6: "wrapper"}


def test_es5_constructor_functions_and_prototype_methods():
    inv = scan_text(textwrap.dedent("""
        const mysql = require('mysql2/promise');
        function SessionStore(options) {
          this.options = options;
          this.connection = this.createPool(options);
        }
        SessionStore.prototype.createPool = function (options) {
          return mysql.createPool(options);
        };
        SessionStore.prototype.query = function (sql, params) {
          return this.connection.query(sql, params);
        };
        SessionStore.prototype.get = function (id) {
          const sql = 'SELECT ?? AS data FROM ?? WHERE ?? = ?';
          return this.query(sql, ['data', 'sessions', 'session_id', id]);
        };
        SessionStore.prototype = Object.assign(SessionStore.prototype, {});
        module.exports = SessionStore;
    """), "store.js")
    assert [(s.line, s.kind, s.callee, s.function) for s in inv.sites] == [(15, "wrapper", "this.query", "SessionStore.get")]


def test_ids_survive_unrelated_line_shifts():
    code = textwrap.dedent("""
        const mysql = require('mysql2/promise');
        const pool = mysql.createPool({});
        module.exports = (router) => router.get('/', async (req, res) => {
          const [rows] = await pool.query('SELECT IFNULL(name, email) FROM users');
          res.json(rows);
        });
    """)
    before = scan_text(code, "routes.js")
    after = scan_text("// a new header comment\n\n" + code.replace("const pool", "\n\nconst pool"), "routes.js")
    assert [f.location.line for f in after.findings] != [f.location.line for f in before.findings]
    assert [f.id for f in after.findings] == [f.id for f in before.findings]
    assert [s.id for s in after.sites] == [s.id for s in before.sites]
    assert before.sites[0].function == "<anonymous>/<anonymous>"


def test_sql_built_by_a_call_is_a_dynamic_site_located_at_the_call():
    import io
    import json

    import jsonschema

    from auditor.report import json as json_report

    inv = scan_text("const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
                    "async function f(filters) {\n  return pool.query(buildSql(filters));\n}\n", "built.js")
    site = inv.sites[0]
    assert (site.line, site.dynamic, site.statement, site.sql) == (4, True, "unknown", "/*pgready_hole_1*/")
    assert (site.sql_location.line, site.holes[0].location.line) == (4, 4)
    out = io.StringIO()
    json_report.render(inv, out, {})
    jsonschema.Draft202012Validator(json_report.schema()).validate(json.loads(out.getvalue()))
