"""The inventory as versioned JSON: the documented contract other outputs read.

The schema is `auditor/schema/inventory-1.0.schema.json`. Top-level keys, in this order:
`schema_version`, `tool` {name, version}, `root`, `summary`, `effort`, `findings`, `sites`,
`transactions`, `driver_uses`, `diagnostics`, `routes`, `files`, `rules`. Record keys follow the
order of the `_finding`, `_site`, ... functions below. Arrays are sorted:
findings by (path, line, col, rule_id, id), sites by (path, line, col, id), transactions
by (path, line, id), driver uses by (path, line, col, kind), diagnostics by (path, kind,
message), routes by (path, method, framework, handler), files and rules by name/id;
remaining ties are broken by the whole record, so the same inventory in any order gives
the same bytes.

`from_dict(to_dict(inv))` equals `inv` once its tuples are in that order (rule metadata
comes back as plain JSON values); `to_dict(from_dict(d)) == d` for any valid document.
"""
from __future__ import annotations

import json
from enum import Enum
from json.encoder import encode_basestring as _string
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, TextIO

from ..model import (
    Verdict,
    Diagnostic, DriverUse, Finding, FixSafety, Hole, Inventory, Item, Location, Route, Severity, Site, Transaction,
)

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = f"inventory-{SCHEMA_VERSION}.schema.json"
TOOL_NAME = "pgready"
_RULE_KEYS = ("id", "slug", "title", "category", "severity", "fix_safety")


