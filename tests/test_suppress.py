"""Inline suppressions: found in every comment syntax, applied to the line and the line below,
and reported when they silence nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor import suppress
from auditor.catalog import load_rules
from auditor.model import Finding, FixSafety, Location, Severity
from auditor.pipeline import scan
from auditor.suppress import Suppression

RULES = {rule.id: rule for rule in load_rules()}


def finding(rule_id="SYN003", slug="limit-offset-comma", path="src/a.js", line=10, anchor=0, fid="F-1"):
    return Finding(id=fid, rule_id=rule_id, slug=slug, severity=Severity.ERROR, fix_safety=FixSafety.SAFE,
                   category="syntax", location=Location(path, line, 1, line, 5), message="m", evidence="e",
                   suggestion="s", confidence="high", anchor_line=anchor or line)


@pytest.mark.parametrize("text, rules, reason", [
    ("pool.query(sql); // pgready: ignore[SYN003] legacy report, removed in Q3",
     ("SYN003",), "legacy report, removed in Q3"),
    ("# pgready: ignore[SYN003, on-duplicate-key-update] vendor schema",
     ("SYN003", "on-duplicate-key-update"), "vendor schema"),
    ("  -- pgready: ignore[limit-offset-comma]", ("limit-offset-comma",), ""),
    ("//pgready:ignore[DML001]reason", ("DML001",), "reason"),
    ('db.query("SELECT 1 LIMIT 1, 2 -- pgready: ignore[SYN003] paged by offset");',
     ("SYN003",), "paged by offset"),
    ("SELECT 1 LIMIT 1, 2 /* pgready: ignore[SYN003] kept */ FROM t", ("SYN003",), "kept"),
    ("x = 1  # pgready: ignore[ SYN003 ,, ] ", ("SYN003",), ""),
])
def test_find_reads_every_comment_syntax(text, rules, reason):
    trailing = bool(text.split("pgready")[0].strip(" /#-*"))  # code before the comment: this line only
    assert suppress.find("a.js", ["first line", text]) == [Suppression("a.js", 2, rules, reason, trailing)]


@pytest.mark.parametrize("text", [
    "pgready: ignore[SYN003] without a comment marker",
    "url = 'http://host/x#pgready' ",
    "a--pgready: ignore[SYN003]",  # `--` glued to a word is not a comment
    "// pgready: ignore[] no rule named",
    "// pgready: ignore SYN003",
])
def test_find_ignores_what_is_not_a_suppression(text):
    assert suppress.find("a.js", [text]) == []


def test_line_and_line_below_are_covered_by_id_or_slug():
    sups = [Suppression("src/a.js", 9, ("SYN003",), "r"), Suppression("src/a.js", 20, ("limit-offset-comma",), "")]
    on_line = finding(line=9, fid="F-a")
    below = finding(line=10, fid="F-b")
    two_below = finding(line=11, fid="F-c")
    by_slug = finding(line=21, fid="F-d")
    other_file = finding(path="src/b.js", line=10, fid="F-e")
    other_rule = finding(rule_id="DML001", slug="on-duplicate-key-update", line=10, fid="F-f")
    kept, suppressed, unused = suppress.apply(
        [on_line, below, two_below, by_slug, other_file, other_rule], sups, RULES)
    assert [f.id for f in suppressed] == ["F-a", "F-b", "F-d"]
    assert [f.id for f in kept] == ["F-c", "F-e", "F-f"]
    assert unused == []


def test_anchor_line_covers_sql_spread_over_lines():
    """A comment above the call silences a finding deep inside the multi-line SQL it sends."""
    sups = [Suppression("src/a.js", 4, ("SYN003",), "")]
    deep = finding(line=9, anchor=5)
    assert suppress.apply([deep], sups, RULES)[1] == [deep]


def test_unused_suppressions_are_reported_with_the_rules_that_matched_nothing():
    sups = [Suppression("src/a.js", 9, ("SYN003", "DML001"), "both"),
            Suppression("src/a.js", 30, ("syn003",), "stale"),
            Suppression("src/a.js", 40, ("NOPE999",), "unknown rule")]
    kept, suppressed, unused = suppress.apply([finding(line=10)], sups, RULES)
    assert kept == [] and len(suppressed) == 1
    assert unused == [Suppression("src/a.js", 9, ("DML001",), "both"), sups[1], sups[2]]


def test_without_rule_table_ids_and_slugs_still_match_case_insensitively():
    sups = [Suppression("src/a.js", 10, ("syn003",), ""), Suppression("src/a.js", 20, ("Limit-Offset-Comma",), "")]
    _, suppressed, unused = suppress.apply([finding(line=10, fid="x"), finding(line=20, fid="y")], sups, None)
    assert [f.id for f in suppressed] == ["x", "y"] and unused == []


def test_metadata_dicts_work_as_rule_table():
    rules = {"SYN003": {"id": "SYN003", "slug": "limit-offset-comma"}}
    sups = [Suppression("src/a.js", 10, ("limit-offset-comma",), "")]
    assert suppress.apply([finding(line=10)], sups, rules)[2] == []


JS = """\
export async function page(pool) {
  // pgready: ignore[SYN003] the admin export pages by offset on purpose
  return pool.query("SELECT * FROM users LIMIT 5, 10");
}

export async function upsert(pool) {
  return pool.query(`
    INSERT INTO t (a) VALUES (1)
    -- pgready: ignore[on-duplicate-key-update] replaced in the port
    ON DUPLICATE KEY UPDATE a = 1`);
}

export async function other(pool) {
  return pool.query("SELECT * FROM logs LIMIT 1, 2");  // pgready: ignore[DML001] wrong rule
}
"""
PY = """\
def page(cur):
    # pgready: ignore[SYN003]
    cur.execute("SELECT * FROM users LIMIT 5, 10")
"""
SQL = """\
-- pgready: ignore[limit-offset-comma] report query
SELECT * FROM users LIMIT 5, 10;
SELECT * FROM users LIMIT 7, 10;
"""


def test_on_a_real_scan(tmp_path: Path):
    for name, text in {"src/app.js": JS, "app/db.py": PY, "sql/report.sql": SQL}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    sups = [s for name in ("app/db.py", "sql/report.sql", "src/app.js")
            for s in suppress.find(name, (tmp_path / name).read_text().splitlines())]
    assert {(s.path, s.line) for s in sups} == {("src/app.js", 2), ("src/app.js", 9), ("src/app.js", 14),
                                                 ("app/db.py", 2), ("sql/report.sql", 1)}
    inventory = scan(tmp_path)  # the scan applies them: silenced findings are gone, counted, unused reported
    left = {(f.location.path, f.rule_id, f.location.line) for f in inventory.findings if f.rule_id in ("SYN003", "DML001")}
    assert left == {("src/app.js", "SYN003", 14), ("sql/report.sql", "SYN003", 3)}
    assert inventory.suppressed == 4
    unused = [(d.path, d.line, d.message) for d in inventory.diagnostics if d.kind == "unused-suppression"]
    assert unused == [("src/app.js", 14, "pgready: ignore[DML001] silences no finding here; remove it")]
