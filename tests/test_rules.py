"""Every rule's examples are its tests: `fail` must trigger the rule, `pass` must not.

A rule has a main example set and optional `more` sets (e.g. Python next to JavaScript); every
set runs. SQL examples go through `analyze_sql` (with the set's `target` / `placeholders`, if
any); JavaScript and Python examples (driver-API and transaction rules) through the whole
pipeline, since their evidence comes from the code frontend.
"""
from __future__ import annotations

import pytest

from auditor.catalog import example_sets, load_rules
from auditor.classify import analyze_sql

RULES = load_rules()
FILENAMES = {"javascript": "example.js", "python": "example.py"}


def _cases():
    for rule in RULES:
        for index, examples in enumerate(example_sets(rule)):
            prefix = rule.id if index == 0 else f"{rule.id}-{examples['language']}{index}"
            for expected in ("fail", "pass"):
                for n, code in enumerate(examples[expected]):
                    yield pytest.param(rule, examples, expected, code, id=f"{prefix}-{expected}-{n}")


def _fired(examples, code: str) -> set[str]:
    if examples["language"] == "sql":
        options = {"placeholders": examples["placeholders"] or "driver", "target": examples["target"]}
        return {m.rule.id for m in analyze_sql(code, RULES, **options).matches}
    from auditor.pipeline import scan_text

    return {f.rule_id for f in scan_text(code, FILENAMES[examples["language"]]).findings}


@pytest.mark.parametrize(("rule", "examples", "expected", "code"), list(_cases()))
def test_rule_example(rule, examples, expected, code):
    fired = _fired(examples, code)
    if expected == "fail":
        assert rule.id in fired, f"{rule.id} should fire on:\n{code}\nfired: {sorted(fired)}"
    else:
        assert rule.id not in fired, f"{rule.id} must not fire on:\n{code}"
