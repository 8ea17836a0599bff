"""Compare what MySQL and PostgreSQL returned, after normalising what only the drivers differ in.

Normalised: numbers by value (MySQL's 2.5000 and PostgreSQL's 2.5 are equal; so are 1 and
true), timestamps as ISO text in UTC, a timestamp within minutes of the run as "<now>" (what NOW()
wrote on each engine, milliseconds apart), bytes as hex, JSON by content. Not normalised: anything the
application would see differently - text case, trailing spaces, NULL versus '', row order when the
statement asks for an order, integer versus fractional division results.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SHOWN = 5  # differing rows shown per side
NOW_WINDOW = 600  # seconds around the verification's start that count as "the current time"
_NOW = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Comparison:
    same: bool
    detail: str
    only_mysql: tuple[tuple[str, ...], ...] = ()
    only_pg: tuple[tuple[str, ...], ...] = ()


def value(v) -> str:
    """One cell as comparable text."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (int, float, Decimal)):
        return _number(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        if abs((v - _NOW).total_seconds()) < NOW_WINDOW:
            return "<now>"  # NOW() on each engine, a few milliseconds apart: the same instant to the app
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):  # MySQL TIME (PyMySQL) and PostgreSQL interval: as PostgreSQL prints a time
        return _clock(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(v).hex()
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if isinstance(v, str) and v[:1] in "{[" and v[-1:] in "}]":
        try:
            return json.dumps(json.loads(v), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except ValueError:
            return v
    return str(v)


def _clock(v: dt.timedelta) -> str:
    micro = abs(v.days * 86_400_000_000 + v.seconds * 1_000_000 + v.microseconds)
    seconds, micro = divmod(micro, 1_000_000)
    text = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" + (f".{micro:06d}".rstrip("0") if micro else "")
    return ("-" if v < dt.timedelta(0) else "") + text


def _number(v) -> str:
    try:
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    except InvalidOperation:
        return str(v)
    if d.is_nan() or d.is_infinite():
        return str(d)
    if isinstance(v, float):
        d = Decimal(format(v, ".12g"))
    d = d.normalize()
    return "0" if d.is_zero() else format(d, "f")


def rows(raw) -> list[tuple[str, ...]]:
    return [tuple(value(v) for v in row) for row in raw]


def compare(mysql_rows, pg_rows, ordered: bool) -> Comparison:
    """Equal as lists when the statement orders its result, else as multisets."""
    a, b = rows(mysql_rows), rows(pg_rows)
    if a and b and len(a[0]) != len(b[0]):
        return Comparison(False, f"MySQL returned {len(a[0])} columns, PostgreSQL {len(b[0])}")
    only_a = Counter(a) - Counter(b)
    only_b = Counter(b) - Counter(a)
    if only_a or only_b:
        shown_a = tuple(list(only_a.elements())[:SHOWN])
        shown_b = tuple(list(only_b.elements())[:SHOWN])
        return Comparison(False, f"{len(a)} rows on MySQL, {len(b)} on PostgreSQL; "
                                 f"{sum(only_a.values())} only on MySQL, {sum(only_b.values())} only on PostgreSQL",
                          shown_a, shown_b)
    if ordered and a != b:
        at = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
        return Comparison(False, f"same rows, different order from row {at + 1} (NULL ordering or ties)",
                          tuple(a[at:at + SHOWN]), tuple(b[at:at + SHOWN]))
    return Comparison(True, f"{len(a)} identical row(s)")
