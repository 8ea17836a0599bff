"""`pgready fix` and `pgready rewrite`: options, output and exit codes; the work is in
auditor.rewrite (SQL), auditor.fixes / auditor.fixplan (which edits) and auditor.edit (files)."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from auditor.cli import fail
from auditor.model import FixSafety

FIX_EPILOG = ("Exit codes: without --write, 0 nothing to fix, 1 the diff above is what --write would do; "
              "with --write, 0 written, 1 some file changed since it was read (it is left alone); 2 usage or "
              "internal error.")
REWRITE_EPILOG = "Exit codes: 0 every statement is safe (or needs nothing), 1 some need review or manual work, 2 usage error."


def add_commands(commands) -> None:
    from auditor.cli import TARGETS, add_scan_options

    fix = commands.add_parser(
        "fix", help="rewrite MySQL-only SQL in place: a diff by default, --write to apply",
        description="Scan, then rewrite the SQL the code sends (string and template literals, f-strings, .sql "
                    "files) and schema.prisma for PostgreSQL. Only fixes proven safe are applied: the MySQL parse "
                    "was complete, every rule involved is safe, PostgreSQL's own parser accepts the result and "
                    "rewriting it again changes nothing. Everything else in the files stays byte for byte. "
                    "Without --write, prints the unified diff and changes nothing.",
        epilog=FIX_EPILOG)
    fix.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                     help="one directory (default: the current directory), or any number of files")
    fix.add_argument("--write", action="store_true",
                     help="apply the fixes (atomically, file by file; a file changed since it was read is refused)")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="also apply review-level fixes: a rewrite exists but its meaning can differ on some data")
    fix.add_argument("--only-verified", action="store_true",
                     help="first replay every site on real MySQL/MariaDB and PostgreSQL (as `pgready verify`) and "
                          "apply only the fixes whose results came out equivalent")
    fix.add_argument("--mysql-url", metavar="URL", help="with --only-verified: the MySQL/MariaDB server (see verify)")
    fix.add_argument("--pg-url", metavar="URL", help="with --only-verified: the PostgreSQL server (see verify)")
    fix.add_argument("--data", type=Path, metavar="FILE", help="with --only-verified: rows to verify with (see verify)")
    add_scan_options(fix)

    rewrite = commands.add_parser(
        "rewrite", help="print the PostgreSQL rewrite of MySQL statements, with its safety",
        description="Rewrite MySQL statements given as arguments, in --file, or on standard input (one statement "
                    "or a whole script) and print each PostgreSQL rewrite with its safety (safe / review / manual) "
                    "and the reasons it is not safe.",
        epilog=REWRITE_EPILOG)
    rewrite.add_argument("sql", nargs="*", metavar="SQL", help="MySQL text (each argument may hold several statements)")
    rewrite.add_argument("--file", type=Path, metavar="FILE", help="read the MySQL text from FILE ('-' for standard input)")
    rewrite.add_argument("--target", choices=TARGETS,
                         help="placeholder style to write: $1 for node-postgres, postgres.js and asyncpg, %%s for psycopg "
                              "(default: keep ? / %%s as written)")
    rewrite.add_argument("--placeholders", choices=("driver", "orm", "pyformat", "named"), default="driver",
                         help="how the input marks parameters: driver (?), pyformat (%%s, %%(name)s), named (:name), "
                              "orm (the ORM binds ?: kept)")
    rewrite.add_argument("--schema", type=Path, metavar="DDL.sql",
                         help="CREATE TABLE statements (a mysqldump --no-data) whose keys give ON CONFLICT targets")
    rewrite.add_argument("--format", choices=("terminal", "json"), default="terminal",
                         help="terminal: each statement followed by its safety as SQL comments; json: "
                              '[{"sql", "safety", "reasons", "rules", "original"}]')


def run(args: argparse.Namespace) -> int:
    return _rewrite(args) if args.command == "rewrite" else _fix(args)


def _rewrite(args) -> int:
    from auditor.rewrite import rewrite_sql

    texts = list(args.sql)
    if args.file is not None:
        if str(args.file) != "-" and not args.file.is_file():
            return fail(f"no such file: {args.file}")
        texts.append(sys.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8"))
    if not texts:
        if sys.stdin.isatty():
            return fail("give MySQL statements as arguments, with --file, or on standard input")
        texts.append(sys.stdin.read())
    schema = None
    if args.schema is not None:
        if not args.schema.is_file():
            return fail(f"no such schema file: {args.schema}")
        from auditor.rewrite.schema import SchemaInfo

        schema = SchemaInfo.from_sql(args.schema.read_text(encoding="utf-8", errors="replace"))
    from auditor.redact import redact

    results = []
    for text in texts:
        for st in rewrite_sql(text, placeholders=args.placeholders, target=args.target, schema=schema).statements:
            results.append({"sql": redact(_bare(st.sql)), "safety": st.safety.value, "reasons": list(st.reasons),
                            "rules": list(st.rules), "original": redact(_bare(st.original))})
    if args.format == "json":
        json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for r in results:
            end = "\n;" if "--" in r["sql"].rsplit("\n", 1)[-1] else ";"  # never inside a trailing comment
            sys.stdout.write(f"{r['sql']}{end}\n-- {r['safety']}" + (f" ({', '.join(r['rules'])})" if r["rules"] else "") + "\n")
            sys.stdout.write("".join(f"--   {reason}\n" for reason in r["reasons"]) + "\n")
    return 0 if all(r["safety"] == "safe" for r in results) else 1


def _bare(sql: str) -> str:
    return sql.strip().rstrip(";").rstrip()


def _fix(args) -> int:
    from auditor.cli import _UsageError, prepare, run_scan
    from auditor.edit.files import ChangedSinceRead, unified_diff, write_atomically
    from auditor.fixplan import plan

    try:
        root, files, rules = prepare(args)
    except _UsageError as error:
        return fail(str(error))
    inventory = run_scan(args, root, files, rules, show=True)
    if args.only_verified:
        inventory = _keep_verified(inventory, root, args)
        if inventory is None:
            return 2
    level = FixSafety.REVIEW if args.unsafe_fixes else FixSafety.SAFE
    base = root if root.is_dir() else root.parent
    changes, skipped = plan(inventory, base, level, {r.id for r in rules})
    refused = []
    for change in changes:
        if args.write:
            try:
                write_atomically(change.snapshot, change.new_text)
            except ChangedSinceRead as exc:
                refused.append((change.rel, str(exc)))
        else:
            sys.stdout.write(unified_diff(change.rel, change.snapshot.text, change.new_text))
    _summary(inventory, changes, skipped, refused, args)
    if refused or (changes and not args.write):
        return 1
    return 0


def _keep_verified(inventory, root, args):
    """The inventory whose fixes are those of sites replayed as equivalent; None after a one-line error."""
    from dataclasses import replace

    from auditor.cli_verify import verified
    from auditor.verify.engines import VerifyError

    try:
        inventory, _ = verified(inventory, root if root.is_dir() else root.parent, args)
    except VerifyError as error:
        fail(str(error))
        return None
    proven = {v.site_id for v in inventory.verdicts if v.verdict == "equivalent"}
    dropped = [f for f in inventory.fixes if f.site_id not in proven]
    if dropped:
        print(f"pgready: --only-verified: {len(dropped)} fix(es) left out (their sites were not proven equivalent)",
              file=sys.stderr)
    return replace(inventory, fixes=tuple(f for f in inventory.fixes if f.site_id in proven))


def _summary(inventory, changes, skipped, refused, args) -> None:
    out = sys.stderr
    verb = "fixed" if args.write else "would fix"
    fixed = sum(len(c.fixed) for c in changes)
    out.write(f"pgready: {verb} {fixed} place(s) in {len(changes) - len(refused)} file(s)\n")
    for rel, why in refused:
        out.write(f"pgready: refused {rel}: {why}\n")
    levels = Counter(f.fix_safety.value for f in inventory.findings)
    if levels["review"] and not args.unsafe_fixes:
        out.write(f"pgready: {levels['review']} finding(s) have a review-level rewrite (apply with --unsafe-fixes "
                  "after reading them):\n")
        _top_reasons(out, [f for f in inventory.findings if f.fix_safety is FixSafety.REVIEW])
    if levels["manual"]:
        out.write(f"pgready: {levels['manual']} finding(s) need manual work (no mechanical rewrite):\n")
        _top_reasons(out, [f for f in inventory.findings if f.fix_safety is FixSafety.MANUAL])
    for rel, what, why in skipped[:20]:
        out.write(f"pgready: not fixed in {rel} ({what}): {why}\n")


def _top_reasons(out, findings, limit: int = 8) -> None:
    counts = Counter(f.fix_reasons[0] if f.fix_reasons else f"{f.rule_id}: {f.message.split(';')[0]}" for f in findings)
    for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        out.write(f"  {n:>4}  {reason[:160]}\n")

