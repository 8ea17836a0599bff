"""The records every stage passes on: small, frozen, language-neutral.

Stages read the records of earlier stages and never the reverse. Positions are
1-based lines and 1-based columns counted in characters (what editors and SARIF show).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """`error` fails on PostgreSQL, `warning` runs but may differ, `info` is worth knowing."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


class FixSafety(str, Enum):
    """Ordered: manual < review < safe. A rule declares a ceiling; evidence lowers it."""

    MANUAL = "manual"
    REVIEW = "review"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        return ("manual", "review", "safe").index(self.value)


@dataclass(frozen=True)
class Location:
    path: str  # relative to the scan root, forward slashes
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Hole:
    """A part of the SQL text not known statically.

    kind: `value` (stands for a literal value), `identifier` (a table/column name),
    `fragment` (a clause or list spliced in), `param` (an ORM-bound parameter, not text).
    `start`/`end` are offsets of its marker in the rebuilt SQL text.
    """

    index: int
    kind: str
    source: str  # the expression as written, e.g. `${where}` or `orderBy`
    location: Location
    start: int
    end: int


@dataclass(frozen=True)
class Site:
    """A place in the code that sends (or holds) SQL text."""

    id: str
    path: str
    line: int  # line of the call (or of the literal for kind `literal`)
    col: int
    callee: str  # as written: `pool.query`, `db.one`, `prisma.$queryRaw`; "" for literals
    kind: str  # driver | wrapper | orm-raw | literal
    sql: str  # rebuilt SQL with hole markers
    holes: tuple[Hole, ...]
    dynamic: bool  # holes, or assembled by conditional appends: the text sent varies at run time
    sql_location: Location  # where the SQL text starts and ends in the source
    tables: tuple[str, ...]
    confidence: str  # high | medium | low
    function: str  # enclosing symbol, "" at module level
    language: str
    placeholders: str = "driver"  # driver (`?` reaches the driver) | orm (the ORM binds them) | pyformat | named
    statement: str = "unknown"  # select|insert|update|delete|replace|ddl|begin|commit|rollback|show|set|lock|other|unparsed|unknown
    writes: tuple[str, ...] = ()  # the tables among `tables` that the statement changes (the rest are read)


@dataclass(frozen=True)
class Transaction:
    """kind: `driver-api` (beginTransaction/commit), `sql` (START TRANSACTION sent as SQL),
    `wrapper` (a callback run by a function that opens a transaction, e.g. db.tx(fn))."""

    id: str
    kind: str
    path: str
    line: int
    col: int
    end_line: int
    callee: str
    function: str
    sites: tuple[str, ...]  # Site ids inside it


@dataclass(frozen=True)
class DriverUse:
    """A use of a driver API whose behaviour changes under a PostgreSQL driver.

    kind equals the slug of the rule that judges it (e.g. `insert-id`, `result-tuple`).
    """

    kind: str
    location: Location
    evidence: str
    confidence: str
    function: str = ""


@dataclass(frozen=True)
class Finding:
    id: str  # stable fingerprint: ignores line numbers
    rule_id: str
    slug: str
    severity: Severity
    fix_safety: FixSafety
    category: str
    location: Location
    message: str
    evidence: str
    suggestion: str
    confidence: str
    site_id: str | None = None
    anchor_line: int = 0  # the line a reviewer would annotate: the site's call line, else location.line
    code: str = ""  # the source line at location.line, stripped (for reports that have no source)
    function: str = ""  # enclosing symbol where the SQL is sent or the API used
    effort_low: float = 0.0  # minutes, see auditor.effort
    effort_high: float = 0.0
    rewrite: str = ""  # the statement rewritten for PostgreSQL by `pgready fix` ("" when there is none)
    fix_reasons: tuple[str, ...] = ()  # why fix_safety is below `safe`, one sentence each


