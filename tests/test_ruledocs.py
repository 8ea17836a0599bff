"""The rule reference is generated from the rules, kept in sync, and `pgready rules ID` prints it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from auditor.catalog import load_rules, select_rules
from auditor.cli import main
from auditor.pipeline import scan_text
from auditor.ruledocs import render_catalogue, render_rule

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date():
    assert DOCS.read_text(encoding="utf-8") == render_catalogue(load_rules()), \
        "docs/rules.md is stale: run `pgready rules --write-docs docs/rules.md`"


def test_rules_id_prints_the_same_section_as_the_reference(capsys):
    for token in ("FUN003", "group-concat", "fun003"):
        assert main(["rules", token]) == 0
        printed = capsys.readouterr().out
        assert printed == render_rule(next(r for r in load_rules() if r.id == "FUN003"))
        assert printed in DOCS.read_text(encoding="utf-8")
    assert main(["rules", "NOPE999"]) == 2


def test_every_rule_section_has_the_fixed_headings():
    for rule in load_rules():
        text = render_rule(rule)
        for heading in ("### What it does", "### Why is this bad", "### Example", "### Use instead",
                        "### Fix safety", "### References"):
            assert heading in text, (rule.id, heading)


def test_rules_filters_list_only_matching_rules():
    result = subprocess.run([sys.executable, "-m", "auditor", "rules", "--category", "ddl", "--fix", "safe",
                             "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    listed = json.loads(result.stdout)
    assert listed and all(r["category"] == "ddl" and r["fix_safety"] == "safe" for r in listed)
    bad = subprocess.run([sys.executable, "-m", "auditor", "rules", "--category", "nope"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and "unknown category" in bad.stderr


def test_select_and_ignore_by_id_slug_and_category():
    rules = load_rules()
    assert {r.category for r in select_rules(rules, ("functions",))} == {"functions"}
    assert [r.id for r in select_rules(rules, ("FUN001", "limit-offset-comma"))] == ["FUN001", "SYN003"]
    assert "FUN001" not in {r.id for r in select_rules(rules, ("functions",), ("ifnull",))}
    code = "const mysql = require('mysql2/promise');\nconst p = mysql.createPool({});\n" \
           "p.query('SELECT IFNULL(a, 0) FROM t LIMIT 1, 2');\n"
    only = scan_text(code, "a.js", rules=select_rules(rules, ("syntax",)))
    assert {f.rule_id for f in only.findings} == {"SYN003"}
    try:
        select_rules(rules, ("nope",))
    except ValueError as error:
        assert "categories:" in str(error)
    else:
        raise AssertionError("an unknown token must be refused")
