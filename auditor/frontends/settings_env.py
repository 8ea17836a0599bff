"""Env files (`.env`, `.env.example`, `*.env`): dotenv `KEY=value` lines with `export`, quotes
(double quotes may span lines), comments and blank lines. CFG001 per MySQL URL (on the URL), CFG002
per MYSQL_* / MARIADB_* variable (on its name), `env-variable` items for database settings."""
from __future__ import annotations

import re

from auditor.frontends.settings import (
    _BREAK, MASK, Source, env_assignment, is_db_variable, is_reference, is_secret_name, value_kind,
)

_ENV_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*")


def env_value(text: str, start: int) -> tuple[int, int, int]:
    """(value start, value end, end of the assignment) of a dotenv value starting at `start`:
    quoted ('', "", ``; double quotes may span lines) or bare up to a ` #` comment."""
    quote = text[start:start + 1]
    if quote in ("'", '"', "`"):
        i = start + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                return start + 1, i, i + 1
            if ch in "\r\n" and quote != '"':
                break
            i += 1
        end = _line_end(text, start)  # unterminated: the rest of the line
        return start + 1, end, end
    end = _line_end(text, start)
    comment = re.search(r"(^|[ \t])#", text[start:end])
    value_end = start + comment.start() if comment else end
    while value_end > start and text[value_end - 1] in " \t":
        value_end -= 1
    return start, value_end, end


def _line_end(text: str, start: int) -> int:
    m = _BREAK.search(text, start)
    return m.start() if m else len(text)


def parse_env(src: Source) -> None:
    text, i = src.text, 0
    while i < len(text):
        end = _line_end(text, i)
        m = _ENV_KEY.match(text, i, end)
        if m is None or text[i:end].lstrip().startswith("#"):
            i = _next_line(text, end)
            continue
        name = m.group(1)
        v_start, v_end, stop = env_value(text, m.end())
        value = text[v_start:v_end]
        env_assignment(src, name, m.start(1), m.end(1), v_start, v_end, value, "=")
        upper = name.upper()
        if upper.startswith(("MYSQL_", "MARIADB_")):
            shown = MASK if is_secret_name(name) and value and not is_reference(value) else value
            src.use("mysql-env-variable", m.start(1), m.end(1), f"{name}={shown}")
        if is_db_variable(name, value):
            src.item("env-variable", name, "config", m.start(1), m.end(1), value_kind(name, value))
        i = _next_line(text, _line_end(text, stop) if stop > end else end)


def _next_line(text: str, end: int) -> int:
    if end >= len(text):
        return len(text) + 1
    return end + (2 if text.startswith("\r\n", end) else 1)
