"""Prisma schemas (`schema.prisma`) and Prisma migration locks (`migration_lock.toml`).

`parse_prisma(text, rel)` reads the Prisma schema language with a small tolerant parser
(datasource / generator / model / view / enum / type blocks, fields `name Type? @attr(args)`,
block attributes `@@index(...)`, `//` and `///` comments, strings, multi-line argument lists) and
returns `NonCodeFacts` with the ORM001-ORM005 uses and one `prisma-model` item per model or view.
A line it cannot read gives a `syntax-error` Diagnostic; the rest of the file is still read.
`parse_ast(text)` gives the blocks themselves (used by `auditor.drift`).

Positions: 1-based lines and columns in characters; `end_col` is exclusive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.facts import NonCodeFacts
from auditor.model import Diagnostic, DriverUse, Item, Location
from auditor.redact import redact

# ORM002: native types that only MySQL has (PostgreSQL's Prisma connector rejects them). `Bit` exists
# on PostgreSQL too: it is reported only when the datasource is not already PostgreSQL.
MYSQL_NATIVE_TYPES = frozenset({
    "TinyInt", "UnsignedTinyInt", "UnsignedSmallInt", "MediumInt", "UnsignedMediumInt", "UnsignedInt",
    "UnsignedBigInt", "TinyText", "MediumText", "LongText", "TinyBlob", "Blob", "MediumBlob", "LongBlob",
    "Binary", "VarBinary", "Year", "DateTime", "Double", "Float", "Bit",
})
POSTGRES_PROVIDERS = frozenset({"postgresql", "postgres", "cockroachdb"})
# ORM005: SQL in dbgenerated("...") that PostgreSQL does not run as written
MYSQL_DEFAULT_SQL = re.compile(
    r"`|\buuid\s*\(|\buuid_to_bin\b|\bbin_to_uuid\b|\bcurdate\s*\(|\bcurtime\s*\(|\bunix_timestamp\b|"
    r"\butc_timestamp\b|\butc_date\b|\bsysdate\s*\(|\bon\s+update\b", re.IGNORECASE)

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\f\v\ufeff]+) | (?P<comment>//[^\n]*) | (?P<nl>\n)
  | (?P<string>"(?:[^"\\\n]|\\.)*") | (?P<number>-?\d+(?:\.\d+)?) | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<attr>@@|@) | (?P<punct>[{}()\[\],:=?.!]) | (?P<bad>.)""", re.VERBOSE)
BLOCKS = ("datasource", "generator", "model", "view", "enum", "type")


