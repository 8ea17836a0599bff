from __future__ import annotations

import dataclasses
import io
import json
import random
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from auditor.model import (
    Diagnostic, DriverUse, Finding, FixSafety, Hole, Inventory, Location, Severity, Site, Transaction,
)
from auditor.report import json as report_json


def make_inventory() -> Inventory:
    """A small realistic inventory, every tuple already in the documented order."""
    s1 = Site(
        id="s-users-1", path="src/users.js", line=10, col=3, callee="pool.query", kind="driver",
        sql="SELECT GROUP_CONCAT(name) FROM users WHERE id = ?", holes=(), dynamic=False,
        sql_location=Location("src/users.js", 10, 14, 10, 65), tables=("users",), confidence="high",
        function="listUsers", language="javascript", statement="select",
    )
    hole = Hole(index=0, kind="fragment", source="${where}",
                location=Location("src/orders.ts", 22, 40, 22, 48), start=28, end=37)
    s2 = Site(
        id="s-orders-1", path="src/orders.ts", line=22, col=5, callee="conn.execute", kind="driver",
        sql="SELECT * FROM orders WHERE __pgready_hole_0__", holes=(hole,), dynamic=True,
        sql_location=Location("src/orders.ts", 22, 18, 22, 50), tables=("orders",), confidence="medium",
        function="findOrders", language="typescript", statement="select",
    )
    f1 = Finding(
        id="FN014:src/orders.ts:findOrders:1a2b", rule_id="FN014", slug="group-concat",
        severity=Severity.ERROR, fix_safety=FixSafety.REVIEW, category="function",
        location=Location("src/users.js", 10, 21, 10, 39), message="GROUP_CONCAT does not exist in PostgreSQL.",
        evidence="GROUP_CONCAT(name)", suggestion="string_agg(name::text, ',')", confidence="high",
        site_id="s-users-1", anchor_line=10,
        code='const rows = await pool.query("SELECT GROUP_CONCAT(name) FROM users WHERE id = ?", [id]);',
    )
    f2 = Finding(
        id="DR001:src/orders.ts:findOrders:9f8e", rule_id="DR001", slug="insert-id",
        severity=Severity.WARNING, fix_safety=FixSafety.MANUAL, category="driver",
        location=Location("src/orders.ts", 25, 12, 25, 27), message="insertId is not set by PostgreSQL drivers; use RETURNING id — café.",
        evidence="result.insertId", suggestion="", confidence="high", anchor_line=25,
        code="return result.insertId;",
    )
    return Inventory(
        schema_version="1.0", tool_version="0.1.0", root="/work/app",
        files=("legacy/old.js", "src/orders.ts", "src/users.js"),
        sites=(s2, s1),
        transactions=(Transaction("t-orders-1", "driver-api", "src/orders.ts", 20, 3, 30,
                                  "conn.beginTransaction", "findOrders", ("s-orders-1",)),),
        driver_uses=(DriverUse("insert-id", Location("src/orders.ts", 25, 12, 25, 27), "result.insertId",
                               "high", "findOrders"),),
        findings=(f2, f1),
        diagnostics=(Diagnostic("legacy/old.js", "encoding",
                                "Not valid UTF-8 (first bad byte at line 3); read as cp1252.", 3),),
        rules=(
            {"id": "DR001", "slug": "insert-id", "title": "insertId after INSERT", "category": "driver",
             "severity": "warning", "fix_safety": "manual"},
            {"id": "FN014", "slug": "group-concat", "title": "GROUP_CONCAT", "category": "function",
             "severity": "error", "fix_safety": "review", "references": ["https://www.postgresql.org/docs/"]},
        ),
    )


def render(inv: Inventory) -> str:
    out = io.StringIO()
    report_json.render(inv, out)
    return out.getvalue()


def shuffled(inv: Inventory, seed: int) -> Inventory:
    rng = random.Random(seed)

    def mix(items: tuple) -> tuple:
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    return dataclasses.replace(
        inv, files=mix(inv.files), sites=mix(inv.sites), transactions=mix(inv.transactions),
        driver_uses=mix(inv.driver_uses), findings=mix(inv.findings), diagnostics=mix(inv.diagnostics),
        rules=mix(inv.rules),
    )


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = report_json.schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_output_validates_against_shipped_schema(validator: Draft202012Validator) -> None:
    doc = json.loads(render(make_inventory()))
    validator.validate(doc)
    empty = Inventory("1.0", "0.1.0", ".", (), (), (), (), (), ())
    validator.validate(report_json.to_dict(empty))


