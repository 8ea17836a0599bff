"""SQL scripts (.sql): statements to classify, stored routines and tables to list, dump data to count.

`parse_sql_file(path, rel)` streams the file (see `sqlsplit`): memory stays bounded by the largest
statement however big the file. It returns `NonCodeFacts(kind="sql")`:
- `statements`: every statement as `SqlStatement(sql, line, col, end_line)` (the pipeline makes each
  one a site of kind `script`), except the data statements of a dump;
- a dump (a `-- MySQL dump` / `-- MariaDB dump` header in its first lines) has its `INSERT` /
  `REPLACE` statements counted, not kept: one `DriverUse("mysqldump-data")` at the first of them and
  one `Item(kind="data", size=<bytes>)`;
- `items`: CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT / VIEW / TABLE with their size in lines (a
  name defined twice in a file is listed once, at its last definition);
- `lines`: the file's lines, redacted, or `()` for a file over 2 MB.
Diagnostics: `encoding` once if some bytes are not UTF-8 (read as latin-1), `syntax-error` for an
unclosed quote or comment, `too-large` for a statement over 64 MB, `unreadable` if it cannot be read.
"""
from __future__ import annotations

import re
from pathlib import Path

from auditor.facts import NonCodeFacts, SqlStatement
from auditor.frontends.sqlsplit import QNAME, ROUTINE_HEAD, Raw, Splitter, decode_chunks, uncomment_head
from auditor.model import Diagnostic, DriverUse, Item, Location
from auditor.redact import redact

