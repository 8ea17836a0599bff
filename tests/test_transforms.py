"""pgready's own sqlglot transforms (auditor.rewrite.transforms): MySQL in, PostgreSQL text out.

Each case runs a statement the way the rewrite engine does (classify's parse, placeholders marked
as `pgready_ph_N`), applies `transform`, generates PostgreSQL, and checks the text, that
PostgreSQL's own parser accepts it (unless a manual note says it cannot be done), and the notes.
The last test replays every `rewrites:` pair of the catalogue.
"""
from __future__ import annotations

import re

import pglast
import pytest
from sqlglot.tokens import Token, TokenType

from auditor.catalog import load_rules
from auditor.classify import parse_tokens, split_and_parse
from auditor.rewrite.schema import SchemaInfo
from auditor.rewrite.transforms import transform

SCHEMA = SchemaInfo.from_sql("""
CREATE TABLE counters (id INT PRIMARY KEY, n INT);
CREATE TABLE settings (k VARCHAR(20) NOT NULL, v TEXT, PRIMARY KEY (k));
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(99), name TEXT, UNIQUE KEY uq_email (email));
CREATE TABLE t (a INT PRIMARY KEY, b INT, c INT);
""")


def run(sql: str, schema=SCHEMA):
    """transform + generation as the engine does them; `$n` for the marked placeholders."""
    stmt = split_and_parse(sql, "driver")[0]
    marks = [t for t in stmt.tokens if t.token_type == TokenType.PLACEHOLDER]
    index = {t.start: k for k, t in enumerate(marks)}
    tokens = tuple(Token(TokenType.VAR, f"pgready_ph_{index[t.start]}", t.line, t.col, t.start, t.end, t.comments)
                   if t.start in index else t for t in stmt.tokens)
    marked = parse_tokens(sql, tokens, "driver")
    tree, notes = transform(marked.tree.copy(), marked.kind, schema)
    text = re.sub(r"pgready_ph_(\d+)", lambda m: f"${int(m.group(1)) + 1}", tree.sql(dialect="postgres"))
    return text, notes


