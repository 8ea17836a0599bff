"""Command line: options and exit codes only; the work happens in the stages."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditor import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("terminal", "json", "html", "sarif", "rdjson", "github", "markdown", "csv")
FAIL_ON = ("error", "warning", "info", "never")
TARGETS = ("node-postgres", "postgres.js", "psycopg", "asyncpg")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        self.exit(EXIT_ERROR, f"pgready: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pgready",
        description="Find what in a MySQL/MariaDB application will break on PostgreSQL: which lines send SQL, "
                    "what that SQL is, which parts are MySQL-only, and which transactions exist; rewrite what can be "
                    "rewritten safely (fix) and replay SQL on real servers (verify). Never runs the audited code.",
        epilog="Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or internal error.",
    )
    parser.add_argument("--version", action="version", version=f"pgready {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = commands.add_parser(
        "scan", help="audit a codebase (or the files a pre-commit hook passes)",
        description="Audit a directory, or an explicit list of files (what pre-commit passes). In a git "
                    "checkout, .gitignore is respected; node_modules, build output, vendored and minified "
                    "bundles are skipped. Modules imported by the listed files are read for context "
                    "(to recognise query wrappers) but only the listed files are reported.",
        epilog="Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or internal error.")
    scan.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                      help="one directory to scan (default: the current directory), or any number of files")
    from auditor.cli_report import FORMAT_HELP, add_output_options

    scan.add_argument("--format", choices=FORMATS, default="terminal", help=FORMAT_HELP)
    scan.add_argument("-o", "--output", metavar="FILE", type=output_path,
                      help="write the report to FILE instead of standard output (parent folders are created; "
                           "`-` is standard output)")
    scan.add_argument("--fail-on", choices=FAIL_ON,
                      help="lowest severity that makes the exit code 1 (default: `fail-on` of the configuration, "
                           "else error; never: always exit 0)")
    add_scan_options(scan)
    add_output_options(scan)
    scan.add_argument("--baseline", metavar="FILE", type=Path,
                      help="report only findings the baseline does not know (see `pgready baseline`); the "
                           "number left out is said on stderr and in the JSON summary")
    scan.add_argument("--diff", metavar="REV",
                      help="report only findings on lines changed since git revision REV (working tree and "
                           "untracked files included), e.g. --diff origin/main")

    from auditor.cli_project import add_commands as add_project_commands

    add_project_commands(commands, add_scan_options)

    from auditor.cli_fix import add_commands
    from auditor.cli_report import add_command as add_report
    from auditor.cli_verify import add_command

    add_commands(commands)
    add_command(commands)
    add_report(commands)

    for name, helptext, description in (
            ("graph", "export the dependency graph: routes -> functions -> SQL sites -> tables",
             "Scan PATH (or read a saved --inventory) and write the dependency graph: HTTP routes, the "
             "functions they run and call, the SQL sites those send, the tables the SQL reads and writes, "
             "and the findings at each site. Mermaid shows the lead's view: routes -> tables."),
            ("impact", "what a route reaches, or who uses a table",
             "Scan PATH (or read a saved --inventory) and answer one impact question: --route 'GET /api/x' "
             "(the SQL sites, tables, findings and effort behind an endpoint), --table NAME (the sites that "
             "read and write it and the routes that reach them) or --finding ID (the routes that reach it).")):
        sub = commands.add_parser(name, help=helptext, description=description,
                                  epilog="Exit codes: 0 answered, 2 usage error or nothing matched.")
        sub.add_argument("path", nargs="?", default=".", metavar="PATH", help="directory to scan (default: .)")
        sub.add_argument("--inventory", metavar="FILE", type=Path,
                         help="read a saved JSON inventory (pgready scan --format json) instead of scanning")
        sub.add_argument("-o", "--output", metavar="FILE", type=output_path,
                         help="write to FILE instead of standard output (`-` is standard output)")
        if name == "graph":
            sub.add_argument("--format", choices=("json", "dot", "graphml", "mermaid"), default="json",
                             help="json (node-link), dot (Graphviz), graphml, or mermaid (routes -> tables)")
        else:
            group = sub.add_mutually_exclusive_group(required=True)
            group.add_argument("--route", metavar="'METHOD /path'", help="e.g. 'GET /api/guilds/:id' (method optional)")
            group.add_argument("--table", metavar="NAME", help="a table name, e.g. users")
            group.add_argument("--finding", metavar="ID", help="a finding id from the JSON inventory")
            sub.add_argument("--format", choices=("terminal", "json"), default="terminal", help="terminal or JSON")

    rules = commands.add_parser(
        "rules", help="list the rule catalogue, or explain one rule",
        description="List the rules (filtered by category, severity or fix safety), or, given a rule id or "
                    "slug, print its reference: what it does, why it matters, an example, the PostgreSQL way, "
                    "fix safety and manual references (the same text as docs/rules.md).")
    rules.add_argument("rule", nargs="?", metavar="ID", help="a rule id or slug to explain, e.g. FUN003 or group-concat")
    rules.add_argument("--category", help="only rules of this category (syntax, functions, ddl, ...)")
    rules.add_argument("--severity", choices=("error", "warning", "info"), help="only rules of this severity")
    rules.add_argument("--fix", choices=("safe", "review", "manual"), help="only rules of this fix safety")
    rules.add_argument("--format", choices=("terminal", "json", "markdown"), default="terminal",
                       help="terminal table, JSON, or the Markdown reference")
    rules.add_argument("--write-docs", metavar="FILE", type=Path,
                       help="write the whole Markdown reference to FILE (docs/rules.md) and exit")
    return parser


def add_scan_options(sub) -> None:
    """Options every command that scans shares (scan, fix)."""
    sub.add_argument("--target", choices=TARGETS,
                     help="the PostgreSQL driver the code moves to (default: node-postgres for JavaScript/"
                          "TypeScript, psycopg for Python); e.g. asyncpg flags %%s placeholders (SYN010) and "
                          "fix writes $1, $2 ...")
    sub.add_argument("--no-progress", action="store_true",
                     help="no progress bar (it only ever shows on a terminal, never with machine formats)")
    sub.add_argument("--schema", metavar="DUMP.sql", type=Path,
                     help="a MySQL DDL dump (mysqldump --no-data, or with data) to compare with the ORM schema "
                          "(schema.prisma): every table, column, type, nullability, default, index and foreign key "
                          "that differs is reported (SCH001); its keys also give fix the ON CONFLICT targets")
    sub.add_argument("--select", metavar="RULES", action="append", default=[],
                     help="only these rules: ids, slugs or categories, comma-separated (repeatable), "
                          "e.g. --select functions,SYN003")
    sub.add_argument("--ignore", metavar="RULES", action="append", default=[],
                     help="never these rules: ids, slugs or categories (wins over --select)")
    sub.add_argument("-j", "--jobs", type=_positive, metavar="N",
                     help="worker processes for parsing files (default: `jobs` of the configuration, else all "
                          "cores; small scans always run in one process)")
    sub.add_argument("--no-cache", action="store_true",
                     help="neither read nor write the cache (every file is analysed again)")
    sub.add_argument("--cache-dir", metavar="DIR", type=Path,
                     help="where results are cached: per file (by content digest), per SQL text and per scan "
                          "(default: `cache-dir` of the configuration, else $PGREADY_CACHE_DIR, else "
                          "~/.cache/pgready); a re-scan of unchanged files reuses them")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, at least 1, not {text!r}")
    return value


def entry() -> None:
    """The `pgready` command: main(), then exit without tearing down the heap object by object (a
    large scan's inventory takes seconds to free, and the process is ending anyway)."""
    import os

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code)


