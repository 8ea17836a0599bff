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


@dataclass
class ScanState:
    """What the stages accumulate before the inventory is frozen."""

    sites: list[Site] = field(default_factory=list)
    noncode: dict = field(default_factory=dict)  # path -> NonCodeFacts (SQL scripts, Prisma, config)
    prisma_texts: dict = field(default_factory=dict)  # path -> text of each schema.prisma (for drift)
    site_scopes: dict[str, tuple[str, int]] = field(default_factory=dict)  # site id -> (path, fid)
    uses: list[DriverUse] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixes: list = field(default_factory=list)  # SiteFix per site whose SQL the rewrite engine changes


def scan(root: Path, files: Sequence[Path] | None = None, *, rules=None, target: str | None = None,
         progress: Callable[[int, int, str], None] | None = None, schema: Path | None = None,
         cache=None, jobs: int = 1, keep: Callable[[str], bool] | None = None) -> Inventory:
    """target: the PostgreSQL driver the code moves to; None infers it per language (node-postgres for
    JavaScript/TypeScript, psycopg for Python). cache: an `auditor.cache.Cache` to reuse earlier runs'
    work (None: everything is computed); jobs: worker processes for the per-file pass; keep: which
    discovered files (paths relative to the root) are scanned, e.g. the configuration's include and
    exclude (a module left out is still read for context when a scanned one imports it)."""
    with batch_gc():
        return _scan(Path(root), files, rules, target, progress, schema, cache, jobs, keep)


_BATCHES = [0, False]  # how many batch_gc blocks are open; whether the outermost one may freeze


@contextmanager
def batch_gc():
    """A scan allocates millions of small objects that live until its inventory is written: let the
    cyclic collector scan them rarely. Inside the block, `keep_until_done()` moves everything alive
    out of the collector's sight (gc.freeze) until the outermost block closes; the CLI opens one
    block around a whole command, so no full collection runs over the scan's facts. A process that
    froze objects itself (gc.freeze before forking workers) keeps them frozen: nothing is frozen then."""
    old, enabled = gc.get_threshold(), gc.isenabled()
    if _BATCHES[0] == 0:
        _BATCHES[1] = gc.get_freeze_count() == 0
    _BATCHES[0] += 1
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        _BATCHES[0] -= 1
        (gc.enable if enabled else gc.disable)()
        if _BATCHES[0] == 0 and _BATCHES[1]:
            gc.unfreeze()
        gc.set_threshold(*old)


def keep_until_done() -> None:
    """Everything alive now lives until the batch ends (the files' facts): stop rescanning it."""
    gc.enable()
    if _BATCHES[1]:
        gc.freeze()


def _scan(root: Path, files, rules, target, progress, schema=None, cache=None, jobs: int = 1, keep=None) -> Inventory:
    from auditor import reuse
    from auditor.catalog import load_rules
    from auditor.discover import discover
    from auditor.fileparse import parse_sources

    rules = load_rules() if rules is None else rules
    sources, diagnostics = discover(root, files)
    if keep is not None:
        sources = [s for s in sources if keep(s.rel)]
        diagnostics = [d for d in diagnostics if keep(d.path)]
    reads = reuse.Reads()
    # content digests key the cache; without one, reading every file twice would be waste
    digests = {s.rel: reads.file(s.path) for s in sources} if cache is not None else {}
    found = reuse.listing(sources, diagnostics)
    if cache is not None:
        result_key = reuse.result_key(root, files, rules, target, schema)
        inventory = reuse.load(cache, result_key, found, reads.deps)
        if inventory is not None:
            return inventory
    state = ScanState(diagnostics=list(diagnostics))
    modules = {}
    gc.disable()  # the per-file pass makes no reference cycles (tests/test_pipeline_gc.py)
    for source, parsed in zip(sources, parse_sources(sources, digests, cache, jobs, progress)):
        _take(source, parsed, state, modules)
        reads.add(parsed.deps)
    keep_until_done()
    from auditor.resolve.aliases import CONFIGS, load_aliases

    base = root if root.is_dir() else root.parent
    if cache is not None:  # what else a stored result depends on
        for path in [*(base / name for name in CONFIGS), *([schema] if schema is not None else [])]:
            reads.file(path)
    if schema is not None:
        _schema_drift(Path(schema), base, state)
    inventory = analyse(modules, state, rules=rules, root=str(root), load=_context_loader(base, cache, reads),
                        aliases=load_aliases(base), target=target, read=_file_reader(base), cache=cache)
    if cache is not None:
        reuse.store(cache, result_key, found, reads, inventory)
    return inventory


