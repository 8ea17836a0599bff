"""Baselines: record today's findings so that later scans report only new ones.

A finding is recorded by its fingerprint (`Finding.id`), which is computed from content, never
from line numbers, so a baselined finding stays baselined when code above it moves or unrelated
code changes. The file is small, sorted JSON meant to be committed: the same findings always
give the same bytes, so re-running `pgready baseline` on an unchanged repo leaves no diff.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from auditor.model import Finding

VERSION = 1
TOOL = "pgready"


def write(path: Path, findings: Iterable[Finding]) -> None:
    """Write the baseline of `findings` to `path` (parents created); deterministic bytes."""
    fingerprints = {f.id: {"path": f.location.path, "rule": f.rule_id} for f in findings}
    document = {"fingerprints": dict(sorted(fingerprints.items())), "tool": TOOL, "version": VERSION}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_bytes(text.encode("utf-8"))  # bytes: no platform newline translation


def load(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file records. ValueError with a one-line reason otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: baseline not found (create it with `pgready baseline`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise ValueError(f"{path}: cannot read baseline: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a baseline: invalid JSON at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict) or document.get("tool") != TOOL:
        raise ValueError(f"{path}: not a pgready baseline (expected an object with \"tool\": \"pgready\")")
    if document.get("version") != VERSION:
        raise ValueError(f"{path}: unsupported baseline version {document.get('version')!r} "
                         f"(this pgready reads version {VERSION})")
    fingerprints = document.get("fingerprints")
    if not isinstance(fingerprints, dict) or not all(
            isinstance(key, str) and key and isinstance(value, dict) for key, value in fingerprints.items()):
        raise ValueError(f"{path}: malformed baseline: \"fingerprints\" must map finding ids to objects")
    return frozenset(fingerprints)


def split(findings: Iterable[Finding], known: frozenset[str]) -> tuple[list[Finding], list[Finding]]:
    """(new, baselined), each in the order given."""
    new, baselined = [], []
    for finding in findings:
        (baselined if finding.id in known else new).append(finding)
    return new, baselined
