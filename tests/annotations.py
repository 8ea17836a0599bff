"""Read `expect:` / `todo-expect:` annotations from fixture sources (Semgrep-style, both ways strict).

A trailing comment targets its own line; a comment alone on its line targets the next line
that is neither blank nor only a comment. Ids are comma-separated and may repeat.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_COMMENT = {".py": "#", ".sql": "--", ".toml": "#", ".yml": "#", ".yaml": "#", ".txt": "#", ".in": "#"}


def _marker(path: Path) -> str:
    """The comment marker annotations use in this file (`//` for JS/TS and Prisma)."""
    if path.name.startswith(".env") or path.name.endswith(".env"):
        return "#"
    return _COMMENT.get(path.suffix, "//")
_ANNOTATION = re.compile(r"(?P<todo>todo-)?expect:\s*(?P<ids>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")


def _comment_start(line: str, marker: str) -> int:
    """Index of a comment marker that is not inside a quoted string, or -1."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif line.startswith(marker, i):
            return i
        i += 1
    return -1


def _annotations(root: Path, rel_paths, pattern):
    """(rel, target line, match) for every comment matching `pattern` (see the module doc)."""
    for rel in rel_paths:
        path = root / rel
        if path.suffix == ".json":
            continue  # no comments: expectations are listed in EXPECTED.md
        marker = _marker(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            start = _comment_start(line, marker)
            match = pattern.search(line[start:]) if start >= 0 else None
            if match:
                target = index + 1 if line[:start].strip() else _next_code_line(lines, index + 1, marker)
                yield rel, target, match


def read_annotations(root: Path, rel_paths) -> tuple[Counter, Counter]:
    """(expected, todo) multisets of (path, line, rule id)."""
    expected, todo = Counter(), Counter()
    for rel, target, match in _annotations(root, rel_paths, _ANNOTATION):
        bucket = todo if match.group("todo") else expected
        for rule_id in re.split(r"\s*,\s*", match.group("ids").strip()):
            bucket[(rel, target, rule_id)] += 1
    return expected, todo


def _next_code_line(lines: list[str], start: int, marker: str) -> int:
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith((marker, "/*", "*")):
            return j + 1
    return len(lines)


def actual(inventory) -> Counter:
    return Counter((f.location.path, f.anchor_line, f.rule_id) for f in inventory.findings)


def describe(entries: Counter) -> str:
    return "\n".join(f"  {path}:{line} {rule}" + (f" x{n}" if n > 1 else "")
                     for (path, line, rule), n in sorted(entries.items()))


_ROUTE = re.compile(r"route:\s*([A-Z]+)\s+(\S+)")


def read_route_annotations(root: Path, rel_paths) -> set[tuple[str, int, str]]:
    """(path, site line, "METHOD /path") for every `route:` annotation (same targeting as expect:)."""
    return {(rel, target, f"{m.group(1)} {m.group(2)}") for rel, target, m in _annotations(root, rel_paths, _ROUTE)}
