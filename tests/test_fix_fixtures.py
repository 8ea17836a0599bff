"""`pgready fix --write` on copies of every fixture: what the issue's "done" means.

- afterwards only non-safe findings are left;
- every rewritten statement parses with PostgreSQL's own parser (pglast);
- a second `fix` finds nothing to do;
- nothing but SQL changed: code outside string literals is byte-identical.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript

from auditor.cli import main
from auditor.model import FixSafety
from auditor.pipeline import scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
_GRAMMARS = {
    ".js": tree_sitter_javascript.language, ".mjs": tree_sitter_javascript.language,
    ".cjs": tree_sitter_javascript.language, ".jsx": tree_sitter_javascript.language,
    ".ts": tree_sitter_typescript.language_typescript, ".tsx": tree_sitter_typescript.language_tsx,
    ".py": tree_sitter_python.language,
}
_STRINGS = {"string", "template_string", "string_content", "string_fragment"}


@pytest.fixture(scope="module", params=NAMES)
def fixed(request, tmp_path_factory):
    """(original dir, fixed copy, findings before, the fix's exit code) per fixture."""
    src = FIXTURES / request.param
    work = tmp_path_factory.mktemp(request.param) / request.param
    shutil.copytree(src, work)
    before = scan(work)
    code = main(["fix", str(work), "--write", "--no-progress"])
    return src, work, before, code


def test_fix_write_leaves_only_findings_that_are_not_safe(fixed):
    _, work, before, code = fixed
    assert code == 0
    after = scan(work)
    left = [f"{f.rule_id} {f.location.path}:{f.location.line} {f.evidence[:60]}"
            for f in after.findings if f.fix_safety is FixSafety.SAFE]
    assert left == []
    fixable = [f for f in before.findings if f.fix_safety is FixSafety.SAFE]
    assert len(after.findings) <= len(before.findings) - len(fixable)


def test_every_rewritten_statement_parses_on_postgresql(fixed):
    _, work, before, _ = fixed
    after = scan(work)
    from auditor.rewrite.proof import parse_error

    rewritten = [s for s in after.sites if s.id not in {b.id for b in before.sites}]
    problems = [f"{s.path}:{s.line}: {parse_error(s.sql, s.placeholders)}" for s in rewritten
                if parse_error(s.sql, s.placeholders)]
    assert problems == []
    safe_fixes = [f for f in before.fixes if f.safety is FixSafety.SAFE]
    assert len(rewritten) >= len({f.site_id for f in safe_fixes}) > 0 or not safe_fixes


def test_a_second_fix_is_a_no_op(fixed, capsys):
    _, work, _, _ = fixed
    capsys.readouterr()
    assert main(["fix", str(work), "--no-progress"]) == 0
    assert capsys.readouterr().out == ""


def test_nothing_but_sql_changed(fixed):
    src, work, _, _ = fixed
    for original in sorted(src.rglob("*")):
        if not original.is_file():
            continue
        rel = original.relative_to(src)
        old, new = original.read_bytes(), (work / rel).read_bytes()
        if old == new:
            continue
        if original.suffix in _GRAMMARS:
            assert _masked(old, original.suffix) == _masked(new, original.suffix), f"{rel}: code outside SQL changed"
        else:
            assert original.suffix in (".sql", ".prisma"), f"{rel} changed"


def _masked(source: bytes, suffix: str) -> bytes:
    """The source with every string literal's content blanked: equal masks = only literals differ."""
    parser = tree_sitter.Parser(tree_sitter.Language(_GRAMMARS[suffix]()))
    tree = parser.parse(source)
    spans, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("string", "template_string"):
            spans.append((node.start_byte, node.end_byte))
            continue
        stack.extend(node.children)
    out, pos = [], 0
    for start, end in sorted(spans):
        out += [source[pos:start], b"<str>"]
        pos = end
    return b"".join(out) + source[pos:]
