"""`pgready config`, `pgready baseline` and `pgready cache`, and the narrowing of a scan's findings to what a
developer or a PR bot should see (configuration globs, --diff, --baseline)."""
from __future__ import annotations

import sys
from pathlib import Path

from auditor.cli import EXIT_CLEAN, fail


def add_commands(commands, add_scan_options) -> None:
    config = commands.add_parser(
        "config", help="show the effective configuration and where each value comes from",
        description="Read [tool.pgready] in pyproject.toml and .pgready.toml (from PATH up to the git root; "
                    ".pgready.toml wins) and print every key, its value and its source. Keys: include, exclude, "
                    "select, ignore, fail-on, target, per-file-ignores, schema, baseline, cache-dir, jobs.",
        epilog="Exit codes: 0 shown, 2 a configuration error (one line: file, key, what is wrong).")
    config.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project (default: .)")

    baseline = commands.add_parser(
        "baseline", help="record today's findings, so that later scans report only new ones",
        description="Scan and write every finding's stable fingerprint (rule, file, enclosing symbol and SQL; "
                    "no line numbers, so moved code stays known) to FILE. `pgready scan --baseline FILE` then "
                    "reports only findings that are not in it.",
        epilog="Exit codes: 0 written, 2 usage or internal error.")
    baseline.add_argument("paths", nargs="*", metavar="PATH", default=["."], help="what to scan (default: .)")
    baseline.add_argument("-o", "--output", metavar="FILE", type=Path, default=Path(".pgready-baseline.json"),
                          help="where to write it (default: .pgready-baseline.json)")
    add_scan_options(baseline)

    cache = commands.add_parser(
        "cache", help="show where the cache is and how big, or empty it",
        description="The cache keeps each file's analysis (by content digest), each SQL text's classification "
                    "and rewrite, and whole scans, so that re-scans of unchanged code are almost free. It lives "
                    "in `cache-dir` of the configuration of PATH, else $PGREADY_CACHE_DIR, else ~/.cache/pgready.",
        epilog="Exit codes: 0 shown or cleared, 2 a configuration error.")
    cache.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project (default: .)")
    cache.add_argument("--clear", action="store_true", help="delete the cache file")


def run(args) -> int:
    if args.command == "cache":
        return _cache(args)
    return _baseline(args) if args.command == "baseline" else _config(args)


def narrow(inventory, args, root: Path):
    """Only findings on changed lines (--diff REV) and not in the baseline (--baseline FILE)."""
    from dataclasses import replace

    from auditor import config as cfg

    findings, baselined = list(inventory.findings), 0
    conf = getattr(args, "config", None)
    if conf is not None and (conf.values["include"] or conf.values["exclude"] or conf.values["per-file-ignores"]):
        findings = [f for f in findings if cfg.included(conf, f.location.path)
                    and not cfg.rule_ignored(conf, f.location.path, f.rule_id, f.slug, f.category)]
    if args.diff:
        from auditor.diffscope import changed_lines, keep

        findings = keep(findings, changed_lines(root, args.diff))
    if args.baseline is not None:
        from auditor.baseline import load, split

        findings, known = split(findings, load(args.baseline))
        baselined = len(known)
        print(f"pgready: {baselined} finding(s) known to the baseline {args.baseline} left out", file=sys.stderr)
    return replace(inventory, findings=tuple(findings), baselined=baselined)


def _config(args) -> int:
    from auditor import config as cfg

    try:
        sys.stdout.write(cfg.describe(cfg.load(Path(args.path))) + "\n")
    except cfg.ConfigError as error:
        return fail(error)
    return EXIT_CLEAN


def _cache(args) -> int:
    from auditor import config as cfg
    from auditor.cache import FILE_NAME, default_dir, describe

    try:
        conf = cfg.load(Path(args.path))
    except cfg.ConfigError as error:
        return fail(error)
    folder = Path(conf.values["cache-dir"] or default_dir())
    if args.clear:
        removed = [p for p in folder.glob(FILE_NAME + "*") if p.is_file()]
        for path in removed:
            path.unlink()
        print(f"pgready: cleared {folder / FILE_NAME}" if removed else f"pgready: no cache at {folder}",
              file=sys.stderr)
        return EXIT_CLEAN
    sys.stdout.write(describe(folder) + "\n")
    return EXIT_CLEAN


def _baseline(args) -> int:
    from auditor.baseline import write
    from auditor.cli import _UsageError, prepare, run_scan

    try:
        root, files, rules = prepare(args)
    except _UsageError as error:
        return fail(error)
    inventory = run_scan(args, root, files, rules, show=True)
    write(args.output, inventory.findings)
    print(f"pgready: wrote {args.output} ({len(inventory.findings)} findings)", file=sys.stderr)
    return EXIT_CLEAN
