"""Which calls send SQL: known driver and ORM sinks, and wrappers found by a fixpoint.

A function (or method) whose parameter flows into the SQL argument of a sink becomes a
sink itself, transitively, wherever it is imported. Nothing here is a list of wrapper names.
"""
from __future__ import annotations

from dataclasses import dataclass

from auditor.facts import CallFact, Member, Obj
from auditor.resolve.values import MYSQL_CLIENT, MYSQL_MODULE, Project

PRISMA_RAW = {"$queryRaw": "orm", "$executeRaw": "orm", "$queryRawUnsafe": "driver", "$executeRawUnsafe": "driver"}
KNEX_RAW = {"whereRaw", "orWhereRaw", "andWhereRaw", "whereNotRaw", "havingRaw", "orHavingRaw", "orderByRaw",
            "groupByRaw", "joinRaw", "fromRaw"}
DRIVER_METHODS = {"query", "execute"}
ORM_QUERY = {("knex", "raw"): "orm", ("sequelize", "query"): "orm", ("typeorm", "query"): "driver"}


@dataclass(frozen=True)
class Sink:
    path: str
    call: CallFact
    kind: str  # driver | wrapper | orm-raw
    sql: object  # the Value holding the SQL text
    placeholders: str  # driver | orm


def sql_argument(call: CallFact, index: int):
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

    def classify(self, path: str, call: CallFact) -> Sink | None:
        callee = call.callee
        if isinstance(callee, Member):
            name = callee.name
            if name in PRISMA_RAW:
                placeholders = "orm" if call.tagged else PRISMA_RAW[name]
                return Sink(path, call, "orm-raw", sql_argument(call, 0), placeholders)
            if name in KNEX_RAW:
                return Sink(path, call, "orm-raw", sql_argument(call, 0), "orm")
            base = self.project.eval(path, callee.base)
            if base == MYSQL_CLIENT and name in DRIVER_METHODS:
                return Sink(path, call, "driver", sql_argument(call, 0), "driver")
            if base[0] == "orm" and (base[1], name) in ORM_QUERY:
                return Sink(path, call, "orm-raw", sql_argument(call, 0), ORM_QUERY[(base[1], name)])
        target = self.project.eval(path, callee)
        if target[0] == "func" and (target[1], target[2]) in self.wrappers:
            index, placeholders = self.wrappers[(target[1], target[2])]
            return Sink(path, call, "wrapper", sql_argument(call, index), placeholders)
        return None

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
        return sinks

    def is_mysql_receiver(self, path: str, call: CallFact, methods: set[str], module_too: bool = False) -> bool:
        callee = call.callee
        if not isinstance(callee, Member) or callee.name not in methods:
            return False
        base = self.project.eval(path, callee.base)
        return base == MYSQL_CLIENT or (module_too and base == MYSQL_MODULE)
