"""The SQL-file frontend: statement splitting, positions, dumps, inventory items, encoding, memory."""
from __future__ import annotations

import io
import time
import tracemalloc

import pytest

from auditor.frontends import sqlsplit
from auditor.frontends.sqlfile import parse_sql_file
from auditor.frontends.sqlsplit import Splitter, decode_chunks


def parse(tmp_path, text: str | bytes, name: str = "db/script.sql"):
    path = tmp_path / "script.sql"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return parse_sql_file(path, name)


def sqls(tmp_path, text):
    facts, _ = parse(tmp_path, text)
    return [s.sql for s in facts.statements]


def split_in_pieces(text: str, size: int, dump: bool = False):
    splitter, raws = Splitter(dump), []
    for start in range(0, len(text), size):
        raws += splitter.feed(text[start:start + size])
    return raws + splitter.finish()


# -- splitting ------------------------------------------------------------------------------------

def test_delimiter_dollar_and_slash(tmp_path):
    """A DELIMITER line is no part of a statement; it comes alone as `DELIMITER x` (for PRC006)."""
    text = ("DELIMITER $$\nCREATE PROCEDURE a() BEGIN SELECT 1; SELECT 2; END$$\nDELIMITER ;\n"
            "SELECT 3;\n  delimiter //  -- note\nCREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END //\nDELIMITER ;\nSELECT 4;\n")
    facts, _ = parse(tmp_path, text)
    assert [(s.sql, s.line, s.col) for s in facts.statements] == [
        ("DELIMITER $$", 1, 1), ("CREATE PROCEDURE a() BEGIN SELECT 1; SELECT 2; END", 2, 1), ("DELIMITER ;", 3, 1),
        ("SELECT 3", 4, 1), ("delimiter //", 5, 3), ("CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END", 6, 1),
        ("DELIMITER ;", 7, 1), ("SELECT 4", 8, 1)]


def test_delimiter_lines_fire_prc006_only():
    from auditor.pipeline import scan_text

    inventory = scan_text("DELIMITER $$\nCREATE PROCEDURE a() BEGIN SELECT 1; END$$\nDELIMITER ;\n", "example.sql")
    assert sorted((f.location.line, f.rule_id) for f in inventory.findings if f.location.line != 2) == [
        (1, "PRC006"), (3, "PRC006")]


def test_mysqldump_double_semicolon_delimiter(tmp_path):
    text = ("DELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `trg` "
            "BEFORE UPDATE ON `orders` FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END */;;\nDELIMITER ;\n")
    facts, _ = parse(tmp_path, text)
    assert [s.sql[:17] for s in facts.statements] == ["DELIMITER ;;", "/*!50003 CREATE*/", "DELIMITER ;"]
    assert [(i.kind, i.name, i.detail) for i in facts.items] == [("trigger", "trg", "trigger BEFORE UPDATE ON orders")]


def test_routine_body_with_semicolons_without_delimiter(tmp_path):
    text = ("CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT;\n  IF x THEN SELECT CASE WHEN 1 THEN 2 END; END IF;\n"
            "  lbl: BEGIN SELECT 'end;'; END lbl;\n  WHILE x DO SET x = x - 1; END WHILE;\n  CASE x WHEN 1 THEN SELECT 1; END CASE;\n"
            "END;\nSELECT 5;\nCREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW SET NEW.a = 1;\nSELECT 6;\n")
    statements = sqls(tmp_path, text)
    assert len(statements) == 4
    assert statements[0].startswith("CREATE PROCEDURE p()") and statements[0].endswith("END CASE;\nEND")
    assert statements[1:] == ["SELECT 5", "CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW SET NEW.a = 1", "SELECT 6"]


def test_begin_outside_a_routine_is_a_transaction(tmp_path):
    assert sqls(tmp_path, "BEGIN;\nUPDATE t SET a = 1;\nCOMMIT;\n") == ["BEGIN", "UPDATE t SET a = 1", "COMMIT"]


