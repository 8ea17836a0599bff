"""Effort per finding and rolled up to files, modules, routes and the project."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema

from auditor.effort import finding_minutes
from auditor.pipeline import scan
from auditor.report import json as json_report


def test_fix_safety_sets_the_range_and_dynamic_sql_widens_it():
    assert finding_minutes(10, "safe", False) == (2.5, 10.0)
    assert finding_minutes(10, "review", False) == (10.0, 20.0)
    assert finding_minutes(10, "manual", False) == (10.0, 30.0)
    assert finding_minutes(10, "manual", True) == (10.0, 45.0)


def test_rollups_add_up_and_routes_count_what_their_handlers_reach(tmp_path: Path):
    files = {
        "app/db.py": """
            import pymysql
            conn = pymysql.connect()
            def query(sql, *args):
                with conn.cursor() as cur:
                    cur.execute(sql, args)
                    return cur.fetchall()
        """,
        "app/repo.py": """
            from app.db import query
            def top_users():
                return query("SELECT IFNULL(name, email) FROM users ORDER BY xp DESC LIMIT 0, 10")
            def unused():
                return query("SELECT GROUP_CONCAT(name) FROM guilds")
        """,
        "app/views.py": """
            from flask import Blueprint
            from app.repo import top_users
            bp = Blueprint("users", __name__, url_prefix="/users")

            @bp.get("/top")
            def top():
                return top_users()

            @bp.get("/ping")
            def ping():
                return "pong"
        """,
    }
    for rel, code in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(code), encoding="utf-8")
    inv = scan(tmp_path)
    effort = inv.effort
    total_low = round(sum(f.effort_low for f in inv.findings) / 60, 2)
    assert effort["project"]["low_hours"] == total_low and effort["project"]["findings"] == len(inv.findings) == 3
    assert [row["path"] for row in effort["by_file"]] == ["app/repo.py"]
    assert effort["by_module"][0]["module"] == "app"
    routes = {row["path"]: row for row in effort["by_route"]}
    # /users/top reaches top_users (IFNULL, LIMIT a,b) but not unused() (GROUP_CONCAT)
    assert routes["/users/top"]["findings"] == 2 and routes["/users/ping"]["findings"] == 0
    assert [r["path"] for r in effort["by_route"]] == ["/users/top", "/users/ping"]  # hot spots first
    import io

    from auditor.report import terminal

    out = io.StringIO()
    terminal.render(inv, out, {"width": 120})
    text = out.getvalue()
    assert f"Estimated effort: {effort['project']['low_hours']:g} to {effort['project']['high_hours']:g}" in text
    impact = text.split("Route impact", 1)[1]
    assert "GET /users/top" in impact and "GET /users/ping" not in impact  # no findings, not listed
    document = json.loads(_json(inv))
    jsonschema.Draft202012Validator(json_report.schema()).validate(document)
    assert document["effort"] == effort


def _json(inv) -> str:
    import io

    out = io.StringIO()
    json_report.render(inv, out, {})
    return out.getvalue()
