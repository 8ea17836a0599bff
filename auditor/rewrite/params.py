"""Bind parameters in the target driver's style: `$1` (node-postgres, postgres.js, asyncpg) or
`%s` (psycopg).

The engine parses a statement with each placeholder replaced by `pgready_ph_K` (K = its order
in the original text), so a transform may move one (`LIMIT ?, ?` -> `LIMIT ? OFFSET ?`) and the
marker still says which parameter it is. Numbered styles follow the marker (`LIMIT $2 OFFSET
$1`: the call's argument array stays as it is); positional styles cannot express a reordering,
so that is a reason, never a silent swap.
"""
from __future__ import annotations

from dataclasses import dataclass

# Prisma's $queryRawUnsafe / $executeRawUnsafe hand the text to the database as is: $1 on PostgreSQL
NUMBERED = frozenset({"node-postgres", "postgres.js", "asyncpg", "prisma"})


@dataclass(frozen=True)
class Plan:
    """How to write placeholder K; `reason` set when the target cannot take them as written."""

    forms: tuple[str, ...]  # index K -> text in the output
    reason: str = ""
    safety: str = ""  # "review" | "manual" when reason is set


def plan(written: list[str], order: list[int], placeholders: str, target: str | None) -> Plan:
    """written[K]: placeholder K as the code writes it; order: K of each placeholder in output order."""
    named = [w for w in written if w not in ("?", "%s")]
    keep = target not in NUMBERED and target != "psycopg" or placeholders in ("orm", "named")
    if target in NUMBERED and not keep:
        if named:
            return Plan(tuple(written), f"named parameter {named[0]} has no equivalent in {target}: "
                                        "pass the values positionally as $1, $2, ...", "manual")
        return Plan(tuple(f"${k + 1}" for k in range(len(written))))
    forms = tuple(written) if keep else tuple("%s" if w == "?" else w for w in written)  # psycopg: %s, %(name)s
    positional = [k for k in order if forms[k] in ("?", "%s")]
    if positional != sorted(positional) or len(set(positional)) != len(positional):
        return Plan(forms, "the rewrite reorders or repeats parameters, which positional placeholders "
                           f"({forms[positional[0]]}) cannot express: reorder the call's arguments", "manual")
    return Plan(forms)
