"""Benchmark: the route graph on a large repository. Prints figures; asserts nothing.

    python benchmarks/graph_scale.py [--files 5000]

Builds a synthetic repository of at least N source files from copies of the bundled fixtures
(JavaScript, TypeScript and Python; each copy in its own folder so routes and wrappers resolve
per copy), then reports: scan time (which includes linking routes to sites and counting calls),
graph build time, node and edge counts, peak RSS, and peak RSS per source KiB (memory should
grow in proportion to the code, not faster).
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [ROOT / "fixtures" / name for name in ("slimy-admin-api", "python-bot-api", "django-shop")]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000, help="minimum number of source files (default 5000)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from auditor.catalog import load_rules
    from auditor.discover import LANGUAGES
    from auditor.graph import build
    from auditor.pipeline import scan

    per_copy = sum(1 for f in FIXTURES for p in f.rglob("*") if p.suffix in LANGUAGES)
    copies = -(-args.files // per_copy)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        for i in range(copies):
            for fixture in FIXTURES:
                shutil.copytree(fixture, repo / f"{fixture.name}-{i:04d}")
        source_kib = sum(p.stat().st_size for p in repo.rglob("*") if p.suffix in LANGUAGES) / 1024
        load_rules()
        baseline = rss_mib()
        start = time.perf_counter()
        inventory = scan(repo)
        scanned = time.perf_counter() - start
        after_scan = rss_mib()
        start = time.perf_counter()
        graph = build(inventory)
        built = time.perf_counter() - start
        peak = rss_mib()
    calls = inventory.calls
    print(f"repository: {len(inventory.files)} source files, {source_kib / 1024:.1f} MiB of code, "
          f"{len(inventory.sites)} SQL sites, {len(inventory.routes)} routes")
    print(f"scan + link: {scanned:.1f} s ({len(inventory.files) / scanned:.0f} files/s); "
          f"calls {calls['total']} ({calls['unresolved_share']:.1%} unresolved)")
    print(f"graph build: {built:.2f} s, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    print(f"peak RSS: {peak:.0f} MiB (before scan {baseline:.0f}, after scan {after_scan:.0f}); "
          f"{(peak - baseline) * 1024 / source_kib:.1f} KiB of memory per KiB of source")


if __name__ == "__main__":
    main()
