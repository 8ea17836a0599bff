r"""Read a fixture's EXPECTED.md: its site table and its transaction table.

Sites: `| \`path\` | N | 12d, 15w\\*, 20o, 31l, 175d–187d (13 sites, ...) |` — d=driver, w=wrapper,
o=orm-raw, l=literal, `\\*` dynamic. Transactions: `| # | \`path:line\` ... | kind ... | ends | N (l1, l2) ... |`.
"""
from __future__ import annotations

import re
from pathlib import Path

_KINDS = {"d": "driver", "w": "wrapper", "o": "orm-raw", "l": "literal"}
_SITE_ROW = re.compile(r"\| `([^`]+)` \| (\d+) \| (.*) \|$")
_SITE_TOKEN = re.compile(r"(\d+)([dwol])(?:–(\d+)([dwol]))?(\\\*)?")
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
