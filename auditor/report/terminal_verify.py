"""The verification section of the terminal report: verdict counts, then every site that differs
or fails on an engine, with the differing rows side by side, then why the rest was not replayed."""
from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.model import Inventory

_STYLE = {"equivalent": "green", "differs": "bold red", "pg-error": "red", "mysql-error": "yellow",
          "not-verifiable": "dim"}
_ORDER = ("differs", "pg-error", "mysql-error")


def print_verdicts(console: Console, inv: Inventory) -> None:
    from auditor.verify import counts

    sites = {s.id: s for s in inv.sites}
    tally = counts(inv.verdicts)
    console.print()
    console.print(Text("Verification on MySQL/MariaDB and PostgreSQL", style="bold"))
    summary = Table("verdict", "sites")
    for kind, n in tally.items():
        summary.add_row(Text(kind, style=_STYLE[kind]), str(n))
    console.print(summary)
    for kind in _ORDER:
        for v in sorted((v for v in inv.verdicts if v.verdict == kind), key=lambda v: _where(sites, v)):
            head = Text(f"{_where(sites, v)}  ", style="bold")
            head.append(kind.upper(), style=_STYLE[kind])
            head.append(f"  {v.detail}")
            console.print(head)
            if v.only_mysql or v.only_pg:
                rows = Table("only on MySQL", "only on PostgreSQL", show_lines=False)
                for i in range(max(len(v.only_mysql), len(v.only_pg))):
                    left = " | ".join(v.only_mysql[i]) if i < len(v.only_mysql) else ""
                    right = " | ".join(v.only_pg[i]) if i < len(v.only_pg) else ""
                    rows.add_row(left, right)
                console.print(rows)
            if kind == "pg-error" and v.pg_sql:
                console.print(Text("  ran: " + " ".join(v.pg_sql.split())[:300], style="dim"))
    reasons = Counter(v.detail for v in inv.verdicts if v.verdict == "not-verifiable")
    if reasons:
        console.print(Text("Not replayed:", style="bold"))
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:10]:
            console.print(Text(f"  {n:>4}  {reason[:150]}", style="dim"))


def _where(sites: dict, v) -> str:
    site = sites.get(v.site_id)
    return f"{site.path}:{site.line}" if site is not None else v.site_id
