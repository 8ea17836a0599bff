"""How far sqlglot alone gets from MySQL to PostgreSQL, and how far pgready gets, on a corpus
of statements real applications send (benchmarks/rewrite_corpus.sql).

Why: "we use sqlglot" invites the question what pgready adds. The answer should be a number
anyone can reproduce, not a claim. For each statement:

- sqlglot alone: `sqlglot.transpile(s, read="mysql", write="postgres")`, then PostgreSQL's own
  parser (pglast) must accept the output. Exceptions and empty output count as not valid.
  `%s` parameters are handed to sqlglot as `?` (its MySQL reader knows only those), so
  sqlglot is not blamed for a placeholder style it was never meant to read.
- pgready: `rewrite_sql(s, target="node-postgres")` (`%s` statements are read with
  placeholders="pyformat"), the output must parse with pglast, and its label is counted.
- "sqlglot valid, misses a fix": sqlglot's output parses, yet a rule that fired on the
  original with a safe/review fix fires again on that output (read back as pgready reads its
  own output) and no longer fires on pgready's output: sqlglot kept a construct pgready
  rewrites, e.g. `UNIX_TIMESTAMP()`, which PostgreSQL parses and then rejects at run time.
  A lower bound: meaning changes no rule can see (a dropped AUTO_INCREMENT) are not counted.
  It follows the catalogue, which covers every supported PostgreSQL version: ANY_VALUE()
  counts although PostgreSQL 16 has it.

Parameters are replaced by `$n` before pglast parses anything: libpg_query knows only those.
Output is deterministic (corpus order, no timings).

Usage: python benchmarks/rewrite_compare.py [--corpus FILE] [--details] [--write-readme README.md]
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "rewrite_corpus.sql"
START, END = "<!-- rewrite-compare:start -->", "<!-- rewrite-compare:end -->"
TARGET = "node-postgres"

# PostgreSQL text: standard strings ('' doubles a quote), "identifiers", comments, parameters.
_PG_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|\$\d+|%s|\?|[^'"?%$/-]+|.""", re.S)
# MySQL text: strings with backslash escapes in either quote, `names`, comments.
_MY_TOKEN = re.compile(r"""'(?:\\.|''|[^'\\])*'|"(?:\\.|""|[^"\\])*"|`(?:``|[^`])*`|--[^\n]*|#[^\n]*|/\*.*?\*/|%s|[^'"`%#/-]+|.""", re.S)


@dataclass(frozen=True)
class Entry:
    """One corpus statement: where it is and which `-- section` it belongs to."""

    line: int
    section: str
    sql: str


@dataclass
class Row:
    """What sqlglot and pgready made of one statement."""

    entry: Entry
    sqlglot_ok: bool = False
    sqlglot_out: str = ""
    pgready_ok: bool = False
    pgready_out: str = ""
    safety: str = "manual"
    reasons: tuple[str, ...] = ()
    kept: tuple[str, ...] = field(default=())  # rules sqlglot's valid output still trips, pgready's not


def load_corpus(path: Path = CORPUS) -> list[Entry]:
    """Statements end at a line ending in `;`; `-- section: name` lines name the group."""
    entries, section, buf, first = [], "", [], 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            if stripped.startswith("-- section:"):
                section = stripped[len("-- section:"):].strip()
            continue
        first = first or n
        buf.append(line)
        if stripped.endswith(";"):
            text = "\n".join(buf).strip()
            entries.append(Entry(first, section, text[:-1].rstrip(" \t")))
            buf, first = [], 0
    if buf:
        entries.append(Entry(first, section, "\n".join(buf).strip()))
    return entries


def numbered(pg_text: str) -> str:
    """PostgreSQL text with every `?` / `%s` parameter (outside strings and comments) as `$n`."""
    out, n = [], 0
    for tok in _PG_TOKEN.findall(pg_text):
        if tok in ("?", "%s"):
            n += 1
            tok = f"${n}"
        out.append(tok)
    return "".join(out)


def as_mysql(pg_text: str) -> str:
    """PostgreSQL output read back the way pgready reads its own: "names" as `names`, $n as ?."""
    out = []
    for tok in _PG_TOKEN.findall(pg_text):
        if tok.startswith('"'):
            tok = "`" + tok[1:-1].replace('""', '"').replace("`", "``") + "`"
        elif tok == "%s" or re.fullmatch(r"\$\d+", tok):
            tok = "?"
        out.append(tok)
    return "".join(out)


def uses_pyformat(mysql_text: str) -> bool:
    """Whether the statement marks parameters as `%s` (outside strings, e.g. not DATE_FORMAT's)."""
    return "%s" in _MY_TOKEN.findall(mysql_text)


def question_marks(mysql_text: str) -> str:
    """`%s` parameters as `?`: the only parameter sqlglot's MySQL reader understands."""
    return "".join("?" if tok == "%s" else tok for tok in _MY_TOKEN.findall(mysql_text))


def pg_parses(pg_text: str) -> bool:
    """PostgreSQL's own parser accepts the text and finds at least one statement in it."""
    import pglast

    try:
        return len(pglast.parse_sql(numbered(pg_text))) > 0
    except Exception:  # noqa: BLE001 - any complaint from libpg_query means "not valid"
        return False


def run_sqlglot(mysql_text: str) -> tuple[bool, str]:
    """(valid, output) for sqlglot alone; an exception is a result, not a crash."""
    import sqlglot

    try:
        outs = sqlglot.transpile(question_marks(mysql_text), read="mysql", write="postgres")
    except Exception as exc:  # noqa: BLE001
        return False, f"<{type(exc).__name__}>"
    text = ";\n".join(outs)
    ok = bool(outs) and all(o.strip() for o in outs) and pg_parses(text)
    return ok, text