def schema() -> dict:
    """The JSON Schema this module writes and `load` checks."""
    text = (resources.files("auditor") / "schema" / SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    out.write(dumps(to_dict(inventory)) + "\n")


def dumps(doc) -> str:
    """`json.dumps(doc, indent=2, ensure_ascii=False)`, the same text, faster on a big inventory: the
    standard library's C encoder cannot indent, and its Python one yields every piece through nested
    generators; this appends them to one list. Anything else than JSON values (or a cycle) is left to
    `json.dumps`, for its error."""
    out: list[str] = []
    try:
        _write(doc, out, "\n")
    except (_NotJson, RecursionError):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return "".join(out)


class _NotJson(Exception):
    pass


def _write(value, out: list, newline: str) -> None:
    """Append `value` indented as `json.dumps` does it; `newline` starts a line at the current depth."""
    text = _scalar(value)
    if text is not None:
        out.append(text)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is not None:
                out.append(separator + text)
            else:
                out.append(separator)
                _write(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            head = separator + _string(key if isinstance(key, str) else _key(key)) + ": "
            text = _scalar(item)
            if text is not None:
                out.append(head + text)
            else:
                out.append(head)
                _write(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    else:
        raise _NotJson


def _scalar(value) -> str | None:
    """A JSON scalar's text; None for a container. The checks are `json.encoder`'s, in its order
    (a bool is an int; subclasses of str, int and float count as those)."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _key(key) -> str:
    """A dict key that is not a str, as `json.dumps` turns it into one."""
    if isinstance(key, float):
        return _float(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise _NotJson


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _count(values) -> dict:
    found: dict = {}
    for v in values:
        found[v] = found.get(v, 0) + 1
    return found


def summarize(inv: Inventory) -> dict:
    """Counts derived purely from the inventory (also shown by the terminal report)."""
    by_rule: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_severity = {s: 0 for s in ("error", "warning", "info")}
    by_fix = {s: 0 for s in ("safe", "review", "manual")}
    for f in inv.findings:
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
        by_category[f.category] = by_category.get(f.category, 0) + 1
        by_severity[_value(f.severity)] += 1
        by_fix[_value(f.fix_safety)] += 1
    return {
        "files": len(inv.files),
        "sites": len(inv.sites),
        "dynamic_sites": sum(1 for s in inv.sites if s.dynamic),
        "transactions": len(inv.transactions),
        "driver_uses": len(inv.driver_uses),
        "diagnostics": len(inv.diagnostics),
        "routes": len(inv.routes),
        "tables": len(inv.tables),
        "unresolved_call_share": (inv.calls or {}).get("unresolved_share", 0.0),
        "items": len(inv.items),
        "by_item_kind": dict(sorted(_count(i.kind for i in inv.items).items())),
        "findings": len(inv.findings),
        "by_severity": by_severity,
        "by_fix_safety": by_fix,
        "by_rule": dict(sorted(by_rule.items())),
        "by_category": dict(sorted(by_category.items())),
        "suppressed": inv.suppressed,
        "baselined": inv.baselined,
    }


def to_dict(inv: Inventory) -> dict:
    context = _RouteContext(inv)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": inv.tool_version},
        "root": inv.root,
        "summary": summarize(inv),
        "effort": inv.effort if inv.effort is not None else _no_effort(),
        "findings": _sorted(map(_finding, inv.findings),
                            lambda d: (*_pos(d["location"]), d["rule_id"], d["id"])),
        "sites": _sorted(map(_site, inv.sites), lambda d: (d["path"], d["line"], d["col"], d["id"])),
        "transactions": _sorted(map(_transaction, inv.transactions),
                                lambda d: (d["path"], d["line"], d["id"])),
        "driver_uses": _sorted(map(_driver_use, inv.driver_uses),
                               lambda d: (*_pos(d["location"]), d["kind"])),
        "diagnostics": _sorted(map(_diagnostic, inv.diagnostics),
                               lambda d: (d["path"], d["kind"], d["message"], d["line"] or 0)),
        "routes": _sorted((_route(r, context) for r in inv.routes),
                          lambda d: (d["path"], d["method"], d["framework"], d["handler"])),
        "tables": [dict(t) for t in sorted(inv.tables, key=lambda t: t["name"])],
        "calls": inv.calls if inv.calls is not None else _no_calls(),
        "items": _sorted(map(_item, inv.items), lambda d: (*_pos(d["location"]), d["kind"], d["name"])),
        "files": sorted(inv.files),
        "rules": _sorted(map(_rule, inv.rules), lambda d: (str(d.get("id", "")),)),
        "verification": _sorted(map(_verdict, inv.verdicts), lambda d: (d["site_id"],)),
    }


def _verdict(v: Verdict) -> dict:
    return {"site_id": v.site_id, "verdict": v.verdict, "detail": v.detail, "mysql_sql": v.mysql_sql,
            "pg_sql": v.pg_sql, "only_mysql": [list(r) for r in v.only_mysql], "only_pg": [list(r) for r in v.only_pg]}


def from_dict(d: Mapping[str, Any]) -> Inventory:
    """Rebuild an Inventory from a document written by `to_dict` (not validated here)."""
    return Inventory(
        schema_version=d["schema_version"],
        tool_version=d["tool"]["version"],
        root=d["root"],
        files=tuple(d["files"]),
        sites=tuple(_site_in(s) for s in d["sites"]),
        transactions=tuple(
            Transaction(t["id"], t["kind"], t["path"], t["line"], t["col"], t["end_line"],
                        t["callee"], t["function"], tuple(t["sites"]))
            for t in d["transactions"]),
        driver_uses=tuple(
            DriverUse(u["kind"], _loc_in(u["location"]), u["evidence"], u["confidence"], u["function"])
            for u in d["driver_uses"]),
        findings=tuple(_finding_in(f) for f in d["findings"]),
        diagnostics=tuple(Diagnostic(x["path"], x["kind"], x["message"], x["line"]) for x in d["diagnostics"]),
        routes=tuple(Route(r["id"], r["method"], r["path"], r["framework"], _loc_in(r["location"]), r["handler"],
                           r["handler_path"], tuple((e["path"], e["line"]) for e in r["entry_points"]),
                           tuple(s["id"] for s in r["sites"])) for r in d["routes"]),
        tables=tuple(dict(t) for t in d["tables"]),
        calls=None if d["calls"] == _no_calls() else d["calls"],
        items=tuple(Item(i["kind"], i["name"], i["category"], _loc_in(i["location"]), i["size"], i["detail"])
                    for i in d["items"]),
        rules=tuple(dict(r) for r in d["rules"]),
        suppressed=d["summary"].get("suppressed", 0), baselined=d["summary"].get("baselined", 0),
        effort=None if d["effort"] == _no_effort() else d["effort"],  # nothing estimated
        verdicts=tuple(Verdict(v["site_id"], v["verdict"], v["detail"], v["mysql_sql"], v["pg_sql"],
                               tuple(map(tuple, v["only_mysql"])), tuple(map(tuple, v["only_pg"])))
                       for v in d.get("verification", ())),
    )


def _item(i: Item) -> dict:
    return {"kind": i.kind, "name": i.name, "category": i.category, "location": _loc(i.location),
            "size": i.size, "detail": i.detail}


def _no_calls() -> dict:
    return {"total": 0, "resolved": 0, "library": 0, "unresolved": 0, "unresolved_share": 0.0,
            "top_unresolved": [], "functions": [], "edges": [], "sites": {}}


class _RouteContext:
    """What a route entry shows of the sites it reaches: where they are, their findings and effort."""

    def __init__(self, inv: Inventory):
        self.sites = {s.id: s for s in inv.sites}
        self.findings: dict[str, list] = {}
        for f in inv.findings:
            if f.site_id:
                self.findings.setdefault(f.site_id, []).append(f)

    def site(self, site_id: str) -> dict:
        site, found = self.sites[site_id], sorted(self.findings.get(site_id, ()), key=lambda f: f.id)
        return {"id": site_id, "path": site.path, "line": site.line, "findings": [f.id for f in found],
                "effort": {"low_minutes": round(sum(f.effort_low for f in found), 2),
                           "high_minutes": round(sum(f.effort_high for f in found), 2)}}


def _no_effort() -> dict:
    from auditor.effort import METHOD

    zero = {"findings": 0, "low_hours": 0.0, "high_hours": 0.0}
    return {"method": METHOD, "project": zero, "by_file": [], "by_module": [], "by_route": []}


def load(path: str | Path) -> Inventory:
    """Read a saved inventory, checking it against the schema first; ValueError if it does not match."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"Cannot read inventory {path}: {e}.") from e
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not JSON: {e.msg} at line {e.lineno}, column {e.colno}.") from e
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if version != SCHEMA_VERSION:
        raise ValueError(f"{path} has inventory schema version {version!r}; "
                         f"this pgready reads version {SCHEMA_VERSION!r}.")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema()).iter_errors(doc))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(top level)"
        raise ValueError(f"{path} does not match the pgready inventory schema {SCHEMA_VERSION}: "
                         f"at {where.lstrip('.')}: {error.message}.")
    return from_dict(doc)


# -- records out -------------------------------------------------------------------------

def _value(x: Any) -> Any:
    return x.value if isinstance(x, Enum) else x


def _plain(x: Any) -> Any:
    """Enums, tuples and nested dicts of rule metadata as plain JSON values."""
    if isinstance(x, Enum):
        return x.value
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, Path):
        return x.as_posix()
    return x