CASES = [  # (mysql, postgres, lowest note safety or None, a word the note names)
    # upserts
    ("INSERT INTO counters (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1",
     "INSERT INTO counters (id, n) VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET n = counters.n + 1", "review", "ANY unique"),
    ("INSERT INTO users (email, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)",
     "INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT(email) DO UPDATE SET name = EXCLUDED.name",
     "review", "(id); (email)"),
    ("INSERT INTO t (a, b) VALUES (1, 2) AS new ON DUPLICATE KEY UPDATE b = new.b + b",
     "INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT(a) DO UPDATE SET b = EXCLUDED.b + t.b", "review", "ANY unique"),
    ("INSERT INTO t (a, b) VALUES (1, 2) AS new(x, y) ON DUPLICATE KEY UPDATE b = y, c = b",
     "INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT(a) DO UPDATE SET b = EXCLUDED.b, c = t.b", "review", "left to right"),
    ("INSERT INTO nope (a) VALUES (1) ON DUPLICATE KEY UPDATE a = a + 1",
     "INSERT INTO nope (a) VALUES (1) ON DUPLICATE KEY UPDATE SET a = a + 1", "manual", "conflict target unknown"),
    ("INSERT IGNORE INTO tags (name) VALUES (?)",
     "INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING", "review", "NOT NULL"),
    ("REPLACE INTO settings (k, v) VALUES ('theme', 'dark')",
     "INSERT INTO settings (k, v) VALUES ('theme', 'dark') ON CONFLICT(k) DO UPDATE SET v = EXCLUDED.v",
     "review", "deletes the old row"),
    ("REPLACE INTO nope (k, v) VALUES ('theme', 'dark')",
     "REPLACE INTO nope (k, v) VALUES ('theme', 'dark')", "manual", "conflict target unknown"),
    # UPDATE / DELETE
    ("UPDATE t SET b = 1 WHERE c = 2 ORDER BY a LIMIT 5",
     "UPDATE t SET b = 1 WHERE ctid IN (SELECT ctid FROM t WHERE c = 2 ORDER BY a NULLS FIRST LIMIT 5 FOR UPDATE)",
     "review", "ctid"),
    ("DELETE FROM t WHERE c = ? LIMIT 10",
     "DELETE FROM t WHERE ctid IN (SELECT ctid FROM t WHERE c = $1 LIMIT 10 FOR UPDATE)", "review", "ctid"),
    ("UPDATE orders o JOIN users u ON u.id = o.user_id SET o.email = u.email WHERE o.id = ?",
     "UPDATE orders AS o SET email = u.email FROM users AS u WHERE u.id = o.user_id AND o.id = $1", None, ""),
    ("UPDATE a JOIN b ON a.id = b.id SET a.x = 1, b.y = 2",
     "UPDATE a JOIN b ON a.id = b.id SET a.x = 1, b.y = 2", "manual", "more than one table"),
    ("UPDATE a LEFT JOIN b ON a.id = b.id SET a.x = b.y",
     "UPDATE a LEFT JOIN b ON a.id = b.id SET a.x = b.y", "manual", "LEFT JOIN"),
    ("DELETE p FROM posts p JOIN users u ON u.id = p.user_id WHERE u.banned = 1",
     "DELETE FROM posts AS p USING users AS u WHERE u.id = p.user_id AND u.banned = 1", None, ""),
    ("DELETE a, b FROM a JOIN b ON a.id = b.id", "DELETE a, b FROM a JOIN b ON a.id = b.id", "manual", "several tables"),
    ("DELETE QUICK FROM sessions WHERE expires_at < NOW()", "DELETE FROM sessions WHERE expires_at < NOW()", None, ""),
    # LAST_INSERT_ID
    ("SELECT LAST_INSERT_ID()", "SELECT LASTVAL()", "review", "lastval()"),
    ("SELECT LAST_INSERT_ID(5)", "SELECT LAST_INSERT_ID(5)", "manual", "LAST_INSERT_ID(expr)"),
    # DDL
    ("CREATE TABLE t (id INT UNSIGNED NOT NULL, qty SMALLINT(6), n BIGINT(20) UNSIGNED)",
     "CREATE TABLE t (id BIGINT NOT NULL CHECK (id >= 0), qty SMALLINT, n BIGINT CHECK (n >= 0))", "review",
     "9223372036854775807"),  # BIGINT, so foreign keys match the BIGINT identity they point at
    ("CREATE TABLE t (a TINYINT(1) NOT NULL DEFAULT 1, b TINYINT(4), c MEDIUMINT, d DOUBLE, e DATETIME)",
     "CREATE TABLE t (a BOOLEAN NOT NULL DEFAULT TRUE, b SMALLINT, c INT, d DOUBLE PRECISION, e TIMESTAMP)",
     "review", "boolean"),
    ("CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) CHARACTER SET utf8mb4 "
     "COLLATE utf8mb4_bin COMMENT 'who') ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC COMMENT='x'",
     "CREATE TABLE users (id INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name VARCHAR(50))", "review", "RESTART WITH 7"),
    ("ALTER TABLE users ADD COLUMN n BIGINT NOT NULL AUTO_INCREMENT",
     "ALTER TABLE users ADD COLUMN n BIGINT GENERATED BY DEFAULT AS IDENTITY", "review", "existing table"),
    ("CREATE TABLE t (u TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
     "CREATE TABLE t (u TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)", "manual", "trigger"),
    ("CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), KEY idx_email (email), UNIQUE KEY uq (email))",
     "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), CONSTRAINT uq UNIQUE (email))",
     "manual", "CREATE INDEX idx_email ON users (email)"),
    ("CREATE TABLE orders (status ENUM('new', 'paid') NOT NULL)",
     "CREATE TABLE orders (status TEXT NOT NULL CHECK (status IN ('new', 'paid')))", "review", "ENUM"),
    ("CREATE TABLE t (s SET('a', 'b'))", "CREATE TABLE t (s SET('a', 'b'))", "manual", "SET column"),
    ("CREATE TABLE p (price FLOAT(7,2), id BINARY(16), d DATE NOT NULL DEFAULT '0000-00-00')",
     "CREATE TABLE p (price DECIMAL(7, 2), id BYTEA CHECK (OCTET_LENGTH(id) = 16), d DATE DEFAULT NULL)",
     "review", "zero date"),
    ("ALTER TABLE users MODIFY email VARCHAR(320) NOT NULL",
     "ALTER TABLE users ALTER COLUMN email SET DATA TYPE VARCHAR(320), ALTER COLUMN email SET NOT NULL, "
     "ALTER COLUMN email DROP DEFAULT", "review", "MODIFY"),
    ("ALTER TABLE users CHANGE name full_name VARCHAR(100)", None, "manual", "RENAME COLUMN"),
    ("ALTER TABLE users ADD COLUMN nick VARCHAR(50) AFTER name",
     "ALTER TABLE users ADD COLUMN nick VARCHAR(50)", "review", "AFTER"),
    ("CREATE INDEX ix ON users (name(10), id)", "CREATE INDEX ix ON users(name, id)", "review", "prefix"),
    ("TRUNCATE TABLE sessions", "TRUNCATE TABLE sessions RESTART IDENTITY", None, ""),
    ("CREATE TABLE copy LIKE users", "CREATE TABLE copy (LIKE users INCLUDING ALL)", None, ""),
    # expressions and clauses
    ("SELECT * FROM t WHERE c > NOW() - INTERVAL ? DAY",
     "SELECT * FROM t WHERE c > NOW() - ($1 * INTERVAL '1 DAY')", None, ""),
    ("SELECT ELT(n, 'a', 'b'), FIELD(id, 3, 1), SYSDATE() FROM t",
     "SELECT CASE n WHEN 1 THEN 'a' WHEN 2 THEN 'b' END, COALESCE(ARRAY_POSITION(ARRAY[3, 1], id), 0), "
     "CLOCK_TIMESTAMP() FROM t", None, ""),
    ("SELECT JSON_EXTRACT(p, '$.a.b'), p->>'$.c', JSON_OBJECT('id', id) FROM t",
     "SELECT p #> '{a,b}', p ->> 'c', JSON_BUILD_OBJECT('id', id) FROM t", None, ""),
    ("SELECT GROUP_CONCAT(tag) FROM tags", "SELECT STRING_AGG(CAST(tag AS TEXT), ',') FROM tags", None, ""),
    ("SELECT 1 FROM DUAL WHERE flags & 4", "SELECT 1 WHERE (flags & 4) <> 0", None, ""),
    ("SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id HAVING n > 5 ORDER BY NULL",
     "SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id HAVING COUNT(*) > 5", None, ""),
    ("INSERT INTO pairs (a, b) VALUES ROW(1, 2), ROW(3, 4)", "INSERT INTO pairs (a, b) VALUES (1, 2), (3, 4)", None, ""),
    ("SELECT CURTIME(), UTC_TIMESTAMP()", "SELECT LOCALTIME, NOW() AT TIME ZONE 'UTC'", None, ""),
    ("SELECT * FROM jobs WHERE id = ? FOR UPDATE WAIT 5", "SELECT * FROM jobs WHERE id = $1 FOR UPDATE", "manual", "lock_timeout"),
    ("CREATE OR REPLACE SQL SECURITY INVOKER VIEW v AS SELECT 1",
     "CREATE OR REPLACE VIEW v WITH (security_invoker=TRUE) AS SELECT 1", None, ""),
    ("SELECT GET_LOCK('job', 10)", "SELECT GET_LOCK('job', 10)", "manual", "lock_timeout"),
]

