"""Configuration and dependency files: env files, compose files, CI workflows, manifests, lockfiles.

`parse_settings(text, rel, kind, sibling)` turns one such file into `NonCodeFacts`: `uses` are
DriverUse records judged by the CFG/DEP rules (kind = rule slug), `items` list the database
settings, services and dependencies a lead must see. It never raises: a file it cannot read gives a
Diagnostic.

Credentials never leave this module: URL passwords (and password query parameters), values of
variables named *PASSWORD*/*SECRET*/*TOKEN*/..., and `mysql -pXXX` / `--password=XXX` are masked in
every evidence, detail and line (`auditor.redact.redact` plus the spans this module knows are
secret; a known secret of 6+ characters is also masked wherever else it appears).

Positions: 1-based lines and columns in characters; `end_col` is exclusive.

Modules: this one (classification, masking, `Source`, the entry point), settings_env (env files),
settings_yaml (compose, GitHub Actions, GitLab CI), settings_deps (package.json, requirements,
pyproject), settings_lock (lockfiles), settings_json (JSON with positions).
"""
from __future__ import annotations

import bisect
import re
from typing import Callable

from auditor.facts import NonCodeFacts
from auditor.model import Diagnostic, DriverUse, Item, Location
from auditor.redact import MASK, redact

KINDS = ("env", "compose", "workflow", "package", "lockfile", "requirements", "pyproject")

# -- what is MySQL, PostgreSQL, a database, a secret ------------------------------------------

# mysql://, mysql2://, mariadb://, mysql+pymysql://, mariadb+mariadbconnector://, jdbc:mysql://
MYSQL_URL = re.compile(r"(?<![\w+.-])(?:mysql2?|mariadb|mysqlx|(?:mysql|mariadb)\+[a-z0-9_]+)://[^\s'\"`<>]+",
                       re.IGNORECASE)
_DB_URL = re.compile(r"(?<![\w+.-])(mysql2?|mariadb|mysqlx|postgres(?:ql)?|pg|(?:mysql|mariadb|postgresql)\+[a-z0-9_]+)://",
                     re.IGNORECASE)
_ANY_URL = re.compile(r"(?<![\w+.-])([a-z][a-z0-9+.\-]*)://[^\s'\"`<>]+", re.IGNORECASE)
SECRET_NAME = re.compile(r"password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|credential|pass(?![a-z])",
                         re.IGNORECASE)
_DB_TOKENS = frozenset({"DB", "DATABASE", "DATABASES", "MYSQL", "MARIADB", "PG", "POSTGRES", "POSTGRESQL",
                        "PGSQL", "SQL", "SQLALCHEMY", "TYPEORM", "SEQUELIZE", "KNEX", "DSN", "MYSQLDB", "RDS"})
_DB_TOKEN = re.compile(r"^(?:DB|PG|MYSQL)(?:HOST|USER|USERNAME|PASS|PASSWORD|NAME|PORT|URL|URI|DATABASE|SSLMODE)$")

MYSQL_IMAGES = frozenset({
    "mysql", "mariadb", "percona", "percona/percona-server", "percona/percona-xtradb-cluster",
    "bitnami/mysql", "bitnami/mariadb", "bitnami/mariadb-galera", "mysql/mysql-server", "mysql/mysql-cluster",
    "mariadb/server", "circleci/mysql", "circleci/mariadb", "cimg/mysql", "cimg/mariadb", "ubuntu/mysql",
    "mysql/community-server",
})
POSTGRES_IMAGES = frozenset({
    "postgres", "postgis/postgis", "bitnami/postgresql", "bitnami/postgresql-repmgr", "timescale/timescaledb",
    "timescale/timescaledb-ha", "circleci/postgres", "cimg/postgres", "supabase/postgres", "pgvector/pgvector",
    "ankane/pgvector", "ubuntu/postgres", "postgresql",
})
_DEFAULTED = re.compile(r"^\$\{\w+:?-([^}]*)\}$")


def image_repo(image: str) -> str:
    """`docker.io/library/mysql:8.0@sha256:...` -> `mysql`; `${DB_IMAGE:-mariadb:11}` -> `mariadb`."""
    image = image.strip()
    if m := _DEFAULTED.match(image):
        image = m.group(1)
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    if ":" in image[slash + 1:]:
        image = image[:slash + 1] + image[slash + 1:].split(":", 1)[0]
    parts = [p for p in image.lower().split("/") if p]
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)


def is_mysql_image(image: str) -> bool:
    repo = image_repo(image)
    return repo in MYSQL_IMAGES or repo.rsplit("/", 1)[-1] in {"mysql", "mariadb", "mysql-server", "percona-server"}


