from __future__ import annotations

import dataclasses
import io

from auditor.model import Diagnostic, Finding, FixSafety, Inventory, Location, Severity
from auditor.report import terminal


def finding(path: str, line: int, rule_id: str, severity: Severity, code: str, **kw) -> Finding:
    base = dict(
        id=f"{rule_id}:{path}:{line}", rule_id=rule_id, slug=rule_id.lower() + "-slug", severity=severity,
        fix_safety=FixSafety.SAFE, category="function", location=Location(path, line, 5, line, 20),
        message=f"{rule_id} message.", evidence="x", suggestion="", confidence="high", code=code,
    )
    return Finding(**(base | kw))


def make_inventory() -> Inventory:
    findings = (
        finding("src/users.js", 10, "FN014", Severity.ERROR, 'db.query("SELECT GROUP_CONCAT(a) FROM t")',
                suggestion="string_agg(a::text, ',')", fix_safety=FixSafety.REVIEW),
        finding("src/a.ts", 3, "DR001", Severity.WARNING, "const id = res.insertId; // [red]not markup[/red]",
                message="insertId is [bold]MySQL-only[/bold]."),
        finding("src/users.js", 2, "FN014", Severity.ERROR, "q('SELECT GROUP_CONCAT(b) FROM u')"),
    )
    return Inventory(
        schema_version="1.0", tool_version="0.1.0", root="app", files=("src/a.ts", "src/users.js", "x.js"),
        sites=(), transactions=(), driver_uses=(), findings=findings,
        diagnostics=(Diagnostic("x.js", "binary", "Looks like a binary file; skipped [x]."),),
    )


def render(inv: Inventory, **options) -> str:
    out = io.StringIO()
    terminal.render(inv, out, options)
    return out.getvalue()


def test_layout() -> None:
    text = render(make_inventory())
    assert "\x1b[" not in text  # not a terminal: no colour codes
    assert "3 files scanned, 0 SQL sites (0 dynamic), 0 transactions, 3 findings, 1 diagnostic" in text
    lines = text.splitlines()
    # files in sorted order, findings within a file by line
    a, users = lines.index("src/a.ts  (1 finding)"), lines.index("src/users.js  (2 findings)")
    assert a < users
    after = [line.rstrip() for line in lines[users + 1:]]
    assert after[0].split() == ["2:5", "ERROR", "FN014", "FN014", "message."]
    assert after[1].strip() == "│ q('SELECT GROUP_CONCAT(b) FROM u')"
    assert after[2].split()[:3] == ["10:5", "ERROR", "FN014"]
    assert after[4].strip() == "→ string_agg(a::text, ',')"
    # the table by rule: id, slug, severity, fix, count
    row = next(line for line in lines if line.strip().startswith("FN014 "))
    assert row.split() == ["FN014", "│", "fn014-slug", "│", "error", "│", "safe/review", "│", "2"]
    assert "Diagnostics (1)" in text and "x.js  binary  Looks like a binary file; skipped [x]." in text


def test_scanned_text_is_not_markup() -> None:
    text = render(make_inventory())
    assert "// [red]not markup[/red]" in text
    assert "insertId is [bold]MySQL-only[/bold]." in text


def test_deterministic_and_order_independent() -> None:
    inv = make_inventory()
    first = render(inv)
    assert render(inv) == first
    reordered = dataclasses.replace(inv, findings=inv.findings[::-1], diagnostics=inv.diagnostics[::-1])
    assert render(reordered) == first


def test_width_option_bounds_lines() -> None:
    inv = make_inventory()
    long = finding("src/z.js", 1, "FN001", Severity.INFO, "x" * 300, message="word " * 60)
    text = render(dataclasses.replace(inv, findings=inv.findings + (long,)), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" in text  # long code lines are cropped, not wrapped


def test_clean_inventory() -> None:
    inv = Inventory("1.0", "0.1.0", "app", ("a.js",), (), (), (), (), ())
    text = render(inv)
    assert "1 file scanned" in text
    assert "No findings" in text
    assert "Diagnostics" not in text


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(monkeypatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    out = FakeTTY()
    terminal.render(make_inventory(), out, {})
    assert "\x1b[" in out.getvalue()
    assert "\x1b[" not in render(make_inventory(), color=False)


def test_ascii_stream_gets_ascii_markers() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    terminal.render(make_inventory(), out, {})
    out.flush()
    text = raw.getvalue().decode("ascii")
    assert "| q('SELECT GROUP_CONCAT(b) FROM u')" in text
