"""Which files to scan, and in which language.

Listing: inside a git work tree, `git ls-files --cached --others --exclude-standard`
(tracked plus untracked-not-ignored files, so .gitignore is honoured by git itself);
elsewhere, or when git fails, a walk that honours the root's `.gitignore` only.
Vendored, built and minified paths (`SKIP_DIRS`, `SKIP_SUFFIXES`) are skipped in both,
and also when named explicitly; explicit files ignore .gitignore.

Symbolic links are judged by where they lead, and never descended into:
- a link to a file inside the root is scanned once (files are deduplicated by resolved
  path; the real path wins over a link, otherwise the smallest rel);
- a link to a directory is not followed: its contents inside the root are reached by
  their real path; a link to its own ancestor, or a cycle of links, gives `symlink-loop`;
- a link leading outside the root gives `outside-root` and is skipped (the audit is of
  this project only; for a file link only when its name has a supported extension);
- a dangling link with a supported extension gives `unreadable`.

`read_source` never raises: binary, minified, oversized and unreadable files give a
diagnostic and no text; a file that is not UTF-8 is read as cp1252 (latin-1 when cp1252
cannot map a byte) and analysed, with an `encoding` diagnostic.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .model import Diagnostic

LANGUAGES: dict[str, str] = {
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".py": "python",
}
# PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2 of a Python file
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
SKIP_DIRS = frozenset({
    "node_modules", "bower_components", "jspm_packages", "vendor", "third_party",
    "dist", "build", "out", ".next", ".nuxt", ".output", "coverage",
    ".git", ".venv", "venv", "__pycache__",
})
SKIP_SUFFIXES = (
    ".min.js", ".min.mjs", "-min.js", ".bundle.js", ".chunk.js", ".map",
    ".d.ts", ".d.mts", ".d.cts",
)
MAX_BYTES = 2 * 1024 * 1024
GIT_TIMEOUT = 10.0
_SNIFF_BYTES = 64 * 1024
_BINARY_BYTES = 8 * 1024


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # posix, relative to the scan base
    language: str


# Files that are not code but carry MySQL: SQL scripts, ORM schemas, configuration, manifests.
# (kind, pattern on the posix path relative to the root), first match wins.
NON_CODE = (
    ("sql", re.compile(r"(^|/)[^/]+\.sql$", re.IGNORECASE)),
    ("prisma", re.compile(r"(^|/)[^/]+\.prisma$")),
    ("prisma-lock", re.compile(r"(^|/)migration_lock\.toml$")),
    ("env", re.compile(r"(^|/)\.env(\.[\w.-]+)?$|(^|/)[\w.-]+\.env$")),
    ("compose", re.compile(r"(^|/)(docker-)?compose([.-][\w.-]+)?\.ya?ml$")),
    ("workflow", re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)\.gitlab-ci\.ya?ml$")),
    ("package", re.compile(r"(^|/)package\.json$")),
    ("lockfile", re.compile(r"(^|/)(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock)$")),
    ("requirements", re.compile(r"(^|/)requirements[\w.-]*\.(txt|in)$")),
    ("pyproject", re.compile(r"(^|/)pyproject\.toml$")),
)


def language_of(name: str) -> str | None:
    """The language (or non-code kind, see NON_CODE) of a file name, or None when pgready does not read it."""
    found = LANGUAGES.get(os.path.splitext(name)[1].lower())
    if found is not None:
        return found
    rel = name.replace("\\", "/")
    return next((kind for kind, pattern in NON_CODE if pattern.search(rel)), None)


def is_skipped(rel: str) -> bool:
    """True for vendored, built, minified and declaration files (by name alone)."""
    parts = rel.split("/")
    if any(p in SKIP_DIRS for p in parts[:-1]):
        return True
    return parts[-1].lower().endswith(SKIP_SUFFIXES)


def scan_base(root: Path) -> Path:
    """The directory rel paths are relative to: root itself, or for a single file the
    current directory when it contains the file, else the file's own directory."""
    real = Path(os.path.realpath(root))
    if real.is_dir():
        return real
    cwd = Path(os.path.realpath(Path.cwd()))
    return cwd if real.is_relative_to(cwd) else real.parent


