"""Benchmark: how fast pgready scans, whole-project and pre-commit style. Prints figures; asserts nothing.

    python benchmarks/scan_speed.py [--copies 40]

Builds a synthetic project from N copies of each bundled fixture (JavaScript and Python; each copy
in its own folder, so wrappers resolve per copy), then times: a full scan, a scan of 3 explicit files (what a
pre-commit hook passes), and the cold start of `pgready --version`. Also prints peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "slimy-admin-api"
FIXTURES = [ROOT / "fixtures" / name for name in ("slimy-admin-api", "python-bot-api", "django-shop")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of the fixture (default 40)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from auditor.catalog import load_rules
    from auditor.pipeline import scan

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for i in range(args.copies):
            for fixture in FIXTURES:
                shutil.copytree(fixture, project / f"{fixture.name}-{i:03d}")
        load_rules()  # the catalogue is loaded once per process; don't count it per scan
        start = time.perf_counter()
        inventory = scan(project)
        full = time.perf_counter() - start
        files = len(inventory.files)
        lines = sum((project / f).read_text(encoding="utf-8").count("\n") for f in inventory.files)
        print(f"full scan: {files} files, {lines} lines, {len(inventory.sites)} sites, "
              f"{len(inventory.findings)} findings in {full:.2f} s "
              f"({files / full:.0f} files/s, {lines / full:.0f} lines/s)")

        app = project / "slimy-admin-api-000"
        staged = [app / p for p in ("routes/users.js", "routes/chat.js", "services/reportService.ts")]
        start = time.perf_counter()
        small = scan(app, staged)
        hook = time.perf_counter() - start
        print(f"pre-commit style (3 files, imports read for context): {len(small.findings)} findings "
              f"in {hook * 1000:.0f} ms (in-process)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")

    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "auditor", "--version"], check=True, capture_output=True)
    print(f"cold start (python -m auditor --version): {(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "auditor", "scan", *map(str, [FIXTURE / "routes/users.js"]),
                    "--format", "json"], capture_output=True, cwd=FIXTURE)
    print(f"cold pre-commit run (1 file, new process, JSON): {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