def test_semicolons_in_quotes_and_escapes(tmp_path):
    text = ("SELECT 'a;b', 'it''s;', 'x\\';y', \"q;\"\"r\", \"s\\\";t\", `we;ird``n;ame` FROM t;\n"
            "INSERT INTO t VALUES ('\\\\');SELECT 2;\n")
    assert sqls(tmp_path, text) == [
        "SELECT 'a;b', 'it''s;', 'x\\';y', \"q;\"\"r\", \"s\\\";t\", `we;ird``n;ame` FROM t",
        "INSERT INTO t VALUES ('\\\\')", "SELECT 2"]


def test_semicolons_in_comments(tmp_path):
    text = ("-- leading; comment\n# hash; comment\n/* block; comment */\nSELECT 1 -- trailing;\n, 2 # more;\n"
            "/* in; side */ FROM t;\nSELECT 3--1;\n--\nSELECT 4;\n")
    assert sqls(tmp_path, text) == ["SELECT 1 -- trailing;\n, 2 # more;\n/* in; side */ FROM t", "SELECT 3--1",
                                    "SELECT 4"]


def test_conditional_comments_are_statements_as_written(tmp_path):
    text = "/* plain */ /*!40101 SET NAMES utf8 */;\n/*!40014 SET FOREIGN_KEY_CHECKS=0 */;\n"
    facts, _ = parse(tmp_path, text)
    assert [(s.sql, s.line, s.col) for s in facts.statements] == [
        ("/*!40101 SET NAMES utf8 */", 1, 13), ("/*!40014 SET FOREIGN_KEY_CHECKS=0 */", 2, 1)]


def test_mariadb_executable_comment_is_a_statement(tmp_path):
    text = "/*M!999999\\- enable the sandbox mode */\n/*M!100616 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY */;\n"
    facts, _ = parse(tmp_path, text)
    assert [(s.sql, s.line) for s in facts.statements] == [("/*M!100616 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY */", 2)]


def test_oversized_statement_is_dropped_with_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlsplit, "MAX_STATEMENT", 1000)
    monkeypatch.setattr(sqlsplit, "CHUNK", 100)
    facts, diagnostics = parse(tmp_path, "SELECT 1;\nSELECT '" + "x" * 5000 + "';\nSELECT 3;\n")
    assert [(s.sql, s.line) for s in facts.statements] == [("SELECT 1", 1), ("SELECT 3", 3)]
    assert [(d.kind, d.line) for d in diagnostics] == [("too-large", 2)]


def test_last_statement_without_delimiter_and_empty_statements(tmp_path):
    facts, diagnostics = parse(tmp_path, ";;\nSELECT 1;;\n  SELECT 2\n  FROM t  \n")
    assert [(s.sql, s.line, s.col, s.end_line) for s in facts.statements] == [
        ("SELECT 1", 2, 1, 2), ("SELECT 2\n  FROM t", 3, 3, 4)]
    assert diagnostics == []


def test_unclosed_quote_is_reported(tmp_path):
    facts, diagnostics = parse(tmp_path, "SELECT 1;\nSELECT 'oops;\nSELECT 3;\n")
    assert [s.sql for s in facts.statements] == ["SELECT 1", "SELECT 'oops;\nSELECT 3;"]
    assert [(d.kind, d.line) for d in diagnostics] == [("syntax-error", 2)]


def test_exact_lines_and_columns(tmp_path):
    text = "SELECT 1; SELECT 2;\n\n\t  /* c */ SELECT\n    3;\n-- x\n   # y\n      UPDATE t\nSET a = 'é';  SELECT 'é';\n"
    facts, _ = parse(tmp_path, text)
    assert [(s.line, s.col, s.end_line) for s in facts.statements] == [
        (1, 1, 1), (1, 11, 1), (3, 12, 4), (7, 7, 8), (8, 15, 8)]


