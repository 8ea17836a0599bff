"""Python import resolution inside the scanned project: `from .db import q`, `import app.db`.

Only project files are resolved (never site-packages, never executed): a dotted name maps to
`a/b.py` or `a/b/__init__.py`, tried relative to the importer's package for leading dots, and
from the scan root and each ancestor folder of the importer (source roots like `src/`) otherwise.
"""
from __future__ import annotations

import posixpath
from typing import Callable


def candidates(importer: str, spec: str) -> list[str]:
    """Project paths (posix, relative to the scan root) that `spec` may name, best first."""
    if spec.startswith("."):
        dots = len(spec) - len(spec.lstrip("."))
        package = posixpath.dirname(importer)
        for _ in range(dots - 1):
            package = posixpath.dirname(package)
        rest = spec[dots:].replace(".", "/")
        bases = [posixpath.join(package, rest) if rest else package]
    else:
        rest = spec.replace(".", "/")
        roots, folder = [""], posixpath.dirname(importer)
        while folder:
            roots.append(folder)
            folder = posixpath.dirname(folder)
        bases = [posixpath.join(r, rest) if r else rest for r in roots]
    found = []
    package_itself = spec.startswith(".") and not spec.lstrip(".")
    for base in bases:
        base = posixpath.normpath(base) if base else ""
        if base and base != "." and not package_itself:
            found.append(base + ".py")
        found.append(posixpath.join(base, "__init__.py") if base and base != "." else "__init__.py")
    return found


def resolve(importer: str, spec: str, exists: Callable[[str], bool]) -> str | None:
    """The project module `spec` names when imported from `importer`, or None (third-party, missing)."""
    return next((c for c in candidates(importer, spec) if exists(c)), None)
