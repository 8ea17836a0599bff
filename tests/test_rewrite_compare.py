"""The sqlglot-vs-pgready comparison (benchmarks/rewrite_compare.py) runs on its corpus and its
counts hold together: pgready never does worse than sqlglot alone on "parses on PostgreSQL",
and whatever pgready labels safe really parses. The README quotes these numbers, so the
script that makes them is tested like code."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "rewrite_compare.py"


def _load():
    spec = importlib.util.spec_from_file_location("rewrite_compare", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rewrite_compare", module)
    spec.loader.exec_module(module)
    return module


rc = _load()


@pytest.fixture(scope="module")
def rows():
    return rc.run()


def test_corpus_is_realistic_in_size_and_grouped_in_sections():
    entries = rc.load_corpus()
    assert 150 <= len(entries) <= 250
    assert len({e.section for e in entries}) >= 8
    assert all(e.sql and not e.sql.endswith(";") for e in entries)
    assert any("\n" in e.sql for e in entries)  # a `#` comment before the `;` keeps its line


def test_counts_are_consistent(rows):
    counts = rc.summarize(rows)
    assert counts["statements"] == len(rc.load_corpus())
    assert counts["pgready safe"] + counts["review"] + counts["manual"] == counts["statements"]
    assert counts["pgready valid"] >= counts["sqlglot valid"]
    assert counts["pgready safe"] <= counts["pgready valid"]
    assert counts["sqlglot valid, misses a fix"] <= counts["sqlglot valid"]


def test_every_safe_output_parses_on_postgresql(rows):
    unsafe = [(r.entry.line, r.pgready_out) for r in rows if r.safety == "safe" and not r.pgready_ok]
    assert unsafe == []


def test_portable_sql_parses_for_both_tools(rows):
    portable = [r for r in rows if r.entry.section.startswith("portable") and "?" not in r.entry.sql
                and "%s" not in r.entry.sql]
    assert portable
    assert all(r.sqlglot_ok and r.pgready_ok for r in portable)


def test_output_is_deterministic(rows):
    again = rc.run()
    assert rc.details(again) == rc.details(rows)
    assert rc.markdown(rc.summarize(again)) == rc.markdown(rc.summarize(rows))


@pytest.mark.parametrize("pg, expected", [
    ("SELECT * FROM t WHERE a = %s AND b = ? LIMIT $3", "SELECT * FROM t WHERE a = $1 AND b = $2 LIMIT $3"),
    ("SELECT '?', \"a?\" -- ?\nFROM t WHERE x = ?", "SELECT '?', \"a?\" -- ?\nFROM t WHERE x = $1"),
    ("SELECT 'it''s %s' FROM t", "SELECT 'it''s %s' FROM t"),
])
def test_parameters_become_numbered_only_outside_strings_and_comments(pg, expected):
    assert rc.numbered(pg) == expected


def test_mysql_placeholder_detection_ignores_format_strings():
    assert rc.uses_pyformat("SELECT * FROM t WHERE id = %s")
    assert not rc.uses_pyformat("SELECT DATE_FORMAT(d, '%Y-%m') FROM t WHERE id = ?")
    assert rc.question_marks("SELECT '%s', `a` FROM t WHERE id = %s") == "SELECT '%s', `a` FROM t WHERE id = ?"


def test_output_read_back_as_mysql():
    assert rc.as_mysql('SELECT "userId" FROM t WHERE a = $1 AND b = %s') == "SELECT `userId` FROM t WHERE a = ? AND b = ?"


def test_sqlglot_failures_are_results_not_crashes():
    ok, out = rc.run_sqlglot("SHOW TABLES")
    assert not ok
    assert rc.run_sqlglot("SELECT IFNULL(a, 0) FROM t WHERE id = %s")[0]


def test_readme_block_is_replaced_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{rc.START}\nold\n{rc.END}\ntail\n", encoding="utf-8")
    rc.write_readme(readme, "| a |")
    assert readme.read_text(encoding="utf-8") == f"# x\n{rc.START}\n| a |\n{rc.END}\ntail\n"
    readme.write_text("no markers", encoding="utf-8")
    with pytest.raises(SystemExit):
        rc.write_readme(readme, "| a |")


def test_command_line_prints_the_table_and_details(capsys):
    assert rc.main(["--details"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| statements | sqlglot valid |")
    assert len(out.splitlines()) == 4 + len(rc.load_corpus())


def test_readme_quotes_the_current_figures(rows):
    """The README's table is what the script prints today (regenerate with --write-readme README.md)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- rewrite-compare:start -->\n", 1)[1].split("<!-- rewrite-compare:end -->", 1)[0]
    assert block.strip() == rc.markdown(rc.summarize(rows)).strip()