def _sorted(records, key) -> list[dict]:
    return sorted(records, key=lambda d: (key(d), json.dumps(d, sort_keys=True, ensure_ascii=False)))


def _pos(loc: dict) -> tuple[str, int, int]:
    return loc["path"], loc["line"], loc["col"]


def _loc(x: Location) -> dict:
    return {"path": x.path, "line": x.line, "col": x.col, "end_line": x.end_line, "end_col": x.end_col}


def _finding(f: Finding) -> dict:
    return {
        "id": f.id, "rule_id": f.rule_id, "slug": f.slug,
        "severity": _value(f.severity), "fix_safety": _value(f.fix_safety),
        "category": f.category, "confidence": f.confidence,
        "location": _loc(f.location), "anchor_line": f.anchor_line,
        "message": f.message, "evidence": f.evidence, "suggestion": f.suggestion,
        "code": f.code, "site_id": f.site_id, "function": f.function,
        "effort": {"low_minutes": f.effort_low, "high_minutes": f.effort_high},
        "rewrite": f.rewrite, "fix_reasons": list(f.fix_reasons),
    }


def _hole(h: Hole) -> dict:
    return {"index": h.index, "kind": h.kind, "source": h.source,
            "location": _loc(h.location), "start": h.start, "end": h.end}


def _site(s: Site) -> dict:
    return {
        "id": s.id, "path": s.path, "line": s.line, "col": s.col,
        "kind": s.kind, "callee": s.callee, "statement": s.statement,
        "dynamic": s.dynamic, "confidence": s.confidence, "language": s.language,
        "function": s.function, "placeholders": s.placeholders, "tables": list(s.tables),
        "sql": s.sql, "holes": [_hole(h) for h in sorted(s.holes, key=lambda h: h.index)],
        "sql_location": _loc(s.sql_location),
    }


