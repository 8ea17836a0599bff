"""Manifests: package.json, requirements*.txt / *.in, pyproject.toml (PEP 621, PEP 735, Poetry, PDM).

DEP001 per declared MySQL driver (at its name), DEP002 when a manifest declares a MySQL driver and
no PostgreSQL driver (at the main dependencies section: `"dependencies"` key, `dependencies = [`,
`[tool.poetry.dependencies]`; a requirements file has no sections: there it spans the requirement
lines, from the first requirement to the end of the last one's line), `dependency` items for every
database-related package.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from auditor.frontends.settings import Source
from auditor.frontends.settings_json import json_text, read_json

NPM_MYSQL = frozenset({"mysql", "mysql2", "mariadb", "@types/mysql", "promise-mysql", "serverless-mysql"})
NPM_POSTGRES = frozenset({"pg", "postgres", "pg-promise", "@vercel/postgres", "@neondatabase/serverless"})
NPM_DB = NPM_MYSQL | NPM_POSTGRES | frozenset({
    "@prisma/client", "prisma", "sequelize", "sequelize-cli", "sequelize-typescript", "typeorm", "knex",
    "objection", "bookshelf", "@mikro-orm/core", "@mikro-orm/mysql", "@mikro-orm/mariadb", "@mikro-orm/postgresql",
    "drizzle-orm", "drizzle-kit", "kysely", "@types/pg", "pg-pool", "pg-native", "pg-format", "pg-hstore", "slonik",
    "db-migrate", "db-migrate-mysql", "db-migrate-pg", "@planetscale/database", "umzug", "node-pg-migrate",
    "connect-pg-simple", "express-mysql-session", "mysql-migrations"})
PY_MYSQL = frozenset({"pymysql", "mysqlclient", "mysql-connector-python", "mysql-connector", "aiomysql", "asyncmy",
                      "mysql-python", "mariadb"})
PY_POSTGRES = frozenset({"psycopg", "psycopg2", "psycopg2-binary", "psycopg-binary", "psycopg-c", "psycopg2cffi",
                         "asyncpg", "pg8000", "aiopg"})
PY_DB = PY_MYSQL | PY_POSTGRES | frozenset({
    "sqlalchemy", "flask-sqlalchemy", "sqlmodel", "alembic", "django", "peewee", "pony", "tortoise-orm", "databases",
    "django-mysql", "flask-migrate", "records", "dataset", "aerich", "ormar", "piccolo", "dj-database-url",
    "flask-mysqldb", "flask-mysql", "mysql-replication", "sqlalchemy-utils", "django-environ"})
_MYSQL_EXTRA = re.compile(r"mysql|mariadb|asyncmy", re.IGNORECASE)
_PG_EXTRA = re.compile(r"postgres|psycopg|asyncpg|pg8000", re.IGNORECASE)
NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


# -- package.json --------------------------------------------------------------------------------

def is_npm_db(name: str) -> bool:
    name = name.lower()
    return name in NPM_DB or "mysql" in name or "mariadb" in name


def parse_package(src: Source) -> None:
    root = read_json(src)
    if root is None or root.pairs is None:
        return
    mysql, postgres = [], False
    for section in NPM_SECTIONS:
        for name, start, end, version_node in root.entries(section):
            version, lower = json_text(version_node), name.lower()
            if lower in NPM_MYSQL:
                src.use("mysql-driver-dependency", start, end, f'"{name}": "{version}" ({section})')
                mysql.append((name, section))
            postgres = postgres or lower in NPM_POSTGRES
            if is_npm_db(name):
                src.item("dependency", name, "dependencies", start, end, f"{version} ({section})")
    if mysql and not postgres:
        anchor = root.get("dependencies") or root.get(mysql[0][1])
        names = ", ".join(dict.fromkeys(n for n, _ in mysql))
        src.use("missing-postgres-driver", anchor[1], anchor[2],
                f"{names} declared, no PostgreSQL driver (pg, postgres, pg-promise)")


# -- Python requirements -------------------------------------------------------------------------

@dataclass(frozen=True)
class Requirement:
    name: str
    extras: tuple[str, ...]
    version: str
    start: int
    end: int
    section: str
    text: str

    @property
    def key(self) -> str:
        return re.sub(r"[-_.]+", "-", self.name).lower()

    @property
    def mysql(self) -> bool:
        return self.key in PY_MYSQL or any(_MYSQL_EXTRA.search(e) for e in self.extras)

    @property
    def postgres(self) -> bool:
        return self.key in PY_POSTGRES or any(_PG_EXTRA.search(e) for e in self.extras)


_PEP508 = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*(?:\[([^\]]*)\])?[ \t]*([^;]*)")


def pep508(text: str, start: int, section: str) -> Requirement | None:
    """A requirement `name[extras] spec ; marker` whose name starts at offset `start`."""
    m = _PEP508.match(text.strip())
    if m is None:
        return None
    extras = tuple(e.strip() for e in (m.group(2) or "").split(",") if e.strip())
    return Requirement(m.group(1), extras, m.group(3).strip(), start, start + len(m.group(1)), section,
                       text.strip())


def judge_python(src: Source, requirements: list[Requirement], anchor: tuple[int, int] | None) -> None:
    mysql = [r for r in requirements if r.mysql]
    for r in requirements:
        if r.mysql:
            src.use("mysql-driver-dependency", r.start, r.end, f"{r.text} ({r.section})")
        if r.key in PY_DB or r.mysql or r.postgres:
            src.item("dependency", r.name, "dependencies", r.start, r.end, f"{r.version or 'any'} ({r.section})")
    if mysql and not any(r.postgres for r in requirements):
        start, end = anchor or (mysql[0].start, mysql[0].end)
        names = ", ".join(dict.fromkeys(r.name for r in mysql))
        src.use("missing-postgres-driver", start, end,
                f"{names} declared, no PostgreSQL driver (psycopg, psycopg2, asyncpg)")


def parse_requirements(src: Source) -> None:
    """One requirement a line; comments, options (`-r`, `-e`, `--hash`) and continuation lines skipped;
    a bare URL counts by its `#egg=` name."""
    section = src.rel.rsplit("/", 1)[-1]
    found, continued = [], False
    for index, line in enumerate(src.raw_lines):
        was_continued, continued = continued, line.rstrip().endswith("\\")
        body = re.sub(r"(^|[ \t])#.*", "", line).rstrip().rstrip("\\").rstrip()
        stripped = body.strip()
        if was_continued or not stripped or stripped.startswith("-"):
            continue
        start = src.starts[index] + len(body) - len(body.lstrip())
        if re.match(r"[a-z][a-z0-9+.\-]*://", stripped, re.IGNORECASE):
            egg = re.search(r"#egg=([\w.\-]+)", line)
            if egg:
                found.append(Requirement(egg.group(1), (), stripped, src.starts[index] + egg.start(1),
                                         src.starts[index] + egg.end(1), section, stripped))
            continue
        requirement = pep508(stripped, start, section)
        if requirement is not None:
            found.append(requirement)
    if found:  # a requirements file is one section: from the first requirement to the end of the last line
        first, last = min(r.start for r in found), max(r.end for r in found)
        end = last + len(src.raw_lines[src.pos(last)[0] - 1]) - (src.pos(last)[1] - 1)
        section = (first, end) if all((r.start, r.end) != (first, end) for r in found) else (first, first)
        judge_python(src, found, section)


# -- pyproject.toml ------------------------------------------------------------------------------

_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([^\[\]\n]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$", re.MULTILINE)


def _tables(text: str) -> dict[str, tuple[int, int, int]]:
    """table name -> (header start, body start, body end); the root table is ''."""
    heads = [(re.sub(r"[\s\"']", "", m.group(1)), m.start(), m.end()) for m in _HEADER.finditer(text)]
    out = {"": (0, 0, heads[0][1] if heads else len(text))}
    for n, (name, start, end) in enumerate(heads):
        out.setdefault(name, (start, end, heads[n + 1][1] if n + 1 < len(heads) else len(text)))
    return out


def _key(src: Source, tables: dict, table: str, key: str) -> tuple[int, int] | None:
    """Span of `key =` in `[table]` (or a `[table.key]` header), else None."""
    if table in tables:
        _, body, end = tables[table]
        m = re.compile(rf"^[ \t]*([\"']?){re.escape(key)}\1[ \t]*=", re.MULTILINE).search(src.text, body, end)
        if m:
            return m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.start() + len(m.group(0).rstrip("= \t"))
    sub = f"{table}.{key}" if table else key
    return _header(src, tables, sub) if sub in tables else None


def _header(src: Source, tables: dict, table: str) -> tuple[int, int]:
    """Span of the `[table]` header, its comment left out."""
    start, body, _ = tables[table]
    header = src.text[start:body].split("#", 1)[0].rstrip()
    return start + len(header) - len(header.lstrip()), start + len(header)


def _strings(src: Source, values, anchor: tuple[int, int] | None, section: str) -> list[Requirement]:
    """PEP 508 strings of a TOML array, each located at its literal after `anchor`."""
    out, cursor = [], anchor[1] if anchor else 0
    for value in values if isinstance(values, list) else []:
        if not isinstance(value, str):
            continue
        hits = [i for i in (src.text.find(f'"{value}"', cursor), src.text.find(f"'{value}'", cursor)) if i >= 0]
        if hits:
            at = min(hits) + 1
            cursor = at + len(value)
            start = at + len(value) - len(value.lstrip())
        else:
            start = anchor[0] if anchor else 0
        requirement = pep508(value, start, section)
        if requirement is not None:
            if not hits and anchor:
                requirement = Requirement(requirement.name, requirement.extras, requirement.version, anchor[0],
                                          anchor[1], section, requirement.text)
            out.append(requirement)
    return out


def parse_pyproject(src: Source) -> None:
    try:
        data = tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        at = int(line.group(1)) if line else len(src.raw_lines) if "end of document" in str(error) else None
        src.syntax_error(f"TOML: {error}", at)
        return
    tables, found, anchor = _tables(src.text), [], None
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    if "dependencies" in project:
        anchor = _key(src, tables, "project", "dependencies")
        found += _strings(src, project["dependencies"], anchor, "project.dependencies")
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    for label, groups, parent, parent_key in (
            ("project.optional-dependencies", project.get("optional-dependencies"), "project", "optional-dependencies"),
            ("dependency-groups", data.get("dependency-groups"), "", "dependency-groups"),
            ("tool.pdm.dev-dependencies", pdm.get("dev-dependencies"), "tool.pdm", "dev-dependencies")):
        for group, values in (groups.items() if isinstance(groups, dict) else ()):
            where = _key(src, tables, label, group) or _key(src, tables, parent, parent_key)
            found += _strings(src, values, where, f"{label}.{group}")
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    sections = [("tool.poetry.dependencies", poetry.get("dependencies")),
                ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"))]
    groups = poetry.get("group") if isinstance(poetry.get("group"), dict) else {}
    for group, body in groups.items():
        if isinstance(body, dict):
            sections.append((f"tool.poetry.group.{group}.dependencies", body.get("dependencies")))
    for table, deps in sections:
        if not isinstance(deps, dict):
            continue
        if anchor is None and table == "tool.poetry.dependencies" and table in tables:
            anchor = _header(src, tables, table)
        for name, spec in deps.items():
            if name.lower() == "python":
                continue
            where = _key(src, tables, table, name)
            if where is None:
                start = tables[table][0] if table in tables else 0
                where = (start, start)
            constraint = spec if isinstance(spec, str) else spec.get("version", "") if isinstance(spec, dict) else ""
            extras = tuple(spec.get("extras", ())) if isinstance(spec, dict) else ()
            text = f'{name} = "{spec}"' if isinstance(spec, str) else f"{name} = {spec!r}"
            if where[1] > where[0] and src.text[where[0]:where[1]].strip("\"'") == name:
                text = src.raw_lines[src.pos(where[0])[0] - 1].split("#", 1)[0].strip()
            found.append(Requirement(name, extras, str(constraint), where[0], where[1], table, text))
    judge_python(src, found, anchor)
