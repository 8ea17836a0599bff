"""Which calls send SQL: library sinks (the `apis` tables) and wrappers found by a fixpoint.

A function (or method) whose parameter flows into the SQL argument of a sink becomes a
sink itself, transitively, wherever it is imported. Nothing here is a list of wrapper names.
"""
from __future__ import annotations

from dataclasses import dataclass

from auditor.facts import CallFact, Member, Obj, Seq
from auditor.resolve import apis
from auditor.resolve.values import Project


_UNSEEN = object()


def _api(value: tuple) -> str | None:
    """The API type of an evaluated value, None when it is not a library's."""
    return value[1] if value[0] == "api" else None


@dataclass(frozen=True)
class Sink:
    path: str
    call: CallFact
    kind: str  # driver | wrapper | orm-raw
    sql: object  # the Value holding the SQL text
    placeholders: str  # driver | orm | pyformat | named
    prefix: str = ""


def sql_argument(call: CallFact, index: int, keywords: tuple[str, ...] = ()):
    for name, value, _ in call.kwargs:
        if name in keywords:
            return value
    if index >= len(call.args):
        return None
    arg = call.args[index]
    if isinstance(arg, Obj):
        return dict(arg.members).get("sql")
    return arg


class SinkFinder:
    def __init__(self, project: Project):
        self.project = project
        self.wrappers: dict[tuple[str, int], tuple[int, str]] = {}  # (path, fid) -> (sql param, placeholders)
        self._known: dict[str, dict[int, object]] = {}  # path -> call id -> _library_sink

    def type_of(self, path: str, value) -> str | None:
        return _api(self.project.eval(path, value))

    def receiver_type(self, path: str, call: CallFact) -> str | None:
        """`type_of` the receiver of a method call (`Member` callee)."""
        return _api(self.project.receiver(path, call))

    def classify(self, path: str, call: CallFact) -> Sink | None:
        known = self._known.get(path)
        if known is None:
            known = self._known[path] = {}
        found = known.get(call.call_id, _UNSEEN)
        if found is _UNSEEN:
            found = known[call.call_id] = self._library_sink(path, call)
        if isinstance(found, Sink):
            return found
        if found is None or found[0] != "func":
            return None
        wrapper = self.wrappers.get((found[1], found[2]))
        if wrapper is None:
            return None
        index, placeholders = wrapper
        return Sink(path, call, "wrapper", sql_argument(call, index), placeholders)

    def _library_sink(self, path: str, call: CallFact) -> Sink | tuple | None:
        """The call as a library sink, else what its callee evaluates to (None when not needed to
        decide). No wrapper found later changes this, so `classify` works it out once per call:
        `solve` classifies every call in each round, and a memoised evaluation asked again only
        finds the same values."""
        callee = call.callee
        spec = None
        if isinstance(callee, Member):
            spec = apis.SINKS.get(("*", callee.name)) or apis.SINKS.get((self.receiver_type(path, call), callee.name))
            if spec is None and callee.name == "raw" and "objects" in call.callee_text:
                spec = apis.SinkSpec("orm-raw", "pyformat", 0, ("raw_query",))  # Django Model.objects.raw()
        target = self.project.callee(path, call) if spec is None else None
        if target is not None and target[0] == "api":
            spec = apis.CALL_SINKS.get(target[1])
        if spec is None:
            return target
        sql = sql_argument(call, spec.arg, spec.keywords)
        if spec.text_only and (sql is None or self.project.eval(path, sql)[0] != "text"):
            return None
        placeholders = "orm" if call.tagged else spec.placeholders
        return Sink(path, call, spec.kind, sql, placeholders, spec.prefix)

    def forwarded_param(self, sink: Sink) -> tuple[str, int, int] | None:
        """The enclosing function's parameter this sink's SQL comes straight from, if any."""
        if sink.sql is None:
            return None
        value = self.project.eval(sink.path, sink.sql)
        if value[0] == "param" and (value[1], value[2]) in self.project.callbacks():
            return None  # an inline callback is not called by name: its sink call is a site
        if value[0] == "param" and value[2] in self.project.enclosing(sink.path, sink.call.fid):
            return value[1], value[2], value[3]
        return None

    def solve(self) -> list[Sink]:
        """Grow the wrapper set until stable, then return every sink call (forwarders included)."""
        while True:
            known = len(self.project.modules)
            changed = False
            for path, facts in list(self.project.modules.items()):
                for call in facts.calls:
                    sink = self.classify(path, call)
                    forwarded = self.forwarded_param(sink) if sink is not None else None
                    if forwarded is not None:
                        key = (forwarded[0], forwarded[1])
                        if key not in self.wrappers:
                            self.wrappers[key] = (forwarded[2], sink.placeholders)
                            changed = True
            if not changed and known == len(self.project.modules):
                break
        sinks = []
        for path, facts in sorted(self.project.modules.items()):
            for call in facts.calls:
                sink = self.classify(path, call)
                if sink is not None:
                    sinks.append(sink)
                sinks.extend(self.fragments(path, call))
        return sinks

    def fragments(self, path: str, call: CallFact) -> list[Sink]:
        """Django `.objects....extra(where=[...], select={...})`: each SQL fragment is a site."""
        if not (isinstance(call.callee, Member) and call.callee.name == "extra" and "objects" in call.callee_text):
            return []
        found = []
        for name, value, _ in call.kwargs:
            prefix = apis.EXTRA_FRAGMENTS.get(name)
            items = value.items if isinstance(value, Seq) else tuple(v for _, v in value.members) \
                if isinstance(value, Obj) else ()
            found.extend(Sink(path, call, "orm-raw", item, "pyformat", prefix) for item in items if prefix)
        return found

    def method_use(self, path: str, call: CallFact) -> str | None:
        """The driver-use kind of a library call (`conn.begin()`, `mysql.escape()`), if any."""
        if isinstance(call.callee, Member):
            kind = apis.METHOD_USES.get((self.receiver_type(path, call), call.callee.name))
            if kind:
                return kind
        return apis.CALL_USES.get(_api(self.project.callee(path, call)))

    def opens_transaction(self, path: str, call: CallFact) -> bool:
        callee = call.callee
        if not isinstance(callee, Member):
            return False
        if callee.name == "autocommit" and call.args and getattr(call.args[0], "source", "") in ("False", "0"):
            return self.receiver_type(path, call) == "dbapi.conn"
        return (self.receiver_type(path, call), callee.name) in apis.OPENS_TRANSACTION