def fixable(rules, text: str, placeholders: str = "driver") -> dict[str, list[str]] | None:
    """The rules with a safe/review fix that fire on `text` read as MySQL, each with the text
    it matched; None when `text` does not parse as MySQL (a PostgreSQL-only keyword use), where
    silence would prove nothing. Backticked names do not count: sqlglot's "id" and pgready's id
    are both faithful."""
    from auditor.classify import analyze_sql
    from auditor.model import FixSafety

    found = analyze_sql(text, rules, placeholders=placeholders).matches
    if any(m.rule.slug == "unparseable-sql" for m in found):
        return None
    out: dict[str, list[str]] = {}
    for m in found:
        if m.rule.fix in (FixSafety.SAFE, FixSafety.REVIEW) and m.rule.slug != "backtick-identifier":
            out.setdefault(m.rule.id, []).extend(text[a:b] for a, b in (m.spans or ((m.start, m.end),)))
    return out


def _norm(text: str) -> str:
    return " ".join(question_marks(text).split()).lower()


def missed(rules, original: str, mode: str, sqlglot_out: str, pgready_out: str) -> tuple[str, ...]:
    """Rules that fired on the original and still fire on sqlglot's output, on the very text
    they matched in the original (so a construct sqlglot rewrote into a look-alike, e.g.
    PostgreSQL 16's JSON_OBJECT('k': v), is not blamed), but not on pgready's output (so what
    neither tool can settle, e.g. a case-insensitive comparison, is not blamed either)."""
    before = fixable(rules, original, mode)
    back = as_mysql(sqlglot_out)
    after_sqlglot, after_pgready = fixable(rules, back), fixable(rules, as_mysql(pgready_out))
    if not before or after_sqlglot is None or after_pgready is None:
        return ()
    kept = _norm(back)
    return tuple(sorted(rid for rid, texts in before.items() if rid in after_sqlglot and rid not in after_pgready
                        and any(_norm(t) in kept for t in texts if t.strip())))


def measure(entry: Entry, rules) -> Row:
    """Both tools on one statement."""
    from auditor.rewrite import rewrite_sql

    row = Row(entry)
    mode = "pyformat" if uses_pyformat(entry.sql) else "driver"
    row.sqlglot_ok, row.sqlglot_out = run_sqlglot(entry.sql)
    result = rewrite_sql(entry.sql, rules, placeholders=mode, target=TARGET)
    row.pgready_out = result.sql
    row.pgready_ok = pg_parses(result.sql)
    if row.sqlglot_ok and row.pgready_ok and result.changed:
        row.kept = missed(rules, entry.sql, mode, row.sqlglot_out, result.sql)
    if result.statements:
        row.safety = min((s.safety for s in result.statements), key=lambda s: s.rank).value
        row.reasons = result.reasons
    else:
        row.reasons = ("pgready found no statement",)
    return row


def run(path: Path = CORPUS) -> list[Row]:
    """Every corpus statement measured, in corpus order."""
    from auditor.catalog import load_rules

    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # its fallback warnings are noise here
    rules = load_rules()
    return [measure(entry, rules) for entry in load_corpus(path)]


def summarize(rows: list[Row]) -> dict[str, int]:
    """The counts the table shows."""
    return {
        "statements": len(rows),
        "sqlglot valid": sum(r.sqlglot_ok for r in rows),
        "sqlglot valid, misses a fix": sum(bool(r.kept) for r in rows),
        "pgready valid": sum(r.pgready_ok for r in rows),
        "pgready safe": sum(r.safety == "safe" for r in rows),
        "review": sum(r.safety == "review" for r in rows),
        "manual": sum(r.safety == "manual" for r in rows),
    }


def markdown(counts: dict[str, int]) -> str:
    """A one-row Markdown table (percentages of all statements)."""
    total = counts["statements"] or 1
    head = "| " + " | ".join(counts) + " |"
    rule = "| " + " | ".join("---:" for _ in counts) + " |"
    cells = [str(counts["statements"])] + [f"{v} ({100 * v / total:.0f}%)" for k, v in counts.items() if k != "statements"]
    return "\n".join([head, rule, "| " + " | ".join(cells) + " |"])


def details(rows: list[Row]) -> list[str]:
    """One line per statement: corpus line, both verdicts, pgready's label, kept rules, the SQL."""
    lines = []
    for r in rows:
        sql = " ".join(r.entry.sql.split())
        kept = ",".join(r.kept) or "-"
        lines.append(f"{r.entry.line:4d}  sqlglot:{'ok ' if r.sqlglot_ok else 'BAD'}  "
                     f"pgready:{'ok ' if r.pgready_ok else 'BAD'}  {r.safety:<6}  misses:{kept:<14}  {sql[:100]}")
    return lines


def write_readme(readme: Path, block: str) -> None:
    """Replace what sits between the rewrite-compare markers; refuse when they are missing."""
    text = readme.read_text(encoding="utf-8")
    a, b = text.find(START), text.find(END)
    if a < 0 or b < a:
        raise SystemExit(f"{readme}: markers {START} ... {END} not found")
    readme.write_text(text[:a + len(START)] + "\n" + block + "\n" + text[b:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--details", action="store_true", help="one line per statement")
    ap.add_argument("--write-readme", type=Path, metavar="README", help="update the marked block in README")
    args = ap.parse_args(argv)
    rows = run(args.corpus)
    table = markdown(summarize(rows))
    print(table)
    if args.details:
        print()
        print("\n".join(details(rows)))
    if args.write_readme:
        write_readme(args.write_readme, table)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
