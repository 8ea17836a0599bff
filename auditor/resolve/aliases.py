"""Import path aliases from tsconfig.json / jsconfig.json (`compilerOptions.baseUrl` + `paths`).

`import { sql } from '@/lib/db'` is how most Next.js and TypeScript projects reach their
database module; without the aliases, their wrappers would look like unknown packages.
"""
from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

CONFIGS = ("tsconfig.json", "jsconfig.json")
_JSONC_NOISE = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def load_aliases(base: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(pattern, targets) with targets as posix paths relative to the scan base; () when none."""
    for name in CONFIGS:
        path = base / name
        try:
            options = _jsonc(path.read_text(encoding="utf-8")).get("compilerOptions") or {}
        except (OSError, ValueError, AttributeError):
            continue
        base_url = str(options.get("baseUrl") or ".")
        paths = options.get("paths") or {}
        if not isinstance(paths, dict):
            continue
        return tuple(sorted(
            (pattern, tuple(posixpath.normpath(posixpath.join(base_url, t)) for t in targets if isinstance(t, str)))
            for pattern, targets in paths.items() if isinstance(targets, list)))
    return ()


def _jsonc(text: str) -> dict:
    without_comments = _JSONC_NOISE.sub(lambda m: m.group(1) or "", text)
    return json.loads(_TRAILING_COMMA.sub(r"\1", without_comments))


def expand(spec: str, aliases) -> list[str]:
    """Candidate paths (relative to the scan base) an aliased import may name, best first."""
    found = []
    for pattern, targets in aliases:
        if pattern.endswith("*") and spec.startswith(pattern[:-1]):
            rest = spec[len(pattern) - 1:]
            found.extend(t.replace("*", rest, 1) for t in targets)
        elif spec == pattern:
            found.extend(targets)
    return found
