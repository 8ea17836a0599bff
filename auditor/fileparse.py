"""Each file's frontend pass, reused from the cache or run in parallel worker processes.

The unit is `parse_source`: one file in, one `Parsed` out (plain, picklable records), with no
project-wide state, so the same function runs in this process, in a worker, or not at all when
the cache has its result. Files are independent at this stage; everything that needs several
files (imports, wrappers, routes) happens later in `pipeline.analyse`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from auditor.model import Diagnostic

CODE_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "python"})
POOL_MIN_FILES = 24  # fewer files than this are parsed here: a pool costs more than it saves


@dataclass(frozen=True)
class Parsed:
    """One file's frontend output."""

    facts: object | None  # ModuleFacts for code, NonCodeFacts otherwise, None when unreadable
    problems: tuple[Diagnostic, ...] = ()
    text: str | None = None  # a Prisma schema's text (schema drift and ON CONFLICT keys read it)
    deps: tuple[tuple[str, str], ...] = ()  # (path, digest) of files read beside it (a lockfile's package.json)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parse_code(text: str, rel: str, language: str) -> tuple[object | None, list[Diagnostic]]:
    """A JavaScript/TypeScript/Python module's facts; a file the frontend cannot analyse is a diagnostic."""
    try:
        if language == "python":
            from auditor.frontends.python import parse_module as parse_python

            facts, problems = parse_python(text, rel)
        else:
            from auditor.frontends.javascript import parse_module

            facts, problems = parse_module(text, rel, language)
    except Exception as error:  # noqa: BLE001 - a frontend bug costs this file, never the whole scan
        return None, [Diagnostic(rel, "internal", f"could not analyse this file: {type(error).__name__}: {error}")]
    return facts, list(problems)


def parse_source(source, text: str | None = None, sibling: Callable | None = None) -> Parsed:
    """Read and analyse one discovered file. `text` and `sibling` replace the disk (in-memory scans)."""
    from auditor.discover import read_source

    problems: list[Diagnostic] = []
    if text is None and source.language != "sql":
        text, problem = read_source(source)
        if problem is not None:
            problems.append(problem)
    if source.language in CODE_LANGUAGES:
        if text is None:
            return Parsed(None, tuple(problems))
        facts, found = parse_code(text, source.rel, source.language)
        return Parsed(facts, tuple(problems + found))
    from auditor.noncode import parse_file

    deps: list[tuple[str, str]] = []
    if sibling is None:
        sibling = _sibling_reader(source.path.parent, deps)
    facts, found = parse_file(source.path, source.rel, source.language, text, sibling)
    prisma = text if source.language == "prisma" and facts is not None else None
    return Parsed(facts, tuple(problems + list(found)), prisma, tuple(deps))


def _sibling_reader(folder: Path, deps: list) -> Callable[[str], str | None]:
    """A file next to this one (package.json beside a lockfile), recorded as a dependency."""
    def read(name: str) -> str | None:
        from auditor.cache import digest_bytes

        path = folder / name
        try:
            data = path.read_bytes()
        except OSError:
            deps.append((str(path), "absent"))
            return None
        deps.append((str(path), digest_bytes(data)))
        return data.decode("utf-8", errors="replace")

    return read


def facts_key(source, digest: str) -> str:
    from auditor.cache import code_fingerprint, key

    return key("facts", code_fingerprint(), source.rel, source.language, digest)


def deps_hold(deps) -> bool:
    """Every file read beside a cached entry still has the content it had."""
    from auditor.cache import digest_file

    return all(digest_file(path) == digest for path, digest in deps)


def parse_sources(sources: Sequence, digests: dict[str, str], cache=None, jobs: int = 1,
                  progress: Callable[[int, int, str], None] | None = None) -> list[Parsed]:
    """`Parsed` for each source, in order: from the cache when its content was seen before, else parsed,
    in `jobs` worker processes when there are enough files to be worth it."""
    found: list[Parsed | None] = [None] * len(sources)
    todo = []
    for index, source in enumerate(sources):
        hit = cache.get("facts", facts_key(source, digests[source.rel])) if cache is not None else None
        if isinstance(hit, Parsed) and deps_hold(hit.deps):
            found[index] = hit
            if progress is not None:
                progress(index + 1, len(sources), source.rel)
        else:
            todo.append(index)
    done = len(sources) - len(todo)
    for index, parsed in _run(sources, todo, jobs):
        found[index] = parsed
        done += 1
        if progress is not None:
            progress(done, len(sources), sources[index].rel)
        if cache is not None:
            cache.put("facts", facts_key(sources[index], digests[sources[index].rel]), parsed)
    return found  # type: ignore[return-value]


def _run(sources, todo: list[int], jobs: int):
    """(index, Parsed) for each index of `todo`, here or in a process pool."""
    if jobs <= 1 or len(todo) < POOL_MIN_FILES:
        for index in todo:
            yield index, parse_source(sources[index])
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with the grammars and rules already imported (Linux, macOS opt-in)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    chunk = max(1, min(64, len(todo) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from zip(todo, pool.map(parse_source, [sources[i] for i in todo], chunksize=chunk))
