"""Transactions and the SQL sites inside them.

Four shapes: driver methods (`conn.beginTransaction()`, `conn.begin()` ... `commit()`), SQL sent
as text (`START TRANSACTION`/`BEGIN`/`SET autocommit = 0` ... `COMMIT`), wrapper callbacks
(`db.tx(async (conn) => ...)`, where `tx` runs its callback inside a transaction), and blocks
(`with engine.begin():`, `with transaction.atomic():`, `@transaction.atomic`, `with conn:`, or a
`with` of a project helper that opens a transaction).
"""
from __future__ import annotations

import re
from dataclasses import replace

from auditor.facts import Func
from auditor.findings import stable_id
from auditor.model import Transaction

# `SET autocommit = 0` opens a transaction implicitly: everything until COMMIT/ROLLBACK is one.
_AUTOCOMMIT_OFF = re.compile(r"\bautocommit\s*=\s*(?:0|off|false)\b", re.IGNORECASE)


def _opens(site) -> bool:
    return site.statement == "begin" or (site.statement == "set" and bool(_AUTOCOMMIT_OFF.search(site.sql)))


def find_transactions(project, finder, state, scanned: set[str]) -> list[Transaction]:
    by_scope: dict[tuple[str, int], list] = {}
    for site in state.sites:
        path, fid = state.site_scopes[site.id]
        by_scope.setdefault((path, fid), []).append(site)
    for sites in by_scope.values():
        sites.sort(key=lambda s: (s.line, s.col))

    found: list[Transaction] = []
    opening: set[tuple[str, int]] = set()  # functions that open a transaction
    for path, facts in sorted(project.modules.items()):
        for call in facts.calls:
            if finder.opens_transaction(path, call):
                opening.add((path, call.fid))
                if path in scanned:
                    inside = [s.id for s in by_scope.get((path, call.fid), []) if s.line >= call.location.line]
                    found.append(_record("driver-api", path, call.location.line, call.location.col,
                                         _end_line(project, path, call.fid), call.callee_text, project, call.fid, inside))
    for (path, fid), sites in sorted(by_scope.items()):
        for i, site in enumerate(sites):
            if not _opens(site):
                continue
            opening.add((path, fid))
            inside = []
            for later in sites[i + 1:]:
                if later.statement in ("commit", "rollback"):
                    break
                inside.append(later.id)
            found.append(_record("sql", path, site.line, site.col, _end_line(project, path, fid), site.callee,
                                 project, fid, inside))
    found.extend(_wrapper_transactions(project, opening, state, scanned))
    found.extend(_blocks(project, finder, opening, by_scope, scanned))
    seen: dict[str, int] = {}
    unique = []
    for record in found:
        seen[record.id] = seen.get(record.id, 0) + 1
        unique.append(record if seen[record.id] == 1 else replace(record, id=f"{record.id}-{seen[record.id]}"))
    return unique


def _wrapper_transactions(project, opening, state, scanned) -> list[Transaction]:
    wrappers = {}  # (path, fid) -> index of the callback parameter it runs
    for (path, g, index), _calls in project.param_calls().items():
        if (path, g) in opening:
            wrappers[(path, g)] = index
    found = []
    for path in sorted(scanned):
        for call in project.modules[path].calls:
            target = project.eval(path, call.callee)
            if target[0] != "func" or (target[1], target[2]) not in wrappers:
                continue
            index = wrappers[(target[1], target[2])]
            if index >= len(call.args) or not isinstance(call.args[index], Func):
                continue
            callback = call.args[index].fid
            inside = sorted((s for s in state.sites if state.site_scopes[s.id][0] == path
                             and callback in project.enclosing(path, state.site_scopes[s.id][1])),
                            key=lambda s: (s.line, s.col))
            fn = project.modules[path].functions.get(callback)
            found.append(_record("wrapper", path, call.location.line, call.location.col,
                                 fn.end_line if fn else call.location.end_line, call.callee_text, project, call.fid,
                                 [s.id for s in inside]))
    return found


def _blocks(project, finder, opening, by_scope, scanned) -> list[Transaction]:
    found = []
    for path in sorted(scanned):
        facts = project.modules[path]
        for block in facts.blocks:
            if _is_transaction(project, finder, opening, path, block.value):
                inside = [s.id for (p, fid), sites in sorted(by_scope.items()) if p == path
                          and block.fid in [fid, *project.enclosing(path, fid)]
                          for s in sites if block.body_line <= s.line <= block.end_line]
                callee = " ".join(facts.lines[block.location.line - 1].strip().split())[:80] \
                    if block.location.line <= len(facts.lines) else ""
                found.append(_record("block", path, block.location.line, block.location.col, block.end_line,
                                     callee, project, block.fid, inside))
        for fid, fn in sorted(facts.functions.items()):
            if any(_is_transaction(project, finder, opening, path, d) for d in fn.decorators):
                inside = [s.id for (p, f), sites in sorted(by_scope.items()) if p == path
                          and fid in project.enclosing(path, f) for s in sites]
                found.append(_record("block", path, fn.line, 1, fn.end_line, f"@{fn.name}", project, fid, inside))
    return found


def _is_transaction(project, finder, opening, path: str, value) -> bool:
    """`engine.begin()`, `transaction.atomic` / `atomic()`, a MySQL connection, or a project helper
    (a context manager) that opens a transaction itself."""
    from auditor.facts import Call, Member
    from auditor.resolve import apis

    if isinstance(value, Call) and isinstance(value.callee, Member):
        if (finder.type_of(path, value.callee.base), value.callee.name) in apis.TRANSACTION_BLOCKS:
            return True
    kind = finder.type_of(path, value)  # `atomic()` types as django.atomic too (apis.CALLS)
    if kind in apis.TRANSACTION_VALUES or (kind == "dbapi.conn" and not isinstance(value, Call)):
        return True  # `transaction.atomic`; `with conn:` but not `with pool.acquire() as conn:`
    if isinstance(value, Call):
        target = project.eval(path, value.callee)
        return target[0] == "func" and (target[1], target[2]) in opening
    return False


def _end_line(project, path: str, fid: int) -> int:
    module = project.modules.get(path)  # None for a .sql script
    fn = module.functions.get(fid) if module is not None and fid else None
    return fn.end_line if fn is not None else len(module.lines) if module is not None else 0


def _record(kind, path, line, col, end_line, callee, project, fid, sites) -> Transaction:
    module = project.modules.get(path)
    fn = module.functions.get(fid) if module is not None and fid else None
    function = fn.name if fn is not None else ""
    return Transaction(id=stable_id("T", kind, path, function, callee, *sites), kind=kind, path=path, line=line,
                       col=col, end_line=end_line, callee=callee, function=function, sites=tuple(sites))