def _transaction(t: Transaction) -> dict:
    return {"id": t.id, "kind": t.kind, "path": t.path, "line": t.line, "col": t.col,
            "end_line": t.end_line, "callee": t.callee, "function": t.function, "sites": list(t.sites)}


def _driver_use(u: DriverUse) -> dict:
    return {"kind": u.kind, "location": _loc(u.location), "evidence": u.evidence,
            "confidence": u.confidence, "function": u.function}


def _diagnostic(x: Diagnostic) -> dict:
    return {"path": x.path, "kind": x.kind, "line": x.line, "message": x.message}


def _route(r: Route, context: "_RouteContext") -> dict:
    return {"id": r.id, "method": r.method, "path": r.path, "framework": r.framework,
            "handler": r.handler, "handler_path": r.handler_path, "location": _loc(r.location),
            "entry_points": [{"path": p, "line": line} for p, line in r.entry_points],
            "sites": sorted((context.site(s) for s in r.sites), key=lambda d: (d["path"], d["line"], d["id"]))}


def _rule(r: Mapping) -> dict:
    plain = _plain(r)
    known = {k: plain[k] for k in _RULE_KEYS if k in plain}
    return known | {k: plain[k] for k in sorted(plain) if k not in known}


# -- records in --------------------------------------------------------------------------

def _loc_in(d: Mapping) -> Location:
    return Location(d["path"], d["line"], d["col"], d["end_line"], d["end_col"])


def _site_in(s: Mapping) -> Site:
    return Site(
        id=s["id"], path=s["path"], line=s["line"], col=s["col"], callee=s["callee"], kind=s["kind"],
        sql=s["sql"],
        holes=tuple(Hole(h["index"], h["kind"], h["source"], _loc_in(h["location"]), h["start"], h["end"])
                    for h in s["holes"]),
        dynamic=s["dynamic"], sql_location=_loc_in(s["sql_location"]), tables=tuple(s["tables"]),
        confidence=s["confidence"], function=s["function"], language=s["language"],
        placeholders=s["placeholders"], statement=s["statement"],
    )


def _finding_in(f: Mapping) -> Finding:
    return Finding(
        id=f["id"], rule_id=f["rule_id"], slug=f["slug"], severity=Severity(f["severity"]),
        fix_safety=FixSafety(f["fix_safety"]), category=f["category"], location=_loc_in(f["location"]),
        message=f["message"], evidence=f["evidence"], suggestion=f["suggestion"],
        confidence=f["confidence"], site_id=f["site_id"], anchor_line=f["anchor_line"], code=f["code"],
        function=f["function"], effort_low=f["effort"]["low_minutes"], effort_high=f["effort"]["high_minutes"],
        rewrite=f.get("rewrite", ""), fix_reasons=tuple(f.get("fix_reasons", ())),
    )