def _take(source, parsed, state: ScanState, modules: dict) -> None:
    """Add one file's frontend output to the scan."""
    from auditor.fileparse import CODE_LANGUAGES

    state.diagnostics.extend(parsed.problems)
    if parsed.facts is None:
        return
    if source.language in CODE_LANGUAGES:
        modules[source.rel] = parsed.facts
        return
    state.noncode[source.rel] = parsed.facts
    if parsed.text is not None:
        state.prisma_texts[source.rel] = parsed.text


def scan_text(code: str, filename: str = "example.js", *, rules=None, target: str | None = None) -> Inventory:
    """Scan one in-memory source (rule examples, tests, editors). Examples of files that need a
    second file carry it inline: a Prisma schema's `// dump: ...` lines are a `--schema` dump; a
    lockfile's first line `//package.json: {...}` is the package.json beside it."""
    from auditor.discover import language_of
    from auditor.fileparse import CODE_LANGUAGES, parse_code

    state = ScanState()
    language = language_of(filename) or "javascript"
    if language in CODE_LANGUAGES:
        facts, problems = parse_code(code, filename, language)
        state.diagnostics.extend(problems)
        return analyse({filename: facts} if facts is not None else {}, state, rules=rules, root=".", target=target,
                       read=lambda rel: code if rel == filename else None)
    return _scan_noncode_text(code, filename, language, state, rules, target)


def _scan_noncode_text(code, filename, kind, state, rules, target) -> Inventory:
    import tempfile

    from auditor.discover import SourceFile
    from auditor.fileparse import parse_source

    sibling = lambda name: None  # noqa: E731
    if kind == "lockfile" and code.startswith("//package.json:"):
        first, _, code = code.partition("\n")
        sibling = lambda name: first[len("//package.json:"):].strip() if name == "package.json" else None  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_text(code, encoding="utf-8")
        source = SourceFile(path, filename, kind)
        _take(source, parse_source(source, text=code, sibling=sibling), state, {})
        dump = [line[len("// dump: "):] for line in code.splitlines() if line.startswith("// dump: ")]
        if kind == "prisma" and dump:
            dump_path = Path(tmp) / "dump.sql"
            dump_path.write_text("\n".join(dump) + "\n", encoding="utf-8")
            _schema_drift(dump_path, Path(tmp), state, rel="dump.sql")
    return analyse({}, state, rules=rules, root=".", target=target,
                   read=lambda rel: code if rel == filename else None)


def _file_reader(base: Path) -> Callable[[str], str | None]:
    """The text `fix` would edit, for checking that a rewrite can be written back exactly (read
    once per file: a file has many sites)."""
    import functools

    @functools.lru_cache(maxsize=None)
    def read(rel: str) -> str | None:
        from auditor.edit.files import read_snapshot

        try:
            return read_snapshot(base / rel).text
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    return read


def _schema_info(state: ScanState):
    """Keys of the project's tables (CREATE TABLE in .sql files, Prisma models): ON CONFLICT targets."""
    from auditor.rewrite.schema import SchemaInfo

    info = SchemaInfo.from_statements(st.sql for facts in state.noncode.values()
                                      for st in getattr(facts, "statements", ()))
    for text in state.prisma_texts.values():
        info = info.merge(SchemaInfo.from_prisma(text))
    return info


def _schema_drift(dump_path: Path, base: Path, state: ScanState, rel: str | None = None) -> None:
    """`--schema dump.sql`: compare every Prisma schema of the scan with the dump."""
    from auditor.noncode import drift, parse_file

    if rel is None:
        try:
            rel = dump_path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = dump_path.name
    facts, problems = parse_file(dump_path, rel, "sql", None)
    state.diagnostics.extend(problems)
    if facts is not None:
        state.uses.extend(drift(state.prisma_texts, facts))
        state.noncode.setdefault(rel, facts)  # its lines, for the findings that point into it


def _context_loader(base: Path, cache=None, reads=None) -> Callable[[str], object]:
    """Parse a module that was not scanned (e.g. pre-commit passed one file) but is imported."""
    from auditor.discover import LANGUAGES, SourceFile
    from auditor.fileparse import Parsed, deps_hold, facts_key, parse_source

    def load(rel: str):
        path = base / rel
        language = LANGUAGES.get(path.suffix)
        if language is None or not path.is_file():
            return None
        source = SourceFile(path, rel, language)
        digest = reads.file(path) if cache is not None else None
        parsed = cache.get("facts", facts_key(source, digest)) if cache is not None else None
        if not isinstance(parsed, Parsed) or not deps_hold(parsed.deps):
            parsed = parse_source(source)
            if cache is not None:
                cache.put("facts", facts_key(source, digest), parsed)
        return parsed.facts

    return load


