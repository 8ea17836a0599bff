"""Quoted identifiers: PostgreSQL folds unquoted names to lower case, MySQL compares column
names case-insensitively. So a backticked name becomes:

- bare, when it is already lower case and not a PostgreSQL keyword (`users` -> users):
  same name on both sides, proven;
- double-quoted, when it is a PostgreSQL keyword (`user`, `order`) or mixed case (`userId`).
  Whether "userId" exists with that exact case depends on how the schema was moved (pgloader
  folds to lower case, Prisma keeps it), so that is a review reason, never assumed.
"""
from __future__ import annotations

import functools
import re

from sqlglot import exp

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


@functools.cache
def _keywords() -> frozenset[str]:
    from pglast import keywords

    return frozenset(keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS)


def settle(tree: exp.Expression) -> list[str]:
    """Unquote what can be unquoted (mutates `tree`); the reasons for what must stay quoted."""
    kept: dict[str, str] = {}
    for ident in tree.find_all(exp.Identifier):
        if not ident.args.get("quoted"):
            continue
        name = ident.name
        if _PLAIN.match(name) and name not in _keywords():
            ident.set("quoted", False)
        elif name.lower() in _keywords():
            kept.setdefault(name, f"`{name}` is a PostgreSQL keyword and stays double-quoted; a later scan "
                                  "that reads this SQL as MySQL sees \"" + name + "\" as a string")
        elif name.lower() != name:
            kept.setdefault(name, f"mixed-case name `{name}` becomes \"{name}\": check the PostgreSQL schema "
                                  "kept its case (pgloader folds names to lower case, Prisma keeps them)")
        else:
            kept.setdefault(name, f"`{name}` needs double quotes in PostgreSQL")
    return [kept[name] for name in sorted(kept)]