def test_crlf_line_endings(tmp_path):
    text = "-- c\r\nSELECT 1;\r\n\r\n  SELECT a,\r\n  b FROM t;\r\nDELIMITER $$\r\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\r\n"
    facts, _ = parse(tmp_path, text)
    assert [(s.sql, s.line, s.col, s.end_line) for s in facts.statements] == [
        ("SELECT 1", 2, 1, 2), ("SELECT a,\n  b FROM t", 4, 3, 5),
        ("DELIMITER $$", 6, 1, 6), ("CREATE PROCEDURE p() BEGIN SELECT 1; END", 7, 1, 7)]
    assert facts.lines[1] == "SELECT 1;" and len(facts.lines) == 7


SCRIPT = ("-- MySQL dump 10.13\n/*!40101 SET NAMES utf8 */;\nDELIMITER ;;\nCREATE PROCEDURE p() BEGIN SELECT 'a;;b'; END ;;\n"
          "DELIMITER ;\nINSERT INTO `t` VALUES (1,'x\\';y'),(2,\"--\");\nCREATE PROCEDURE q()\nBEGIN\n  SELECT 1;\nEND;\n"
          "SELECT 'é' /* c;*/, 2 -- d;\n# e\n FROM t; INSERT INTO t VALUES (3);\nSELECT `a;b`\r\n;\nSELECT 'tail'")


@pytest.mark.parametrize("dump", [False, True])
def test_splitting_does_not_depend_on_chunk_boundaries(dump):
    whole = split_in_pieces(SCRIPT, len(SCRIPT), dump)
    assert len(whole) == 10 and sum(r.data for r in whole) == (2 if dump else 0)
    for size in (1, 2, 3, 5, 8, 13, 64):
        assert split_in_pieces(SCRIPT, size, dump) == whole, size


# -- dumps ----------------------------------------------------------------------------------------

DUMP = ("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: shop\n\n"
        "/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `users` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n);\n"
        "LOCK TABLES `users` WRITE;\n/*!40000 ALTER TABLE `users` DISABLE KEYS */;\n"
        "INSERT INTO `users` VALUES (1,'a;b'),(2,'c');\nINSERT INTO `users` VALUES (3,'é');\n"
        "REPLACE INTO `users` VALUES (4,'d');\nUNLOCK TABLES;\n")


def test_dump_data_is_counted_not_emitted(tmp_path):
    facts, diagnostics = parse(tmp_path, DUMP, "backup/shop.sql")
    assert [s.sql.split()[0] for s in facts.statements] == ["/*!40101", "CREATE", "LOCK", "/*!40000", "UNLOCK"]
    data_bytes = sum(len(s.encode()) for s in ("INSERT INTO `users` VALUES (1,'a;b'),(2,'c')",
                                                "INSERT INTO `users` VALUES (3,'é')", "REPLACE INTO `users` VALUES (4,'d')"))
    [use] = facts.uses
    assert (use.kind, use.confidence, use.location.line, use.location.col) == ("mysqldump-data", "high", 12, 1)
    assert use.evidence == f"3 INSERT statements, {data_bytes} bytes of data"
    data = [i for i in facts.items if i.kind == "data"]
    assert [(i.name, i.category, i.size, i.location.line) for i in data] == [("backup/shop.sql", "schema", data_bytes, 12)]
    assert diagnostics == []


def test_dump_detected_with_tiny_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlsplit, "CHUNK", 5)
    facts, _ = parse(tmp_path, DUMP)
    assert facts.uses[0].evidence.startswith("3 INSERT statements") and len(facts.statements) == 5


def test_empty_file(tmp_path):
    facts, diagnostics = parse(tmp_path, "")
    assert (facts.statements, facts.uses, facts.items, facts.lines, diagnostics) == ((), (), (), (), [])


def test_mariadb_dump_header_after_sandbox_line(tmp_path):
    """MariaDB's sandbox marker (a mysql-client command in a /*M! comment) is not a statement."""
    text = "/*M!999999\\- enable the sandbox mode */\n-- MariaDB dump 10.19\n\nINSERT INTO t VALUES (1);\n"
    facts, _ = parse(tmp_path, text)
    assert facts.uses[0].evidence == "1 INSERT statements, 24 bytes of data" and facts.statements == ()


