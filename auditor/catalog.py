"""The rule catalogue: load and validate `rules/<category>/<slug>.yaml`.

This is the one place that knows the rule schema. Every problem in a rule file
(unknown key, missing or invalid field, file in the wrong folder) raises
`CatalogError` naming the file, before any scan runs.
"""
from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType


from auditor.model import FixSafety, Severity


class CatalogError(ValueError):
    """A rule file is malformed; the message names the file and the problem."""


CATEGORIES = {  # category -> id prefix
    "syntax": "SYN", "parse": "PAR", "dml": "DML", "functions": "FUN", "ddl": "DDL",
    "semantics": "SEM", "transactions": "TXN", "driver-api": "DRV", "procedural": "PRC",
    "orm": "ORM", "config": "CFG", "dependencies": "DEP", "schema": "SCH",
}
MATCH_FORMS = ("node", "function", "keyword", "type", "driver_use")
REQUIRED = ("id", "slug", "title", "category", "severity", "fix", "effort_minutes", "message",
            "why", "postgres", "references", "examples")
ALLOWED = frozenset(REQUIRED + ("match", "check", "rewrites"))
EXAMPLE_KEYS = frozenset({"language", "fail", "pass"})
EXAMPLE_OPTIONS = ("target", "placeholders")  # passed to analyze_sql (sql examples)
# example language -> the file name the example is scanned as (sql examples go straight to analyze_sql)
EXAMPLE_FILES = {"javascript": "example.js", "python": "example.py", "sqlfile": "example.sql",
                 "prisma": "schema.prisma", "prisma-lock": "prisma/migrations/migration_lock.toml",
                 "env": ".env.example", "compose": "docker-compose.yml", "workflow": ".github/workflows/ci.yml",
                 "package": "package.json", "lockfile": "package-lock.json", "requirements": "requirements.txt",
                 "pyproject": "pyproject.toml"}
EXAMPLE_LANGUAGES = ("sql", *EXAMPLE_FILES)
_ID = re.compile(r"^[A-Z]{3}\d{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHECK = re.compile(r"^auditor\.checks\.[a-z_][a-z0-9_]*:[a-z_][a-z0-9_]*$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    title: str
    category: str
    severity: Severity
    fix: FixSafety
    effort_minutes: int
    message: str
    why: str
    postgres: str
    references: tuple[str, ...]
    match: Mapping | None = field(compare=False)
    check: str | None
    examples: Mapping = field(compare=False)
    path: str
    # (MySQL, PostgreSQL) pairs: what a rewrite of this construct looks like; required when a SQL
    # rule's fix is safe or review, and each PostgreSQL side must parse with PostgreSQL's parser
    rewrites: tuple[tuple[str, str], ...] = field(default=(), compare=False)


def rules_dir() -> Path:
    """`<repo>/rules` in a source checkout, else the copy installed at `auditor/_rules`."""
    here = Path(__file__).resolve().parent
    source = here.parent / "rules"
    if source.is_dir() and (here.parent / "pyproject.toml").is_file():
        return source
    return here / "_rules"


def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """Every rule under `directory` (default `rules_dir()`), validated, sorted by id."""
    return _load(Path(directory or rules_dir()).resolve())


@functools.lru_cache(maxsize=8)
def _load(directory: Path) -> tuple[Rule, ...]:
    if not directory.is_dir():
        raise CatalogError(f"{directory}: rules directory not found")
    rules, seen = [], {}
    for path in sorted(directory.rglob("*.y*ml")):
        rule = _parse_file(path, directory)
        for key in (rule.id, rule.slug):
            if key in seen:
                raise CatalogError(f"{path}: {key!r} already defined in {seen[key]}")
            seen[key] = path
        rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.id))


