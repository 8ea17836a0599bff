"""Effort: how long the findings take to fix, per finding and rolled up.

The method (documented in docs/effort.md) follows Ora2Pg's idea of migration units: every
rule carries a weight, `effort_minutes`, the developer time for one occurrence including its
test. Fix safety widens it into a range, because what a tool can rewrite costs a review while
what needs judgement costs design and testing:

    safe    0.25 x .. 1 x    (an automatic rewrite, read and accepted; at worst done by hand)
    review  1 x    .. 2 x    (a rewrite exists but meaning can differ on some data: check it)
    manual  1 x    .. 3 x    (no mechanical equivalent: redesign, then test)

Dynamic SQL (holes, conditional appends) multiplies the high end by 1.5: every variant needs
checking. Totals are person-hours, low and high, per file, module (directory), route and project.
"""
from __future__ import annotations

import posixpath

RANGE = {"safe": (0.25, 1.0), "review": (1.0, 2.0), "manual": (1.0, 3.0)}
DYNAMIC_HIGH = 1.5
METHOD = "pgready-effort-1"


def finding_minutes(weight: int, fix_safety: str, dynamic: bool) -> tuple[float, float]:
    low, high = RANGE[fix_safety]
    return round(weight * low, 2), round(weight * high * (DYNAMIC_HIGH if dynamic else 1.0), 2)


def _hours(minutes: float) -> float:
    return round(minutes / 60, 2)


def _bucket(items) -> dict:
    low = sum(f.effort_low for f in items)
    high = sum(f.effort_high for f in items)
    return {"findings": len(items), "low_hours": _hours(low), "high_hours": _hours(high)}


def rollup(findings, routes=(), reach=None, scope=None) -> dict:
    """The `effort` section of the inventory. `reach(route) -> set of (path, function)` lists what a
    route's handler reaches; `scope(finding) -> (path, function)` places a finding (a SQL finding in
    the function that sends it); findings in reached functions count for the route."""
    by_file: dict[str, list] = {}
    by_module: dict[str, list] = {}
    for f in findings:
        by_file.setdefault(f.location.path, []).append(f)
        by_module.setdefault(posixpath.dirname(f.location.path) or ".", []).append(f)
    route_rows = []
    if reach is not None:
        scoped: dict[tuple[str, str], list] = {}
        for f in findings:
            scoped.setdefault(scope(f) if scope else (f.location.path, f.function), []).append(f)
        for route in routes:
            reached = reach(route)
            items = [f for key in sorted(reached) for f in scoped.get(key, ())]
            route_rows.append({"route": route.id, "method": route.method, "path": route.path, **_bucket(items)})
    rank = lambda row: (-row["high_hours"], -row["findings"])  # noqa: E731 - hot spots first
    return {
        "method": METHOD,
        "project": _bucket(findings),
        "by_file": sorted(({"path": p, **_bucket(v)} for p, v in by_file.items()), key=lambda r: (*rank(r), r["path"])),
        "by_module": sorted(({"module": m, **_bucket(v)} for m, v in by_module.items()),
                            key=lambda r: (*rank(r), r["module"])),
        "by_route": sorted(route_rows, key=lambda r: (*rank(r), r["path"], r["method"])),
    }
