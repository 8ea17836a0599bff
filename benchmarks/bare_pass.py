"""The baseline of the cold-scan target: a bare tree-sitter parse-plus-query pass over the same
JavaScript/TypeScript files, in the same number of processes as the scan it is compared with.

    python benchmarks/bare_pass.py DIR [--jobs N]

Parses every .js/.mjs/.cjs/.jsx/.ts/.tsx file under DIR (node_modules excepted) and runs one query
for method calls with arguments (what a driver-call rule of a pattern matcher looks for), then
prints the number of captures. Nothing else: no Python walk, no SQL, no output.
"""
from __future__ import annotations

import argparse
import sys
from multiprocessing import Pool
from pathlib import Path

QUERY = "(call_expression function: (member_expression property: (property_identifier) @m) arguments: (arguments (_) @a))"
SUFFIXES = {".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "js", ".ts": "ts", ".tsx": "tsx"}
_TOOLS: dict = {}


def _tools(kind: str):
    if kind not in _TOOLS:
        import tree_sitter
        import tree_sitter_javascript
        import tree_sitter_typescript

        grammar = {"js": tree_sitter_javascript.language, "ts": tree_sitter_typescript.language_typescript,
                   "tsx": tree_sitter_typescript.language_tsx}[kind]()
        language = tree_sitter.Language(grammar)
        _TOOLS[kind] = (tree_sitter.Parser(language), tree_sitter.Query(language, QUERY))
    return _TOOLS[kind]


def count(paths: list[str]) -> int:
    import tree_sitter

    found = 0
    for path in paths:
        parser, query = _tools(SUFFIXES[Path(path).suffix])
        tree = parser.parse(Path(path).read_bytes())
        found += len(tree_sitter.QueryCursor(query).captures(tree.root_node))
    return found


def files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.suffix in SUFFIXES and "node_modules" not in p.parts
                  and p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    paths = files(args.root)
    if args.jobs <= 1:
        print(count(paths))
        return
    chunks = [paths[i::args.jobs * 8] for i in range(args.jobs * 8)]
    with Pool(args.jobs) as pool:
        print(sum(pool.map(count, chunks)))


if __name__ == "__main__":
    sys.exit(main())
