"""pgready graph / impact: the dependency graph in four formats, and the impact questions."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from auditor import graph
from auditor.graphio import write
from auditor.pipeline import scan
from auditor.report import json as json_report

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "fixtures" / "python-bot-api"


@pytest.fixture(scope="module")
def inventory():
    return scan(BOT)


def test_graph_connects_routes_functions_sites_tables_and_findings(inventory):
    g = graph.build(inventory)
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == {"route", "function", "site", "table", "finding"}
    route = next(r for r in inventory.routes if r.path == "/api/users/merge")
    # the route runs its handler, and from it the graph reaches the SQL sites the linker found
    reachable = nx.descendants(g, f"route:{route.id}")
    assert {f"site:{s}" for s in route.sites} <= reachable
    assert any(n.startswith("table:") for n in reachable)
    runs = [b for _, b, d in g.out_edges(f"route:{route.id}", data=True) if d["kind"] == "runs"]
    assert runs and all(g.nodes[b]["kind"] == "function" for b in runs)
    assert all("kind" in d for _, d in g.nodes(data=True))


@pytest.mark.parametrize("fmt", ["json", "dot", "graphml", "mermaid"])
def test_exports_are_deterministic_and_readable(inventory, fmt):
    first, second = io.StringIO(), io.StringIO()
    write(graph.build(inventory), fmt, first)
    write(graph.build(scan(BOT)), fmt, second)
    assert first.getvalue() == second.getvalue() and first.getvalue().endswith("\n")
    text = first.getvalue()
    if fmt == "json":
        doc = json.loads(text)
        assert len(doc["nodes"]) == graph.build(inventory).number_of_nodes()
    elif fmt == "graphml":
        back = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
        assert back.number_of_edges() == graph.build(inventory).number_of_edges()
    elif fmt == "dot":
        assert text.startswith("digraph pgready {") and " -> " in text
    else:
        assert text.startswith("flowchart LR") and "-->|writes|" in text and "-->|reads|" in text


def test_impact_of_a_route_a_table_and_a_finding(inventory):
    [route] = graph.find_route(inventory, "POST /api/users/merge")
    answer = graph.route_impact(inventory, route)
    assert answer["tables"] and len(answer["sites"]) == len(route.sites)
    assert answer["effort_hours"]["high"] >= answer["effort_hours"]["low"] > 0
    users = graph.table_impact(inventory, "users")
    assert users["writes"] and "POST /api/users/merge" in users["routes"]
    finding = next(f for f in inventory.findings if f.site_id in route.sites)
    assert "POST /api/users/merge" in graph.finding_routes(inventory, finding.id)
    with pytest.raises(ValueError, match="did you mean"):
        graph.find_route(inventory, "POST /api/user/merge")


def test_impact_cli_scans_or_reads_a_saved_inventory(tmp_path, inventory):
    saved = tmp_path / "inv.json"
    with open(saved, "w", encoding="utf-8") as out:
        json_report.render(inventory, out, {})
    run = lambda *a: subprocess.run([sys.executable, "-m", "auditor", *a], capture_output=True, text=True,  # noqa: E731
                                    cwd=ROOT, timeout=120)
    scanned = run("impact", str(BOT), "--table", "users", "--format", "json")
    loaded = run("impact", "--inventory", str(saved), "--table", "users", "--format", "json")
    assert scanned.returncode == loaded.returncode == 0 and json.loads(scanned.stdout) == json.loads(loaded.stdout)
    missing = run("impact", str(BOT), "--table", "nope")
    assert missing.returncode == 2 and missing.stderr.startswith("pgready: error: no table 'nope'")
    text = run("impact", str(BOT), "--route", "POST /api/users/merge").stdout
    assert text.startswith("POST /api/users/merge  (flask") and "estimated" in text


def test_unresolved_calls_are_counted_not_dropped(inventory):
    calls = inventory.calls
    assert calls["total"] == calls["resolved"] + calls["library"] + calls["unresolved"] > 0
    assert 0 < calls["unresolved_share"] < 1 and calls["top_unresolved"]
    assert json_report.summarize(inventory)["unresolved_call_share"] == calls["unresolved_share"]


def test_the_call_graph_lists_functions_on_the_way_to_sql_and_route_handlers(tmp_path):
    (tmp_path / "app.js").write_text(
        "const express = require('express');\nconst mysql = require('mysql2');\nconst pool = mysql.createPool({});\n"
        "const app = express();\n"
        "function load(id) { return pool.query('SELECT * FROM users WHERE id = ?', [id]); }\n"
        "function service(id) { return load(id); }\n"
        "function slugify(s) { return s.toLowerCase(); }\n"
        "function health(req, res) { res.send(slugify('OK')); }\n"
        "app.get('/users/:id', (req, res) => service(req.params.id));\n"
        "app.get('/health', health);\n", encoding="utf-8")
    calls = scan(tmp_path).calls
    names = {f["name"] for f in calls["functions"]}
    assert {"load", "service", "health"} <= names  # sends SQL, calls one that does, a route handler
    assert "slugify" not in names  # neither: left out of the graph, still counted
    assert calls["resolved"] >= 3
    listed = {f["id"] for f in calls["functions"]}
    assert all(b in listed for _, b in calls["edges"]) and ("app.js::slugify" not in {a for a, _ in calls["edges"]})
