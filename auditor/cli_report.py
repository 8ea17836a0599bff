"""`pgready report INVENTORY.json --format X`: render a saved inventory without scanning (CI scans
once, renders many), and the writer `pgready scan --format X` shares with it.

Every format is a module `auditor.report.<format>` with `render(inventory, out, options)`. Options
both commands pass: `path_prefix` (where the scanned folder sits in the repository, so SARIF URIs,
annotations and review comments land on the right files) and, for `report`, `baseline` (finding
ids of an older inventory: the Markdown comment tells new from existing findings).
"""
from __future__ import annotations

import sys
from pathlib import Path

from auditor.cli import EXIT_CLEAN, FAIL_ON, FORMATS, _exit_code, fail, output_path

FORMAT_HELP = ("terminal (default), json (the versioned inventory), html (one self-contained page for "
               "leads), sarif (2.1.0, for code scanning), rdjson (reviewdog), github (workflow-command "
               "annotations), markdown (a pull-request comment) or csv (one row per finding)")


def add_output_options(sub) -> None:
    """Options of every command that writes a report (scan, report)."""
    sub.add_argument("--path-prefix", metavar="DIR", default="",
                     help="the scanned folder's path inside the repository, put before every reported path "
                          "(when scanning a subfolder in CI, so annotations land on the right files)")


def add_command(commands) -> None:
    sub = commands.add_parser(
        "report", help="render a saved JSON inventory in any format, without scanning",
        description="Read an inventory written by `pgready scan --format json -o FILE` and render it: CI scans "
                    "once and renders the HTML page, SARIF, review comments and annotations from the same file. "
                    "The same inventory always renders to the same bytes.",
        epilog="Exit codes: 0 rendered (and nothing at or above --fail-on), 1 findings at or above --fail-on, "
               "2 missing or invalid inventory, or usage error.")
    sub.add_argument("inventory", metavar="INVENTORY.json", type=Path, help="a saved inventory (pgready scan --format json)")
    sub.add_argument("--format", choices=FORMATS, default="terminal", help=FORMAT_HELP)
    sub.add_argument("-o", "--output", metavar="FILE", type=output_path,
                     help="write the report to FILE instead of standard output (parent folders are created; "
                          "`-` is standard output)")
    sub.add_argument("--fail-on", choices=FAIL_ON, default="never",
                     help="lowest severity that makes the exit code 1 (default: never: always 0 once rendered)")
    sub.add_argument("--baseline", metavar="OLD.json", type=Path,
                     help="an inventory of the base branch: findings already in it are `existing`, the others "
                          "`new` (shown by the markdown comment)")
    add_output_options(sub)


def options_from(args) -> dict:
    options = {"path_prefix": getattr(args, "path_prefix", "") or ""}
    baseline = getattr(args, "baseline_ids", None)
    if baseline is not None:
        options["baseline"] = baseline
    return options


def write(inventory, fmt: str, output: Path | None, options: dict | None = None) -> None:
    """Render `inventory` as `fmt` to `output` (standard output when None)."""
    from importlib import import_module

    reporter = import_module(f"auditor.report.{fmt}")
    if output is None:
        reporter.render(inventory, sys.stdout, options or {})
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", encoding="utf-8", newline="\n") as out:
        reporter.render(inventory, out, options or {})
    print(f"pgready: wrote {output}", file=sys.stderr)


def _load(path: Path, what: str):
    from auditor.report.json import load

    if not path.exists():
        raise ValueError(f"no such {what}: {path} (write one with `pgready scan --format json -o {path}`)")
    if path.is_dir():
        raise ValueError(f"{what} {path} is a directory, not a JSON file")
    try:
        return load(path)
    except ValueError as error:
        raise ValueError(" ".join(str(error).split())) from None


def run(args) -> int:
    try:
        inventory = _load(args.inventory, "inventory")
        if args.baseline is not None:
            args.baseline_ids = sorted({f.id for f in _load(args.baseline, "baseline inventory").findings})
    except ValueError as error:
        return fail(error)
    try:
        write(inventory, args.format, args.output, options_from(args))
    except OSError as error:
        return fail(f"cannot write {args.output}: {error.strerror or error}")
    return _exit_code(inventory, args.fail_on) if args.fail_on != "never" else EXIT_CLEAN