@dataclass(frozen=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int
    start: int = 0  # character offsets into the text, end exclusive
    end: int = 0


@dataclass
class Val:
    """kind: str (text unquoted) | num | name (`now`, `Cascade`, `db.VarChar`) | call | list."""

    kind: str
    text: str  # source text
    span: Span
    value: str = ""
    args: list["Arg"] = field(default_factory=list)
    items: list["Val"] = field(default_factory=list)


@dataclass
class Arg:
    name: str | None
    value: Val


@dataclass
class Attr:
    name: str  # `id`, `db.VarChar`, `@index` (block attributes keep one `@`)
    args: list[Arg]
    span: Span
    text: str

    def arg(self, name: str | None = None, position: int = 0) -> Val | None:
        """The argument called `name`, else the unnamed one at `position`."""
        named = [a.value for a in self.args if name is not None and a.name == name]
        unnamed = [a.value for a in self.args if a.name is None]
        return named[0] if named else (unnamed[position] if position < len(unnamed) else None)


@dataclass
class Field:
    name: str
    span: Span  # the name
    type: str = ""  # `String`, `Unsupported`, a model or enum name; "" for enum values
    type_text: str = ""  # as written, with `?` / `[]`
    optional: bool = False
    is_list: bool = False
    attrs: list[Attr] = field(default_factory=list)

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


@dataclass
class Block:
    kind: str  # datasource | generator | model | view | enum | type
    name: str
    span: Span  # keyword to closing brace
    name_span: Span
    fields: list[Field] = field(default_factory=list)  # fields, or enum values
    attrs: list[Attr] = field(default_factory=list)  # @@attributes
    entries: dict[str, Val] = field(default_factory=dict)  # datasource / generator `key = value`

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


class _Bad(Exception):
    def __init__(self, message: str, token):
        super().__init__(message)
        self.token = token


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks, line, line_start = [], 1, 0
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            if kind == "nl":
                self.toks.append(("nl", "\n", line, m.start() - line_start + 1, m.start(), m.end()))
                line, line_start = line + 1, m.end()
            elif kind not in ("ws", "comment"):
                self.toks.append((kind, m.group(), line, m.start() - line_start + 1, m.start(), m.end()))
        self.toks.append(("eof", "", line, len(text) - line_start + 1, len(text), len(text)))
        self.i, self.blocks, self.errors = 0, [], []

    # -- tokens
    def peek(self, skip_nl: bool = False):
        while skip_nl and self.toks[self.i][0] == "nl":
            self.i += 1
        return self.toks[self.i]

    def take(self, skip_nl: bool = False):
        tok = self.peek(skip_nl)
        self.i += tok[0] != "eof"
        return tok

    def expect(self, kind: str, text: str | None = None, skip_nl: bool = False):
        tok = self.peek(skip_nl)
        if tok[0] != kind or (text is not None and tok[1] != text):
            found = {"eof": "the end of the file", "nl": "the end of the line"}.get(tok[0], repr(tok[1]))
            raise _Bad(f"expected {text or kind}, found {found}", tok)
        return self.take()

    def span(self, first, last) -> Span:
        return Span(first[2], first[3], last[2], last[3] + len(last[1]), first[4], last[5])

    def skip_line(self):
        while self.peek()[0] not in ("nl", "eof") and self.peek()[1] != "}":
            self.take()

    def fail(self, error: _Bad):
        tok = error.token
        self.errors.append((tok[2], f"line {tok[2]}, col {tok[3]}: {error}"))

    # -- grammar
    def parse(self) -> list[Block]:
        while self.peek(skip_nl=True)[0] != "eof":
            try:
                tok = self.peek()
                if tok[0] != "name" or tok[1] not in BLOCKS:
                    raise _Bad(f"expected a block ({', '.join(BLOCKS)}), found {tok[1]!r}", tok)
                self.block()
            except _Bad as error:
                self.fail(error)
                before = self.i
                self.skip_line()
                if self.i == before:  # a stray `}`: step over it
                    self.take()
        return self.blocks

    def block(self):
        keyword = self.take()
        name = self.expect("name")
        self.expect("punct", "{")
        block = Block(keyword[1], name[1], self.span(keyword, name), self.span(name, name))
        self.blocks.append(block)
        while True:
            tok = self.peek(skip_nl=True)
            if tok[0] == "eof":
                self.errors.append((keyword[2], f"line {keyword[2]}, col {keyword[3]}: "
                                                f"{keyword[1]} {name[1]} has no closing brace"))
                block.span = self.span(keyword, self.toks[self.i - 1])
                return
            if tok[1] == "}":
                block.span = self.span(keyword, self.take())
                return
            try:
                self.member(block)
                if self.peek()[0] not in ("nl", "eof") and self.peek()[1] != "}":
                    raise _Bad(f"unexpected {self.peek()[1]!r}", self.peek())
            except _Bad as error:
                self.fail(error)
                self.skip_line()

    def member(self, block: Block):
        tok = self.peek()
        if tok[1] == "@@":
            block.attrs.append(self.attribute())
            return
        name = self.expect("name")
        if block.kind in ("datasource", "generator"):
            self.expect("punct", "=")
            block.entries[name[1]] = self.value()
            return
        member = Field(name[1], self.span(name, name))
        if block.kind != "enum":
            first = self.expect("name")
            last, member.type = first, first[1]
            if self.peek()[1] == "(":  # Unsupported("point")
                call = self.call_args()
                last = self.toks[self.i - 1]
                member.attrs.append(Attr("type-args", call, self.span(first, last), ""))
            if self.peek()[1] == "[":
                self.take()
                last = self.expect("punct", "]")
                member.is_list = True
            if self.peek()[1] == "?":
                last = self.take()
                member.optional = True
            member.type_text = self.text[first[4]:last[5]]
        while self.peek()[1] == "@":
            member.attrs.append(self.attribute())
        block.fields.append(member)

    def attribute(self) -> Attr:
        at = self.take()
        name = [self.expect("name")[1]]
        while self.peek()[1] == "." and self.toks[self.i + 1][0] == "name":
            self.take()
            name.append(self.take()[1])
        args = self.call_args() if self.peek()[1] == "(" else []
        last = self.toks[self.i - 1]
        span = self.span(at, last)
        return Attr(("@" if at[1] == "@@" else "") + ".".join(name), args, span, self.text[span.start:span.end])

    def call_args(self) -> list[Arg]:
        self.expect("punct", "(")
        args = []
        while self.peek(skip_nl=True)[1] != ")":
            name = None
            if self.peek()[0] == "name" and self.toks[self.i + 1][1] == ":":
                name = self.take()[1]
                self.take()
            args.append(Arg(name, self.value()))
            if self.peek(skip_nl=True)[1] != ",":
                break
            self.take()
        self.expect("punct", ")", skip_nl=True)
        return args

    def value(self) -> Val:
        first = self.peek(skip_nl=True)
        if first[0] == "string":
            self.take()
            return Val("str", first[1], self.span(first, first), _unquote(first[1]))
        if first[0] == "number":
            self.take()
            return Val("num", first[1], self.span(first, first), first[1])
        if first[1] == "[":
            self.take()
            items = []
            while self.peek(skip_nl=True)[1] != "]":
                items.append(self.value())
                if self.peek(skip_nl=True)[1] != ",":
                    break
                self.take()
            last = self.expect("punct", "]", skip_nl=True)
            span = self.span(first, last)
            return Val("list", self.text[span.start:span.end], span, items=items)
        name = [self.expect("name")[1]]
        while self.peek()[1] == "." and self.toks[self.i + 1][0] == "name":
            self.take()
            name.append(self.take()[1])
        kind, args = ("call", self.call_args()) if self.peek()[1] == "(" else ("name", [])
        span = self.span(first, self.toks[self.i - 1])
        return Val(kind, self.text[span.start:span.end], span, ".".join(name), args)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse_ast(text: str) -> tuple[list[Block], list[tuple[int, str]]]:
    """The blocks of a Prisma schema, and the syntax problems as (line, message)."""
    parser = _Parser(text)
    return parser.parse(), parser.errors


def provider(blocks: list[Block]) -> tuple[str, Val | None]:
    for block in blocks:
        if block.kind == "datasource" and (value := block.entries.get("provider")) is not None:
            return value.value.lower(), value
    return "", None


def parse_prisma(text: str, rel: str) -> tuple[NonCodeFacts, list[Diagnostic]]:
    blocks, errors = parse_ast(text)
    uses: list[DriverUse] = []

    def use(kind: str, span: Span, evidence: str):
        uses.append(DriverUse(kind, _loc(rel, span), redact(evidence), "high"))

    name, _ = provider(blocks)
    for block in blocks:
        if block.kind == "datasource":
            own = block.entries.get("provider")
            if own is not None and own.value.lower() == "mysql":
                use("prisma-mysql-provider", own.span, f"provider = {own.text}")
            for key in ("relationMode", "referentialIntegrity"):
                mode = block.entries.get(key)
                if mode is not None and mode.value == "prisma":
                    use("prisma-relation-mode", mode.span, f"{key} = {mode.text}")
        for member in block.fields if block.kind in ("model", "view", "type") else ():
            for attr in member.attrs:
                native = attr.name[3:] if attr.name.startswith("db.") else ""
                if native in MYSQL_NATIVE_TYPES and not (native == "Bit" and name in POSTGRES_PROVIDERS):
                    use("prisma-native-type", attr.span, f"{member.name} {member.type_text} {attr.text}")
                generated = attr.arg() if attr.name == "default" else None
                if generated is not None and generated.kind == "call" and generated.value == "dbgenerated":
                    sql = generated.args[0].value if generated.args else None
                    if sql is not None and sql.kind == "str" and MYSQL_DEFAULT_SQL.search(sql.value):
                        use("prisma-dbgenerated-mysql", generated.span, f"{member.name} {attr.text}")
        for attr in block.attrs:
            if attr.name == "@fulltext":
                use("prisma-fulltext", attr.span, f"model {block.name}: {attr.text}")
    items = [Item("prisma-model", b.name, "orm", _loc(rel, b.span), b.span.end_line - b.span.line + 1,
                  f"{len(b.fields)} fields" + (" (view)" if b.kind == "view" else ""))
             for b in blocks if b.kind in ("model", "view")]
    diagnostics = [Diagnostic(rel, "syntax-error", f"Prisma schema: {message}", line) for line, message in errors]
    uses.sort(key=lambda u: (u.location.line, u.location.col, u.kind))
    return NonCodeFacts(rel, "prisma", (), tuple(uses), tuple(items), _lines(text)), diagnostics


_LOCK_PROVIDER = re.compile(r"""^\s*provider\s*=\s*(["'])\s*mysql\s*\1""", re.IGNORECASE)


def parse_migration_lock(text: str, rel: str) -> tuple[NonCodeFacts, list[Diagnostic]]:
    """`provider = "mysql"` in prisma/migrations/migration_lock.toml: the history is MySQL's (ORM011)."""
    uses = []
    for number, line in enumerate(text.splitlines(), 1):
        if m := _LOCK_PROVIDER.match(line):
            quoted = line[m.start(1):m.end()]
            location = Location(rel, number, m.start(1) + 1, number, m.end() + 1)
            uses.append(DriverUse("prisma-migration-lock-mysql", location, f"provider = {quoted}", "high"))
    return NonCodeFacts(rel, "prisma-lock", (), tuple(uses), (), _lines(text)), []


def _loc(rel: str, span: Span) -> Location:
    return Location(rel, span.line, span.col, span.end_line, span.end_col)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(redact(line) for line in text.splitlines())