def output_path(text: str) -> Path | None:
    """An -o/--output value: a file, or None (standard output) for `-`, as most tools read it."""
    return None if text == "-" else Path(text)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command in ("baseline", "config", "cache"):
            from auditor.cli_project import run as run_project

            return run_project(args)
        if args.command == "verify":
            from auditor.cli_verify import run as run_verify

            return run_verify(args)
        if args.command in ("fix", "rewrite"):
            from auditor.cli_fix import run

            return run(args)
        if args.command == "report":
            from auditor.cli_report import run as run_report

            return run_report(args)
        if args.command in ("graph", "impact"):
            from auditor.cli_graph import run

            return run(args)
        return _scan(args)
    except KeyboardInterrupt:
        print("pgready: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `pgready ... | head`: the reader left; not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except Exception as error:  # a one-line reason, never a traceback for users
        from auditor.catalog import CatalogError

        kind = "rule catalogue error" if isinstance(error, CatalogError) else "internal error"
        print(f"pgready: {kind}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_ERROR


def _targets(paths: list[str]) -> tuple[Path, list[Path] | None]:
    missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise _UsageError(f"no such file or directory: {missing[0]}")
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0]), None
    if any(Path(p).is_dir() for p in paths):
        raise _UsageError("give one directory, or a list of files, not both")
    return _files_root([Path(p) for p in paths]), [Path(p) for p in paths]


