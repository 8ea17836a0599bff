"""The HTML report's drill-down: one <details> per file, each finding with its code (the line
highlighted, the evidence marked), the message, the PostgreSQL way and the rewrite as a diff of the
original SQL against the rewrite, with its safety and reasons, and the verdict when verified.

Source context: the inventory keeps each finding's line (`Finding.code`), which is what is shown.
Only when options["root"] names the scanned directory are a few lines around it read from disk
(never outside that directory)."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from .html_base import (
    Context, badge, esc, file_anchor, finding_anchor, hours, plural, rule_anchor, section, val,
)

CONTEXT = 2  # lines shown before and after a finding when the source is at hand
MAX_SOURCE_BYTES = 2_000_000
MAX_DIFF_LINES = 80


def drilldown(ctx: Context) -> str:
    by_file: dict[str, list] = {}
    for f in ctx.findings:
        by_file.setdefault(f.location.path, []).append(f)
    if not by_file:
        return ""
    sources = _Sources(ctx.options.get("root"))
    parts = [_file(ctx, path, findings, sources) for path, findings in sorted(by_file.items())]
    return section("files", f"Files ({len(parts)})", "\n".join(parts),
                   note="Each file's findings in line order: the code, what breaks, the PostgreSQL way "
                        "and the suggested rewrite.")


def _file(ctx: Context, path: str, findings: list, sources: "_Sources") -> str:
    low = sum(f.effort_low for f in findings) / 60
    high = sum(f.effort_high for f in findings) / 60
    shown: dict[tuple[str | None, str], str] = {}  # (site, rewrite) -> the finding that shows it
    body = "\n".join(_finding(ctx, f, sources, shown) for f in findings)
    return (f'<details class="file" id="{file_anchor(path)}"><summary><span class="path">{esc(path)}</span> '
            f'<span class="muted">{plural(len(findings), "finding")} · {hours(round(low, 2), round(high, 2))}'
            f"</span></summary>\n{body}\n</details>")


def _finding(ctx: Context, f, sources: "_Sources", shown: dict) -> str:
    sev, fix = val(f.severity), val(f.fix_safety)
    title = ctx.rules.get(f.rule_id, {}).get("title", f.slug)
    where = f"line {f.location.line}:{f.location.col}" + (f" in {f.function}" if f.function else "")
    head = (f'<div class="fhead">{badge("sev", sev)} <a href="#{rule_anchor(f.rule_id)}">{esc(f.rule_id)}</a> '
            f'<b>{esc(title)}</b> <span class="muted">{esc(where)}</span> {badge("fix", fix)} '
            f'<span class="muted">{f.effort_low:g}\u2013{f.effort_high:g} min</span></div>')
    parts = [head, _code(f, sources), f'<p class="msg">{esc(f.message)}</p>']
    if f.suggestion:
        parts.append(f'<div class="pgway"><h5>The PostgreSQL way</h5><p>{esc(f.suggestion)}</p></div>')
    if f.rewrite:
        key = (f.site_id, f.rewrite)
        if key in shown:
            parts.append(f'<p class="muted">Suggested rewrite of this statement: '
                         f'<a href="#{finding_anchor(shown[key])}">shown above</a>.</p>')
        else:
            shown[key] = f.id
            parts.append(_rewrite(ctx, f, fix))
    verdict = ctx.verdicts.get(f.site_id or "")
    if verdict is not None:
        parts.append(f'<p class="verdict">Verified: {badge("verdict", verdict.verdict)} {esc(verdict.detail)}</p>')
    return f'<div class="finding sev-{esc(sev)}" id="{finding_anchor(f.id)}">{"".join(parts)}</div>'


def _mark(line: str, evidence: str) -> str:
    """The line escaped, with the first occurrence of the evidence marked."""
    at = line.find(evidence) if evidence and "\n" not in evidence else -1
    if at < 0:
        return esc(line)
    end = at + len(evidence)
    return f"{esc(line[:at])}<mark>{esc(line[at:end])}</mark>{esc(line[end:])}"


def _code(f, sources: "_Sources") -> str:
    first, last = f.location.line, max(f.location.line, min(f.location.end_line, f.location.line + 6))
    lines = sources.lines(f.location.path)
    rows = []
    if lines and 0 < first <= len(lines):
        for n in range(max(1, first - CONTEXT), min(len(lines), last + CONTEXT) + 1):
            text = lines[n - 1]
            hit = first <= n <= last
            body = _mark(text, f.evidence) if n == first else esc(text)
            rows.append(f'<span class="line{" hit" if hit else ""}"><span class="ln">{n}</span>{body}</span>')
    elif f.code:
        rows.append(f'<span class="line hit"><span class="ln">{f.location.line}</span>{_mark(f.code, f.evidence)}</span>')
    elif f.evidence:
        rows.append(f'<span class="line hit"><span class="ln">{f.location.line}</span>{esc(f.evidence)}</span>')
    return f'<pre class="code">{"".join(rows)}</pre>' if rows else ""


def _rewrite(ctx: Context, f, fix: str) -> str:
    site = ctx.sites.get(f.site_id or "")
    original = site.sql if site is not None else f.code
    reasons = "".join(f"<li>{esc(r)}</li>" for r in f.fix_reasons)
    return (f'<div class="rewrite"><h5>Suggested rewrite {badge("fix", fix)}</h5>{diff(original, f.rewrite)}'
            + (f'<ul class="reasons">{reasons}</ul>' if reasons else "") + "</div>")


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _inline(old: str, new: str) -> tuple[str, str]:
    """Two changed lines, escaped, with the changed tokens wrapped in <del>/<ins>."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        x, y = esc("".join(a[i1:i2])), esc("".join(b[j1:j2]))
        if op == "equal":
            left.append(x)
            right.append(y)
            continue
        if x:
            left.append(f"<del>{x}</del>")
        if y:
            right.append(f"<ins>{y}</ins>")
    return "".join(left), "".join(right)


def diff(original: str, rewrite: str) -> str:
    """Original SQL against the rewrite, line by line (`-` removed, `+` added), changes marked."""
    a = original.rstrip("\n").split("\n")
    b = rewrite.rstrip("\n").split("\n")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [f'<span class="ctx"> {esc(line)}</span>' for line in a[i1:i2]]
        elif op == "replace" and i2 - i1 == j2 - j1:
            pairs = [_inline(x, y) for x, y in zip(a[i1:i2], b[j1:j2])]
            out += [f'<span class="del">-{x}</span>' for x, _ in pairs]
            out += [f'<span class="add">+{y}</span>' for _, y in pairs]
        else:
            out += [f'<span class="del">-{esc(line)}</span>' for line in a[i1:i2]]
            out += [f'<span class="add">+{esc(line)}</span>' for line in b[j1:j2]]
    if len(out) > MAX_DIFF_LINES:
        out = out[:MAX_DIFF_LINES] + [f'<span class="ctx"> \u2026 {len(out) - MAX_DIFF_LINES} more lines</span>']
    return f'<pre class="diff">{"".join(out)}</pre>'


class _Sources:
    """Source lines read from the scanned root, once per file; nothing when there is no root."""

    def __init__(self, root):
        self.root = Path(root).resolve() if root else None
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if self.root is None:
            return None
        if rel not in self.cache:
            self.cache[rel] = self._read(rel)
        return self.cache[rel]

    def _read(self, rel: str) -> list[str] | None:
        try:
            path = (self.root / rel).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                return None
            if path.stat().st_size > MAX_SOURCE_BYTES:
                return None
            return path.read_text(encoding="utf-8", errors="replace").splitlines()
        except (OSError, ValueError):
            return None
