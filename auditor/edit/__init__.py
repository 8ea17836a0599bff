"""Byte-exact source edits for `pgready fix`: SQL edits of a site become edits of the literals
that hold its SQL, and nothing else in the file changes.

The rewrite engine edits `Site.sql` (the text the code sends, with hole markers). Here the
literal(s) at `Site.sql_location` are found (auditor.edit.javascript with tree-sitter,
auditor.edit.python with libcst), decoded with a raw offset per character (auditor.edit.literals)
and lined up with `Site.sql`; each SQL edit then maps onto the raw characters it covers and its
text is encoded for that literal. Nothing is guessed: when the literals do not read as the site's
SQL, or an edit would cross a concatenated expression, the answer is a one-sentence reason. After
editing, the literals are parsed and decoded again and must read as the rewritten SQL: that check,
not the care taken above, is what makes an applied fix trustworthy.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.edit.literals import MARKER, Literal, Operand, encode, offset_at
from auditor.model import Site

MISMATCH = "the literal at the SQL's location does not read as the site's SQL (the file changed, or the text is " \
           "assembled from constants or other places)"

SEVERAL = "no single string expression holds the SQL: it is assembled in several statements or places " \
          "(e.g. `sql += ...`), so it is edited by hand"


@dataclass(frozen=True)
class TextEdit:
    start: int  # character offsets into the file's text (read with newline="" so \r\n is kept)
    end: int
    text: str


class TreeText:
    """A text and its UTF-8 bytes, with character <-> byte offsets (tree-sitter counts bytes;
    edits are in characters). The parsed files of the tree-sitter edit layers build on it."""

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)

    def char(self, byte: int) -> int:
        return byte if self.ascii else len(self.data[:byte].decode("utf-8", "surrogatepass"))

    def byte(self, char: int) -> int:
        return char if self.ascii else len(self.text[:char].encode("utf-8", "surrogatepass"))

    def span(self, node) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)


@dataclass(frozen=True)
class Chain:
    """The literals and concatenated operands of one string expression, in source order."""

    items: tuple[Literal | Operand, ...]
    start: int  # the whole expression
    end: int


def site_edits(source: str, site: Site, sql_edits: Sequence[tuple[int, int, str]],
               verify: bool = True) -> list[TextEdit] | str:
    """Edits of the file `source` that make the literal(s) holding `site.sql` hold the edited SQL
    instead; a one-sentence reason (str) when that cannot be done exactly. `verify=False` (the scan's
    check) maps the edits without re-parsing the edited file; `fix` always verifies."""
    if site.sql_location.path and site.sql_location.path != site.path:
        return f"the SQL text is defined in another file ({site.sql_location.path})"
    if site.language in ("javascript", "typescript", "tsx"):
        from auditor.edit.javascript import site_edits as language_edits
    elif site.language == "python":
        from auditor.edit.python import site_edits as language_edits
    else:
        return f"pgready does not edit {site.language or 'this kind of'} source"
    if not sql_edits:
        return []
    try:  # stable sort: insertions at one offset keep their order
        return language_edits(source, site, sorted(sql_edits, key=lambda e: (e[0], e[1])), verify)
    except (ValueError, IndexError, KeyError, RecursionError) as error:  # a scan must not stop here
        return f"pgready could not map this edit onto the source ({type(error).__name__}); edit it by hand"


def mapped(source: str, site: Site, sql_edits, parse, find):
    """What every language's edit mapping does first: find the site's SQL in `source`, parse it
    (`parse` -> a tree, or a reason), take the string expression there (`find` -> a Chain, or a
    (Chain, extra) pair, or a reason) and plan the edits of its literals. (tree, found, (edits,
    expected rendering)), or the one-sentence reason the site cannot be edited."""
    where = locate(source, site)
    if isinstance(where, str):
        return where
    parsed = parse(source)
    if isinstance(parsed, str):
        return parsed
    found = find(parsed, *where)
    if isinstance(found, str):
        return found
    planned = plan(source, found if isinstance(found, Chain) else found[0], site, sql_edits)
    return planned if isinstance(planned, str) else (parsed, found, planned)


def apply(text: str, edits: Sequence[TextEdit]) -> str:
    """`text` with `edits` applied; they must be sorted and must not overlap (else ValueError)."""
    out, cursor = [], 0
    for e in edits:
        if e.start < cursor or e.end < e.start or e.end > len(text):
            raise ValueError(f"edits overlap or are out of order at {e.start}..{e.end}")
        out.append(text[cursor:e.start])
        out.append(e.text)
        cursor = e.end
    out.append(text[cursor:])
    return "".join(out)


def locate(source: str, site: Site) -> tuple[int, int] | str:
    """Character offsets of where the site's SQL text starts and ends in `source`."""
    loc = site.sql_location
    start, end = offset_at(source, loc.line, loc.col), offset_at(source, loc.end_line, loc.end_col)
    if not loc.line or start is None or end is None:
        return "the SQL's location is not in the file as it is now"
    return start, max(start, end)


# -- lining the literals up with Site.sql -------------------------------------------------------
@dataclass
class _Alignment:
    owner: list  # per SQL character: (item, unit) of a literal character, or the Hole it belongs to
    holes: dict  # hole index -> (item, unit index of its slot, or None for a concatenated operand)