def analyse(modules: dict, state: ScanState, *, rules=None, root: str = ".", load=None, aliases=(),
            target: str | None = None, read: Callable[[str], str | None] = lambda rel: None, cache=None) -> Inventory:
    from auditor.catalog import load_rules, rule_metadata
    from auditor.resolve.sinks import SinkFinder
    from auditor.resolve.values import Project
    from auditor.sites import SiteBuilder

    from collections import ChainMap

    rules = load_rules() if rules is None else rules
    scanned = set(modules)
    project = Project(modules, load, aliases)
    finder = SinkFinder(project)
    factory = FindingFactory(rules, ChainMap(project.modules, state.noncode))
    builder = SiteBuilder(project, rules, factory, state, target, _schema_info(state), cache)
    for path, facts in sorted(state.noncode.items()):
        for statement in facts.statements:
            builder.add_statement(path, statement)
        state.uses.extend(facts.uses)
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
    from auditor.fixes import check_sources, lower_findings

    fixes, refused = check_sources(state.fixes, {s.id: s for s in state.sites}, read)
    findings, suppressed = _suppress(lower_findings(factory.finish(), refused), modules, state, rules)
    fired = {f.rule_id for f in findings}
    from auditor.link import Linker

    linker = Linker(project, state, scanned)
    routes, reached = linker.routes(_routes(project, scanned))
    effort = _effort(state, findings, routes, reached)
    return Inventory(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        root=root,
        files=tuple(sorted(scanned | set(state.noncode))),
        sites=tuple(sorted(state.sites, key=lambda s: (s.path, s.line, s.col, s.id))),
        transactions=tuple(sorted(transactions, key=lambda t: (t.path, t.line, t.id))),
        driver_uses=tuple(sorted({replace(u, evidence=redact(u.evidence)) for u in state.uses}, key=lambda u: (u.location.path, u.location.line, u.location.col, u.kind))),
        findings=findings,
        diagnostics=tuple(sorted(set(state.diagnostics), key=lambda d: (d.path, d.kind, d.message))),
        routes=routes,
        rules=tuple(rule_metadata(r) for r in rules if r.id in fired),
        effort=effort,
        tables=linker.tables(routes),
        calls=linker.calls(routes),
        items=tuple(sorted((i for f in state.noncode.values() for i in f.items),
                           key=lambda i: (i.location.path, i.location.line, i.kind, i.name))),
        fixes=tuple(sorted(fixes, key=lambda f: (f.path, f.site_id))),
        suppressed=suppressed,
    )


def _suppress(findings, modules: dict, state: ScanState, rules) -> tuple[tuple, int]:
    """Findings without those a `pgready: ignore[RULE] reason` comment silences; a comment that
    silences nothing becomes a diagnostic, so stale suppressions do not pile up."""
    from auditor import suppress

    found = []
    for path, facts in [*modules.items(), *state.noncode.items()]:
        lines = getattr(facts, "lines", ()) or ()
        if any("pgready:" in line for line in lines):
            found += suppress.find(path, lines)
    if not found:
        return findings, 0
    kept, silenced, unused = suppress.apply(findings, found, {r.id: r for r in rules})
    state.diagnostics.extend(Diagnostic(u.path, "unused-suppression", f"pgready: ignore[{', '.join(u.rules)}] "
                                        "silences no finding here; remove it", u.line) for u in unused)
    return tuple(kept), len(silenced)


def _effort(state, findings, routes, reached) -> dict:
    from auditor.effort import rollup

    site_paths = {s.id: s.path for s in state.sites}
    return rollup(findings, routes, lambda route: reached[route.id],
                  lambda f: (site_paths.get(f.site_id, f.location.path), f.function))


def _routes(project, scanned: set[str]) -> tuple:
    """HTTP routes declared in the scanned files, prefixes composed across modules."""
    from auditor.facts import JsRouteFacts, JsRoutesLater
    from auditor.frontends.javascript import route_facts
    from auditor.routes import compose_js_routes, compose_python_routes

    python = {p: m.route_facts for p, m in project.modules.items() if m.route_facts is not None and m.language == "python"}
    js = {p: m.route_facts for p, m in project.modules.items() if isinstance(m.route_facts, JsRouteFacts)}
    later = {p for p, m in project.modules.items() if isinstance(m.route_facts, JsRoutesLater)}
    found = []
    if python:
        found += compose_python_routes(python, lambda rel: project.module(rel) is not None)
    if js:  # modules without routes only matter to the routes of others (their exports, factories)
        functions = lambda rel: {f.name: f.line for f in project.modules[rel].functions.values()} \
            if project.module(rel) is not None else {}  # noqa: E731
        found += compose_js_routes(js, project.resolve_spec, functions,
                                   lambda rel: route_facts(project.modules[rel]) if rel in later else None)
    return tuple(r for r in found if r.location.path in scanned)


__all__ = ["scan", "scan_text", "analyse", "stable_id", "SCHEMA_VERSION"]
