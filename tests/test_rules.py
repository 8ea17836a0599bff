"""Every rule's examples are its tests: `fail` must trigger the rule, `pass` must not.

A rule has a main example set and optional `more` sets (e.g. Python next to JavaScript); every
set runs. SQL examples go through `analyze_sql` (with the set's `target` / `placeholders`, if
any); JavaScript and Python examples (driver-API and transaction rules) through the whole
pipeline, since their evidence comes from the code frontend.
"""
from __future__ import annotations

import pytest

from auditor.catalog import EXAMPLE_FILES, example_sets, load_rules
from auditor.classify import analyze_sql

RULES = load_rules()
FILENAMES = EXAMPLE_FILES


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


def _rewrite_cases():
    for rule in RULES:
        for n, (mysql, postgres) in enumerate(rule.rewrites):
            yield pytest.param(rule, mysql, postgres, id=f"{rule.id}-rewrite-{n}")


@pytest.mark.parametrize(("rule", "mysql", "postgres"), list(_rewrite_cases()))
def test_rewrite_example_is_postgresql(rule, mysql, postgres):
    """A safe/review rule shows its rewrite: the MySQL side fires the rule, the PostgreSQL side
    parses with PostgreSQL's own parser (pglast / libpg_query)."""
    import pglast

    options = {"placeholders": rule.examples["placeholders"] or "driver", "target": rule.examples["target"]}
    assert rule.id in {m.rule.id for m in analyze_sql(mysql, RULES, **options).matches}
    pglast.parse_sql(postgres)


def _sql_examples():
    for rule in RULES:
        for examples in example_sets(rule):
            if examples["language"] == "sql":
                for code in examples["fail"] + examples["pass"]:
                    yield examples, code
        for mysql, _ in rule.rewrites:
            yield rule.examples, mysql


def test_no_two_rules_fire_for_the_same_construct_at_the_same_place():
    clashes = []
    for examples, code in _sql_examples():
        options = {"placeholders": examples["placeholders"] or "driver", "target": examples["target"]}
        spans: dict[tuple[int, int], list[str]] = {}
        for match in analyze_sql(code, RULES, **options).matches:
            spans.setdefault((match.start, match.end), []).append(match.rule.id)
        clashes += [f"{ids} on {code[s:e]!r} in: {code}" for (s, e), ids in spans.items() if len(ids) > 1]
    assert not clashes, "\n".join(clashes)