def discover(root: Path, files: Sequence[Path] | None = None) -> tuple[list[SourceFile], list[Diagnostic]]:
    """List the files to scan under `root` (a directory or one file), sorted by rel.

    `files` (e.g. from pre-commit) restricts the scan to those paths; relative ones are
    taken from the current directory, and a named directory stands for its listed files.
    """
    root = Path(root)
    if not os.path.lexists(root):
        return [], [Diagnostic(root.as_posix(), "unreadable", "The scan root does not exist.")]
    base = scan_base(root)
    c = _Collector(base)
    if not os.path.isdir(root):
        c.explicit(root)
    if files is not None:
        for f in files:
            c.explicit(Path(f))
    elif os.path.isdir(root):
        for rel in c.tree():
            c.add(rel, explicit=False)
    return c.result()


class _Collector:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.diags: set[Diagnostic] = set()
        self.found: dict[Path, tuple[bool, str, Path, str]] = {}  # real -> (is_link, rel, path, lang)
        self._tree: list[str] | None = None

    def diag(self, rel: str, kind: str, message: str) -> None:
        self.diags.add(Diagnostic(rel, kind, message))

    def result(self) -> tuple[list[SourceFile], list[Diagnostic]]:
        out = [SourceFile(p, rel, lang) for _, rel, p, lang in self.found.values()]
        out.sort(key=lambda f: f.rel)
        return out, sorted(self.diags, key=lambda d: (d.path, d.kind, d.message))

    def tree(self) -> list[str]:
        if self._tree is None:
            listed = _git_list(self.base)
            self._tree = listed if listed is not None else _walk(self.base, self.diag)
        return self._tree

    def explicit(self, f: Path) -> None:
        absolute = Path(os.path.abspath(f))
        path = Path(os.path.realpath(absolute.parent)) / absolute.name
        shown = f.as_posix()
        if not path.is_relative_to(self.base):
            if os.path.lexists(path):
                self.diag(shown, "outside-root", f"{shown} is outside the scan root; skipped.")
            else:
                self.diag(shown, "unreadable", f"{shown} does not exist.")
            return
        rel = path.relative_to(self.base).as_posix()
        if rel == ".":
            rel = ""
        if os.path.isdir(path) and not os.path.islink(path):
            prefix = f"{rel}/" if rel else ""
            for r in self.tree():
                if r.startswith(prefix):
                    self.add(r, explicit=False)
            return
        self.add(rel, explicit=True)

    def add(self, rel: str, explicit: bool) -> None:
        if is_skipped(rel):
            return
        path = self.base / rel
        if path.is_symlink():
            self._link(rel, path)
            return
        if not path.exists():
            if explicit:
                self.diag(rel, "unreadable", f"{rel} does not exist.")
            return  # listed by git but deleted in the work tree
        lang = language_of(rel)
        if lang is None or path.is_dir():
            return
        if not path.is_file():
            if explicit:
                self.diag(rel, "unreadable", f"{rel} is not a regular file.")
            return
        self._keep(Path(os.path.realpath(path)), False, rel, path, lang)

    def _link(self, rel: str, path: Path) -> None:
        lang = language_of(rel)
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            self.diag(rel, "symlink-loop", f"Symbolic link {rel} leads into a cycle of links; not followed.")
            return
        except OSError as e:
            if e.errno == errno.ELOOP:
                self.diag(rel, "symlink-loop", f"Symbolic link {rel} leads into a cycle of links; not followed.")
            elif lang:
                self.diag(rel, "unreadable", f"Symbolic link {rel} points to a missing file.")
            return
        if target.is_dir():
            if Path(os.path.realpath(path.parent)).is_relative_to(target):
                self.diag(rel, "symlink-loop",
                          f"Symbolic link {rel} points to its own ancestor directory; not followed.")
            elif not target.is_relative_to(self.base):
                self.diag(rel, "outside-root",
                          f"Symbolic link {rel} points to a directory outside the scan root; skipped.")
            return  # a directory inside the root is reached by its real path
        if lang is None:
            return
        if not target.is_relative_to(self.base):
            self.diag(rel, "outside-root", f"Symbolic link {rel} points outside the scan root; skipped.")
            return
        if is_skipped(target.relative_to(self.base).as_posix()) or not target.is_file():
            return
        self._keep(target, True, rel, path, lang)

    def _keep(self, real: Path, is_link: bool, rel: str, path: Path, lang: str) -> None:
        new = (is_link, rel, path, lang)
        old = self.found.get(real)
        if old is None or new[:2] < old[:2]:
            self.found[real] = new


