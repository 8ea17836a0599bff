"""Project configuration: `[tool.pgready]` in pyproject.toml or top-level keys of `.pgready.toml`.

Why here and not in the CLI: every command that scans (scan, fix, baseline, the pre-commit hook)
must see the same effective settings, and `pgready config` must be able to say where each one came
from. Precedence, highest first: the command line (`overrides`), `.pgready.toml`,
`pyproject.toml [tool.pgready]`, the defaults. Each file is looked up in the scan root, then its
parents up to the git root (the directory holding `.git`); outside a git work tree only the root
is read, so a stray pyproject.toml in a home directory never changes a scan. The nearest file of
each kind is used; a pyproject.toml without a `[tool.pgready]` table does not count.

Globs (include, exclude, per-file-ignores) are gitignore-style (pathspec) and also fnmatch over the
whole posix path, relative to the directory of the file that set them; `schema` and `baseline` are
resolved against that directory too. Unknown keys and wrong values are one-line `ConfigError`s.
Only the standard library is imported at start-up (pathspec lazily), so the hook stays fast.
"""
from __future__ import annotations

import fnmatch
import functools
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FAIL_ON = ("error", "warning", "info", "never")  # same as auditor.cli.FAIL_ON (tested)
TARGETS = ("node-postgres", "postgres.js", "psycopg", "asyncpg")  # same as auditor.cli.TARGETS
KEYS = {
    "include": "list of globs: only matching files are scanned (default: every supported file)",
    "exclude": "list of globs: matching files are never scanned (wins over include)",
    "select": "list of rule ids, slugs or categories: only these rules",
    "ignore": "list of rule ids, slugs or categories: never these rules (wins over select)",
    "fail-on": "lowest severity that makes the exit code 1: " + " | ".join(FAIL_ON),
    "target": "PostgreSQL driver the code moves to: " + " | ".join(TARGETS),
    "per-file-ignores": "table: glob -> list of rule ids, slugs or categories ignored in matching files",
    "schema": "path of a MySQL DDL dump (relative to the file that sets it)",
    "baseline": "path of a baseline file (relative to the file that sets it)",
    "cache-dir": "folder of the result cache (relative to the file that sets it; default $PGREADY_CACHE_DIR, "
                 "else ~/.cache/pgready)",
    "jobs": "worker processes for the per-file pass (default: all cores)",
}
DEFAULTS = {"include": [], "exclude": [], "select": [], "ignore": [], "fail-on": "error", "target": None,
            "per-file-ignores": {}, "schema": None, "baseline": None, "cache-dir": None, "jobs": None}
PYPROJECT, DOTFILE = "pyproject.toml [tool.pgready]", ".pgready.toml"
DEFAULT, COMMAND_LINE = "default", "command line"
_LISTS = ("include", "exclude", "select", "ignore")
_RULE_LISTS = ("select", "ignore")  # comma-separated entries are split, as on the command line


class ConfigError(ValueError):
    """A configuration problem, one line: where, which key, what is wrong."""


@dataclass(frozen=True)
class Config:
    """The effective configuration: `values[key]` and `sources[key]` (a label above) for every key."""

    values: dict
    sources: dict[str, str]
    root: Path = Path(".")
    files: dict[str, Path] = field(default_factory=dict)  # label -> the file read, for each label used

    def base(self, key: str) -> Path:
        """The directory globs and paths of `key` are relative to: the file that set it, else the root."""
        found = self.files.get(self.sources.get(key, DEFAULT))
        return found.parent if found is not None else self.root


def load(root: Path, overrides: dict | None = None) -> Config:
    """The effective configuration for a scan of `root` (a directory, or a file: its directory)."""
    root = Path(os.path.abspath(root))
    if not root.is_dir():
        root = root.parent
    values, sources, files = dict(DEFAULTS), {k: DEFAULT for k in KEYS}, {}
    pyproject, dotfile = _find(root)
    for label, path in ((PYPROJECT, pyproject), (DOTFILE, dotfile)):  # later wins
        if path is None:
            continue
        files[label] = path
        for key, value in _read(path, label).items():
            values[key], sources[key] = _check(key, value, str(path), path.parent), label
    for key, value in (overrides or {}).items():
        key = key.replace("_", "-")
        if key not in KEYS:
            raise ConfigError(f"command line: {_unknown(key)}")
        if value is None or (isinstance(value, (list, tuple, dict)) and not value):
            continue  # not given on the command line
        values[key], sources[key] = _check(key, value, COMMAND_LINE, Path.cwd()), COMMAND_LINE
    return Config(values, sources, root, files)


def _find(root: Path) -> tuple[Path | None, Path | None]:
    """The nearest pyproject.toml with [tool.pgready] and the nearest .pgready.toml."""
    chain = [root, *root.parents]
    top = next((i for i, d in enumerate(chain) if os.path.lexists(d / ".git")), None)
    chain = chain[: top + 1] if top is not None else chain[:1]
    pyproject = next((d / "pyproject.toml" for d in chain if _has_table(d / "pyproject.toml")), None)
    dotfile = next((d / ".pgready.toml" for d in chain if (d / ".pgready.toml").is_file()), None)
    return pyproject, dotfile


