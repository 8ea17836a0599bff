"""Reusing a whole scan: the inventory of an earlier run, while nothing it was made from changed.

A stored result says which files discovery listed and which files the scan read, each with the
digest of its content (`absent` for a file it looked for and did not find, such as a missing
tsconfig.json). It is reused only when discovery lists the same files and every one of those
files still has the same digest; the digests are of contents, not of modification times, so a
checkout, a rebase or a clock change cannot make a stale result look fresh.
"""
from __future__ import annotations

from pathlib import Path


class Reads:
    """Every file a scan reads, with its digest."""

    def __init__(self) -> None:
        self.deps: dict[str, str] = {}

    def file(self, path: Path | str) -> str:
        """Digest `path` (read from disk) and remember it."""
        from auditor.cache import digest_file

        digest = digest_file(path)
        self.deps[str(path)] = digest
        return digest

    def add(self, deps) -> None:
        self.deps.update(deps)


def result_key(root: Path, files, rules, target: str | None, schema: Path | None) -> str:
    from auditor.cache import code_fingerprint, key

    # the root as given too: the inventory records it (`scan .` and `scan /abs/app` differ in `root`)
    return key("result", code_fingerprint(), str(root), str(Path(root).resolve()),
               tuple(str(Path(f).resolve()) for f in files) if files is not None else None,
               tuple(r.id for r in rules), target, str(Path(schema).resolve()) if schema is not None else None)


def listing(sources, diagnostics) -> tuple:
    """What discovery found, as compared between runs."""
    return tuple((s.rel, s.language) for s in sources), tuple(diagnostics)


def load(cache, k: str, found: tuple, digests: dict[str, str]):
    """The stored inventory when still valid, else None. `digests`: path -> digest already computed."""
    from auditor.cache import digest_file

    entry = cache.get("result", k)
    if not isinstance(entry, tuple) or len(entry) != 3:
        return None
    stored_listing, deps, inventory = entry
    if stored_listing != found:
        return None
    for path, digest in deps.items():
        now = digests[path] if path in digests else digest_file(path)
        if now != digest:
            return None
    return inventory


def store(cache, k: str, found: tuple, reads: Reads, inventory) -> None:
    cache.put("result", k, (found, dict(sorted(reads.deps.items())), inventory))
