"""What `pgready fix` writes: per file, the edits of every fix at or above the chosen safety.

Edits come from the inventory's `SiteFix`es (SQL in code and .sql files) and from the Prisma
schema; they are re-checked against the file as it is now, so a file edited since the scan
is reported, not overwritten.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.model import FixSafety, Inventory


@dataclass
class FileChange:
    rel: str
    snapshot: object  # auditor.edit.files.Snapshot
    new_text: str
    fixed: list[str] = field(default_factory=list)  # site ids / Prisma rule ids whose fixes are in new_text
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def plan(inventory: Inventory, base: Path, level: FixSafety, rule_ids: Iterable[str] | None = None
         ) -> tuple[list[FileChange], list[tuple[str, str, str]]]:
    """Changes per file (only files that change) and what could not be applied: (path, what, why)."""
    from auditor.edit import apply
    from auditor.edit.files import read_snapshot
    from auditor.fixes import text_edits

    sites = {s.id: s for s in inventory.sites}
    wanted: dict[str, list] = {}
    for fix in inventory.fixes:
        chosen = [(s, e, t) for s, e, t, safety in fix.edits if FixSafety(safety).rank >= level.rank]
        if chosen:
            wanted.setdefault(fix.path, []).append((fix.site_id, chosen))
    prisma = [rel for rel in inventory.files if Path(rel).suffix == ".prisma"]
    changes, skipped = [], []
    for rel in sorted(set(wanted) | set(prisma)):
        try:
            snapshot = read_snapshot(base / rel)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            skipped.append((rel, "file", f"cannot be read: {exc}"))
            continue
        edits, fixed = [], []
        for site_id, chosen in wanted.get(rel, ()):
            result = text_edits(snapshot.text, sites[site_id], chosen)
            if isinstance(result, str):
                skipped.append((rel, site_id, result))
            elif _fits(edits, result):
                edits += [e for e in result if e not in edits]
                fixed.append(site_id)
            else:
                skipped.append((rel, site_id, "overlaps another fix in the same text; run fix again"))
        if rel in prisma:
            for e, rule_id in _prisma(snapshot.text, level, rule_ids):
                if _fits(edits, [e]):
                    edits.append(e)
                    fixed.append(rule_id)
        if edits:
            new_text = apply(snapshot.text, sorted(edits, key=lambda e: (e.start, e.end)))
            if new_text != snapshot.text:
                changes.append(FileChange(rel, snapshot, new_text, fixed))
    return changes, skipped


def _fits(edits: list, more: list) -> bool:
    """True when `more` overlaps nothing in `edits` (identical edits, from a shared literal, fit)."""
    for e in more:
        for o in edits:
            if e != o and e.start < o.end and o.start < e.end:
                return False
            if e != o and e.start == e.end == o.start == o.end:
                return False
    return True


def _prisma(text: str, level: FixSafety, rule_ids) -> list[tuple[object, str]]:
    """(TextEdit, rule id) for the Prisma schema's fixes at or above `level`."""
    from auditor.edit import TextEdit
    from auditor.edit.prisma import prisma_edits

    return [(TextEdit(e.start, e.end, e.text), e.rule_id) for e in prisma_edits(text)
            if FixSafety(e.safety).rank >= level.rank and (rule_ids is None or e.rule_id in rule_ids)]