def test_not_a_dump_keeps_every_insert(tmp_path):
    facts, _ = parse(tmp_path, "-- seed data, not a MySQL dump\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n")
    assert len(facts.statements) == 2 and facts.uses == () and facts.items == ()


def test_dump_without_data(tmp_path):
    facts, _ = parse(tmp_path, DUMP.split("LOCK TABLES")[0])
    assert facts.uses == () and [i.kind for i in facts.items] == ["table"]


def test_sch002_finding_through_the_pipeline():
    from auditor.pipeline import scan_text

    inventory = scan_text(DUMP, "example.sql")
    [finding] = [f for f in inventory.findings if f.rule_id == "SCH002"]
    assert finding.location.line == 12 and finding.code.startswith("INSERT INTO `users`")
    assert not any(s.line >= 12 and s.line <= 14 for s in inventory.sites)


# -- items ----------------------------------------------------------------------------------------

def test_items_names_kinds_sizes(tmp_path):
    text = ("CREATE TABLE IF NOT EXISTS shop.`order items` (\n  id INT,\n  `key` VARCHAR(10) DEFAULT 'a,b',\n"
            "  price DECIMAL(10,2),\n  PRIMARY KEY (id),\n  UNIQUE KEY u (`key`, price),\n"
            "  CONSTRAINT fk FOREIGN KEY (id) REFERENCES o (id)\n);\n"
            "DELIMITER $$\nCREATE DEFINER=`admin`@`%` PROCEDURE `shop`.`refresh`(IN a INT)\nBEGIN\n  SELECT 1;\nEND$$\n"
            "CREATE DEFINER = CURRENT_USER FUNCTION total(x INT, y INT) RETURNS decimal(10, 2) DETERMINISTIC\n"
            "RETURN x + y$$\nDELIMITER ;\n"
            "CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW v_orders AS SELECT 1;\n"
            "CREATE EVENT IF NOT EXISTS purge ON SCHEDULE EVERY 1 DAY STARTS '2024-01-01' DO DELETE FROM log;\n"
            "CREATE TRIGGER audit AFTER DELETE ON `orders` FOR EACH ROW INSERT INTO a VALUES (OLD.id);\n"
            "CREATE TABLE copy LIKE shop.orders;\nCREATE TEMPORARY TABLE tmp AS SELECT 1;\n")
    facts, _ = parse(tmp_path, text)
    assert [(i.kind, i.name, i.category, i.location.line, i.size, i.detail) for i in facts.items] == [
        ("table", "shop.order items", "schema", 1, 8, "3 columns"),
        ("procedure", "shop.refresh", "schema", 10, 4, "procedure with 1 parameter"),
        ("function", "total", "schema", 14, 2, "function returning DECIMAL(10, 2)"),
        ("view", "v_orders", "schema", 17, 1, "view ALGORITHM=MERGE SQL SECURITY INVOKER"),
        ("event", "purge", "schema", 18, 1, "event ON SCHEDULE EVERY 1 DAY STARTS '2024-01-01'"),
        ("trigger", "audit", "schema", 19, 1, "trigger AFTER DELETE ON orders"),
        ("table", "copy", "schema", 20, 1, "copy of shop.orders"),
        ("table", "tmp", "schema", 21, 1, "created from a query"),
    ]


def test_mysqldump_view_placeholder_is_listed_once(tmp_path):
    text = ("/*!50001 CREATE VIEW `v` AS SELECT 1 AS `id`*/;\n/*!50001 DROP VIEW IF EXISTS `v`*/;\n"
            "/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n"
            "/*!50001 VIEW `v` AS select `t`.`id` AS `id` from `t` */;\n")
    facts, _ = parse(tmp_path, text)
    assert [(i.kind, i.name, i.location.line, i.size, i.detail) for i in facts.items] == [
        ("view", "v", 3, 3, "view ALGORITHM=UNDEFINED SQL SECURITY DEFINER")]


