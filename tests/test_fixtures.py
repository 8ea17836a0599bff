"""The bundled fixtures: each scan must produce exactly what the fixture says, both ways.

Findings must equal the `expect:` annotations in the sources (SQL findings are annotated on
the line of the call that sends the SQL, in the file of that call); sites and transactions
must equal the tables of the fixture's EXPECTED.md.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations import describe, read_annotations
from auditor.pipeline import scan
from expected_md import expected_in_files_without_comments, expected_sites, expected_transactions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = ["slimy-admin-api", "python-bot-api", "django-shop", "next-prisma-app"]
IMPLIED = ("CALL ", "SELECT 1 WHERE ", "SELECT ", "SELECT 1 ORDER BY ")


@pytest.fixture(scope="module", params=NAMES)
def fixture(request):
    return FIXTURES / request.param, scan(FIXTURES / request.param)


def anchored(inventory):
    """Findings keyed as a reviewer annotates them: a SQL finding at its site's call."""
    from collections import Counter

    site_paths = {s.id: s.path for s in inventory.sites}
    return Counter((site_paths.get(f.site_id, f.location.path), f.anchor_line, f.rule_id) for f in inventory.findings)


def test_findings_match_annotations_exactly(fixture, capsys):
    root, inventory = fixture
    expected, todo = read_annotations(root, inventory.files)
    expected += expected_in_files_without_comments(root)
    found = anchored(inventory)
    missing, extra, promoted = expected - found, found - expected - todo, todo & found
    message = []
    if missing:
        message.append("annotated but not found:\n" + describe(missing))
    if extra:
        message.append("found but not annotated:\n" + describe(extra))
    if promoted:
        message.append("todo-expect now found (promote to expect:):\n" + describe(promoted))
    assert not message, "\n".join(message)
    with capsys.disabled():
        print(f"\n[{root.name}] {sum(expected.values())} expected findings matched; "
              f"{sum(todo.values())} todo-expect known gaps remain")


def test_sites_are_exactly_those_listed_in_expected_md(fixture):
    root, inventory = fixture
    expected = expected_sites(root)
    found = {(s.path, s.line, s.kind, s.dynamic) for s in inventory.sites}
    assert found == expected, (sorted(expected - found), sorted(found - expected))


def test_transactions_are_exactly_those_listed_in_expected_md(fixture):
    root, inventory = fixture
    lines = {s.id: s.line for s in inventory.sites}
    found = {(t.path, t.line, t.kind): tuple(sorted(lines[i] for i in t.sites)) for t in inventory.transactions}
    expected = expected_transactions(root)
    assert set(found) == set(expected)
    for key, (count, listed) in expected.items():
        assert len(found[key]) == count, key
        if listed is not None:
            assert found[key] == tuple(sorted(listed)), key


def test_sites_point_at_their_call_and_sql_text(fixture):
    root, inventory = fixture
    for site in inventory.sites:
        lines = (root / site.path).read_text(encoding="utf-8").splitlines()
        if site.callee:
            assert site.callee.split(".")[-1] in lines[site.line - 1], (site.path, site.line, site.callee)
        if site.sql_location.line:
            source = (root / site.sql_location.path).read_text(encoding="utf-8").splitlines()
            text = source[site.sql_location.line - 1][site.sql_location.col - 1:]
            # the SQL starts there, after any text the call implies (`.extra(where=[...])` -> `SELECT 1 WHERE `)
            head = re.split(r"[\"'`{$]", text)[0][:10]
            if not head.strip():  # the literal opens with a line break
                assert site.sql[:1].isspace(), (site.path, site.line, site.sql[:30])
                continue
            implied = site.sql[: site.sql.find(head)] if head in site.sql else None
            assert implied in ("", *IMPLIED), (site.path, site.line, text[:20], site.sql[:30])


def test_fixtures_are_realistic_and_clean(fixture):
    root, inventory = fixture
    minimum_files, minimum_sites = {"slimy-admin-api": (15, 60), "python-bot-api": (12, 45),
                                    "django-shop": (8, 12), "next-prisma-app": (8, 15)}[root.name]
    assert len(inventory.files) >= minimum_files and len(inventory.sites) >= minimum_sites
    assert not inventory.diagnostics


def test_the_js_fixture_covers_every_kind_and_the_prisma_module():
    inventory = scan(FIXTURES / "slimy-admin-api")
    assert {"driver", "wrapper", "orm-raw", "literal"} <= {s.kind for s in inventory.sites}
    prisma = [s for s in inventory.sites if s.path == "src/lib/database.js"]
    assert prisma and all(s.kind == "orm-raw" for s in prisma)


def test_python_fixtures_list_their_routes():
    bot = scan(FIXTURES / "python-bot-api")
    shop = scan(FIXTURES / "django-shop")
    assert {r.framework for r in bot.routes} == {"flask"} and len(bot.routes) >= 10
    assert {r.framework for r in shop.routes} == {"django"}
    assert all(r.path.startswith("/") and r.handler for r in bot.routes + shop.routes)


def test_each_fixture_inventory_validates_against_the_shipped_schema(fixture):
    import io
    import json

    import jsonschema

    from auditor.report import json as json_report

    _, inventory = fixture
    out = io.StringIO()
    json_report.render(inventory, out, {})
    jsonschema.Draft202012Validator(json_report.schema()).validate(json.loads(out.getvalue()))


def test_no_two_rules_report_the_same_span(fixture):
    _, inventory = fixture
    seen: dict[tuple, str] = {}
    for f in inventory.findings:
        key = (f.site_id, f.location)
        assert key not in seen or seen[key] == f.rule_id, (f.location, seen.get(key), f.rule_id)
        seen[key] = f.rule_id


def test_route_site_edges_match_route_annotations(fixture):
    from annotations import read_route_annotations

    root, inventory = fixture
    expected = read_route_annotations(root, inventory.files)
    sites = {s.id: s for s in inventory.sites}
    found = {(sites[s].path, sites[s].line, f"{r.method} {r.path}") for r in inventory.routes for s in r.sites}
    missing, extra = sorted(expected - found), sorted(found - expected)
    assert not missing and not extra, f"annotated but not produced: {missing}\nproduced but not annotated: {extra}"


def test_every_route_in_expected_md_is_found(fixture):
    root, inventory = fixture
    text = (root / "EXPECTED.md").read_text(encoding="utf-8")
    assert "## Routes" in text, f"{root.name}/EXPECTED.md must list its routes"
    section = text.split("## Routes", 1)[1]
    listed = set(re.findall(r"^\| `?([A-Z]+)`? \| `([^`]+)` \|", section, re.MULTILINE))
    found = {(r.method, r.path) for r in inventory.routes}
    assert listed and listed == found, (sorted(listed - found), sorted(found - listed))