def _files_root(files: list[Path]) -> Path:
    """The root of a scan of named files: the current directory (a hook runs at the top of the
    repository), or, when a file lies outside it, the deepest folder holding them all."""
    import os

    cwd = Path.cwd()
    folders = [Path(os.path.abspath(f)).parent for f in files]
    if all(folder.is_relative_to(cwd) for folder in folders):
        return cwd
    return Path(os.path.commonpath(folders))


class _UsageError(Exception):
    pass


def fail(message) -> int:
    """Every command's one-line error: `pgready: error: ...` on stderr, exit code 2."""
    print(f"pgready: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _scan(args) -> int:
    try:
        root, files, rules = prepare(args)
    except _UsageError as error:
        return fail(error)
    from auditor.pipeline import batch_gc

    with batch_gc():  # the scan's objects stay out of the collector's sight until the report is out
        return _scan_and_write(args, root, files, rules)


def _scan_and_write(args, root, files, rules) -> int:
    inventory = run_scan(args, root, files, rules, show=args.format == "terminal")
    try:
        from auditor.cli_project import narrow

        inventory = narrow(inventory, args, root if root.is_dir() else Path.cwd())
    except ValueError as error:
        return fail(error)
    from auditor.cli_report import options_from

    _write(inventory, args.format, args.output, options_from(args))
    return _exit_code(inventory, args.fail_on)


def prepare(args):
    """(root, files, rules) from the options `scan`, `fix` and `baseline` share, with the project's
    configuration ([tool.pgready] / .pgready.toml) under the command line; _UsageError when wrong."""
    from auditor import config as cfg

    root, files = _targets(args.paths)
    base = root if root.is_dir() else Path.cwd()
    overrides = {"select": args.select, "ignore": args.ignore, "fail_on": getattr(args, "fail_on", None),
                 "target": args.target, "schema": args.schema, "cache_dir": args.cache_dir, "jobs": args.jobs}
    try:
        args.config = cfg.load(base, overrides)
    except cfg.ConfigError as error:
        raise _UsageError(str(error)) from None
    values = args.config.values
    args.target, args.fail_on = values["target"], values["fail-on"]
    args.schema = Path(values["schema"]) if values["schema"] else None
    if getattr(args, "baseline", "absent") is None and values["baseline"] and Path(values["baseline"]).is_file():
        args.baseline = Path(values["baseline"])
    if args.schema is not None and not args.schema.is_file():
        raise _UsageError(f"no such schema dump: {args.schema}")
    from auditor.cache import Cache, default_dir, load_catalogue
    from auditor.catalog import select_rules
    from auditor.fileparse import default_jobs

    args.jobs = values["jobs"] or default_jobs()
    args.cache = None if args.no_cache else Cache(Path(values["cache-dir"] or default_dir()))
    catalogue = load_catalogue(args.cache)
    try:
        rules = select_rules(catalogue, tuple(values["select"]), tuple(values["ignore"]))
        cfg.check_rules(args.config, catalogue)
    except ValueError as error:
        raise _UsageError(str(error)) from None
    if args.cache is not None:
        args.cache.rules = {r.id: r for r in catalogue}
    return root, files, rules


def run_scan(args, root, files, rules, show: bool):
    """The scan, with a progress bar on a terminal unless --no-progress."""
    from auditor.pipeline import scan

    options = dict(rules=rules, target=args.target, schema=args.schema, cache=args.cache, jobs=args.jobs,
                   keep=_kept(args.config))
    try:
        if show and not args.no_progress and sys.stderr.isatty():
            from auditor.progress import terminal_progress

            with terminal_progress() as progress:
                return scan(root, files, progress=progress, **options)
        return scan(root, files, **options)
    finally:
        if args.cache is not None:
            args.cache.close()


def _kept(conf):
    """The configuration's include/exclude as a filter of discovered files, or None when it has none."""
    if not (conf.values["include"] or conf.values["exclude"]):
        return None
    from auditor.config import included

    return lambda rel: included(conf, rel)


def _write(inventory, fmt: str, output: Path | None, options: dict | None = None) -> None:
    from auditor.cli_report import write

    write(inventory, fmt, output, options)


def _exit_code(inventory, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = FAIL_ON.index(fail_on)  # error=0 < warning=1 < info=2
    ranks = {"error": 0, "warning": 1, "info": 2}
    hit = any(ranks[f.severity.value] <= threshold for f in inventory.findings)
    return EXIT_FINDINGS if hit else EXIT_CLEAN


def _rules(args) -> int:
    import json

    from auditor.catalog import CATEGORIES, load_rules, rule_metadata
    from auditor.ruledocs import render_catalogue, render_rule

    rules = load_rules()
    if args.write_docs is not None:
        args.write_docs.parent.mkdir(parents=True, exist_ok=True)
        args.write_docs.write_text(render_catalogue(rules), encoding="utf-8", newline="\n")
        print(f"pgready: wrote {args.write_docs} ({len(rules)} rules)", file=sys.stderr)
        return EXIT_CLEAN
    if args.rule:
        rule = next((r for r in rules if args.rule in (r.id, r.slug) or args.rule.upper() == r.id), None)
        if rule is None:
            print(f"pgready: error: no rule {args.rule!r} (see `pgready rules`)", file=sys.stderr)
            return EXIT_ERROR
        sys.stdout.write(json.dumps(rule_metadata(rule), indent=2) + "\n" if args.format == "json" else render_rule(rule))
        return EXIT_CLEAN
    if args.category and args.category not in CATEGORIES:
        print(f"pgready: error: unknown category {args.category!r} (one of {', '.join(sorted(CATEGORIES))})",
              file=sys.stderr)
        return EXIT_ERROR
    rules = [r for r in rules if (not args.category or r.category == args.category)
             and (not args.severity or r.severity.value == args.severity) and (not args.fix or r.fix.value == args.fix)]
    if args.format == "json":
        json.dump([rule_metadata(r) for r in rules], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    if args.format == "markdown":
        sys.stdout.write("".join(render_rule(r) + "\n" for r in rules))
        return EXIT_CLEAN
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "slug", "category", "severity", "fix", "effort", "title", title=f"{len(rules)} rules")
    for rule in rules:
        table.add_row(rule.id, rule.slug, rule.category, rule.severity.value, rule.fix.value,
                      f"{rule.effort_minutes} min", rule.title)
    Console(file=sys.stdout, width=140, markup=False).print(table)
    return EXIT_CLEAN
