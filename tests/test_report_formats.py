"""SARIF, rdjson, GitHub annotations, Markdown and CSV from one inventory: valid, exact, escaped, deterministic."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from importlib import import_module
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from auditor.fixes import offset_of
from auditor.model import FixSafety, Location
from auditor.pipeline import scan
from auditor.report import github, markdown, rdjson, sarif, shared
from auditor.report import csv as report_csv
from auditor.report import json as report_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SLIMY = FIXTURES / "slimy-admin-api"
FORMATS = ("sarif", "rdjson", "github", "markdown", "csv", "json", "terminal", "html")
EVIL = "</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def inventory():
    return scan(SLIMY)


@pytest.fixture(scope="module")
def saved(inventory, tmp_path_factory):
    path = tmp_path_factory.mktemp("inventory") / "inventory.json"
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        report_json.render(inventory, out)
    return report_json.load(path)


def render(fmt, inventory, options=None) -> str:
    out = io.StringIO(newline="")
    import_module(f"auditor.report.{fmt}").render(inventory, out, options or {})
    return out.getvalue()


@pytest.fixture(scope="module")
def evil(inventory):
    """The slimy inventory with scanned text that tries to break every format."""
    findings = list(inventory.findings)
    first = findings[0]
    findings[0] = dataclasses.replace(
        first, message=f"{EVIL} | *bold* @octocat ::error::%0A\r\nnew line, a: b",
        evidence=f"=HYPERLINK(\"http://x\") {EVIL}", code="+cmd|' /C calc'!A0",
        rewrite=f"SELECT '{EVIL}'\n```\n</details>\n", fix_safety=FixSafety.REVIEW, effort_high=10_000.0,
        location=dataclasses.replace(first.location, path="weird dir/a,b:c%.js"))
    return dataclasses.replace(inventory, findings=tuple(findings))


# -- every format -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_same_inventory_same_bytes_and_saved_equals_in_memory(fmt, inventory, saved):
    first = render(fmt, inventory)
    assert first and render(fmt, inventory) == first
    assert render(fmt, saved) == first, "a saved inventory renders exactly like the one in memory"


# -- SARIF ------------------------------------------------------------------------------------------

def test_sarif_validates_against_the_official_schema(inventory, evil):
    validator = Draft7Validator(sarif.schema(), format_checker=Draft7Validator.FORMAT_CHECKER)
    assert sarif.schema()["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    for inv in (inventory, evil):
        doc = json.loads(render("sarif", inv))
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, errors[0]


def test_sarif_rules_results_and_locations(inventory):
    run = json.loads(render("sarif", inventory))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pgready" and driver["version"] == inventory.tool_version
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {f.rule_id for f in inventory.findings}
    rule = rules["DDL001"]
    assert rule["name"] == "auto-increment" and rule["shortDescription"]["text"] == "AUTO_INCREMENT column"
    assert rule["helpUri"].endswith("docs/rules.md#ddl001-auto-increment-auto_increment-column")
    assert "PostgreSQL" in rule["help"]["text"] and "**PostgreSQL:**" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["category"] == "ddl" and rule["properties"]["fix_safety"] == "review"
    assert run["results"] and len(run["results"]) == len(inventory.findings)
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith("/") and ":" not in artifact["uri"]
        assert result["partialFingerprints"]["pgready/v1"].startswith("F-")
    ids = [r["partialFingerprints"]["pgready/v1"] for r in run["results"]]
    assert len(set(ids)) == len(ids)
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"}


def test_sarif_fixes_are_exact_edits_of_the_file(inventory):
    """Every `fix` replaces exactly the statement's text in the file with what `pgready fix` writes."""
    run = json.loads(render("sarif", inventory))["runs"][0]
    by_id = {f.id: f for f in inventory.findings}
    sites = shared.sites_by_id(inventory)
    edits = {fix.site_id: fix for fix in inventory.fixes}
    with_fix = [r for r in run["results"] if "fixes" in r]
    assert len(with_fix) >= 10
    for result in with_fix:
        finding = by_id[result["partialFingerprints"]["pgready/v1"]]
        assert finding.fix_safety is FixSafety.SAFE and "rewrite" not in result["properties"]
        change = result["fixes"][0]["artifactChanges"][0]
        region, text = change["replacements"][0]["deletedRegion"], change["replacements"][0]["insertedContent"]["text"]
        source = (SLIMY / change["artifactLocation"]["uri"]).read_text(encoding="utf-8")
        start = offset_of(source, region["startLine"], region["startColumn"])
        end = offset_of(source, region["endLine"], region["endColumn"])
        site = sites[finding.site_id]
        assert source[start:end] == site.sql
        expected = site.sql
        for s, e, new, _ in sorted(edits[site.id].edits, reverse=True):
            expected = expected[:s] + new + expected[e:]
        assert text == expected == finding.rewrite
    # safe rewrites that cannot be mapped exactly travel as text, never as a guessed edit
    for result in run["results"]:
        finding = by_id[result["partialFingerprints"]["pgready/v1"]]
        if finding.rewrite and "fixes" not in result:
            assert result["properties"]["rewrite"] == finding.rewrite
        if finding.fix_safety is not FixSafety.SAFE:
            assert "fixes" not in result


