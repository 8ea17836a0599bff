"""The bundled fixture: the scan must produce exactly the annotated findings, no more, no less."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotations import actual, describe, read_annotations
from auditor.pipeline import scan

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "slimy-admin-api"


@pytest.fixture(scope="module")
def inventory():
    return scan(FIXTURE)


def test_findings_match_annotations_exactly(inventory, capsys):
    expected, todo = read_annotations(FIXTURE, inventory.files)
    found = actual(inventory)
    missing = expected - found
    extra = found - expected - todo
    promoted = todo & found
    message = []
    if missing:
        message.append("annotated but not found:\n" + describe(missing))
    if extra:
        message.append("found but not annotated:\n" + describe(extra))
    if promoted:
        message.append("todo-expect now found (promote to expect:):\n" + describe(promoted))
    assert not message, "\n".join(message)
    with capsys.disabled():
        print(f"\n[fixture] {sum(expected.values())} expected findings matched; "
              f"{sum(todo.values())} todo-expect known gaps remain")


def test_fixture_is_a_realistic_size(inventory):
    assert len(inventory.files) >= 15
    assert len(inventory.sites) >= 60
    assert any(s.dynamic for s in inventory.sites)
    assert {"driver", "wrapper", "orm-raw", "literal"} <= {s.kind for s in inventory.sites}
    assert not inventory.diagnostics


def test_sites_point_at_their_call_and_sql_text(inventory):
    for site in inventory.sites:
        lines = (FIXTURE / site.path).read_text(encoding="utf-8").splitlines()
        if site.callee:
            method = site.callee.split(".")[-1]
            assert method in lines[site.line - 1], (site.path, site.line, site.callee)
        if site.sql[:1].isalpha() and site.sql_location.line:
            text = lines[site.sql_location.line - 1][site.sql_location.col - 1:]
            assert text.startswith(site.sql[:6]), (site.path, site.line, text[:20], site.sql[:20])


def test_all_three_transaction_shapes_are_found(inventory):
    kinds = {t.kind for t in inventory.transactions}
    assert kinds == {"driver-api", "sql", "wrapper"}
    found = {(t.path, t.line, t.kind): len(t.sites) for t in inventory.transactions}
    # the transactions listed in fixtures/slimy-admin-api/EXPECTED.md, with their site counts
    assert found == {
        ("lib/database.js", 51, "driver-api"): 0,
        ("lib/repositories/GuildRepository.js", 61, "wrapper"): 2,
        ("routes/users.js", 132, "wrapper"): 3,
        ("routes/users.js", 153, "wrapper"): 4,
        ("routes/chat.js", 68, "wrapper"): 3,
        ("routes/screenshots.js", 84, "driver-api"): 3,
        ("routes/webhooks.mjs", 24, "wrapper"): 2,
        ("routes/webhooks.mjs", 59, "sql"): 3,
        ("scripts/backfill-stats.js", 15, "sql"): 2,
        ("services/clubMetrics.ts", 19, "wrapper"): 2,
    }
    wrapped = [t for t in inventory.transactions if t.kind == "wrapper"]
    assert all(t.sites for t in wrapped)
    site_ids = {s.id for s in inventory.sites}
    assert all(set(t.sites) <= site_ids for t in inventory.transactions)


def test_prisma_module_is_audited(inventory):
    prisma = [s for s in inventory.sites if s.path == "src/lib/database.js"]
    assert prisma and all(s.kind == "orm-raw" for s in prisma)


def _expected_sites():
    """Sites as the fixture's EXPECTED.md lists them: `52w` (line, kind letter), `36w\\*` dynamic."""
    import re

    kinds = {"d": "driver", "w": "wrapper", "o": "orm-raw", "l": "literal"}
    rows = {}
    for line in (FIXTURE / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        row = re.match(r"\| `([^`]+)` \| (\d+) \| (.*) \|$", line)
        if not row or not row.group(3)[:1].isdigit():
            continue
        found = set()
        for token in re.finditer(r"(\d+)([dwol])(?:–(\d+)([dwol]))?(\\\*)?", row.group(3)):
            first, last = int(token.group(1)), int(token.group(3) or token.group(1))
            for number in range(first, last + 1):
                found.add((number, kinds[token.group(2)], bool(token.group(5))))
        assert len(found) == int(row.group(2)), row.group(0)
        rows[row.group(1)] = found
    return rows


def test_sites_are_exactly_those_listed_in_expected_md(inventory):
    expected = {(path, line, kind, dynamic) for path, sites in _expected_sites().items() for line, kind, dynamic in sites}
    found = {(s.path, s.line, s.kind, s.dynamic) for s in inventory.sites}
    assert found == expected, (sorted(expected - found), sorted(found - expected))
