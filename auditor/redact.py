"""Credentials never leave pgready: URL passwords and password-like assignments are masked."""
from __future__ import annotations

import re

MASK = "***"
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^:/?#\s'\"`@]*:)([^@\s'\"`/]+)(@)", re.IGNORECASE)
_ASSIGNED = re.compile(
    r"""(\b(?:password|passwd|pwd|secret|api[_-]?key|token)\b["']?\s*[:=]\s*)(["'`])([^"'`\n]+)\2""", re.IGNORECASE)
_ENV_STYLE = re.compile(r"(\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN)[A-Z0-9_]*\s*=\s*)([^\s'\"`]+)")


def redact(text: str) -> str:
    """Mask `scheme://user:PASSWORD@host`, `password: 'x'` and `DB_PASSWORD=x` in any text we output."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _ASSIGNED.sub(lambda m: m.group(1) + m.group(2) + MASK + m.group(2), text)
    return _ENV_STYLE.sub(lambda m: m.group(1) + MASK, text)
