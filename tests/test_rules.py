"""Every rule's examples are its tests: `fail` must trigger the rule, `pass` must not.

SQL examples go through `analyze_sql`; JavaScript examples (driver-API and transaction
rules) through the whole pipeline, since their evidence comes from the code frontend.
"""
from __future__ import annotations

import pytest

from auditor.catalog import load_rules
from auditor.classify import analyze_sql

RULES = load_rules()


def _cases():
    for rule in RULES:
        for expected in ("fail", "pass"):
            for n, code in enumerate(rule.examples[expected]):
                yield pytest.param(rule, expected, code, id=f"{rule.id}-{expected}-{n}")


def _fired(rule, code: str) -> set[str]:
    if rule.examples["language"] == "sql":
        return {m.rule.id for m in analyze_sql(code, RULES).matches}
    from auditor.pipeline import scan_text

    return {f.rule_id for f in scan_text(code, "example.js").findings}


@pytest.mark.parametrize(("rule", "expected", "code"), list(_cases()))
def test_rule_example(rule, expected, code):
    fired = _fired(rule, code)
    if expected == "fail":
        assert rule.id in fired, f"{rule.id} should fire on:\n{code}\nfired: {sorted(fired)}"
    else:
        assert rule.id not in fired, f"{rule.id} must not fire on:\n{code}"
