"""The rule reference, generated from the loaded rules: `docs/rules.md` and `pgready rules ID`.

Fixed headings for every rule (What it does / Why is this bad / Example / Use instead / Fix
safety / References), so the reference reads the same everywhere and a test can tell when
the committed file is stale.
"""
from __future__ import annotations

from collections import Counter

FENCE = {"sql": "sql", "javascript": "js", "python": "python", "sqlfile": "sql", "prisma": "prisma",
         "prisma-lock": "toml", "env": "sh", "compose": "yaml", "workflow": "yaml", "package": "json",
         "lockfile": "json", "requirements": "text", "pyproject": "toml"}
SAFETY = {
    "safe": "Safe: the rewrite preserves meaning on every input; `pgready fix` applies it.",
    "review": "Review: a rewrite exists but its meaning can differ on some data; it is shown, and applied "
              "only with `--unsafe-fixes`.",
    "manual": "Manual: there is no mechanical equivalent; the finding carries guidance only.",
}
HEADER = ("# pgready rule reference\n\n"
          "Generated from `rules/` by `pgready rules --write-docs docs/rules.md`; do not edit by hand "
          "(a test fails when this file is stale).\n\n"
          "Severity: `error` fails on PostgreSQL, `warning` runs but can return different results, `info` is "
          "worth knowing. Effort is minutes per occurrence before the fix-safety range (see docs/effort.md).\n")


def render_rule(rule) -> str:
    """One rule's section, in Markdown: what `pgready rules ID` prints."""
    examples = rule.examples
    lines = [
        f"## {rule.id} `{rule.slug}`: {rule.title}",
        "",
        f"Category `{rule.category}` · severity `{rule.severity.value}` · fix `{rule.fix.value}` · "
        f"effort {rule.effort_minutes} min",
        "",
        "### What it does",
        "",
        rule.message,
        "",
        "### Why is this bad",
        "",
        rule.why,
        "",
        "### Example",
        "",
        f"```{FENCE[examples['language']]}",
        examples["fail"][0].rstrip(),
        "```",
        "",
        "### Use instead",
        "",
    ]
    if rule.rewrites:
        for mysql, postgres in rule.rewrites:
            lines += ["```sql", f"-- MySQL:      {mysql}", f"-- PostgreSQL: {postgres}", "```", ""]
    lines += [rule.postgres, "", "### Fix safety", "", SAFETY[rule.fix.value], "", "### References", ""]
    lines += [f"- <{url}>" for url in rule.references]
    return "\n".join(lines) + "\n"


def render_catalogue(rules) -> str:
    """The whole reference: counts, an index by category, then every rule."""
    by_category = Counter(r.category for r in rules)
    parts = [HEADER, f"{len(rules)} rules: " + ", ".join(f"{n} {c}" for c, n in sorted(by_category.items())) + ".\n"]
    for category in sorted(by_category):
        parts.append(f"\n### {category}\n\n| id | rule | severity | fix | effort |\n|---|---|---|---|---|")
        for r in sorted((r for r in rules if r.category == category), key=lambda r: r.id):
            parts.append(f"| {r.id} | `{r.slug}`: {r.title} | {r.severity.value} | {r.fix.value} | {r.effort_minutes} |")
    parts.append("")
    parts.extend(render_rule(r) for r in sorted(rules, key=lambda r: r.id))
    return "\n".join(parts)
