"""Reading files to edit and writing them back without losing a byte or a concurrent change.

A `Snapshot` is the text `fix` planned its edits against, with the hash of the bytes it came
from. Writing refuses when the file no longer has those bytes (someone saved it meanwhile), and
goes through a temporary file in the same directory that replaces the original in one step, so a
crash leaves either the old file or the new one, never half of each. The text is decoded without
newline translation (`\\r\\n` stays), a UTF-8 byte-order mark is kept, and a Python file's PEP 263
coding cookie is honoured; a file whose bytes would not come back identical is not edited at all.
"""
from __future__ import annotations

import codecs
import difflib
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

_BOM = b"\xef\xbb\xbf"
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class ChangedSinceRead(Exception):
    """The file's bytes changed after `fix` read it: writing would lose someone's edit."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    text: str  # without the byte-order mark; line endings as in the file
    sha256: str  # of the file's bytes when read
    encoding: str  # the codec that turns `text` back into the same bytes (`utf-8-sig` keeps the BOM)


def read_snapshot(path) -> Snapshot:
    """The file's text and identity. Raises OSError, UnicodeDecodeError, or ValueError for a file
    whose bytes cannot be reproduced from its text (such a file is never rewritten)."""
    path = Path(path)
    data = path.read_bytes()
    encoding = _encoding(path, data)
    text = data.decode(encoding)
    if text.encode(encoding) != data:
        raise ValueError(f"{path.name}: its bytes do not survive decoding as {encoding}")
    return Snapshot(path, text, hashlib.sha256(data).hexdigest(), encoding)


def _encoding(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(f"{path.name}: UTF-16 files are not edited")
    declared = _cookie(data) if path.suffix in (".py", ".pyi", ".pyw") else None
    bom = data.startswith(_BOM)
    if declared is not None:
        try:
            declared = codecs.lookup(declared.decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            raise ValueError(f"{path.name}: unknown coding cookie {declared!r}") from None
        if declared != "utf-8":
            if bom:
                raise ValueError(f"{path.name}: a UTF-8 byte-order mark and a {declared} coding cookie")
            return declared
    return "utf-8-sig" if bom else "utf-8"


def _cookie(data: bytes) -> bytes | None:
    """PEP 263: a `coding[:=]name` comment on the first or second line."""
    for line in data.removeprefix(_BOM).split(b"\n", 2)[:2]:
        match = _COOKIE.match(line)
        if match:
            return match.group(1)
        if line.strip() and not line.lstrip().startswith(b"#"):
            return None  # the cookie may only follow a comment line
    return None


def write_atomically(snapshot: Snapshot, new_text: str) -> None:
    """Replace the file with `new_text` in one step, keeping its mode; ChangedSinceRead when its
    bytes are no longer the ones the snapshot was read from. No temporary file is ever left behind."""
    target = Path(os.path.realpath(snapshot.path))  # edit through a symlink, do not replace it
    data = new_text.encode(snapshot.encoding)
    _check_unchanged(target, snapshot)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".pgready")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        _check_unchanged(target, snapshot)  # the window left is the os.replace itself
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _sync_directory(target.parent)


def _check_unchanged(target: Path, snapshot: Snapshot) -> None:
    try:
        current = hashlib.sha256(target.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ChangedSinceRead(f"{snapshot.path} was deleted after pgready read it; nothing written") from None
    if current != snapshot.sha256:
        raise ChangedSinceRead(f"{snapshot.path} changed after pgready read it; nothing written (run fix again)")


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def unified_diff(relpath: str, old: str, new: str) -> str:
    """A `git diff`-style unified diff (a/ and b/ prefixes, 3 lines of context); lines split at
    `\\n` only, so `\\r\\n` endings show as they are."""
    lines = difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{relpath}", tofile=f"b/{relpath}", n=3)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    return [line for line in re.split(r"(?<=\n)", text) if line]
