"""Benchmark: issue 11's speed figures, each next to a baseline measured on this machine in this run.
Prints figures; asserts nothing (timed tests are flaky on shared machines). Every pgready figure is a
whole new process (`python -m auditor ...`), as a user runs it.

    python benchmarks/speed.py [--files 3000] [--warm-files 5000] [--jobs 1,2] [--repeat 5]

1. Pre-commit run on 3 staged files of the bundled Express fixture, JSON output, against
   `python -c "import sqlglot, tree_sitter"` (target: within 2.5x). The files are edited before
   every run (a new line of code each time), so their own analysis is never reused; the cache
   holds what an earlier run on the repository left (as on a developer's machine). A run with an
   empty cache is printed too.
2. Cold full scan (--no-cache) of a generated TypeScript codebase (benchmarks/corpus.py: --files
   files of about 300 lines) against a bare tree-sitter parse-plus-query pass over the same files
   with the same number of processes (benchmarks/bare_pass.py) (target: within 5x), for each
   --jobs value; files/s, MB/s and peak memory.
3. Warm re-scan of an unchanged --warm-files codebase against its cold scan with an empty cache
   (target: at least 20x faster).
Python's own start-up (`python -c pass`) is printed as the floor of any new process.
Processes run without PYTHONDONTWRITEBYTECODE, after a warm-up run, so that Python reads the
compiled modules as it does after `pip install` (which compiles them); otherwise an editable
install recompiles pgready's 100-odd modules in every run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = ROOT / "fixtures" / "slimy-admin-api"
STAGED = ("routes/users.js", "routes/chat.js", "services/reportService.ts")
PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB of the process and its workers) of one new process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own usage (its waited-for workers included)
    wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if code not in (0, 1):
        raise SystemExit(f"benchmark: {' '.join(cmd)} failed ({code}): {err.decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def median(cmd: list[str], repeat: int, cwd: Path | None = None, before=None, env=None) -> float:
    times = []
    for i in range(repeat):
        if before is not None:
            before(i)
        times.append(run(cmd, cwd, env)[0])
    return statistics.median(times)


def pgready(*args: str) -> list[str]:
    return [PY, "-m", "auditor", *args, "--no-progress", "--fail-on", "never"]


def hook(repeat: int, tmp: Path) -> None:
    base = median([PY, "-c", "import sqlglot, tree_sitter"], repeat)
    floor = median([PY, "-c", "pass"], repeat)
    repo = tmp / "hook-repo"
    shutil.copytree(FIXTURE, repo)
    env = dict(ENV, PGREADY_CACHE_DIR=str(tmp / "hook-cache"))
    cmd = pgready("scan", *STAGED, "--format", "json", "-o", str(tmp / "hook.json"))

    run(cmd, repo, dict(env, PGREADY_CACHE_DIR=str(tmp / "warm-up-cache")))  # compiles pgready's modules

    def edit(i: int) -> None:
        for rel in STAGED:
            with open(repo / rel, "a", encoding="utf-8") as fh:
                fh.write(f"\nexport const edit{i} = {i};\n")

    empty = median(cmd, repeat, repo, before=lambda i: (edit(100 + i), shutil.rmtree(tmp / "hook-cache", True)),
                   env=env)
    run(pgready("scan", ".", "--format", "json", "-o", str(tmp / "repo.json")), repo, env)  # an earlier full run
    edited = median(cmd, repeat, repo, before=edit, env=env)
    print(f"baselines: `python -c pass` {floor * 1000:.0f} ms; `python -c \"import sqlglot, tree_sitter\"` "
          f"{base * 1000:.0f} ms")
    print(f"pre-commit run, 3 edited staged files: {edited * 1000:.0f} ms -> {edited / base:.1f}x the import "
          f"baseline (target <= 2.5x); with an empty cache: {empty * 1000:.0f} ms ({empty / base:.1f}x)")


def corpus(dest: Path, files: int) -> tuple[int, float, int]:
    sys.path.insert(0, str(HERE))
    from corpus import generate

    count, lines = generate(dest, files)
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file()) / 1e6
    return count, size, lines


def cold(files: int, jobs: list[int], tmp: Path) -> None:
    project = tmp / "cold"
    count, size, lines = corpus(project, files)
    print(f"cold full scan of {count} files, {lines} lines, {size:.1f} MB of TypeScript (--no-cache):")
    for n in jobs:
        bare = run([PY, str(HERE / "bare_pass.py"), str(project), "--jobs", str(n)])[0]
        wall, peak = run(pgready("scan", str(project), "--no-cache", "--jobs", str(n), "--format", "json",
                                 "-o", str(tmp / "cold.json")))
        print(f"  --jobs {n}: {wall:.1f} s ({count / wall:.0f} files/s, {size / wall:.2f} MB/s, peak memory "
              f"{peak:.0f} MiB)  |  bare tree-sitter parse+query, {n} process(es): {bare:.1f} s  ->  "
              f"{wall / bare:.1f}x (target <= 5x)")


def warm(files: int, tmp: Path) -> None:
    project = tmp / "warm"
    count, size, lines = corpus(project, files)
    env = dict(ENV, PGREADY_CACHE_DIR=str(tmp / "warm-cache"))
    cmd = pgready("scan", str(project), "--format", "json", "-o", str(tmp / "warm.json"))
    first = run(cmd, env=env)[0]
    again = median(cmd, 3, env=env)
    print(f"warm re-scan of an unchanged {count}-file codebase ({lines} lines): {again:.2f} s  |  its cold scan "
          f"with an empty cache: {first:.1f} s  ->  {first / again:.0f}x faster (target >= 20x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000, help="files of the cold-scan codebase (default 3000)")
    parser.add_argument("--warm-files", type=int, default=5000, help="files of the warm-scan codebase (default 5000)")
    parser.add_argument("--jobs", default=f"1,{os.cpu_count() or 1}",
                        help="comma-separated process counts for the cold scan (default: 1 and all cores)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per short measurement (median)")
    parser.add_argument("--only", choices=("hook", "cold", "warm"), help="one measurement only")
    args = parser.parse_args()
    jobs = sorted({int(j) for j in args.jobs.split(",")})
    with tempfile.TemporaryDirectory(prefix="pgready-bench-") as tmp:
        if args.only in (None, "hook"):
            hook(args.repeat, Path(tmp))
        if args.only in (None, "cold"):
            cold(args.files, jobs, Path(tmp))
        if args.only in (None, "warm"):
            warm(args.warm_files, Path(tmp))


if __name__ == "__main__":
    main()
