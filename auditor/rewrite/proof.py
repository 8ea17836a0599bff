"""Safe means proven, not hoped (DESIGN.md): label a drafted rewrite.

`safe` only when all hold: the MySQL parse was complete (else the draft already carries a
manual note), every fired rule is `safe`, nothing the rules do not explain changed, every hole
of dynamic SQL is still there, PostgreSQL's own parser (pglast / libpg_query) accepts the
result, no rule fires on it any more, and rewriting it again changes nothing. Each failed
condition lowers the label and says why.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import TokenType

from auditor.model import FixSafety
from auditor.rewrite.engine import PLACEHOLDER_RULES, Draft, hole_markers
from auditor.rewrite.tokendiff import Edit, apply

_AROUND = " \t\r\n()"
_MISREAD = frozenset({"pipes-as-or"})
# review rules about what the data or the driver does (collation, NULL handling, result types):
# the SQL keeps their construct on purpose and the label says to check it
_ABOUT_DATA = frozenset({"semantics", "driver-api"})


class Label:
    """The lowest safety seen so far and every reason, those that set the label first."""

    def __init__(self) -> None:
        self.safety = FixSafety.SAFE
        self._reasons: dict[str, int] = {}  # reason -> rank of the safety it caps to

    def cap(self, safety: FixSafety | str, reason: str) -> None:
        safety = FixSafety(safety)
        if safety.rank < self.safety.rank:
            self.safety = safety
        self._reasons[reason] = min(self._reasons.get(reason, 2), safety.rank)

    @property
    def reasons(self) -> list[str]:
        return sorted(self._reasons, key=lambda r: self._reasons[r])  # stable: found order within a level


def label(sql: str, d: Draft, rules, target: str | None, again: Callable[[str, str], str] | None) -> tuple[str, Label]:
    """The statement's rewritten text and its label. `again(text, placeholders)` rewrites a text
    without proof (for the idempotence check); None skips the checks that need a second pass."""
    original = sql[d.start:d.end]
    out = apply(original, d.edits, offset=d.start)
    lab = Label()
    fired = {m.rule.id: m.rule for m in d.matches}
    for rule in sorted(fired.values(), key=lambda r: r.id):
        if rule.fix is not FixSafety.SAFE:
            what = "a rewrite exists but its meaning can differ on some data" if rule.fix is FixSafety.REVIEW \
                else "no mechanical equivalent: guidance only"
            lab.cap(rule.fix, f"{rule.id} ({rule.title}): {what}")
    for safety, reason in d.notes:
        lab.cap(safety, reason)
    if fired and out == original:
        lab.cap(FixSafety.MANUAL, "pgready has no automatic rewrite for " + ", ".join(sorted(fired)))
        return out, lab
    if out == original:
        return out, lab
    if hole_markers(out) != hole_markers(original):
        lab.cap(FixSafety.MANUAL, "the rewrite would move or drop SQL text the code builds at run time")
    for edit in d.edits:
        if not _explained(edit, d, sql):
            lab.cap(FixSafety.REVIEW, f"changes {sql[edit.start:edit.end]!r} to {edit.text!r}, which no rule explains")
    if again is None:
        return out, lab
    error = parse_error(out, d.out_placeholders)
    if error:
        lab.cap(FixSafety.MANUAL, f"the rewrite does not parse on PostgreSQL: {error}")
    as_mysql = _as_mysql(out)
    from auditor.classify import analyze_sql

    residual = analyze_sql(as_mysql, rules, placeholders=d.out_placeholders, target=target).matches
    for match in residual:
        if as_mysql != out and match.rule.slug == "backtick-identifier":
            continue  # the names this rewrite double-quotes on purpose
        if match.rule.id in fired and match.rule.fix is not FixSafety.SAFE:
            if match.rule.category not in _ABOUT_DATA:  # its construct is still there: not rewritten
                lab.cap(FixSafety.MANUAL, f"{match.rule.id} ({match.rule.title}) is not rewritten: "
                                          "its construct is still in the result")
            continue  # else: already the reason for its label (a check of the data, not of the SQL)
        if match.rule.slug in _MISREAD and match.rule.id not in fired:
            continue  # PostgreSQL's `||` (concatenation) that the rewrite wrote, read back as MySQL's OR
        if target is None and match.rule.slug in PLACEHOLDER_RULES:
            continue  # kept as written on purpose; the draft says so
        lab.cap(FixSafety.REVIEW, f"{match.rule.id} ({match.rule.title}) still applies to the rewrite")
    if residual and again(as_mysql, d.out_placeholders) != out:  # with no rule firing, nothing changes
        lab.cap(FixSafety.REVIEW, "rewriting the result again changes it (not idempotent)")
    return out, lab


def _explained(edit: Edit, d: Draft, sql: str) -> bool:
    """An edit is explained when it touches a span where a fired rule found its construct (the
    parentheses around it included); a DML rule (upsert, INSERT IGNORE, UPDATE ... LIMIT,
    multi-table UPDATE) explains its whole statement; adding or dropping parentheses alone never
    changes meaning (sqlglot adds them to keep precedence); parameters converted for the target
    driver are the target's own requirement."""
    if edit in d.param_edits or not edit.text.strip(" ()") and not sql[edit.start:edit.end].strip(" ()"):
        return True
    for match in d.matches:
        if match.rule.category == "dml":
            return True
        for start, end in match.spans or ((match.start, match.end),):
            while start > d.start and sql[start - 1] in _AROUND:
                start -= 1
            while end < d.end and sql[end] in _AROUND:
                end += 1
            if start <= edit.end and edit.start <= end:
                return True
    return False


def _as_mysql(text: str) -> str:
    """The rewrite as pgready reads it back: PostgreSQL's "quoted" names as MySQL's `quoted`."""
    if '"' not in text:
        return text
    out, pos = [], 0
    for tok in Postgres().tokenize(text):
        raw = text[tok.start:tok.end + 1]
        if tok.token_type == TokenType.IDENTIFIER and raw.startswith('"'):
            out += [text[pos:tok.start], "`" + tok.text.replace("`", "``") + "`"]
            pos = tok.end + 1
    return "".join(out) + text[pos:]


def parse_error(text: str, placeholders: str) -> str:
    """pglast's complaint about `text` ("" when PostgreSQL's parser accepts it); parameters of any
    style stand in as $n, since libpg_query knows only those."""
    import pglast

    try:
        pglast.parse_sql(_numbered(text, placeholders))
    except pglast.parser.ParseError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever libpg_query raises is a failed proof
        return f"{type(exc).__name__}: {exc}"
    return ""


def _numbered(text: str, placeholders: str) -> str:
    from auditor.placeholders import bind_markers

    tokens = bind_markers(text, Postgres().tokenize(text), placeholders)
    out, pos, n = [], 0, 0
    for tok in tokens:
        if tok.token_type in (TokenType.PLACEHOLDER, TokenType.DQMARK) and not tok.text.startswith("$"):
            n += 1
            out += [text[pos:tok.start], f"${n}"]
            pos = tok.end + 1
    return "".join(out) + text[pos:]


def lowest(safeties: Sequence[FixSafety]) -> FixSafety:
    return min(safeties, key=lambda s: s.rank, default=FixSafety.SAFE)