def test_no_fix_for_literals_that_need_escaping(inventory):
    finding = next(f for f in inventory.findings if f.fix_safety is FixSafety.SAFE and f.site_id
                   and shared.exact_replacement(f, shared.sites_by_id(inventory)[f.site_id]) is not None
                   and shared.sites_by_id(inventory)[f.site_id].language != "sql")
    site = shared.sites_by_id(inventory)[finding.site_id]
    quote = finding.code[finding.code.index(site.sql) - 1]
    assert shared.exact_replacement(dataclasses.replace(finding, rewrite=finding.rewrite + quote), site) is None
    assert shared.exact_replacement(dataclasses.replace(finding, fix_safety=FixSafety.REVIEW), site) is None
    assert shared.exact_replacement(finding, dataclasses.replace(site, sql=site.sql + "; SELECT 1")) is None


def _edit_copy(root: Path) -> int:
    """Insert comment and blank lines at the top of every source file; returns how many files moved."""
    prefix = {".js": "// moved\n\n", ".ts": "// moved\n\n", ".sql": "-- moved\n\n", ".py": "# moved\n\n"}
    moved = 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in prefix:
            path.write_text(prefix[path.suffix] + path.read_text(encoding="utf-8"), encoding="utf-8")
            moved += 1
    return moved


