"""One scan, start to finish: discover -> frontends -> resolve -> classify -> inventory."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from auditor import __version__
from auditor.findings import FindingFactory, stable_id
from auditor.model import Diagnostic, DriverUse, Inventory, Site
from auditor.redact import redact
from auditor.transactions import find_transactions

SCHEMA_VERSION = "1.0"
CODE_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "python"})


@dataclass
class ScanState:
    """What the stages accumulate before the inventory is frozen."""

    sites: list[Site] = field(default_factory=list)
    site_scopes: dict[str, tuple[str, int]] = field(default_factory=dict)  # site id -> (path, fid)
    uses: list[DriverUse] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def scan(root: Path, files: Sequence[Path] | None = None, *, rules=None, target: str | None = None,
         progress: Callable[[int, int, str], None] | None = None) -> Inventory:
    """target: the PostgreSQL driver the code moves to; None infers it per language (node-postgres for
    JavaScript/TypeScript, psycopg for Python)."""
    with _batch_gc():
        return _scan(Path(root), files, rules, target, progress)


@contextmanager
def _batch_gc():
    """A scan allocates millions of small, long-lived objects: collect the young generation less
    often, so the cyclic collector does not rescan a growing heap again and again."""
    old = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _scan(root: Path, files, rules, target, progress) -> Inventory:
    from auditor.discover import discover, read_source

    sources, diagnostics = discover(root, files)
    state = ScanState(diagnostics=list(diagnostics))
    modules = {}
    for index, source in enumerate(sources, 1):
        if progress is not None:
            progress(index, len(sources), source.rel)
        if source.language not in CODE_LANGUAGES:
            continue  # non-code files (SQL, Prisma, config): wired in with their frontends
        text, problem = read_source(source)
        if problem is not None:
            state.diagnostics.append(problem)
        if text is not None:
            facts = _parse(text, source.rel, source.language, state.diagnostics)
            if facts is not None:
                modules[source.rel] = facts
    from auditor.resolve.aliases import load_aliases

    base = root if root.is_dir() else root.parent
    return analyse(modules, state, rules=rules, root=str(root), load=_context_loader(base),
                   aliases=load_aliases(base), target=target)


def scan_text(code: str, filename: str = "example.js", *, rules=None, target: str | None = None) -> Inventory:
    """Scan one in-memory source (rule examples, tests, editors)."""
    from auditor.discover import LANGUAGES

    state = ScanState()
    language = LANGUAGES.get(Path(filename).suffix, "javascript")
    facts = _parse(code, filename, language, state.diagnostics)
    return analyse({filename: facts} if facts is not None else {}, state, rules=rules, root=".", target=target)


def _parse(text: str, rel: str, language: str, diagnostics: list):
    try:
        if language == "python":
            from auditor.frontends.python import parse_module as parse_python

            facts, problems = parse_python(text, rel)
        else:
            from auditor.frontends.javascript import parse_module

            facts, problems = parse_module(text, rel, language)
    except (RecursionError, ValueError, UnicodeError) as error:
        diagnostics.append(Diagnostic(rel, "internal", f"could not analyse this file: {type(error).__name__}: {error}"))
        return None
    diagnostics.extend(problems)
    return facts


def _context_loader(base: Path) -> Callable[[str], object]:
    """Parse a module that was not scanned (e.g. pre-commit passed one file) but is imported."""
    from auditor.discover import LANGUAGES, SourceFile, read_source

    def load(rel: str):
        path = base / rel
        language = LANGUAGES.get(path.suffix)
        if language is None or not path.is_file():
            return None
        text, _ = read_source(SourceFile(path, rel, language))
        return _parse(text, rel, language, []) if text is not None else None

    return load


def analyse(modules: dict, state: ScanState, *, rules=None, root: str = ".", load=None, aliases=(),
            target: str | None = None) -> Inventory:
    from auditor.catalog import load_rules, rule_metadata
    from auditor.resolve.sinks import SinkFinder
    from auditor.resolve.values import Project
    from auditor.sites import SiteBuilder

    rules = load_rules() if rules is None else rules
    scanned = set(modules)
    project = Project(modules, load, aliases)
    finder = SinkFinder(project)
    factory = FindingFactory(rules, project.modules)
    builder = SiteBuilder(project, rules, factory, state, target)
    for sink in finder.solve():
        if sink.path in scanned and finder.forwarded_param(sink) is None and sink.sql is not None:
            builder.add_sink(sink)
    for path in sorted(scanned):
        builder.add_literals(modules[path])
        state.uses.extend(modules[path].driver_uses)
        state.uses.extend(builder.receiver_uses(finder, modules[path]))
    transactions = find_transactions(project, finder, state, scanned)
    for use in state.uses:
        factory.from_driver_use(use)
    findings = factory.finish()
    fired = {f.rule_id for f in findings}
    from auditor.link import Linker

    linker = Linker(project, state, scanned)
    routes, reached = linker.routes(_routes(project, scanned))
    effort = _effort(state, findings, routes, reached)
    return Inventory(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        root=root,
        files=tuple(sorted(scanned)),
        sites=tuple(sorted(state.sites, key=lambda s: (s.path, s.line, s.col, s.id))),
        transactions=tuple(sorted(transactions, key=lambda t: (t.path, t.line, t.id))),
        driver_uses=tuple(sorted({replace(u, evidence=redact(u.evidence)) for u in state.uses}, key=lambda u: (u.location.path, u.location.line, u.location.col, u.kind))),
        findings=findings,
        diagnostics=tuple(sorted(set(state.diagnostics), key=lambda d: (d.path, d.kind, d.message))),
        routes=routes,
        rules=tuple(rule_metadata(r) for r in rules if r.id in fired),
        effort=effort,
        tables=linker.tables(routes),
        calls=linker.calls(),
    )


def _effort(state, findings, routes, reached) -> dict:
    from auditor.effort import rollup

    site_paths = {s.id: s.path for s in state.sites}
    return rollup(findings, routes, lambda route: reached[route.id],
                  lambda f: (site_paths.get(f.site_id, f.location.path), f.function))


def _routes(project, scanned: set[str]) -> tuple:
    """HTTP routes declared in the scanned files, prefixes composed across modules."""
    from auditor.routes import compose_js_routes, compose_python_routes

    python = {p: m.route_facts for p, m in project.modules.items() if m.route_facts is not None and m.language == "python"}
    js = {p: m.route_facts for p, m in project.modules.items() if m.route_facts is not None and m.language != "python"}
    found = []
    if python:
        found += compose_python_routes(python, lambda rel: project.module(rel) is not None)
    if js:
        functions = lambda rel: {f.name: f.line for f in project.modules[rel].functions.values()} \
            if project.module(rel) is not None else {}  # noqa: E731
        found += compose_js_routes(js, project.resolve_spec, functions)
    return tuple(r for r in found if r.location.path in scanned)


__all__ = ["scan", "scan_text", "analyse", "stable_id", "SCHEMA_VERSION"]
