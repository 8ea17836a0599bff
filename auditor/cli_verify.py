"""`pgready verify`: options, output and exit codes; the work is in auditor.verify."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from auditor.cli import fail

EPILOG = ("Exit codes: 0 no site differs or fails on PostgreSQL, 1 some do (or fail on MySQL), 2 usage "
          "error, or a server that cannot be used (with a one-line reason).")


def add_command(commands) -> None:
    from auditor.cli import TARGETS

    verify = commands.add_parser(
        "verify", help="replay every SQL site on real MySQL/MariaDB and PostgreSQL and compare the results",
        description="Scan PATH, create scratch databases (pgready_scratch_*) on both servers, load the project's "
                    "schema (MySQL DDL as is; its pgready rewrite on PostgreSQL), fill both with the same "
                    "edge-case rows (NULLs, mixed case, trailing spaces, accents and emoji, ties, negative and "
                    "zero values, boundary dates), then run each site's original SQL on MySQL and its rewrite "
                    "on PostgreSQL with the same parameter values and compare. Writes run in transactions that "
                    "are rolled back, followed by a read of the tables they touch. The scratch databases are "
                    "dropped afterwards, also after an error or Ctrl-C; no other database is touched.",
        epilog=EPILOG)
    verify.add_argument("path", nargs="?", default=".", metavar="PATH", help="directory to scan (default: .)")
    verify.add_argument("--mysql-url", metavar="URL", help="MySQL/MariaDB server, e.g. mysql://root@127.0.0.1:3306/test "
                        "(default: $PGREADY_MYSQL_URL, else that)")
    verify.add_argument("--pg-url", metavar="URL", help="PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/test "
                        "(default: $PGREADY_PG_URL, else that)")
    verify.add_argument("--schema", type=Path, metavar="FILE",
                        help="the MySQL DDL to load (default: the project's .sql files that CREATE TABLE)")
    verify.add_argument("--data", type=Path, metavar="FILE",
                        help="INSERT statements to load on MySQL and copy to PostgreSQL (default: generated rows)")
    verify.add_argument("--target", choices=TARGETS, help="the PostgreSQL driver the code moves to (as for scan)")
    verify.add_argument("--format", choices=("terminal", "json"), default="terminal",
                        help="terminal: verdicts and differing rows; json: the inventory with its `verification`")
    verify.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    verify.add_argument("--no-progress", action="store_true", help="no progress bar")


def urls(args) -> tuple[str, str]:
    from auditor.verify.engines import DEFAULT_MYSQL_URL, DEFAULT_PG_URL

    mysql = getattr(args, "mysql_url", None) or os.environ.get("PGREADY_MYSQL_URL") or DEFAULT_MYSQL_URL
    pg = getattr(args, "pg_url", None) or os.environ.get("PGREADY_PG_URL") or DEFAULT_PG_URL
    return mysql, pg


def run(args) -> int:
    from auditor.cli import _write
    from auditor.pipeline import scan
    from auditor.verify import counts
    from auditor.verify.engines import VerifyError

    root = Path(args.path)
    if not root.is_dir():
        return fail(f"not a directory: {root}")
    for option in ("schema", "data"):
        given = getattr(args, option)
        if given is not None and not given.is_file():
            return fail(f"no such file: {given}")
    inventory = scan(root, target=args.target)
    try:
        inventory, report = verified(inventory, root, args)
    except VerifyError as error:
        return fail(str(error))
    for problem in report.problems[:20]:
        print(f"pgready: verify: {problem}", file=sys.stderr)
    if args.format == "terminal" and args.output is None:
        from auditor.report.terminal import render

        render(inventory, sys.stdout, {"verification_only": True})
    else:
        _write(inventory, args.format, args.output)
    tally = counts(inventory.verdicts)
    return 1 if tally["differs"] or tally["pg-error"] or tally["mysql-error"] else 0


def verified(inventory, root: Path, args):
    """The inventory with verdicts (shared with `fix --only-verified`), a progress bar on a terminal."""
    from auditor.verify import verify

    mysql_url, pg_url = urls(args)
    options = {"mysql_url": mysql_url, "pg_url": pg_url, "schema": getattr(args, "schema", None),
               "data": getattr(args, "data", None)}
    if not getattr(args, "no_progress", False) and sys.stderr.isatty():
        from auditor.progress import terminal_progress

        with terminal_progress() as progress:
            return verify(inventory, root, progress=progress, **options)
    return verify(inventory, root, **options)

