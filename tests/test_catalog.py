"""The rule catalogue (schema, contract) and the SQL engine that runs it."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import auditor.classify as classify
from auditor.catalog import CatalogError, example_sets, load_rules, rule_metadata, rules_dir
from auditor.classify import analyze_sql, matcher, rules_for_driver_use

# The contract of /tmp/spec/RULES.md (incl. "Added for Python (issue 4)"): exactly these ids, no others.
CONTRACT = {
    "SYN001", "SYN002", "SYN003", "SYN004", "SYN005", "SYN006", "SYN007", "SYN008", "SYN009", "SYN010",
    "PAR001",
    "DML001", "DML002", "DML003", "DML004", "DML005", "DML006", "DML007",
    "FUN001", "FUN002", "FUN003", "FUN004", "FUN005", "FUN006", "FUN007", "FUN008", "FUN009",
    "FUN010", "FUN011",
    "DDL001", "DDL002", "DDL003", "DDL004", "DDL005", "DDL006", "DDL007", "DDL008", "DDL009", "DDL010",
    "SEM001", "TXN001", "TXN002", "TXN003",
    "DRV001", "DRV002", "DRV003", "DRV004", "DRV005", "DRV006", "DRV007", "DRV008", "DRV009",
    "DRV010", "DRV011", "DRV012", "DRV014", "DRV015",
}
RULES = load_rules()


def ids(sql: str, **kw) -> set[str]:
    return {m.rule.id for m in analyze_sql(sql, RULES, **kw).matches}


def match(sql: str, rule_id: str, **kw):
    return next(m for m in analyze_sql(sql, RULES, **kw).matches if m.rule.id == rule_id)


# --- catalogue ---------------------------------------------------------------------------

def test_catalogue_keeps_every_contracted_rule():
    """The ids fixtures and frontends rely on stay; the catalogue only grows (sorted, unique)."""
    assert CONTRACT <= {r.id for r in RULES}
    assert [r.id for r in RULES] == sorted(r.id for r in RULES)
    assert len({r.id for r in RULES}) == len(RULES)


def test_files_are_named_by_slug_in_their_category_folder():
    root = rules_dir()
    assert root == Path(__file__).resolve().parent.parent / "rules"
    for rule in RULES:
        path = Path(rule.path)
        assert path.stem == rule.slug and path.parent == root / rule.category
    assert len({r.slug for r in RULES}) == len(RULES)


def test_every_rule_resolves_to_a_check_or_a_driver_use():
    driver = rules_for_driver_use(RULES)
    # judged on records of the code/config frontends exactly when their examples are code or config files
    assert set(driver) == {r.slug for r in RULES if r.examples["language"] != "sql"}
    assert "DRV005" not in {r.id for r in driver.values()}  # `??` is read in SQL text
    for rule in RULES:
        assert (matcher(rule) is None) == (rule.slug in driver), rule.id


def test_importing_the_engine_loads_no_check_family():
    code = ("import sys, auditor.classify; "
            "print(sorted(m for m in sys.modules if m.startswith('auditor.checks.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['auditor.checks.base']"


def test_rule_metadata_is_plain_data():
    meta = rule_metadata(next(r for r in RULES if r.id == "FUN001"))
    assert meta["severity"] == "error" and meta["fix_safety"] == "safe" and meta["slug"] == "ifnull"
    assert set(meta) == {"id", "slug", "title", "category", "severity", "fix_safety", "effort_minutes",
                         "message", "why", "postgres", "references"}
    yaml.safe_dump(meta)  # no enums or proxies left


def _valid_rule() -> dict:
    return {
        "id": "SYN901", "slug": "demo-rule", "title": "Demo", "category": "syntax", "severity": "error",
        "fix": "safe", "effort_minutes": 1, "message": "m", "why": "w", "postgres": "p",
        "references": ["https://www.postgresql.org/docs/current/"], "match": {"function": "DEMO"},
        "examples": {"language": "sql", "fail": ["SELECT DEMO(1)", "SELECT demo(2)"],
                     "pass": ["SELECT 1", "SELECT 'DEMO(1)'"]},
        "rewrites": [{"mysql": "SELECT DEMO(1)", "postgres": "SELECT demo_pg(1)"}],
    }


def _python_set() -> dict:
    return {"language": "python", "fail": ["import pymysql\n", "import MySQLdb\n"], "pass": ["x = 1\n", "y = 2\n"]}


def _write(root: Path, data: dict, folder: str = "syntax", name: str = "demo-rule") -> Path:
    (root / folder).mkdir(parents=True, exist_ok=True)
    path = root / folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_valid_temp_rule_loads_and_runs(tmp_path):
    _write(tmp_path, _valid_rule())
    (rule,) = load_rules(tmp_path)
    assert {m.rule.id for m in analyze_sql("SELECT demo(1)", [rule]).matches} == {"SYN901"}


def test_examples_in_several_languages_and_with_analysis_options(tmp_path):
    data = _valid_rule()
    data["examples"].update(target="asyncpg", placeholders="pyformat", more=[_python_set()])
    _write(tmp_path, data)
    (rule,) = load_rules(tmp_path)
    main, extra = example_sets(rule)
    assert (main["language"], main["target"], main["placeholders"]) == ("sql", "asyncpg", "pyformat")
    assert (extra["language"], extra["target"], extra["placeholders"]) == ("python", None, None)
    assert extra["fail"] == ("import pymysql\n", "import MySQLdb\n")


def test_rules_that_also_fire_on_python_have_python_examples():
    for rule_id in ("DRV001", "DRV002", "DRV007", "DRV008", "DRV009", "TXN001",
                    "DRV010", "DRV011", "DRV012", "DRV014", "DRV015"):
        rule = next(r for r in RULES if r.id == rule_id)
        python = [s for s in example_sets(rule) if s["language"] == "python"]
        assert len(python) == 1 and len(python[0]["fail"]) >= 2 and len(python[0]["pass"]) >= 2, rule_id
        assert rule.match == {"driver_use": rule.slug}, rule_id


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d.update(colour="red"), "unknown key"),
    (lambda d: d.pop("why"), "missing field"),
    (lambda d: d.update(severity="fatal"), "severity"),
    (lambda d: d.update(fix="maybe"), "fix"),
    (lambda d: d.update(effort_minutes="ten"), "effort_minutes"),
    (lambda d: d.update(check="auditor.checks.syntax:limit_offset_comma"), "exactly one of"),
    (lambda d: d.update(match={"regex": "x"}), "match"),
    (lambda d: d.update(match={"node": "NoSuchNode"}), "node"),
    (lambda d: d.update(id="FUN901"), "must start with SYN"),
    (lambda d: d.update(slug="other-name"), "file name"),
    (lambda d: d["examples"].update(fail=["SELECT DEMO(1)"]), "at least 2"),
    (lambda d: d.update(references=["not a url"]), "references"),
    (lambda d: d["examples"].update(colour="red"), "unknown key"),
    (lambda d: d["examples"].update(language="cobol"), "language"),
    (lambda d: d["examples"].update(target="pg8000"), "target"),
    (lambda d: d["examples"].update(placeholders="qmark"), "placeholders"),
    (lambda d: d["examples"].update(more=[]), "non-empty list"),
    (lambda d: d["examples"].update(more=[{**_python_set(), "colour": "red"}]), "unknown key"),
    (lambda d: d["examples"].update(more=[{**_python_set(), "target": "asyncpg"}]), "sql examples only"),
    (lambda d: d["examples"].update(more=[{**_python_set(), "pass": ["x = 1"]}]), "at least 2"),
    (lambda d: d["examples"].update(more=[{**_python_set(), "more": []}]), "unknown key"),
    (lambda d: d["examples"].update(more=[{"language": "python", "fail": ["a", "b"]}]), "misses key"),
])
def test_bad_rule_file_raises_naming_the_file(tmp_path, change, problem):
    data = _valid_rule()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(CatalogError) as err:
        load_rules(tmp_path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_rule_in_wrong_folder_and_duplicate_ids_are_rejected(tmp_path):
    _write(tmp_path, _valid_rule(), folder="ddl")
    with pytest.raises(CatalogError, match="must sit in"):
        load_rules(tmp_path)
    other = tmp_path / "dup"
    _write(other, _valid_rule())
    _write(other, {**_valid_rule(), "slug": "demo-two"}, name="demo-two")
    with pytest.raises(CatalogError, match="already defined"):
        load_rules(other)


# --- analyze_sql ---------------------------------------------------------------------------

def test_offsets_point_at_the_construct_and_each_rule_fires_once():
    sql = "SELECT id, IFNULL(a, 0), ifnull(b, 1) FROM t WHERE c = 1 LIMIT 5, 10"
    fun = match(sql, "FUN001")
    assert (fun.start, fun.end, fun.evidence) == (11, 23, "IFNULL(a, 0)") and fun.detail == "2 occurrences"
    assert match(sql, "SYN003").evidence == "LIMIT 5, 10"
    analysis = analyze_sql(sql, RULES)
    assert [m.rule.id for m in analysis.matches].count("FUN001") == 1
    assert [m.start for m in analysis.matches] == sorted(m.start for m in analysis.matches)


def test_holes_never_trigger_and_are_not_tables():
    sql = "SELECT pgready_hole_1 FROM pgready_hole_2 JOIN users u ON u.id = pgready_hole_3 /*pgready_hole_4*/"
    analysis = analyze_sql(sql, RULES, placeholders="orm")
    assert analysis.matches == () and analysis.tables == ("users",) and analysis.complete


def test_holes_that_break_the_parse_are_par001_with_the_reason():
    par = match("SELECT * FROM t WHERE /*pgready_hole_1*/ ORDER BY id", "PAR001")
    assert "Where" in par.detail and "ORDER BY" in par.detail
    analysis = analyze_sql("SELECT * FROM t WHERE /*pgready_hole_1*/ ORDER BY id", RULES)
    assert analysis.statement == "unparsed" and not analysis.complete and analysis.parse_error == par.detail


def test_identifier_placeholder_keeps_original_offsets_and_the_rest_parses():
    sql = "SELECT ?? FROM ?? WHERE name = ? AND IFNULL(x, 1) = 1"
    analysis = analyze_sql(sql, RULES)
    drv = match(sql, "DRV005")
    assert (drv.start, drv.end, drv.detail) == (7, 9, "2 occurrences")
    assert sql[match(sql, "SYN002").start] == "?" and match(sql, "SYN002").start == 31
    assert match(sql, "FUN001").evidence == "IFNULL(x, 1)"
    assert analysis.parse_error is None and analysis.tables == ()
    assert "DRV005" not in ids("SELECT '??' FROM t")


def test_orm_placeholders_do_not_fire_syn002():
    assert "SYN002" in ids("SELECT * FROM t WHERE id = ?")
    assert "SYN002" not in ids("SELECT * FROM t WHERE id = ?", placeholders="orm")


def test_tables_are_lowercased_deduplicated_and_skip_ctes_and_aliases():
    sql = ("WITH recent AS (SELECT * FROM Orders) SELECT * FROM recent JOIN shop.Users u ON 1 = 1; "
           "DELETE o FROM orders o JOIN items i ON i.order_id = o.id")
    assert analyze_sql(sql, RULES).tables == ("items", "orders", "shop.users")
    assert analyze_sql("REPLACE INTO Settings (k) VALUES (1)", RULES).tables == ("settings",)
    assert analyze_sql("LOCK TABLES a WRITE, b AS x READ", RULES).tables == ("a", "b")


@pytest.mark.parametrize(("sql", "kind"), [
    ("SELECT 1", "select"), ("(SELECT 1) UNION (SELECT 2)", "select"), ("INSERT INTO t VALUES (1)", "insert"),
    ("UPDATE t SET a = 1", "update"), ("DELETE FROM t", "delete"), ("REPLACE INTO t VALUES (1)", "replace"),
    ("CREATE TABLE t (id INT)", "ddl"), ("ALTER TABLE t ADD c INT", "ddl"), ("DROP TABLE t", "ddl"),
    ("START TRANSACTION", "begin"), ("BEGIN", "begin"), ("COMMIT", "commit"), ("ROLLBACK", "rollback"),
    ("SHOW TABLES", "show"), ("DESCRIBE t", "show"), ("SET autocommit = 0", "set"),
    ("LOCK TABLES t WRITE", "lock"), ("UNLOCK TABLES", "lock"), ("SELEC 1", "unparsed"),
    ("COMMIT; SELECT 1", "commit"), ("", "other"), ("USE shop", "other"),
])
def test_statement_kind_of_the_first_statement(sql, kind):
    assert analyze_sql(sql, RULES).statement == kind


def test_opaque_command_fallback_is_par001_but_known_commands_are_not():
    assert "PAR001" in ids("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1")
    for sql in ("LOCK TABLES t WRITE", "CALL refresh(1)", "SHOW TABLES", "SET NAMES utf8mb4", "REPLACE INTO t VALUES (1)"):
        assert "PAR001" not in ids(sql), sql
    assert analyze_sql("REPLACE INTO t VALUES (1)", RULES).complete is False


def test_replace_into_is_read_through():
    assert {"DML003", "SYN002", "FUN001"} <= ids("REPLACE INTO t (a, b) VALUES (?, IFNULL(?, 0))")


GARBAGE = [
    "", ";", ";;;", "'", '"', "`", "/*", "*/", "--", "(((((", ")))", "SELECT", "SELECT 'it''s", "?? ?? ???",
    "/*!40101 SET NAMES utf8 */", "/*!50003 CREATE */ /*!50017 DEFINER=`a`@`%` */", "\x00\x01\xff", "\ufeffSELECT 1",
    "SELECT * FROM t; DELETE; UPDATE SET; INSERT INTO", "CREATE TABLE (", "CREATE TABLE t (a INT(", "ALTER TABLE",
    "LIMIT 1, ", "REPLACE", "REPLACE (", "LOCK TABLES", "DESC", "SET", "pgready_hole_1", "/*pgready_hole_1*/",
    "SELECT " + "(" * 3000 + "1" + ")" * 3000, "SELECT " + ", ".join(f"IFNULL(a{i}, 1)" for i in range(3000)),
    "UPDATE a, b SET", "DELETE a FROM", "INSERT IGNORE", "x = 'y'", "ENUM(", "CREATE TABLE t (a ENUM",
]


@pytest.mark.parametrize("sql", GARBAGE, ids=range(len(GARBAGE)))
def test_never_raises_on_garbage(sql, monkeypatch):
    monkeypatch.setattr(classify, "_STRICT", True)  # a crashing check would raise, not be skipped
    analysis = analyze_sql(sql, RULES)
    for m in analysis.matches:
        assert 0 <= m.start <= m.end <= len(sql) and m.evidence == sql[m.start:m.end][:classify.EVIDENCE_MAX]


def test_never_raises_on_random_token_soup(monkeypatch):
    monkeypatch.setattr(classify, "_STRICT", True)
    words = ["SELECT", "FROM", "t", "(", ")", ",", ";", "'x'", '"y"', "`z`", "?", "??", "LIMIT", "1", "IFNULL",
             "CREATE", "TABLE", "INT", "UNSIGNED", "KEY", "UPDATE", "SET", "=", "LIKE", "REPLACE", "INTO",
             "pgready_hole_1", "/*pgready_hole_2*/", "ON", "DUPLICATE", "JOIN", "DELETE", "ENUM", "||", "\n"]
    rng = random.Random(5)
    for _ in range(300):
        analyze_sql(" ".join(rng.choice(words) for _ in range(rng.randint(0, 25))), RULES)


@pytest.mark.parametrize("rewrites, problem", [
    (None, "needs 'rewrites'"),
    ([], "non-empty list"),
    ([{"mysql": "SELECT DEMO(1)"}], "exactly the strings 'mysql' and 'postgres'"),
    ([{"mysql": "SELECT DEMO(1)", "postgres": "x", "extra": 1}], "exactly the strings"),
])
def test_safe_and_review_sql_rules_must_show_a_rewrite(tmp_path, rewrites, problem):
    data = _valid_rule()
    data.pop("rewrites")
    if rewrites is not None:
        data["rewrites"] = rewrites
    _write(tmp_path / "bad", data)
    with pytest.raises(CatalogError, match=problem):
        load_rules(tmp_path / "bad")
    manual = {**_valid_rule(), "fix": "manual"}
    manual.pop("rewrites")
    _write(tmp_path / "manual", manual)
    assert [r.id for r in load_rules(tmp_path / "manual")] == ["SYN901"]  # manual rules need none


def test_statements_valid_in_both_engines_are_not_unparseable():
    for sql in ("RELEASE SAVEPOINT before_merge", "SAVEPOINT a", "ROLLBACK TO SAVEPOINT a"):
        assert [m.rule.id for m in analyze_sql(sql, RULES).matches] == [], sql
    assert "PAR001" in {m.rule.id for m in analyze_sql("RELEASE SAVEPOINT a b c", RULES).matches}