def _has_table(path: Path) -> bool:
    if not path.is_file():
        return False
    data = _parse(path)
    return isinstance(data.get("tool"), dict) and "pgready" in data["tool"]


def _parse(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {getattr(error, 'strerror', None) or error}") from None


def _read(path: Path, label: str) -> dict:
    data = _parse(path)
    if label == PYPROJECT:
        data = data["tool"]["pgready"]
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.pgready] must be a table of settings")
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{path}: {_unknown(key)}")
    return data


def _unknown(key: str) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {key!r} ({hint}valid keys: {', '.join(sorted(KEYS))})"


def _check(key: str, value, where: str, base: Path):
    """`value` validated and normalised for `key`; ConfigError naming `where` and `key` otherwise."""
    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{where}: {key}: {problem}")

    if key in _LISTS:
        return _strings(value, fail, split=key in _RULE_LISTS)
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise fail('must be a table of glob = ["RULE", ...], e.g. "tests/**" = ["SYN001"]')
        return {str(g): _strings(v, lambda p, g=g: fail(f"{g!r}: {p}"), split=True) for g, v in value.items()}
    if key == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(f"must be a whole number of processes, at least 1, not {json.dumps(value, default=repr)}")
        return value
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"must be a non-empty string, not {json.dumps(value, default=repr)}")
    if key in ("fail-on", "target"):
        choices = FAIL_ON if key == "fail-on" else TARGETS
        if value not in choices:
            raise fail(f"{value!r} is not one of {', '.join(choices)}")
        return value
    return str(base / value) if where != COMMAND_LINE else value  # schema, baseline, cache-dir


def _strings(value, fail, split: bool) -> list[str]:
    if isinstance(value, str) and split:
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise fail(f"must be a list of strings, not {json.dumps(value, default=repr)}")
    items = [t.strip() for v in value for t in (v.split(",") if split else [v])]
    if not all(items):
        raise fail("empty entry")
    return items


def describe(config: Config) -> str:
    """What `pgready config` prints: each key, its effective value and where it came from."""
    lines = [f"pgready configuration for {config.root}"]
    for label in (PYPROJECT, DOTFILE):
        if label in config.files:
            lines.append(f"  read {label}: {config.files[label]}")
    if not config.files:
        lines.append("  no .pgready.toml or pyproject.toml [tool.pgready] found (root up to the git root)")
    width = max(map(len, KEYS))
    for key in KEYS:
        value = config.values[key]
        shown = "(automatic)" if value is None else _toml(value)
        lines.append(f"{key:<{width}} = {shown}  # {config.sources[key]}")
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in sorted(value.items())) + " }" \
            if value else "{}"
    return json.dumps(value, ensure_ascii=False)


def _matches(patterns: list[str], rel: str) -> bool:
    """gitignore-style match (pathspec) or fnmatch of the whole path."""
    if not patterns or not rel:
        return False
    if any(fnmatch.fnmatchcase(rel, p) for p in patterns):
        return True
    return _spec(tuple(patterns)).match_file(rel)


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):
    import pathspec  # lazy: most runs without globs never pay for it

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _relative(config: Config, key: str, path: str) -> list[str]:
    """`path` (relative to the root, or absolute) as seen from the base of `key`, plus as given."""
    given = path.replace("\\", "/")
    absolute = Path(os.path.abspath(config.root / path))
    out = [given.removeprefix("./")]
    base = config.base(key)
    if absolute.is_relative_to(base):
        out.append(absolute.relative_to(base).as_posix())
    return list(dict.fromkeys(out))


def ignored_for(config: Config, path: str) -> set[str]:
    """Rule ids, slugs and categories `per-file-ignores` switches off for `path` (relative to the root)."""
    rels = _relative(config, "per-file-ignores", path)
    return {token for glob, tokens in config.values["per-file-ignores"].items()
            if any(_matches([glob], rel) for rel in rels) for token in tokens}


def rule_ignored(config: Config, path: str, rule_id: str, slug: str, category: str) -> bool:
    """True when per-file-ignores switches this rule off in `path` (tokens match like --ignore)."""
    tokens = ignored_for(config, path)
    return bool(tokens) and any(t in (rule_id, slug, category) or t.upper() == rule_id for t in tokens)


def included(config: Config, path: str) -> bool:
    """True when `path` (relative to the root) passes include and exclude; exclude wins."""
    include, exclude = config.values["include"], config.values["exclude"]
    if include and not any(_matches(include, rel) for rel in _relative(config, "include", path)):
        return False
    return not any(_matches(exclude, rel) for rel in _relative(config, "exclude", path))


def check_rules(config: Config, rules) -> None:
    """ConfigError when select, ignore or per-file-ignores name no rule, slug or category."""
    known = {name for r in rules for name in (r.id, r.slug, r.category)}
    entries = [(k, t) for k in _RULE_LISTS for t in config.values[k]]
    entries += [("per-file-ignores", t) for ts in config.values["per-file-ignores"].values() for t in ts]
    for key, token in entries:
        if token not in known and token.upper() not in known:
            where = config.files.get(config.sources[key], config.sources[key])
            raise ConfigError(f"{where}: {key}: unknown rule or category {token!r} (see `pgready rules`)")