@dataclass(frozen=True)
class SiteFix:
    """What `pgready fix` can do for one site: its statements' edits (offsets into `Site.sql`, the
    replacement text may hold hole markers) with the safety they earned and why."""

    site_id: str
    path: str
    edits: tuple[tuple[int, int, str, str], ...]  # (start, end, text, safety) per edit
    safety: FixSafety  # the lowest safety among the changed statements
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """What `pgready verify` saw when it replayed a site: the original on MySQL/MariaDB, the rewrite
    on PostgreSQL, the same data and values on both. verdict: equivalent (on this data) | differs |
    pg-error | mysql-error | not-verifiable."""

    site_id: str
    verdict: str
    detail: str  # the server's message, why it cannot be replayed, or what differs
    mysql_sql: str = ""  # what ran, values filled in
    pg_sql: str = ""
    only_mysql: tuple[tuple[str, ...], ...] = ()  # differing rows, normalised (at most a few per side)
    only_pg: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Diagnostic:
    """Something about one input that kept it from being analysed fully, or that the user should fix
    in it (an unused suppression comment)."""

    path: str
    kind: str  # syntax-error | binary | minified | encoding | too-large | symlink-loop | unreadable | internal | unused-suppression
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Route:
    """An HTTP endpoint the code declares, with its full mounted path and its handler.

    `method` is GET/POST/PUT/PATCH/DELETE/HEAD/OPTIONS, or `ANY` when the declaration does not
    restrict it. `path` is written as the framework writes it (`/api/users/<int:user_id>`,
    `/api/users/{user_id}`), prefixes of blueprints, routers and includes composed, starting
    with `/`. `location` is the declaration (decorator or registering call); `handler` the
    qualified symbol of the handler (`get_user`, `OrderView.get`, `OrderView`) and
    `handler_path` its file, empty when it is outside the project.
    """

    id: str  # stable_id("R", framework, method, path, handler_path, handler)
    method: str
    path: str
    framework: str  # flask | fastapi | django | aiohttp | express | nextjs | fastify | koa
    location: Location
    handler: str
    handler_path: str
    # (path, line) where each function the route runs starts: middleware then handler. Inline
    # JavaScript handlers have no name, so functions are found by where they start. Empty for
    # named Python handlers, which are found by `handler`.
    entry_points: tuple[tuple[str, int], ...] = ()
    sites: tuple[str, ...] = ()  # ids of the SQL sites the route reaches (filled by the graph stage)


@dataclass(frozen=True)
class Item:
    """Something a lead must see listed that is not a finding by itself: a stored routine, a table,
    a Prisma model, a container, a dependency. kind: procedure | function | trigger | event | view |
    table | data | prisma-model | compose-service | dependency | env-variable | ci-service | orm-config;
    category: schema | orm | config | dependencies. size: lines (routines, tables, models), bytes (data)."""

    kind: str
    name: str
    category: str
    location: Location
    size: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Inventory:
    """Everything a reporter needs; reporters never recompute analysis."""

    schema_version: str
    tool_version: str
    root: str
    files: tuple[str, ...]
    sites: tuple[Site, ...]
    transactions: tuple[Transaction, ...]
    driver_uses: tuple[DriverUse, ...]
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    routes: tuple[Route, ...] = field(default=())
    rules: tuple[dict, ...] = field(default=())  # metadata of the rules that fired, for reporters
    effort: dict | None = None  # auditor.effort.rollup(): person-hours per project, file, module, route
    tables: tuple[dict, ...] = ()  # per table: the sites that read / write it and the routes that reach them
    calls: dict | None = None  # call edges: resolved, unresolved, and the unresolved share
    items: tuple[Item, ...] = ()  # routines, tables, models, services, dependencies (see Item)
    fixes: tuple[SiteFix, ...] = field(default=(), compare=False)  # for `pgready fix`; not serialised
    verdicts: tuple[Verdict, ...] = ()  # filled by `pgready verify` (auditor.verify), empty otherwise
    suppressed: int = 0  # findings silenced by `pgready: ignore[...]` comments (auditor.suppress)
    baselined: int = 0  # findings left out because the baseline knows them (scan --baseline)