def _align(chain: Chain, site: Site) -> _Alignment | str:
    sql, at_hole = site.sql, {h.start: h for h in site.holes}
    owner: list = [None] * len(sql)
    holes: dict = {}
    cursor = 0
    for k, item in enumerate(chain.items):
        units = [None] if isinstance(item, Operand) else item.units
        for u, unit in enumerate(units):
            if unit is None or unit.slot:
                hole = at_hole.get(cursor)
                if hole is None:
                    what = item.source if unit is None else "an interpolation"
                    return f"{what} is filled with text known from elsewhere, not left as a hole; edit it by hand"
                holes[hole.index] = (k, None if unit is None else u)
                owner[hole.start:hole.end] = [hole] * (hole.end - hole.start)
                cursor = hole.end
            elif unit.text:
                if cursor in at_hole or sql[cursor:cursor + 1] != unit.text:
                    return MISMATCH
                owner[cursor] = (k, u)
                cursor += 1
    return _Alignment(owner, holes) if cursor == len(sql) else MISMATCH


# -- SQL edits to raw edits ---------------------------------------------------------------------
def plan(source: str, chain: Chain, site: Site, sql_edits) -> tuple[list[TextEdit], str] | str:
    """Raw edits of the chain's literals for `sql_edits`, and the rendering the edited chain must
    have (see `render`)."""
    al = _align(chain, site)
    if isinstance(al, str):
        return al
    out: list[TextEdit] = []
    removed, added = Counter(), Counter()
    previous = 0
    for s, e, text in sql_edits:
        if not previous <= s <= e <= len(site.sql):
            return "the SQL edits overlap or fall outside the SQL text"
        previous = e
        spans = _covered(chain, al, site, s, e) if s < e else _insertion(chain, al, s)
        if isinstance(spans, str):
            return spans
        for (k, rs, re_), slot_holes in spans:
            removed.update((k, index) for index in slot_holes)
        k = spans[0][0][0]
        encoded = encode(text, chain.items[k].style, lambda index: _slot_source(source, chain, al, k, index))
        if isinstance(encoded, str):
            return encoded
        raw, used = encoded
        added.update((k, index) for index in used)
        out += [TextEdit(rs, re_, raw if n == 0 else "") for n, ((_, rs, re_), _) in enumerate(spans)]
    if removed != added:
        index = next(i for _, i in (removed - added) + (added - removed))
        hole = next(h for h in site.holes if h.index == index)
        return f"the rewrite drops or repeats the interpolated expression {hole.source!r}"
    return out, _expected(source, chain, al, site, sql_edits)


def _covered(chain: Chain, al: _Alignment, site: Site, s: int, e: int):
    """Per literal the edit touches: ((item, raw start, raw end), slot holes covered)."""
    spans: dict[int, list] = {}
    for p in range(s, e):
        entry = al.owner[p]
        if isinstance(entry, tuple):
            k, unit = entry[0], chain.items[entry[0]].units[entry[1]]
            holes = ()
        else:
            if entry.start < s or entry.end > e:
                return f"an edit cuts through the hole {entry.source!r}"
            k, u = al.holes[entry.index]
            if u is None:
                return f"an edit spans {entry.source!r}, which is concatenated, not interpolated in the same literal"
            unit, holes = chain.items[k].units[u], (entry.index,)
        span = spans.setdefault(k, [unit.start, unit.end, set()])
        span[0], span[1] = min(span[0], unit.start), max(span[1], unit.end)
        span[2].update(holes)
    return [((k, a, b), sorted(h)) for k, (a, b, h) in sorted(spans.items())]


def _insertion(chain: Chain, al: _Alignment, p: int):
    """Where text inserted at SQL offset `p` goes: after the character before it, else before the next."""
    for q, side in ((p - 1, "end"), (p, "start")):
        entry = al.owner[q] if 0 <= q < len(al.owner) else None
        if entry is None:
            continue
        k, u = entry if isinstance(entry, tuple) else al.holes[entry.index]
        if u is not None:
            unit = chain.items[k].units[u]
            raw = unit.end if side == "end" else unit.start
            return [((k, raw, raw), [])]
    return "an insertion falls between concatenated expressions, outside every literal"


def _slot_source(source: str, chain: Chain, al: _Alignment, k: int, index: int) -> str | None:
    k2, u = al.holes.get(index, (None, None))
    if k2 != k or u is None:
        return None
    unit = chain.items[k].units[u]
    return source[unit.start:unit.end]


# -- the proof: the edited literals read as the rewritten SQL -------------------------------------
def _key(raw: str) -> str:
    return "\ue000" + raw + "\ue001"


def render(source: str, chain: Chain) -> str:
    """The chain's text with every slot and operand as a key of its source: what `_expected` builds
    from the rewritten SQL, so the two compare equal exactly when the edit is right."""
    out = []
    for item in chain.items:
        if isinstance(item, Operand):
            out.append(_key(item.source))
        else:
            out += [_key(source[u.start:u.end]) if u.slot else u.text for u in item.units]
    return "".join(out)


def _expected(source: str, chain: Chain, al: _Alignment, site: Site, sql_edits) -> str:
    keys = {}
    for index, (k, u) in al.holes.items():
        item = chain.items[k]
        keys[index] = _key(item.source if u is None else source[item.units[u].start:item.units[u].end])
    holes = sorted(site.holes, key=lambda h: h.start)

    def keyed(a: int, b: int) -> str:
        out, cursor = [], a
        for h in holes:
            if a <= h.start and h.end <= b:
                out += [site.sql[cursor:h.start], keys[h.index]]
                cursor = h.end
        return "".join(out) + site.sql[cursor:b]

    out, cursor = [], 0
    for s, e, text in sql_edits:
        out.append(keyed(cursor, s))
        out.append(MARKER.sub(lambda m: keys.get(int(m.group(1) or m.group(2)), m.group(0)), text))
        cursor = e
    out.append(keyed(cursor, len(site.sql)))
    return "".join(out)


def shifted_end(chain: Chain, edits: Sequence[TextEdit]) -> int:
    """Where the chain ends once `edits` (all inside it) are applied."""
    return chain.end + sum(len(e.text) - (e.end - e.start) for e in edits)