def is_postgres_image(image: str) -> bool:
    repo = image_repo(image)
    return repo in POSTGRES_IMAGES or repo.rsplit("/", 1)[-1] in {"postgres", "postgresql", "postgis"}


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def is_db_variable(name: str, value: str = "") -> bool:
    """DB_*, DATABASE_*, MYSQL_*, *_DB_URL, PGHOST ... or any variable holding a database URL."""
    tokens = [t for t in re.split(r"[_.\-]+", name.upper()) if t]
    return any(t in _DB_TOKENS or _DB_TOKEN.match(t) for t in tokens) or bool(_DB_URL.search(value))


def is_reference(value: str) -> bool:
    """`${VAR}`, `$VAR`, `${{ secrets.X }}`: names another value, holds no secret itself."""
    return bool(re.fullmatch(r"\s*\$(?:\{\{[^}]*\}\}|\{[^}]*\}|\w+)\s*", value))


def value_kind(name: str, value: str) -> str:
    """What an env value is, without saying what it holds: `mysql URL`, `secret`, `number` ..."""
    value = value.strip()
    if not value:
        return "empty"
    if is_reference(value):
        return "reference"
    if is_secret_name(name) and not _ANY_URL.match(value):
        return "secret (redacted)"
    if m := _ANY_URL.match(value) or (value.lower().startswith("jdbc:") and _ANY_URL.search(value)):
        return f"{m.group(1).lower()} URL"
    if re.fullmatch(r"\d+", value):
        return "number"
    if value.lower() in ("true", "false", "yes", "no", "on", "off"):
        return "boolean"
    return "string"


# -- masking -------------------------------------------------------------------------------------

_QUERY_SECRET = re.compile(r"([?&;](?:password|passwd|pwd|pass|secret|token|access[_-]?token|api[_-]?key|sslkey)=)"
                           r"([^&#\s'\"`]+)", re.IGNORECASE)
_ASSIGN = re.compile(
    r"""((?<![\w$.-])["']?[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|credentials?|pass(?![a-z]))"""
    r"""[\w.-]*["']?[ \t]*[:=][ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s#,}\]'"]+)""", re.IGNORECASE)
_CLI_PASSWORD = re.compile(r"""((?:^|(?<=[\s"',\[]))-p)([^\s"',\]$]\S*?)(?=["',\]]|\s|$)|(--password=)([^\s"',\]$]+)""")


