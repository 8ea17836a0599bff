"""Turn sink calls and stray SQL literals into `Site` records, classifying their SQL."""
from __future__ import annotations

from auditor.facts import CallFact, ModuleFacts, Piece
from auditor.model import Diagnostic, DriverUse, Site
from auditor.redact import redact
from auditor.resolve import apis
from auditor.resolve.text import Flat, extent, flatten, render


class SiteBuilder:
    def __init__(self, project, rules, factory, state, target: str | None = None, schema=None, cache=None):
        from auditor.cache import Memo
        from auditor.fixes import SiteRewriter

        self.project, self.rules, self.factory, self.state = project, rules, factory, state
        self.rewriter = SiteRewriter(rules, schema, cache)
        # the same SQL text is classified once per scan, and once across runs with a cache
        self.analysed = Memo("analysis", cache, tuple(r.id for r in rules))
        self.target = target  # None: the default driver of each language (node-postgres, psycopg)
        self.consumed: set[tuple[str, int]] = set()  # (path, literal id) that reached a sink
        self.upserts: set[tuple[str, int]] = set()  # (path, fid) of functions that send ON DUPLICATE KEY UPDATE

    def add_sink(self, sink) -> None:
        call = sink.call
        flat = flatten(self.project, sink.path, sink.sql, param_holes=call.tagged, prefix=sink.prefix)
        self.consumed.update(flat.lit_ids)
        confidence = "medium" if flat.dynamic else "high"
        site = self.add_site(sink.path, call.location.line, call.location.col, call.callee_text, sink.kind, flat,
                             confidence, call.fid, sink.placeholders)
        if flat.formatted and site is not None:
            self.state.uses.append(DriverUse("string-built-sql", site.sql_location, site.sql[:80], "high", site.function))

    def add_statement(self, path: str, statement) -> None:
        """A statement of a .sql file: a site of kind `script` at the statement's first line."""
        piece = Piece("lit", statement.sql, statement.line, statement.col, True)
        flat = Flat((piece,), frozenset(), False)
        self.add_site(path, statement.line, statement.col, "", "script", flat, "high", 0, "driver", language="sql")

    def add_literals(self, facts: ModuleFacts) -> None:
        for text, location, fid in facts.literals:
            if (facts.path, text.lit_id) in self.consumed:
                continue
            flat = flatten(self.project, facts.path, text)
            self.add_site(facts.path, location.line, location.col, "", "literal", flat, "low", fid, "driver",
                          require_parse=True)

    def add_site(self, path, line, col, callee, kind, flat: Flat, confidence, fid, placeholders,
                 require_parse: bool = False, language: str | None = None) -> Site | None:
        has_text = any(isinstance(p, Piece) and p.kind == "lit" and p.text.strip() for p in flat.pieces)
        attempts = ("mixed", "identifier", "fragment") if flat.dynamic else ("mixed",)
        rendered = analysis = None
        for mode in attempts if has_text else ("fragment",):
            candidate = render(flat, path, mode, at=(line, col))
            result = self._analyse(candidate.sql, placeholders, self.client(path, callee)) if has_text else None
            if rendered is None or (result is not None and result.parse_error is None):
                rendered, analysis = candidate, result
            if result is None or result.parse_error is None:
                break
        if require_parse and (analysis is None or analysis.parse_error is not None):
            return None
        if analysis is not None and (analysis.parse_error or "").startswith("internal error"):
            self.state.diagnostics.append(Diagnostic(path, "internal", f"the SQL sent at line {line} could not be "
                                                     f"classified ({analysis.parse_error}); please report it", line))
        function = self._symbol(path, fid)
        from auditor.findings import stable_id

        site_id = stable_id("S", path, function, callee, " ".join(rendered.sql.split()))
        site = Site(
            id=site_id, path=path, line=line, col=col, callee=callee, kind=kind, sql=redact(rendered.sql),
            holes=rendered.holes, dynamic=flat.dynamic, sql_location=extent(rendered, path, at=(line, col)),
            tables=analysis.tables if analysis else (), confidence=confidence, function=function,
            language=language or self.project.modules[path].language, placeholders=placeholders,
            statement=analysis.statement if analysis else "unknown",
            writes=analysis.writes if analysis else (),
        )
        site = self.factory.register_site(site)
        self.state.sites.append(site)
        self.state.site_scopes[site.id] = (path, fid)
        if analysis is not None and analysis.matches:
            from auditor.fixes import site_fix

            rewrite = self.rewriter.rewrite(rendered.sql, placeholders, self.client(path, callee), analysis.matches)
            fix = site_fix(site, rewrite)
            if fix is not None:
                self.state.fixes.append(fix)
            for match in analysis.matches:
                self.factory.from_sql_match(site, rendered, match, rewrite)
                if match.rule.slug == "on-duplicate-key-update":
                    self.upserts.add((path, fid))
        return site

    def _analyse(self, sql: str, placeholders: str, target: str | None):
        from auditor.classify import analyze_sql

        return self.analysed((sql, placeholders, target),
                             lambda: analyze_sql(sql, self.rules, placeholders=placeholders, target=target))

    def client(self, path: str, callee: str) -> str | None:
        """The PostgreSQL client this site's SQL will go through (see placeholders.DEFAULT_TARGET)."""
        from auditor.placeholders import DEFAULT_TARGET

        if ".$queryRaw" in f".{callee}" or ".$executeRaw" in f".{callee}":
            return "prisma"
        module = self.project.modules.get(path)
        return self.target or (DEFAULT_TARGET.get(module.language) if module is not None else None)

    def receiver_uses(self, finder, facts: ModuleFacts) -> list[DriverUse]:
        """Driver-API uses that depend on what a receiver or reference is (a MySQL client, class ...)."""
        path, uses = facts.path, []
        for call in facts.calls:
            kind = finder.method_use(path, call)
            if kind is not None:
                uses.append(self._use(kind, path, call))
            elif call.array_pattern is not None:
                sink = finder.classify(path, call)
                if sink is not None and sink.kind == "driver":
                    uses.append(DriverUse("result-tuple", call.array_pattern, call.callee_text, "high",
                                          self._symbol(path, call.fid)))
            if call.kwargs and finder.type_of(path, call.callee) in apis.CONNECT_TYPES:
                uses.extend(DriverUse("connection-charset", where, f"{name}=...", "high", self._symbol(path, call.fid))
                            for name, _, where in call.kwargs if name in apis.CONNECT_KEYWORDS)
        for kind, value, where, evidence, fid in facts.references:
            if kind == "rowcount":
                if (path, fid) in self.upserts:
                    uses.append(DriverUse("upsert-rowcount", where, evidence, "medium", self._symbol(path, fid)))
            elif finder.type_of(path, value) in apis.REFERENCE_USES.get(kind, ()):
                uses.append(DriverUse(kind, where, evidence, "high", self._symbol(path, fid)))
        return uses

    def _use(self, kind: str, path: str, call: CallFact) -> DriverUse:
        return DriverUse(kind, call.location, f"{call.callee_text}(...)", "high", self._symbol(path, call.fid))

    def _symbol(self, path: str, fid: int) -> str:
        facts = self.project.modules.get(path)
        fn = facts.functions.get(fid) if facts is not None and fid else None
        return fn.name if fn is not None else ""
