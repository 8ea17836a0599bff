r"""Read a fixture's EXPECTED.md: its site table and its transaction table.

Sites: `| \`path\` | N | 12d, 15w\\*, 20o, 31l, 175d–187d (13 sites, ...) |` — d=driver, w=wrapper,
o=orm-raw, l=literal, s=script (a .sql statement), `\\*` dynamic. Transactions: `| # | \`path:line\` ... | kind ... | ends | N (l1, l2) ... |`.
"""
from __future__ import annotations

import re
from pathlib import Path

_KINDS = {"d": "driver", "w": "wrapper", "o": "orm-raw", "l": "literal", "s": "script"}
_SITE_ROW = re.compile(r"\| `([^`]+)` \| (\d+) \| (.*) \|$")
_SITE_TOKEN = re.compile(r"(\d+)([dwols])(?:–(\d+)([dwols]))?(\\\*)?")
_TX_ROW = re.compile(r"\| \d+ \| `([^`:]+):(\d+)`[^|]*\| (\S+)[^|]*\|[^|]*\| (\d+)([^|]*)\|$")


def expected_sites(fixture: Path) -> set[tuple[str, int, str, bool]]:
    found = set()
    for line in (fixture / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        row = _SITE_ROW.match(line)
        if not row or not row.group(3)[:1].isdigit():
            continue
        rows = set()
        for token in _SITE_TOKEN.finditer(row.group(3)):
            first, last = int(token.group(1)), int(token.group(3) or token.group(1))
            rows.update((row.group(1), n, _KINDS[token.group(2)], bool(token.group(5))) for n in range(first, last + 1))
        assert len(rows) == int(row.group(2)), f"EXPECTED.md row disagrees with its own count: {line}"
        found |= rows
    return found


def expected_transactions(fixture: Path) -> dict[tuple[str, int, str], tuple[int, tuple[int, ...] | None]]:
    """(path, line, kind) -> (number of sites inside, their lines when the row lists them)."""
    found = {}
    for line in (fixture / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        row = _TX_ROW.match(line)
        if row:
            listed = re.match(r"\s*\(([\d, ]+)\)", row.group(5))
            lines = tuple(int(n) for n in listed.group(1).split(",")) if listed else None
            found[(row.group(1), int(row.group(2)), row.group(3))] = (int(row.group(4)), lines)
    return found


def expected_in_files_without_comments(fixture: Path):
    """Counter of (path, line, rule) from `## Expected findings in files without comments` rows
    `| path | line | rule |` (package.json and lockfiles cannot carry `expect:` comments)."""
    from collections import Counter

    text = (fixture / "EXPECTED.md").read_text(encoding="utf-8")
    found: Counter = Counter()
    if "## Expected findings in files without comments" not in text:
        return found
    section = text.split("## Expected findings in files without comments", 1)[1].split("\n## ", 1)[0]
    for path, line, rule in re.findall(r"^\|\s*`?([^|`]+?)`?\s*\|\s*(\d+)\s*\|\s*`?([A-Z]{3}\d{3})`?\s*\|", section, re.MULTILINE):
        found[(path.strip(), int(line), rule)] += 1
    return found