# -- lines, encoding ------------------------------------------------------------------------------

def test_lines_are_redacted_and_dropped_for_big_files(tmp_path, monkeypatch):
    facts, _ = parse(tmp_path, "-- url: mysql://app:hunter2@db/shop\nSET @pw = 'x';\n")
    assert facts.lines == ("-- url: mysql://app:***@db/shop", "SET @pw = 'x';")
    monkeypatch.setattr("auditor.frontends.sqlfile.MAX_LINES_FILE", 10)
    facts, _ = parse(tmp_path, "-- url: mysql://app:hunter2@db/shop\nSET @pw = 'x';\n")
    assert facts.lines == () and len(facts.statements) == 1


def test_latin1_fallback_reports_once(tmp_path):
    facts, diagnostics = parse(tmp_path, "SELECT 1;\nSELECT 'caf\xe9';\nSELECT '\xe0 la';\n".encode("latin-1"))
    assert [s.sql for s in facts.statements] == ["SELECT 1", "SELECT 'café'", "SELECT 'à la'"]
    assert [(d.kind, d.line) for d in diagnostics] == [("encoding", 2)]


def test_utf8_split_across_chunks_is_not_latin1(tmp_path, monkeypatch):
    text = "\ufeff" + "SELECT 'é€😀';\n" * 20 + "SELECT 'caf\xe9';\n"
    monkeypatch.setattr(sqlsplit, "CHUNK", 3)
    facts, diagnostics = parse(tmp_path, text.encode("utf-8").replace("caf\xe9".encode(), b"caf\xe9"))
    assert [s.sql for s in facts.statements] == ["SELECT 'é€😀'"] * 20 + ["SELECT 'café'"]
    assert [(d.kind, d.line) for d in diagnostics] == [("encoding", 21)]
    assert facts.statements[1].line == 2 and facts.statements[0].col == 1


def test_decode_chunks_with_one_byte_reads():
    data = "aé€😀b".encode() + b"\xff" + "c".encode()
    parts = list(decode_chunks(io.BytesIO(data), 1))
    assert "".join(t for t, _ in parts) == "aé€😀b\xffc"
    assert sum(bad >= 0 for _, bad in parts) == 1


# -- bounded memory -------------------------------------------------------------------------------

def test_large_dump_in_bounded_memory(tmp_path):
    path, inserts, data_bytes, tables = tmp_path / "big.sql", 0, 0, 4
    row = "({n},'" + "x" * 80 + "\\'s; -- not a comment',NULL)"
    with path.open("w", encoding="utf-8") as out:
        out.write("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n/*!40101 SET NAMES utf8mb4 */;\n")
        for t in range(tables):
            out.write(f"CREATE TABLE `t{t}` (\n  `id` int NOT NULL,\n  `v` text,\n  `w` int,\n  PRIMARY KEY (`id`)\n);\n"
                      f"LOCK TABLES `t{t}` WRITE;\n")
            for i in range(10_000):
                insert = f"INSERT INTO `t{t}` VALUES " + ",".join(row.format(n=i * 10 + j) for j in range(10))
                out.write(insert + ";\n")
                inserts, data_bytes = inserts + 1, data_bytes + len(insert)
            out.write("UNLOCK TABLES;\n")
    size = path.stat().st_size
    assert size > 40_000_000
    started = time.perf_counter()
    tracemalloc.start()
    try:
        facts, diagnostics = parse_sql_file(path, "big.sql")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    print(f"\n{size / 1e6:.1f} MB dump: peak traced {peak / 1e6:.1f} MB, {elapsed:.2f} s (traced)")
    assert peak < 16_000_000
    assert diagnostics == [] and facts.lines == ()
    assert len(facts.statements) == 1 + 3 * tables
    [use] = facts.uses
    assert use.evidence == f"{inserts} INSERT statements, {data_bytes} bytes of data"
    assert use.location.line == 11
    assert [(i.kind, i.name, i.size) for i in facts.items][:2] == [("table", "t0", 6), ("data", "big.sql", data_bytes)]
