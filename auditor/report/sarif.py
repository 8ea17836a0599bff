"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

One run. `tool.driver` names pgready and lists the rules that fired (title, why, the PostgreSQL
way and references as help, a link to the rule's section of docs/rules.md, default level from the
severity). Each finding is one result: a relative URI under `%SRCROOT%` (the scanned folder, or
options["path_prefix"] below the repository root), 1-based lines and columns counted in Unicode
code points (`columnKind`), end column exclusive as SARIF defines it, and
`partialFingerprints["pgready/v1"]` = the finding's id, which never includes a line number, so a
result keeps its identity when unrelated lines move.

Fixes: a result carries `fixes` only when its finding is `safe`, has a rewrite, and the rewrite
is an exact replacement of the statement's text in the file (auditor.report.shared.exact_replacement).
Otherwise the rewrite travels as `properties.rewrite`, never as an edit of a guessed region.
Scan diagnostics (unreadable files, syntax errors) become tool execution notifications.
The schema is vendored as auditor/report/schemas/sarif-2.1.0.json (OASIS committee specification).
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Mapping, TextIO

from ..model import Finding, Inventory
from . import shared

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "pgready/v1"
SRCROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def schema() -> dict:
    """The official SARIF 2.1.0 JSON schema (vendored)."""
    text = (resources.files("auditor.report") / "schemas" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def render(inventory: Inventory, out: TextIO, options: Mapping | None = None) -> None:
    out.write(json.dumps(to_sarif(inventory, options), indent=2, ensure_ascii=False) + "\n")


def to_sarif(inventory: Inventory, options: Mapping | None = None) -> dict:
    rules = shared.rules_by_id(inventory)
    index = {rid: i for i, rid in enumerate(rules)}
    sites, verdicts = shared.sites_by_id(inventory), shared.verdicts_by_site(inventory)
    results = [_result(f, index, sites, verdicts, options) for f in shared.ordered(inventory.findings)]
    run: dict = {
        "tool": {"driver": {
            "name": "pgready",
            "version": inventory.tool_version,
            "semanticVersion": inventory.tool_version,
            "informationUri": shared.project_url(options),
            "rules": [_rule(r, options) for r in rules.values()],
        }},
        "invocations": [{"executionSuccessful": True,
                         "toolExecutionNotifications": [_notification(d, options) for d in
                                                        sorted(inventory.diagnostics, key=lambda d: (
                                                            d.path, d.line or 0, d.kind, d.message))]}],
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The folder pgready scanned (paths are relative to it, below the repository root)."}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if inventory.effort:
        project = inventory.effort.get("project", {})
        run["properties"] = {"effort_hours": {"low": project.get("low_hours", 0.0),
                                              "high": project.get("high_hours", 0.0)}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(rule: Mapping, options) -> dict:
    severity = str(rule.get("severity", "warning"))
    references = [str(u) for u in rule.get("references", ())]
    message, postgres, why = str(rule.get("message", "")), str(rule.get("postgres", "")), str(rule.get("why", ""))
    text = "\n\n".join(part for part in (
        message, f"PostgreSQL: {postgres}" if postgres else "",
        "References:\n" + "\n".join(f"- {u}" for u in references) if references else "") if part)
    markdown = "\n\n".join(part for part in (
        message, f"**Why:** {why}" if why else "", f"**PostgreSQL:** {postgres}" if postgres else "",
        f"**Fix safety:** `{rule.get('fix_safety', '')}`",
        "**References:**\n" + "\n".join(f"- <{u}>" for u in references) if references else "") if part)
    descriptor = {
        "id": str(rule["id"]),
        "name": str(rule.get("slug", rule["id"])),
        "shortDescription": {"text": str(rule.get("title") or rule["id"])},
        "fullDescription": {"text": why or message or str(rule.get("title", ""))},
        "help": {"text": text or str(rule["id"]), "markdown": markdown},
        "helpUri": shared.rule_url(rule, options),
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": {"category": str(rule.get("category", "")), "fix_safety": str(rule.get("fix_safety", "")),
                       "tags": ["pgready", "postgresql-migration", str(rule.get("category", ""))]},
    }
    return descriptor


def _region(line: int, col: int, end_line: int, end_col: int) -> dict:
    line, col = max(1, line), max(1, col)
    if (end_line, end_col) < (line, col):
        end_line, end_col = line, col
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": max(1, end_col)}


def _artifact(path: str, options) -> dict:
    return {"uri": shared.uri(path, options), "uriBaseId": SRCROOT}


def _result(f: Finding, index: dict, sites: dict, verdicts: dict, options) -> dict:
    loc = f.location
    location: dict = {"physicalLocation": {"artifactLocation": _artifact(loc.path, options),
                                           "region": _region(loc.line, loc.col, loc.end_line, loc.end_col)}}
    if f.function:
        location["logicalLocations"] = [{"fullyQualifiedName": f.function, "kind": "function"}]
    properties: dict = {"category": f.category, "fix_safety": f.fix_safety.value, "confidence": f.confidence,
                        "effort_minutes": {"low": f.effort_low, "high": f.effort_high}}
    result: dict = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": LEVEL[f.severity.value],
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: f.id},
    }
    replacement = shared.exact_replacement(f, sites.get(f.site_id or ""))
    if replacement is not None:
        result["fixes"] = [{
            "description": {"text": "Rewrite the statement for PostgreSQL (safe: `pgready fix` applies it)."},
            "artifactChanges": [{"artifactLocation": _artifact(replacement.path, options), "replacements": [{
                "deletedRegion": _region(replacement.start_line, replacement.start_col,
                                         replacement.end_line, replacement.end_col),
                "insertedContent": {"text": replacement.text}}]}]}]
    elif f.rewrite:
        properties["rewrite"] = f.rewrite
    if f.fix_reasons:
        properties["fix_reasons"] = list(f.fix_reasons)
    if f.evidence:
        properties["evidence"] = f.evidence
    if f.site_id:
        properties["site_id"] = f.site_id
        if f.site_id in verdicts:
            properties["verdict"] = verdicts[f.site_id]
    result["properties"] = properties
    return result


def _notification(d, options) -> dict:
    note: dict = {"message": {"text": f"{d.kind}: {d.message}"}, "level": "warning",
                  "descriptor": {"id": d.kind}}
    physical: dict = {"artifactLocation": _artifact(d.path, options)}
    if d.line:
        physical["region"] = {"startLine": max(1, d.line)}
    note["locations"] = [{"physicalLocation": physical}]
    return note