MAX_LINES_FILE = 2 << 20  # bytes: bigger files keep no lines
_DUMP_HEADER = re.compile(r"^-- (?:MySQL|MariaDB) dump\b", re.MULTILINE)
_HEADER_LINES = 8
_TABLE = re.compile(rf"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                    rf"(?P<name>{QNAME})\s*", re.IGNORECASE)
_NAME_PART = re.compile(r"`((?:[^`]|``)+)`|\"([^\"]+)\"|([\w$]+)")
_TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|--[^\n]*|#[^\n]*|/\*.*?\*/|[(),]", re.DOTALL)
_NOT_COLUMN = frozenset({"PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL",
                         "CHECK", "PERIOD"})
_TRIGGER = re.compile(rf"\s*(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\s+ON\s+({QNAME})", re.IGNORECASE)
_RETURNS = re.compile(r"\bRETURNS\s+(\w+(?:\s*\([^)]*\))?(?:\s+UNSIGNED)?)", re.IGNORECASE)
_SCHEDULE = re.compile(r"\bON\s+SCHEDULE\s+(.*?)\s+(?:ON\s+COMPLETION|ENABLE|DISABLE|COMMENT|DO)\b",
                       re.IGNORECASE | re.DOTALL)


def parse_sql_file(path: Path, rel: str) -> tuple[NonCodeFacts, list[Diagnostic]]:
    """Read and split `path` (shown as `rel`); never raises for a bad file, returns a Diagnostic."""
    diagnostics: list[Diagnostic] = []
    reader = _Reader(rel)
    try:
        keep = path.stat().st_size <= MAX_LINES_FILE
        with path.open("rb") as stream:
            splitter, head, newlines = None, "", 0
            for text, bad in decode_chunks(stream):
                if bad >= 0 and not reader.bad_encoding:
                    reader.bad_encoding = True
                    diagnostics.append(Diagnostic(rel, "encoding", "not valid UTF-8: the bytes that are not were read "
                                                  "as latin-1", newlines + text.count("\n", 0, bad) + 1))
                newlines += text.count("\n")
                if keep:
                    reader.texts.append(text)
                if splitter is None:  # is it a dump? decided on its first lines
                    head += text
                    if text and head.count("\n") < _HEADER_LINES and len(head) < 8192:
                        continue
                    first = "\n".join(head[:8192].split("\n", _HEADER_LINES)[:_HEADER_LINES])
                    splitter, text, head = Splitter(dump=_DUMP_HEADER.search(first) is not None), head, ""
                reader.take(splitter.feed(text))
            reader.take(splitter.finish())
    except OSError as error:
        return NonCodeFacts(rel, "sql"), [Diagnostic(rel, "unreadable", f"cannot read: {error}")]
    return reader.facts(), diagnostics + reader.problems


class _Reader:
    """Collects what the splitter gives: statements, items, the data count."""

    def __init__(self, rel: str):
        self.rel, self.bad_encoding = rel, False
        self.statements: list[SqlStatement] = []
        self.items: dict[tuple[str, str], Item] = {}
        self.problems: list[Diagnostic] = []
        self.texts: list[str] = []
        self.data_count = self.data_bytes = 0
        self.first_data: Location | None = None

    def take(self, raws: list[Raw]) -> None:
        for raw in raws:
            location = Location(self.rel, raw.line, raw.col, raw.end_line, raw.end_col)
            if raw.problem:
                kind = "too-large" if raw.sql is None and not raw.data else "syntax-error"
                self.problems.append(Diagnostic(self.rel, kind, f"statement at line {raw.line}: {raw.problem}",
                                                raw.line))
            if raw.data:
                self.data_count += 1
                self.data_bytes += raw.size
                self.first_data = self.first_data or location
            elif raw.sql is not None:
                self.statements.append(SqlStatement(raw.sql, raw.line, raw.col, raw.end_line))
                if (item := describe(raw.sql, location)) is not None:
                    self.items.pop((item.kind, item.name.lower()), None)
                    self.items[(item.kind, item.name.lower())] = item

    def facts(self) -> NonCodeFacts:
        uses, items = [], list(self.items.values())
        if self.first_data is not None:
            evidence = f"{self.data_count} INSERT statements, {self.data_bytes} bytes of data"
            uses.append(DriverUse("mysqldump-data", self.first_data, evidence, "high"))
            items.append(Item("data", self.rel, "schema", self.first_data, self.data_bytes,
                              f"{self.data_count} INSERT statements"))
        lines: tuple[str, ...] = ()
        if self.texts:
            text = "".join(self.texts)
            self.texts = []
            split = text.split("\n")
            if split and split[-1] == "":
                split.pop()
            lines = tuple(redact(line.rstrip("\r")) for line in split)
        items.sort(key=lambda i: (i.location.line, i.location.col, i.kind, i.name))
        return NonCodeFacts(self.rel, "sql", tuple(self.statements), tuple(uses), tuple(items), lines)


def describe(sql: str, location: Location) -> Item | None:
    """The inventory item a CREATE statement defines (routine, trigger, event, view, table), or None."""
    if not re.match(r"\s*(?:/\*M?!\d*\s*)?CREATE\b", sql[:64], re.IGNORECASE):
        return None
    head = uncomment_head(sql)
    size = location.end_line - location.line + 1
    if match := ROUTINE_HEAD.match(head):
        kind, name = match.group("kind").lower(), _unquote(match.group("name"))
        rest = head[match.end():]
        return Item(kind, name, "schema", location, size, redact(_detail(kind, match, rest, sql)))
    text = sql if _TABLE.match(sql) else head
    if match := _TABLE.match(text):
        return Item("table", _unquote(match.group("name")), "schema", location, size,
                    _table_detail(text[match.end():]))
    return None


def _unquote(name: str) -> str:
    return ".".join(next(g for g in m.groups() if g is not None).replace("``", "`")
                    for m in _NAME_PART.finditer(name))


def _detail(kind: str, match: re.Match, rest: str, sql: str) -> str:
    if kind == "trigger":
        if m := _TRIGGER.match(rest):
            return f"trigger {m.group(1).upper()} {m.group(2).upper()} ON {_unquote(m.group(3))}"
        return "trigger"
    if kind == "procedure":
        params = _top_level_items(rest) if rest.lstrip().startswith("(") else None
        return "procedure without parameters" if not params else \
            f"procedure with {len(params)} parameter{'s' if len(params) > 1 else ''}"
    if kind == "function":
        returns = _RETURNS.search(rest)
        return f"function returning {' '.join(returns.group(1).upper().split())}" if returns else "function"
    if kind == "event":
        schedule = _SCHEDULE.search(rest)
        return f"event ON SCHEDULE {' '.join(schedule.group(1).split())[:80]}" if schedule else "event"
    options = [f"ALGORITHM={match.group('algorithm').upper()}"] if match.group("algorithm") else []
    options += [f"SQL SECURITY {match.group('security').upper()}"] if match.group("security") else []
    return " ".join(["view", *options])


def _top_level_items(text: str) -> list[str] | None:
    """The comma-separated items of the parenthesised list `text` starts with (quotes and comments
    skipped), or None when it is not closed."""
    start = text.index("(")
    depth, items, begin = 0, [], start + 1
    for token in _TOKENS.finditer(text, start):
        value = token.group()
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0:
                last = text[begin:token.start()].strip()
                return items + ([last] if last else [])
        elif value == "," and depth == 1:
            items.append(text[begin:token.start()].strip())
            begin = token.end()
    return None


def _table_detail(rest: str) -> str:
    if re.match(r"LIKE\b|\(\s*LIKE\b", rest, re.IGNORECASE):
        return "copy of " + _unquote(re.split(r"\s+", re.sub(r"^\(?\s*LIKE\s+", "", rest, flags=re.I), 1)[0]
                                     .rstrip(")"))
    if not rest.startswith("("):
        return "created from a query"
    elements = _top_level_items(rest) or []
    columns = [e for e in elements if e and e.split(None, 1)[0].upper().strip("`") not in _NOT_COLUMN
               or e.startswith("`")]
    return f"{len(columns)} columns"