def select_rules(rules, select=(), ignore=()) -> tuple[Rule, ...]:
    """Rules kept by `--select` / `--ignore`: each token is a rule id, a slug or a category.
    No select keeps all; ignore wins. An unknown token raises ValueError naming the valid ones."""
    def matches(rule: Rule, token: str) -> bool:
        return token in (rule.id, rule.slug, rule.category) or token.upper() == rule.id

    for token in (*select, *ignore):
        if not any(matches(r, token) for r in rules):
            raise ValueError(f"unknown rule or category {token!r} (categories: {', '.join(sorted(CATEGORIES))}; "
                             "see `pgready rules`)")
    kept = [r for r in rules if not select or any(matches(r, t) for t in select)]
    return tuple(r for r in kept if not any(matches(r, t) for t in ignore))


def rule_metadata(rule: Rule) -> dict:
    """Plain, JSON-ready metadata for reporters."""
    return {
        "id": rule.id, "slug": rule.slug, "title": rule.title, "category": rule.category,
        "severity": rule.severity.value, "fix_safety": rule.fix.value,
        "effort_minutes": rule.effort_minutes, "message": rule.message, "why": rule.why,
        "postgres": rule.postgres, "references": list(rule.references),
    }


def _parse_file(path: Path, root: Path) -> Rule:
    def fail(problem: str) -> CatalogError:
        return CatalogError(f"{path}: {problem}")

    import yaml  # here, not at the top: libyaml when present; a catalogue from the cache needs no YAML

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail(f"cannot read rule file: {exc}") from None
    if not isinstance(data, dict):
        raise fail("a rule file must be a mapping")
    if unknown := sorted(set(map(str, data)) - ALLOWED):
        raise fail(f"unknown key(s): {', '.join(unknown)}")
    if missing := [k for k in REQUIRED if k not in data]:
        raise fail(f"missing field(s): {', '.join(missing)}")
    for key in ("id", "slug", "title", "category", "message", "why", "postgres"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise fail(f"{key!r} must be a non-empty string")
    rid, slug, category = data["id"], data["slug"], data["category"]
    if not _ID.match(rid):
        raise fail(f"id {rid!r} must look like ABC123")
    if not _SLUG.match(slug) or path.stem != slug:
        raise fail(f"slug {slug!r} must be kebab-case and equal the file name {path.stem!r}")
    if category not in CATEGORIES:
        raise fail(f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    if path.parent != root / category:
        raise fail(f"a {category!r} rule must sit in {root / category}")
    if not rid.startswith(CATEGORIES[category]):
        raise fail(f"id {rid!r} must start with {CATEGORIES[category]} in category {category!r}")
    severity = _enum(Severity, data["severity"], "severity", fail)
    fix = _enum(FixSafety, data["fix"], "fix", fail)
    effort = data["effort_minutes"]
    if not isinstance(effort, int) or isinstance(effort, bool) or effort <= 0:
        raise fail("'effort_minutes' must be a positive integer")
    refs = data["references"]
    if not isinstance(refs, list) or not refs or not all(isinstance(u, str) and _URL.match(u) for u in refs):
        raise fail("'references' must be a non-empty list of http(s) URLs")
    match, check = _match_or_check(data, slug, fail)
    examples = _examples(data["examples"], fail)
    rewrites = _rewrites(data.get("rewrites"), fail)
    if not rewrites and fix is not FixSafety.MANUAL and examples["language"] == "sql":
        raise fail(f"a {fix.value} SQL rule needs 'rewrites': at least one {{mysql, postgres}} pair")
    return Rule(
        id=rid, slug=slug, title=data["title"].strip(), category=category, severity=severity,
        fix=fix, effort_minutes=effort, message=data["message"].strip(), why=data["why"].strip(),
        postgres=data["postgres"].strip(), references=tuple(refs), match=match, check=check,
        examples=examples, path=str(path), rewrites=rewrites,
    )


def _rewrites(value, fail) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise fail("'rewrites' must be a non-empty list of {mysql, postgres} pairs")
    pairs = []
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) != {"mysql", "postgres"} or \
                not all(isinstance(v, str) and v.strip() for v in item.values()):
            raise fail(f"rewrites #{n} must be a mapping with exactly the strings 'mysql' and 'postgres'")
        pairs.append((item["mysql"], item["postgres"]))
    return tuple(pairs)


def _enum(kind, value, key, fail):
    try:
        return kind(value)
    except ValueError:
        raise fail(f"{key!r} must be one of {', '.join(m.value for m in kind)}, not {value!r}") from None


def _match_or_check(data: dict, slug: str, fail):
    if ("match" in data) == ("check" in data):
        raise fail("exactly one of 'match' or 'check' is required")
    if "check" in data:
        check = data["check"]
        if not isinstance(check, str) or not _CHECK.match(check):
            raise fail(f"'check' must look like auditor.checks.<family>:<function>, not {check!r}")
        if importlib.util.find_spec(check.partition(":")[0]) is None:
            raise fail(f"check module of {check!r} does not exist")
        return None, check
    match = data["match"]
    if not isinstance(match, dict) or len(match) != 1 or next(iter(match)) not in MATCH_FORMS:
        raise fail(f"'match' must have exactly one key among {', '.join(MATCH_FORMS)}")
    form, value = next(iter(match.items()))
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise fail(f"match {form!r} needs a non-empty string or list of strings")
    if form == "driver_use" and value != slug:
        raise fail(f"match driver_use must equal the slug {slug!r}")
    if form == "node":
        from sqlglot import exp  # only rules that name a node pay for this import

        if not all(isinstance(getattr(exp, v, None), type) and issubclass(getattr(exp, v), exp.Expression) for v in values):
            raise fail(f"match node {value!r} is not a sqlglot expression class")
    return MappingProxyType({form: tuple(values) if isinstance(value, list) else value}), None


def example_sets(rule: Rule) -> tuple[Mapping, ...]:
    """The rule's main example set, then its `more` sets (each: language, fail, pass, target, placeholders)."""
    return (rule.examples, *rule.examples["more"])


def _examples(examples, fail) -> Mapping:
    if not isinstance(examples, dict):
        raise fail("'examples' must be a mapping")
    more = examples.get("more", ())
    if "more" in examples and (not isinstance(more, list) or not more):
        raise fail("examples 'more' must be a non-empty list of example sets")
    main = _example_set({k: v for k, v in examples.items() if k != "more"}, "examples", fail)
    sets = tuple(_example_set(m, f"examples 'more' #{n + 1}", fail) for n, m in enumerate(more))
    return MappingProxyType({**main, "more": sets})


def _example_set(examples, where: str, fail) -> Mapping:
    """{language, fail, pass} plus, for SQL only, the optional analyze_sql options target / placeholders."""
    if not isinstance(examples, dict):
        raise fail(f"{where} must be a mapping")
    if unknown := sorted(set(map(str, examples)) - EXAMPLE_KEYS - set(EXAMPLE_OPTIONS)):
        raise fail(f"{where} has unknown key(s): {', '.join(unknown)}")
    if missing := sorted(EXAMPLE_KEYS - set(examples)):
        raise fail(f"{where} misses key(s): {', '.join(missing)}")
    if examples["language"] not in EXAMPLE_LANGUAGES:
        raise fail(f"{where} 'language' must be one of {', '.join(EXAMPLE_LANGUAGES)}")
    for key in ("fail", "pass"):
        cases = examples[key]
        if not isinstance(cases, list) or len(cases) < 2 or not all(isinstance(c, str) for c in cases):
            raise fail(f"{where} {key!r} must be a list of at least 2 strings")
    options = {key: examples.get(key) for key in EXAMPLE_OPTIONS}
    if any(v is not None for v in options.values()):
        from auditor.placeholders import MODES, TARGETS  # only rules with options pay for sqlglot

        if examples["language"] != "sql":
            raise fail(f"{where}: {', '.join(EXAMPLE_OPTIONS)} apply to sql examples only")
        for key, allowed in (("target", TARGETS), ("placeholders", MODES)):
            if options[key] is not None and options[key] not in allowed:
                raise fail(f"{where} {key!r} must be one of {', '.join(allowed)}, not {options[key]!r}")
    return MappingProxyType({
        "language": examples["language"], "fail": tuple(examples["fail"]), "pass": tuple(examples["pass"]),
        **options,
    })