def url_password(url: str) -> str | None:
    """The password of `scheme://user:PASSWORD@host/...` (it may contain `@` or `/`), or None."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    at = rest.rfind("@")
    if at < 0:
        return None
    user, colon, password = rest[:at].partition(":")
    if not colon or not password or any(c in user for c in "/?#") or re.match(r"\d*/", password):
        return None
    return password


def _mask_url(match: re.Match) -> str:
    url = match.group(0)
    password = url_password(url)
    if password is not None and password != MASK:
        head, _, tail = url.partition("://")
        at = tail.rfind("@")
        user = tail[:at].partition(":")[0]
        url = f"{head}://{user}:{MASK}{tail[at:]}"
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, url)


def _mask_assign(match: re.Match) -> str:
    value = match.group(2)
    inner = value[1:-1] if value[:1] in "\"'" else value
    if not inner or inner == MASK or is_reference(inner) or inner.startswith(("$", "{", "[")):
        return match.group(0)
    return match.group(1) + (value[0] + MASK + value[-1] if value[:1] in "\"'" else MASK)


def _mask_cli(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + MASK
    return match.group(3) + MASK


def scrub(text: str) -> str:
    """Mask every credential this module can recognise in a piece of text."""
    if not text:
        return text
    text = _ANY_URL.sub(_mask_url, text)
    text = _ASSIGN.sub(_mask_assign, text)
    if re.search(r"mysql|mariadb", text, re.IGNORECASE):
        text = _CLI_PASSWORD.sub(_mask_cli, text)
    return redact(text)


# -- the text of one file, with positions and the spans that are secret ---------------------------

_BREAK = re.compile(r"\r\n|\n|\r")


class Source:
    def __init__(self, text: str, rel: str, kind: str):
        self.text, self.rel, self.kind = text, rel, kind
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        self.raw_lines = _BREAK.split(text)
        self.secret_spans: list[tuple[int, int]] = []
        self.secrets: set[str] = set()
        self.uses: list[DriverUse] = []
        self.items: list[Item] = []
        self.diagnostics: list[Diagnostic] = []
        self._seen: set = set()

    # positions
    def pos(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line0: int, col0: int) -> int:
        """Offset of a 0-based (line, column) pair, e.g. a YAML mark."""
        if line0 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line0] + col0, len(self.text))

    def loc(self, start: int, end: int) -> Location:
        return Location(self.rel, *self.pos(start), *self.pos(max(end, start)))

    # secrets
    def secret(self, start: int, end: int, value: str | None = None) -> None:
        """Mark text[start:end] as a credential: masked in `lines`, and its value everywhere."""
        if end > start:
            self.secret_spans.append((start, end))
        value = self.text[start:end] if value is None else value
        if value and not is_reference(value) and value != MASK:
            self.secrets.add(value.strip())

    def note_urls(self, start: int, end: int) -> None:
        """Mark the passwords of the URLs in text[start:end] secret."""
        for m in _ANY_URL.finditer(self.text, start, end):
            password = url_password(m.group(0))
            if password:
                at = m.start() + m.group(0).index("://") + 3
                start_pw = self.text.index(":", at, m.end()) + 1
                self.secret(start_pw, start_pw + len(password), password)

    def clean(self, text: str) -> str:
        text = scrub(text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 6:
                text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", MASK, text)
        return text

    # records
    def use(self, slug: str, start: int, end: int, evidence: str, confidence: str = "high") -> None:
        location = self.loc(start, end)
        if (slug, location) in self._seen:  # a YAML alias reaches the same node twice
            return
        self._seen.add((slug, location))
        self.uses.append(DriverUse(slug, location, evidence, confidence, ""))

    def item(self, kind: str, name: str, category: str, start: int, end: int, detail: str) -> None:
        location = self.loc(start, end)
        if (kind, name, location) in self._seen:
            return
        self._seen.add((kind, name, location))
        self.items.append(Item(kind, name, category, location, 0, detail))

    def syntax_error(self, message: str, line: int | None) -> None:
        self.diagnostics.append(Diagnostic(self.rel, "syntax-error", scrub(message)[:300], line))

    def lines(self) -> tuple[str, ...]:
        by_line: dict[int, list[tuple[int, int]]] = {}
        for start, end in self.secret_spans:
            first, last = self.pos(start)[0] - 1, self.pos(end)[0] - 1
            for index in range(first, last + 1):
                line_start = self.starts[index]
                line_end = line_start + len(self.raw_lines[index])
                a, b = max(start, line_start), min(end, line_end)
                if b > a:
                    by_line.setdefault(index, []).append((a - line_start, b - line_start))
        out = []
        for index, line in enumerate(self.raw_lines):
            for a, b in sorted(set(by_line.get(index, ())), reverse=True):
                line = line[:a] + MASK + line[b:]
            out.append(self.clean(line))
        return tuple(out)

    def facts(self, with_lines: bool = True) -> NonCodeFacts:
        uses = tuple(DriverUse(u.kind, u.location, self.clean(u.evidence), u.confidence, u.function)
                     for u in sorted(self.uses, key=lambda u: (u.location.line, u.location.col, u.kind)))
        items = tuple(Item(i.kind, i.name, i.category, i.location, i.size, self.clean(i.detail))
                      for i in sorted(self.items, key=lambda i: (i.location.line, i.location.col, i.kind)))
        lines = self.lines() if with_lines or uses else ()
        return NonCodeFacts(self.rel, self.kind, (), uses, items, lines)


# -- entry point -----------------------------------------------------------------------------------

def parse_settings(text: str, rel: str, kind: str,
                   sibling: Callable[[str], str | None]) -> tuple[NonCodeFacts, list[Diagnostic]]:
    """Facts of one configuration / manifest file of discover kind `kind` (see module doc).

    `sibling(name)` returns the text of a file in the same directory, or None (the lockfile reads
    its package.json). A lockfile text may start with a line `//package.json: {...}` (rule
    examples): it stands for the sibling package.json.
    """
    src = Source(text, rel, kind)
    try:
        if kind == "env":
            from auditor.frontends.settings_env import parse_env

            parse_env(src)
        elif kind in ("compose", "workflow"):
            from auditor.frontends.settings_yaml import parse_compose, parse_workflow

            (parse_compose if kind == "compose" else parse_workflow)(src)
        elif kind in ("package", "requirements", "pyproject"):
            from auditor.frontends import settings_deps

            getattr(settings_deps, f"parse_{kind}")(src)
        elif kind == "lockfile":
            from auditor.frontends.settings_lock import parse_lockfile

            parse_lockfile(src, sibling)
        return src.facts(with_lines=kind != "lockfile"), src.diagnostics
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError) as error:
        diagnostic = Diagnostic(rel, "internal", f"could not analyse this file: {type(error).__name__}: "
                                f"{scrub(str(error))[:200]}")
        return NonCodeFacts(rel, kind), [*src.diagnostics, diagnostic]


# -- shared by env files, compose environments and CI env blocks ---------------------------------

def env_assignment(src: Source, name: str, k_start: int, k_end: int, v_start: int, v_end: int,
                   value: str, sep: str) -> None:
    """One variable of an env file, compose `environment` or CI `env`: masks its secrets and
    reports MySQL URLs in its value (CFG001, located on the URL)."""
    if is_secret_name(name) and value.strip() and not is_reference(value) and not _ANY_URL.match(value.strip()):
        src.secret(v_start, v_end, value)
    src.note_urls(v_start, v_end)
    raw = src.text[v_start:v_end]
    for m in MYSQL_URL.finditer(raw):
        url = m.group(0).rstrip(".,;)]}")
        src.use("mysql-url", v_start + m.start(), v_start + m.start() + len(url), f"{name}{sep}{url}")