NEGATIVE = [  # plain statements: nothing to change, nothing to say
    "SELECT id, name FROM users WHERE id = 1",
    "INSERT INTO users (email, name) VALUES ('a', 'b')",
    "UPDATE t SET b = 1 WHERE a = 2",
    "DELETE FROM t WHERE a = 2",
    "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL)",
    "INSERT INTO counters (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = counters.n + 1",
]


@pytest.mark.parametrize(("mysql", "postgres", "safety", "word"), CASES, ids=[c[0][:60] for c in CASES])
def test_transform(mysql, postgres, safety, word):
    text, notes = run(mysql)
    if postgres is not None:
        assert text == postgres
    lowest = min((n.safety for n in notes), key=("manual", "review").index, default=None)
    assert lowest == safety, notes
    if word:
        assert any(word in n.reason for n in notes), notes
    if safety != "manual":
        pglast.parse_sql(text)


@pytest.mark.parametrize("sql", NEGATIVE)
def test_plain_statements_stay_as_sqlglot_writes_them(sql):
    import sqlglot

    text, notes = run(sql)
    assert notes == []
    assert text == sqlglot.transpile(sql, read="mysql", write="postgres")[0]


def test_no_schema_means_manual_for_upserts():
    text, notes = run("INSERT INTO counters (id, n) VALUES (1, 1) ON DUPLICATE KEY UPDATE n = n + 1", schema=None)
    assert "ON DUPLICATE KEY" in text and [n.safety for n in notes] == ["manual"]


