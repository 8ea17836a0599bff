"""Turn sink calls and stray SQL literals into `Site` records, classifying their SQL."""
from __future__ import annotations

from auditor.facts import CallFact, Member, ModuleFacts, Piece
from auditor.model import Diagnostic, DriverUse, Site
from auditor.redact import redact
from auditor.resolve.text import Flat, extent, flatten, render

_ESCAPE_METHODS = {"escape", "escapeId", "format"}


class SiteBuilder:
    def __init__(self, project, rules, factory, state):
        self.project, self.rules, self.factory, self.state = project, rules, factory, state
        self.consumed: dict[str, set[int]] = {}

    def add_sink(self, sink) -> None:
        call = sink.call
        flat = flatten(self.project, sink.path, sink.sql, param_holes=call.tagged)
        self.consumed.setdefault(sink.path, set()).update(flat.lit_ids)
        confidence = "medium" if flat.dynamic else "high"
        self.add_site(sink.path, call.location.line, call.location.col, call.callee_text, sink.kind, flat,
                      confidence, call.fid, sink.placeholders)

    def add_literals(self, facts: ModuleFacts) -> None:
        consumed = self.consumed.get(facts.path, set())
        for text, location, fid in facts.literals:
            if text.lit_id in consumed:
                continue
            flat = flatten(self.project, facts.path, text)
            self.add_site(facts.path, location.line, location.col, "", "literal", flat, "low", fid, "driver",
                          require_parse=True)

    def add_site(self, path, line, col, callee, kind, flat: Flat, confidence, fid, placeholders,
                 require_parse: bool = False) -> None:
        from auditor.classify import analyze_sql

        has_text = any(isinstance(p, Piece) and p.kind == "lit" and p.text.strip() for p in flat.pieces)
        attempts = ("mixed", "identifier", "fragment") if flat.dynamic else ("mixed",)
        rendered = analysis = None
        for mode in attempts if has_text else ("fragment",):
            candidate = render(flat, path, mode)
            result = analyze_sql(candidate.sql, self.rules, placeholders=placeholders) if has_text else None
            if rendered is None or (result is not None and result.parse_error is None):
                rendered, analysis = candidate, result
            if result is None or result.parse_error is None:
                break
        if require_parse and (analysis is None or analysis.parse_error is not None):
            return
        if analysis is not None and (analysis.parse_error or "").startswith("internal error"):
            self.state.diagnostics.append(Diagnostic(path, "internal", f"the SQL sent at line {line} could not be "
                                                     f"classified ({analysis.parse_error}); please report it", line))
        function = self._symbol(path, fid)
        from auditor.findings import stable_id

        site_id = stable_id("S", path, function, callee, " ".join(rendered.sql.split()))
        site = Site(
            id=site_id, path=path, line=line, col=col, callee=callee, kind=kind, sql=redact(rendered.sql),
            holes=rendered.holes, dynamic=flat.dynamic, sql_location=extent(rendered, path),
            tables=analysis.tables if analysis else (), confidence=confidence, function=function,
            language=self.project.modules[path].language, placeholders=placeholders,
            statement=analysis.statement if analysis else "unknown",
        )
        site = self.factory.register_site(site)
        self.state.sites.append(site)
        self.state.site_scopes[site.id] = (path, fid)
        if analysis is not None:
            for match in analysis.matches:
                self.factory.from_sql_match(site, rendered, match)

    def receiver_uses(self, finder, facts: ModuleFacts) -> list[DriverUse]:
        """Driver-API uses that depend on what the receiver is (a mysql2 client or module)."""
        uses = []
        for call in facts.calls:
            if finder.is_mysql_receiver(facts.path, call, _ESCAPE_METHODS, module_too=True):
                uses.append(self._use("escape-format", facts.path, call))
            elif finder.is_mysql_receiver(facts.path, call, {"beginTransaction"}):
                uses.append(self._use("transaction-driver-methods", facts.path, call))
            elif call.array_pattern is not None:
                sink = finder.classify(facts.path, call)
                if sink is not None and sink.kind == "driver":
                    uses.append(DriverUse("result-tuple", call.array_pattern, call.callee_text, "high",
                                          self._symbol(facts.path, call.fid)))
        return uses

    def _use(self, kind: str, path: str, call: CallFact) -> DriverUse:
        callee = call.callee.name if isinstance(call.callee, Member) else call.callee_text
        return DriverUse(kind, call.location, f"{call.callee_text}(...)" if callee else call.callee_text, "high",
                         self._symbol(path, call.fid))

    def _symbol(self, path: str, fid: int) -> str:
        facts = self.project.modules.get(path)
        fn = facts.functions.get(fid) if facts is not None and fid else None
        return fn.name if fn is not None else ""
