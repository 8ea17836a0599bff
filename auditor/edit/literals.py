"""String literals as decoded characters that each know their raw source range, and the way back.

`pgready fix` edits SQL, but the SQL lives in source literals with their own escapes, quotes and
interpolations. Decoding keeps, for every character the program sees, the file offsets of the raw
text that produced it, so an edit of the SQL becomes an edit of exactly those raw characters and
every escape it does not touch stays byte-identical. Encoding writes replacement text the way that
literal needs it. Both are checked afterwards by decoding the edited literal again (auditor.edit),
so a mistake here makes a fix refused, never wrong.

Carriage returns inside template literals and triple-quoted strings are kept as characters (the
frontends read them that way), so a CRLF file's multi-line SQL still lines up with `Site.sql`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# The markers auditor.resolve.text renders for holes (param holes are a bare `?`: not markers).
MARKER = re.compile(r"/\*pgready_hole_(\d+)\*/|\bpgready_hole_(\d+)\b")


@dataclass(frozen=True)
class Style:
    """How a literal is written: enough to encode text for it.

    lang `js` (quote `'`, `"` or a backtick for templates) or `py` (quote `'`, `"`, `'''`, `\"\"\"`)."""

    lang: str
    quote: str
    raw: bool = False
    fstring: bool = False
    binary: bool = False
    tagged: bool = False  # a JS tagged template: the tag may read the raw text, so no new escapes

    @property
    def template(self) -> bool:
        return self.lang == "js" and self.quote == "`"

    @property
    def triple(self) -> bool:
        return len(self.quote) == 3


@dataclass(frozen=True)
class Unit:
    """One decoded character (`text` is "" for a line continuation or a slot) and its raw range."""

    text: str
    start: int  # file offsets, end exclusive
    end: int
    slot: bool = False  # an interpolation of this literal: `${...}` or an f-string `{...}`


@dataclass(frozen=True)
class Literal:
    start: int  # the whole token, prefix and quotes included
    end: int
    units: tuple[Unit, ...]
    style: Style


@dataclass(frozen=True)
class Operand:
    """A concatenated operand that is not a literal (`"a" + x`): it can only be a hole."""

    start: int
    end: int
    source: str


# -- decoding ---------------------------------------------------------------------------------
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_PY_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
              "t": "\t", "v": "\v"}
_HEX = re.compile(r"[0-9A-Fa-f]+")


def decode(text: str, start: int, end: int, style: Style, slots: tuple[tuple[int, int], ...] = ()
           ) -> tuple[Unit, ...] | None:
    """Units of the literal content text[start:end]; slots are the raw ranges of interpolations.
    None when an escape cannot be read (the caller refuses the edit)."""
    units: list[Unit] = []
    pending = sorted(slots)
    i = start
    while i < end:
        if pending and pending[0][0] == i:
            s, e = pending.pop(0)
            units.append(Unit("", s, e, True))
            i = e
            continue
        c = text[i]
        if c == "\\" and not style.raw:
            escaped = (_js_escape if style.lang == "js" else _py_escape)(text, i, end, style)
            if escaped is None:
                return None
            value, j = escaped
            units.append(Unit(value, i, j))
            i = j
        elif style.fstring and c in "{}" and text[i + 1:i + 2] == c:
            units.append(Unit(c, i, i + 2))
            i += 2
        else:
            units.append(Unit(c, i, i + 1))
            i += 1
    return tuple(units)


def _js_escape(text: str, i: int, end: int, style: Style) -> tuple[str, int] | None:
    n = text[i + 1] if i + 1 < end else ""
    if n == "\r":
        return "", i + 3 if text[i + 2:i + 3] == "\n" else i + 2
    if n in ("\n", "\u2028", "\u2029"):
        return "", i + 2
    if n in _JS_SIMPLE:
        return _JS_SIMPLE[n], i + 2
    if n == "x":
        digits = text[i + 2:i + 4]
        return (chr(int(digits, 16)), i + 4) if len(digits) == 2 and _HEX.fullmatch(digits) else None
    if n == "u":
        if text[i + 2:i + 3] == "{":
            close = text.find("}", i + 3, end)
            digits = text[i + 3:close] if close > 0 else ""
            return (chr(int(digits, 16)), close + 1) if _HEX.fullmatch(digits) and int(digits, 16) < 0x110000 else None
        digits = text[i + 2:i + 6]
        return (chr(int(digits, 16)), i + 6) if len(digits) == 4 and _HEX.fullmatch(digits) else None
    if n in "01234567" and n:
        if n == "0" and not text[i + 2:i + 3].isdigit():
            return "\0", i + 2
        if style.template:
            return None  # octal escapes are syntax errors in templates
        return _octal(text, i, end, 3 if n <= "3" else 2)
    return (n, i + 2) if n else None


def _octal(text: str, i: int, end: int, most: int) -> tuple[str, int]:
    j = i + 1
    while j < end and j < i + 1 + most and text[j] in "01234567":
        j += 1
    return chr(int(text[i + 1:j], 8)), j


def _py_escape(text: str, i: int, end: int, style: Style) -> tuple[str, int] | None:
    n = text[i + 1] if i + 1 < end else ""
    if n == "\n":
        return "", i + 2
    if n == "\r":
        return "", i + 3 if text[i + 2:i + 3] == "\n" else i + 2
    if n in _PY_SIMPLE and n:
        return _PY_SIMPLE[n], i + 2
    if n and n in "01234567":
        return _octal(text, i, end, 3)
    sizes = {"x": 2} if style.binary else {"x": 2, "u": 4, "U": 8}
    if n in sizes:
        digits = text[i + 2:i + 2 + sizes[n]]
        ok = len(digits) == sizes[n] and _HEX.fullmatch(digits) and int(digits, 16) < 0x110000
        return (chr(int(digits, 16)), i + 2 + sizes[n]) if ok else None
    if n == "N" and not style.binary:
        import unicodedata

        close = text.find("}", i + 3, end)
        if text[i + 2:i + 3] != "{" or close < 0:
            return None
        try:
            return unicodedata.lookup(text[i + 3:close]), close + 1
        except KeyError:
            return None
    return ("\\", i + 1) if n else None  # an unknown escape keeps its backslash; the next character is itself


# -- encoding ---------------------------------------------------------------------------------
def encode(text: str, style: Style, slot_source: Callable[[int], str | None]) -> tuple[str, list[int]] | str:
    """Raw text for `text` inside a literal of `style`, and the hole indexes its markers stand for.
    A marker becomes its slot's original source (`${id}`, `{user_id!r}`) via `slot_source`; None
    there means the hole is not an interpolation of this literal. A str result is the reason."""
    out, used, cursor = [], [], 0
    for m in MARKER.finditer(text):
        out.append(text[cursor:m.start()])
        index = int(m.group(1) or m.group(2))
        source = slot_source(index)
        if source is None:
            return f"the rewrite moves hole {index} ({m.group(0)}) into a literal it is not interpolated in"
        out.append((source,))
        used.append(index)
        cursor = m.end()
    out.append(text[cursor:])
    raw = []
    for part in out:
        if isinstance(part, tuple):
            raw.append(part[0])
            continue
        encoded = _encode_text(part, style)
        if encoded is None or (style.tagged and encoded != part):
            return _cannot(part, style)
        raw.append(encoded)
    return "".join(raw), used


def _cannot(part: str, style: Style) -> str:
    if style.tagged:
        return "the replacement needs an escape inside a tagged template, whose tag may read the raw text"
    if style.binary and any(ord(c) > 127 for c in part):
        return "a bytes literal cannot hold the non-ASCII replacement text"
    return f"a raw string ({style.quote}...{style.quote}) cannot hold the replacement text {part!r} without a backslash"


def _encode_text(part: str, style: Style) -> str | None:
    if style.lang == "js":
        return _encode_template(part) if style.template else _encode_js_string(part, style.quote)
    if style.binary and any(ord(c) > 127 for c in part):
        return None
    if style.raw:
        bad = "\\" in part or style.quote[0] in part or "\0" in part or \
            (not style.triple and ("\n" in part or "\r" in part))
        return None if bad else _braces(part, style)
    out = []
    for k, c in enumerate(part):
        if c == "\\" or c == style.quote[0]:
            out.append("\\" + c)
        elif c == "\n":
            out.append("\n" if style.triple else "\\n")
        elif c == "\r":
            out.append("\r" if style.triple and part[k + 1:k + 2] == "\n" else "\\r")
        elif (ord(c) < 32 and c != "\t") or ord(c) == 127:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return _braces("".join(out), style)


def _braces(raw: str, style: Style) -> str:
    return raw.replace("{", "{{").replace("}", "}}") if style.fstring else raw


def _encode_js_string(part: str, quote: str) -> str:
    special = {"\\": "\\\\", quote: "\\" + quote, "\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"}
    return "".join(special.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 32 and c != "\t" else c) for c in part)


def _encode_template(part: str) -> str:
    out = []
    for k, c in enumerate(part):
        if c in "\\`" or (c == "$" and part[k + 1:k + 2] == "{"):
            out.append("\\" + c)
        elif c == "\r" and part[k + 1:k + 2] != "\n":
            out.append("\\r")
        else:
            out.append(c)
    return "".join(out)


# -- positions --------------------------------------------------------------------------------
def offset_at(text: str, line: int, col: int) -> int | None:
    """Character offset of a 1-based line and 1-based character column (lines end at `\\n`)."""
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    offset = pos + col - 1
    return offset if 0 <= offset <= len(text) else None