def test_a_step_that_fails_leaves_the_tree_and_says_manual(monkeypatch):
    from auditor.rewrite import transforms_dml

    def boom(tree, kind, schema, notes):
        tree.set("where", None)  # half done, then fails: must be rolled back
        raise ValueError("odd shape")

    monkeypatch.setattr(transforms_dml, "update_delete", boom)
    text, notes = run("DELETE FROM t WHERE a = 2")
    assert text == "DELETE FROM t WHERE a = 2"
    assert notes[0].safety == "manual" and "odd shape" in notes[0].reason


def test_schema_readers():
    dump = SchemaInfo.from_sql("CREATE TABLE `Users` (id INT, email VARCHAR(9), PRIMARY KEY (id), UNIQUE KEY (email));"
                               "CREATE TABLE x (a INT); CREATE UNIQUE INDEX ux ON x (a)")
    assert dump.conflict_targets("db.`users`") == (("id",), ("email",))
    assert dump.conflict_targets("x") == (("a",),)
    prisma = SchemaInfo.from_prisma('model User {\n id Int @id\n email String @unique @map("mail")\n a Int\n b Int\n'
                                    ' @@unique([a, b])\n @@map("users")\n}\nmodel P {\n x Int\n y Int\n @@id([x, y])\n}\n')
    assert prisma.conflict_targets("users") == (("id",), ("mail",), ("a", "b"))
    assert prisma.conflict_targets("p") == (("x", "y"),)
    assert dump.merge(prisma).conflict_targets("users") == prisma.conflict_targets("users")
    assert dump.conflict_targets("unknown") == ()


# -- the catalogue's rewrites: pairs --------------------------------------------------------------

PAIR_SCHEMA = SchemaInfo.from_sql("CREATE TABLE counters (id INT PRIMARY KEY, n INT);"
                                  "CREATE TABLE settings (k VARCHAR(9) PRIMARY KEY, v TEXT)")
# mysql sides the engine cannot parse (kind `unparsed`, an opaque command, or two statements where
# the transform gets one tree): the engine labels them manual before any transform runs
NOT_TRANSFORMABLE = {"DML013", "FUN036", "PRC005", "PRC011", "SYN010", "TXN008", "DDL023", "TXN005"}
KNOWN_FAILURES: set[str] = set()  # rules whose generated PostgreSQL does not parse, without a manual note


def _pairs():
    for rule in load_rules():
        for n, (mysql, postgres) in enumerate(rule.rewrites):
            yield pytest.param(rule.id, mysql, postgres, id=f"{rule.id}-{n}")


@pytest.mark.parametrize(("rule_id", "mysql", "postgres"), list(_pairs()))
def test_catalogue_rewrite_pairs_parse_on_postgresql(rule_id, mysql, postgres):
    stmts = split_and_parse(mysql, "driver")
    if rule_id in NOT_TRANSFORMABLE and (len(stmts) != 1 or stmts[0].tree is None or stmts[0].kind in ("unparsed", "other")
                                         or type(stmts[0].tree).__name__ == "Command"):
        from auditor.rewrite import rewrite_sql  # the engine labels these manual before any transform runs

        assert rewrite_sql(mysql).safety.value == "manual"
        return
    text, notes = run(mysql, PAIR_SCHEMA)
    if any(n.safety == "manual" for n in notes) or rule_id in KNOWN_FAILURES:
        return
    pglast.parse_sql(text)