def test_partial_fingerprints_survive_unrelated_line_shifts(tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(SLIMY, copy)
    before = json.loads(render("sarif", scan(copy)))["runs"][0]["results"]
    assert _edit_copy(copy) > 5
    after = json.loads(render("sarif", scan(copy)))["runs"][0]["results"]
    prints = lambda results: {r["partialFingerprints"]["pgready/v1"] for r in results}  # noqa: E731
    lines = lambda results: [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]  # noqa: E731
    assert prints(before) == prints(after) and len(prints(before)) == len(before)
    assert lines(before) != lines(after), "the lines did move"


# -- rdjson -----------------------------------------------------------------------------------------

def test_rdjson_diagnostics(inventory):
    doc = json.loads(render("rdjson", inventory, {"path_prefix": "services/admin"}))
    assert doc["source"]["name"] == "pgready"
    diagnostics = doc["diagnostics"]
    assert len(diagnostics) == len(inventory.findings)
    for d in diagnostics:
        assert d["severity"] in ("ERROR", "WARNING", "INFO")
        assert d["location"]["path"].startswith("services/admin/")
        start, end = d["location"]["range"]["start"], d["location"]["range"]["end"]
        assert (end["line"], end["column"]) >= (start["line"], start["column"]) and start["line"] >= 1
        assert d["code"]["value"] and d["code"]["url"].startswith("https://")
    suggested = [d for d in diagnostics if "suggestions" in d]
    sarif_fixes = [r for r in json.loads(render("sarif", inventory))["runs"][0]["results"] if "fixes" in r]
    assert suggested and len(suggested) <= len(sarif_fixes)
    for d in suggested:
        source = (SLIMY / d["location"]["path"].removeprefix("services/admin/")).read_text(encoding="utf-8")
        rng = d["suggestions"][0]["range"]
        data = source.encode("utf-8")
        lines = data.split(b"\n")
        start = sum(len(x) + 1 for x in lines[:rng["start"]["line"] - 1]) + rng["start"]["column"] - 1
        end = sum(len(x) + 1 for x in lines[:rng["end"]["line"] - 1]) + rng["end"]["column"] - 1
        replaced = data[start:end].decode("utf-8")
        finding = next(f for f in inventory.findings if f.location.path in d["location"]["path"]
                       and f.location.line == d["location"]["range"]["start"]["line"] and f.rule_id == d["code"]["value"])
        assert replaced == shared.sites_by_id(inventory)[finding.site_id].sql


# -- GitHub workflow commands -----------------------------------------------------------------------

def test_github_escaping():
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_annotations(inventory, evil):
    lines = render("github", evil).splitlines()
    assert len(lines) == len(evil.findings) + 1
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    bad = next(line for line in lines if "weird dir" in line)
    head, data = bad[2:].split("::", 1)  # properties escape ':' so the first '::' ends them
    assert head.startswith("error file=weird dir/a%2Cb%3Ac%25.js,line=")
    assert data.startswith(github.escape_data(evil.findings[0].message)) and "\r" not in bad and "\n" not in bad
    one = evil.findings[1]
    text = github.annotation(one)
    assert f"line={one.location.line}" in text and f"title={one.rule_id} {one.slug}" in text
    multi = dataclasses.replace(one, location=Location(one.location.path, 3, 5, 7, 2))
    assert "col=" not in github.annotation(multi) and "endLine=7" in github.annotation(multi)
    assert lines[-1].startswith("::notice title=pgready::pgready: ")


# -- Markdown ---------------------------------------------------------------------------------------

def _outside_fences(text: str) -> str:
    keep, fence = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped[:len(stripped) - len(stripped.lstrip("`"))]
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None:
            keep.append(line)
    return "\n".join(keep)


def test_markdown_comment(inventory):
    text = render("markdown", inventory)
    assert text.startswith(markdown.MARKER) and len(text) < 65_536
    assert "all findings" in text and "Top 10 findings" in text
    assert text.count("**1. ") == 1 and "**10. " in text and "**11. " not in text
    assert "```sql" in text and "<details><summary>" in text and text.rstrip().endswith("</sub>")
    assert "safely auto-fixable" in text and "estimated effort" in text


def test_markdown_escapes_scanned_text(evil):
    text = render("markdown", evil)
    prose = _outside_fences(text)
    assert "<img" not in prose and "</script>" not in prose and "&lt;img src=x" in prose
    assert "@\u200boctocat" in prose and "@octocat" not in prose
    assert "````sql" in text, "a fence longer than any backtick run in the rewrite"
    assert text.count("<details>") == 1 and text.count("</details>") == 2  # one closes, one is inside SQL
    assert "</details>" in text.split("````sql", 1)[1].split("````", 1)[0]


def test_markdown_new_versus_existing(inventory):
    known = [f.id for f in inventory.findings[: len(inventory.findings) // 2]]
    text = render("markdown", inventory, {"baseline": known})
    assert "| new |" in text and "| existing |" in text and "all findings" not in text
    new = len(inventory.findings) - len(set(known))
    assert f"| {new} |\n" in text.split("| new |", 1)[1].split("\n", 1)[0] + "\n"
    assert " · **new**" in text


# -- CSV --------------------------------------------------------------------------------------------

def test_csv_rows_and_formula_injection(evil):
    text = render("csv", evil)
    assert "\r\n" in text and text.count("\r\n") >= len(evil.findings) + 1
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == report_csv.COLUMNS and len(rows) == len(evil.findings) + 1
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK" in text and "'+cmd|" in text
    weird = next(row for row in rows[1:] if row[7] == "weird dir/a,b:c%.js")
    assert "\r\n" in weird[13], "a newline inside a cell is quoted, not a new row"
    assert report_csv.safe_cell("-1") == "'-1" and report_csv.safe_cell(-1) == -1
