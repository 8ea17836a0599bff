"""Benchmark: each pgready figure next to a baseline measured on this machine in the same run.
Prints figures; asserts nothing (timed tests are flaky on shared machines).

    python benchmarks/hook_speed.py [--copies 20] [--repeat 5]

- pre-commit run on 3 staged files (new process, JSON) vs `python -c "import sqlglot, tree_sitter"`
  (issue 11's target: within 2.5x);
- cold full scan (new process) vs a bare tree-sitter parse-plus-query pass over the same JS/TS
  files in one process (target: within 5x);
- warm re-scan of the unchanged project vs the cold scan (target: at least 20x faster; there is no
  per-file cache yet, so today this is about 1x);
- peak memory of the cold scan.
The project is N copies of the bundled Express fixture, each in its own folder.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "slimy-admin-api"
STAGED = ("routes/users.js", "routes/chat.js", "services/reportService.ts")
_TS_PASS = """
import sys, pathlib, tree_sitter, tree_sitter_javascript, tree_sitter_typescript
langs = {".js": tree_sitter_javascript.language(), ".mjs": tree_sitter_javascript.language(),
         ".ts": tree_sitter_typescript.language_typescript()}
query_text = "(call_expression function: (member_expression property: (property_identifier) @m) arguments: (arguments (_) @a))"
tools = {}
for suffix, lang in langs.items():
    language = tree_sitter.Language(lang)
    tools[suffix] = (tree_sitter.Parser(language), tree_sitter.Query(language, query_text))
count = 0
for path in pathlib.Path(sys.argv[1]).rglob("*"):
    if path.suffix not in tools or "node_modules" in path.parts:
        continue
    parser, query = tools[path.suffix]
    tree = parser.parse(path.read_bytes())
    count += len(tree_sitter.QueryCursor(query).captures(tree.root_node))
print(count)
"""


def timed(cmd: list[str], repeat: int, cwd: Path | None = None) -> float:
    """Median wall time of `cmd` in a new process, seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the Express fixture (default 20)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per short measurement (median)")
    args = parser.parse_args()
    py = sys.executable

    base = timed([py, "-c", "import sqlglot, tree_sitter"], args.repeat)
    hook = timed([py, "-m", "auditor", "scan", *STAGED, "--format", "json", "--no-progress"], args.repeat, FIXTURE)
    print(f"pre-commit run, 3 staged files: {hook * 1000:.0f} ms  |  baseline `import sqlglot, tree_sitter`: "
          f"{base * 1000:.0f} ms  ->  {hook / base:.1f}x (target <= 2.5x)")

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for i in range(args.copies):
            shutil.copytree(FIXTURE, project / f"app-{i:03d}")
        files = sum(1 for p in project.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in project.rglob("*") if p.is_file()) / 1e6
        bare = timed([py, "-c", _TS_PASS, str(project)], 1)
        scan_cmd = [py, "-m", "auditor", "scan", str(project), "--format", "json", "-o", str(project / "inv.json"),
                    "--no-progress"]
        cold = timed(scan_cmd, 1)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        warm = timed(scan_cmd, 1)
    print(f"cold full scan: {files} files, {size:.1f} MB in {cold:.2f} s ({files / cold:.0f} files/s, "
          f"{size / cold:.2f} MB/s)  |  baseline tree-sitter parse+query pass: {bare:.2f} s  ->  "
          f"{cold / bare:.1f}x (target <= 5x)")
    print(f"warm re-scan (unchanged): {warm:.2f} s  ->  {cold / warm:.1f}x faster than cold (target >= 20x)")
    print(f"peak memory of a scan process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