def _git_list(base: Path) -> list[str] | None:
    """Paths git would show under base (relative to it), or None outside a work tree."""
    git = shutil.which("git")
    if git is None:
        return None
    cmd = [git, "-C", str(base), "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = {os.fsdecode(n) for n in proc.stdout.split(b"\0") if n}
    return sorted(names)


def _walk(base: Path, diag) -> list[str]:
    """All files under base, pruning skipped and .gitignore'd directories; directory
    symlinks are listed (for `_link` to judge), never descended into."""
    spec = _root_gitignore(base)

    def ignored(rel: str) -> bool:
        return spec is not None and spec.match_file(rel)

    def onerror(e: OSError) -> None:
        where = Path(e.filename or base)
        rel = where.relative_to(base).as_posix() if where.is_relative_to(base) else where.as_posix()
        diag(rel, "unreadable", f"Cannot list directory {rel}: {e.strerror or e}.")

    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base, onerror=onerror, followlinks=False):
        here = Path(dirpath).relative_to(base).as_posix()
        prefix = "" if here == "." else here + "/"
        keep = []
        for d in sorted(dirnames):
            rel = prefix + d
            if d in SKIP_DIRS or ignored(rel + "/"):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                out.append(rel)
            else:
                keep.append(d)
        dirnames[:] = keep
        out.extend(prefix + f for f in sorted(filenames) if not ignored(prefix + f))
    return sorted(out)


def _root_gitignore(base: Path):
    path = base / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec  # only walks outside git need it

    return pathspec.GitIgnoreSpec.from_lines(lines)


def read_source(f: SourceFile) -> tuple[str | None, Diagnostic | None]:
    """The text of a file, or None with the reason; text with a diagnostic when the
    encoding had to be guessed. Never raises."""
    try:
        with open(f.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(_SNIFF_BYTES)
            if size > MAX_BYTES:
                skip = _sniff(f.rel, head)
                if skip is None:
                    mb = size / (1024 * 1024)
                    skip = Diagnostic(f.rel, "too-large", f"File is {mb:.1f} MB, over the 2 MB limit; skipped.")
                return None, skip
            data = head + fh.read()
    except PermissionError:
        return None, Diagnostic(f.rel, "unreadable", "Cannot read file: permission denied.")
    except OSError as e:
        return None, Diagnostic(f.rel, "unreadable", f"Cannot read file: {e.strerror or e}.")
    try:
        return _decode(f.rel, data)
    except Exception as e:  # noqa: BLE001 - read_source promises never to raise
        return None, Diagnostic(f.rel, "internal", f"Reading the file failed unexpectedly: {e!r}.")


def _sniff(rel: str, head: bytes) -> Diagnostic | None:
    """binary or minified, judged from the first bytes; None when it looks like source."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _minified(rel, head.decode("utf-16", errors="replace"))
    if b"\0" in head[:_BINARY_BYTES]:
        return Diagnostic(rel, "binary", "Looks like a binary file (NUL byte in the first 8 KiB); skipped.")
    return _minified(rel, head[:_SNIFF_BYTES].decode("latin-1"))


def _minified(rel: str, head: str) -> Diagnostic | None:
    lines = head.split("\n")
    longest = max(len(line) for line in lines)
    mean = len(head) / len(lines)
    if longest > 2000 and (mean > 300 or "//# sourceMappingURL=" in head):
        return Diagnostic(rel, "minified",
                          f"Looks minified or generated (longest line in the first 64 KiB: {longest:,} "
                          f"characters, mean {mean:,.0f}); skipped.")
    return None


def _declared_encoding(rel: str, data: bytes) -> str | None:
    """The encoding a Python file declares for itself (PEP 263), if any."""
    if not rel.endswith(".py"):
        return None
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
    return None


def _decode(rel: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    skip = _sniff(rel, data[:_SNIFF_BYTES])
    if skip is not None:
        return None, skip
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return data.decode("utf-16", errors="replace"), Diagnostic(
                rel, "encoding", "Not valid UTF-16 despite its byte-order mark; bad bytes replaced.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    declared = _declared_encoding(rel, data)
    if declared is not None:
        try:
            return data.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
    try:
        text, used = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, used = data.decode("latin-1"), "latin-1"
    return text, Diagnostic(rel, "encoding",
                            f"Not valid UTF-8 (first bad byte at line {line}); read as {used}.", line)