def test_every_schema_field_is_documented() -> None:
    schema = report_json.schema()
    missing = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema, "$")
    assert missing == []
    assert all("description" in d for d in schema["$defs"].values())


def test_layout_and_key_order() -> None:
    text = render(make_inventory())
    doc = json.loads(text)
    assert list(doc) == ["schema_version", "tool", "root", "summary", "effort", "findings", "sites",
                         "transactions", "driver_uses", "diagnostics", "routes", "tables", "calls", "items", "files", "rules",
                         "verification"]
    assert doc["effort"]["project"] == {"findings": 0, "low_hours": 0.0, "high_hours": 0.0}  # none estimated
    assert doc["findings"][0]["effort"] == {"low_minutes": 0.0, "high_minutes": 0.0}
    assert doc["schema_version"] == report_json.SCHEMA_VERSION == "1.0"
    assert doc["tool"] == {"name": "pgready", "version": "0.1.0"}
    assert text.endswith("}\n") and text.startswith('{\n  "schema_version"')
    assert "café" in text and "—" in text  # ensure_ascii=False
    assert [f["rule_id"] for f in doc["findings"]] == ["DR001", "FN014"]  # src/orders.ts < src/users.js
    assert [s["id"] for s in doc["sites"]] == ["s-orders-1", "s-users-1"]
    assert doc["findings"][1]["severity"] == "error" and doc["findings"][1]["fix_safety"] == "review"
    assert doc["sites"][0]["holes"][0]["kind"] == "fragment"
    assert [r["id"] for r in doc["rules"]] == ["DR001", "FN014"]
    assert list(doc["rules"][1]) == ["id", "slug", "title", "category", "severity", "fix_safety", "references"]


def test_summary_counts() -> None:
    summary = report_json.to_dict(make_inventory())["summary"]
    assert summary == {
        "files": 3, "sites": 2, "dynamic_sites": 1, "transactions": 1, "driver_uses": 1, "diagnostics": 1,
        "routes": 0, "tables": 0, "unresolved_call_share": 0.0, "items": 0, "by_item_kind": {}, "findings": 2,
        "by_severity": {"error": 1, "warning": 1, "info": 0},
        "by_fix_safety": {"safe": 0, "review": 1, "manual": 1},
        "by_rule": {"DR001": 1, "FN014": 1},
        "by_category": {"driver": 1, "function": 1}, "suppressed": 0, "baselined": 0,
    }


def test_byte_identical_across_renders_and_input_order() -> None:
    inv = make_inventory()
    first = render(inv)
    assert render(inv) == first
    for seed in range(5):
        assert render(shuffled(inv, seed)) == first


def test_round_trip() -> None:
    doc = report_json.to_dict(make_inventory())
    back = report_json.from_dict(doc)
    assert report_json.to_dict(back) == doc
    canonical = report_json.from_dict(json.loads(json.dumps(doc)))
    assert canonical == back
    assert canonical.findings[1].severity is Severity.ERROR
    assert canonical.sites[0].holes[0].location == Location("src/orders.ts", 22, 40, 22, 48)
    assert canonical.diagnostics[0].line == 3
    # an inventory already in the documented order comes back equal, field for field
    assert canonical.files == make_inventory().files
    assert set(canonical.findings) == set(make_inventory().findings)


def test_load_validates(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(render(make_inventory()), encoding="utf-8")
    assert report_json.to_dict(report_json.load(path)) == report_json.to_dict(make_inventory())

    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["findings"][0]["severity"] = "fatal"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=r"findings\[0\]\.severity"):
        report_json.load(path)

    doc["findings"][0]["severity"] = "error"
    doc["sites"][0]["surprise"] = 1
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="surprise"):
        report_json.load(path)

    doc["schema_version"] = "9.9"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="version '9.9'"):
        report_json.load(path)

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not JSON"):
        report_json.load(path)
    with pytest.raises(ValueError, match="Cannot read"):
        report_json.load(tmp_path / "missing.json")
