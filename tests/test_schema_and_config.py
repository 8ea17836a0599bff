"""Issue 7 end to end: drift item by item, and no password from a scanned file in any output."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from auditor import graph
from auditor.graphio import FORMATS as GRAPH_FORMATS, write
from auditor.pipeline import scan
from auditor.report import json as json_report
from auditor.report import terminal

SLIMY = Path(__file__).resolve().parent.parent / "fixtures" / "slimy-admin-api"


@pytest.fixture(scope="module")
def with_schema():
    return scan(SLIMY, schema=SLIMY / "db" / "schema.sql")


def test_drift_is_reported_item_by_item_exactly_as_expected_md_lists(with_schema):
    section = (SLIMY / "EXPECTED.md").read_text(encoding="utf-8").split("## Schema drift", 1)[1].split("\n## ", 1)[0]
    expected = {(path, int(line)) for path, line in
                re.findall(r"^\| \d+ \|.*\| `([^`:]+):(\d+)`[^|]*\|\s*$", section, re.MULTILINE)}
    found = {(f.location.path, f.location.line) for f in with_schema.findings if f.rule_id == "SCH001"}
    assert len(expected) == 7 and found == expected
    evidence = " | ".join(f.evidence for f in with_schema.findings if f.rule_id == "SCH001")
    for name in ("guild_settings", "archived_at", "chat_messages.content", "sessions.data", "users.locale"):
        assert name in evidence


def test_a_plain_scan_reports_no_drift():
    assert not [f for f in scan(SLIMY).findings if f.rule_id == "SCH001"]


def _secrets() -> set[str]:
    """Every credential the fixture's files carry: URL passwords and values of secret-named variables."""
    found = set()
    for path in SLIMY.rglob("*"):
        if not path.is_file() or path.suffix in (".md",):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found |= set(re.findall(r"[a-z][a-z0-9+.-]*://[^:/\s'\"@]+:([^@\s'\"/]+)@", text))
        found |= {v for v in re.findall(r"(?:PASSWORD|PASSWD|SECRET|TOKEN)[A-Z_]*\s*[=:]\s*[\"']?([^\s\"'#,}]+)", text)
                  if not v.startswith(("$", "{", "*"))}
    return {s for s in found if len(s) >= 4}


def test_no_output_format_contains_a_password_from_a_scanned_file(with_schema):
    secrets = _secrets()
    assert len(secrets) >= 3, secrets  # the fixture does carry credentials (compose, CI, env examples)
    outputs = {}
    for name, reporter in (("json", json_report), ("terminal", terminal)):
        out = io.StringIO()
        reporter.render(with_schema, out, {"width": 200})
        outputs[name] = out.getvalue()
    g = graph.build(with_schema)
    for fmt in GRAPH_FORMATS:
        out = io.StringIO()
        write(g, fmt, out)
        outputs[f"graph-{fmt}"] = out.getvalue()
    for name, text in outputs.items():
        leaked = sorted(s for s in secrets if s in text and not _only_as_word(s, text))
        assert not leaked, f"{name} output contains {leaked}"


def _only_as_word(secret: str, text: str) -> bool:
    """'password' the word (a column name) is not the credential `user:password@`."""
    return secret.isalpha() and secret.lower() in ("password", "secret", "changeme", "example") and \
        f":{secret}@" not in text and f"={secret}" not in text
