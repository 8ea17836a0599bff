"""JSON that keeps where every key and value is (package.json, package-lock.json)."""
from __future__ import annotations

import re
from json.decoder import JSONDecodeError, scanstring

from auditor.frontends.settings import Source

class JsonError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


class J:
    """A JSON value and where it is: `pairs` (key, key start, key end, value) for objects,
    `value` a list of J for arrays, else the Python value."""

    __slots__ = ("value", "start", "end", "pairs")

    def __init__(self, value, start: int, end: int = 0, pairs=None):
        self.value, self.start, self.end, self.pairs = value, start, end, pairs

    def get(self, key: str):
        """The last (key, start, end, value) entry named `key` of an object, else None."""
        found = [p for p in self.pairs or () if p[0] == key]
        return found[-1] if found else None

    def entries(self, key: str) -> list:
        entry = self.get(key)
        return list(entry[3].pairs or ()) if entry is not None else []


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


def parse_json(text: str) -> J:
    """Parse JSON keeping offsets; JsonError (with its offset) when the text is not JSON."""
    def ws(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, depth: int):
        if depth > 400:
            raise JsonError("nested too deeply", i)
        ch = text[i:i + 1]
        if ch == "{":
            node, i = J(None, i, pairs=[]), ws(i + 1)
            if text[i:i + 1] == "}":
                node.end = i + 1
                return node, i + 1
            while True:
                if text[i:i + 1] != '"':
                    raise JsonError("expected a string key", i)
                key, key_end = string(i)
                colon = ws(key_end)
                if text[colon:colon + 1] != ":":
                    raise JsonError("expected ':'", colon)
                child, after = value(ws(colon + 1), depth + 1)
                node.pairs.append((key, i, key_end, child))
                i = ws(after)
                if text[i:i + 1] == ",":
                    i = ws(i + 1)
                elif text[i:i + 1] == "}":
                    node.end = i + 1
                    return node, i + 1
                else:
                    raise JsonError("expected ',' or '}'", i)
        if ch == "[":
            node, i = J([], i), ws(i + 1)
            if text[i:i + 1] == "]":
                node.end = i + 1
                return node, i + 1
            while True:
                child, after = value(i, depth + 1)
                node.value.append(child)
                i = ws(after)
                if text[i:i + 1] == ",":
                    i = ws(i + 1)
                elif text[i:i + 1] == "]":
                    node.end = i + 1
                    return node, i + 1
                else:
                    raise JsonError("expected ',' or ']'", i)
        if ch == '"':
            s, end = string(i)
            return J(s, i, end), end
        if m := _NUMBER.match(text, i):
            return J(float(m.group(0)) if any(c in m.group(0) for c in ".eE") else int(m.group(0)), i, m.end()), m.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return J(literal, i, i + len(word)), i + len(word)
        raise JsonError("expected a value", i)

    def string(i: int) -> tuple[str, int]:
        try:
            return scanstring(text, i + 1, True)
        except JSONDecodeError as error:
            raise JsonError(error.msg, error.pos) from None

    start = ws(1 if text.startswith("\ufeff") else 0)
    root, end = value(start, 0)
    if ws(end) != len(text):
        raise JsonError("extra data after the JSON value", ws(end))
    return root


def read_json(src: Source, text: str | None = None) -> J | None:
    try:
        return parse_json(src.text if text is None else text)
    except JsonError as error:
        src.syntax_error(f"JSON: {error}", src.pos(min(error.offset, len(src.text)))[0])
        return None


def json_text(node: J) -> str:
    if isinstance(node.value, str):
        return node.value
    return "" if node.pairs is not None or isinstance(node.value, list) else str(node.value)
