"""Diff-aware scans: keep only findings on lines changed since a git revision.

PR bots and pre-commit hooks must not nag about code nobody touched. `changed_lines` asks git
for the lines the working tree changed relative to REV (committed, staged and unstaged edits,
plus untracked files, which are new in their entirety); `keep` filters findings to them.
Deleted lines leave nothing behind to annotate, so they mark no line.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

from auditor.model import Finding

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT = ("git", "-c", "core.quotePath=off", "-c", "diff.noprefix=false", "-c", "color.ui=never")


def changed_lines(root: Path, rev: str) -> dict[str, set[int]]:
    """path (relative to `root`, forward slashes) -> 1-based lines changed since `rev`.

    ValueError with a one-line reason when `root` is not in a git work tree or `rev` is unknown.
    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"--diff: {root} is not a directory")
    if not rev or rev.startswith("-"):
        raise ValueError(f"--diff: invalid revision {rev!r}")
    inside = _git(root, "rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise ValueError(f"--diff: {root} is not inside a git work tree")
    if _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).returncode != 0:
        raise ValueError(f"--diff: unknown revision {rev!r} (not a commit in this repository)")
    diff = _git(root, "diff", "-U0", "--no-ext-diff", "--no-textconv", "--relative",
                "--src-prefix=a/", "--dst-prefix=b/", rev, "--")
    changed = parse_diff(diff.stdout)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    for rel in filter(None, untracked.stdout.split("\0")):
        lines = _line_count(root / rel)
        if lines:
            changed.setdefault(rel, set()).update(range(1, lines + 1))
    return changed


def parse_diff(text: str) -> dict[str, set[int]]:
    """Changed new-side lines per file from `git diff -U0` output (b/ paths)."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            current = changed.setdefault(target[2:], set()) if target.startswith("b/") else None
        elif line.startswith("@@") and current is not None:
            hunk = _HUNK.match(line)
            if hunk:
                start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
                current.update(range(start, start + count))  # count 0: a pure deletion
    return {path: lines for path, lines in changed.items() if lines}


def keep(findings: Iterable[Finding], changed: Mapping[str, set[int]]) -> list[Finding]:
    """Findings on a changed line of their file: any line of their span, or their call line."""
    kept = []
    for finding in findings:
        lines = changed.get(finding.location.path)
        if not lines:
            continue
        loc = finding.location
        span = range(loc.line, max(loc.line, loc.end_line) + 1)
        if finding.anchor_line in lines or any(line in lines for line in span):
            kept.append(finding)
    return kept


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run([*_GIT, *args], cwd=root, capture_output=True, text=True,
                              encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        raise ValueError("--diff: git is not installed (or not on PATH)") from None
    if check and done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise ValueError(f"--diff: git {args[0]}: {message}")
    return done


def _line_count(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def _unquote(path: str) -> str:
    """git quotes paths holding `"`, `\\` or control characters C-style (octal for raw bytes)."""
    if not (len(path) >= 2 and path[0] == path[-1] == '"'):
        return path
    raw, out, i = path[1:-1].encode("utf-8", "surrogateescape"), bytearray(), 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 1 < len(raw):  # backslash
            nxt = chr(raw[i + 1])
            if nxt in "01234567" and all(chr(c) in "01234567" for c in raw[i + 1:i + 4]):
                out.append(int(raw[i + 1:i + 4], 8))
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode("utf-8", "surrogateescape"))
            i += 2
            continue
        out.append(raw[i])
        i += 1
    return bytes(out).decode("utf-8", "surrogateescape")


_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
