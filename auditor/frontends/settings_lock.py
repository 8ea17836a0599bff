"""Lockfiles (package-lock.json / npm-shrinkwrap.json v1-v3, pnpm-lock.yaml, yarn.lock v1 and berry):
DEP003 for a database package the lock installs at the top level that the package.json next to it
does not declare.

"Top level" means a direct dependency: in pnpm the entries of importer `.` (or the top-level
`dependencies` of lock v5); in npm and yarn, whose top level also holds hoisted transitive
packages, an entry that the lock's own record of the root manifest lists (npm v2/v3 `packages[""]`,
yarn berry's workspace entry) or that no other package in the lock depends on (so `pg` pulled in by
`pg-promise` is not reported).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable

from auditor.frontends.settings import Source
from auditor.frontends.settings_deps import NPM_SECTIONS
from auditor.frontends.settings_json import read_json

LOCK_ONLY = ("@prisma/client", "prisma", "pg", "postgres", "mysql", "mysql2", "mariadb", "sequelize", "typeorm",
             "knex")
_EXAMPLE_SIBLING = re.compile(r"[ \t]*//[ \t]*package\.json:[ \t]*(.*)")
_REQUIRES = ("dependencies", "optionalDependencies", "peerDependencies")


@dataclass(frozen=True)
class Entry:
    name: str
    version: str
    start: int
    end: int
    direct: bool


def parse_lockfile(src: Source, sibling: Callable[[str], str | None] | None) -> None:
    package_text = sibling("package.json") if sibling is not None else None
    first = src.raw_lines[0] if src.raw_lines else ""
    if m := _EXAMPLE_SIBLING.fullmatch(first):  # rule examples: `//package.json: {...}` on line 1
        package_text = package_text if package_text is not None else m.group(1)
        src.text = " " * len(first) + src.text[len(first):]
    name = src.rel.rsplit("/", 1)[-1]
    if name == "pnpm-lock.yaml":
        entries, required = _pnpm(src), set()
    elif name == "yarn.lock":
        entries, required = _yarn(src)
    else:
        entries, required = _npm(src)
    declared = _declared(package_text)
    if declared is None:  # no readable package.json next to the lock: nothing to compare with
        return
    reported = set()
    for entry in entries:
        if entry.name not in LOCK_ONLY or entry.name in declared or entry.name in reported:
            continue
        if entry.direct or entry.name not in required:
            reported.add(entry.name)
            version = f"@{entry.version}" if entry.version else ""
            src.use("lockfile-only-dependency", entry.start, entry.end,
                    f"{entry.name}{version} in {name}, not declared in package.json")


def _declared(text: str | None) -> set[str] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {k for section in NPM_SECTIONS if isinstance(data.get(section), dict) for k in data[section]}


def _version(node) -> str:
    entry = node.get("version") if node.pairs is not None else None
    return str(entry[3].value) if entry is not None and isinstance(entry[3].value, (str, int, float)) else ""


def _npm(src: Source) -> tuple[list[Entry], set[str]]:
    root = read_json(src)
    if root is None or root.pairs is None:
        return [], set()
    entries, required = [], set()
    packages = root.get("packages")
    if packages is not None and packages[3].pairs is not None:
        top = packages[3].get("")
        direct = {k for s in NPM_SECTIONS for k, *_ in top[3].entries(s)} if top and top[3].pairs is not None else set()
        for key, start, end, node in packages[3].pairs:
            if key == "" or node.pairs is None:
                continue
            required.update(k for s in _REQUIRES for k, *_ in node.entries(s))
            if m := re.fullmatch(r"node_modules/((?:@[^/]+/)?[^/]+)", key):
                entries.append(Entry(m.group(1), _version(node), start, end, m.group(1) in direct))
        return entries, required
    dependencies = root.get("dependencies")  # lockfileVersion 1
    if dependencies is None or dependencies[3].pairs is None:
        return [], set()
    for key, start, end, node in dependencies[3].pairs:
        entries.append(Entry(key, _version(node) if node.pairs is not None else "", start, end, False))
    stack = [dependencies[3]]
    while stack:
        node = stack.pop()
        for _, _, _, child in node.pairs or ():
            if child.pairs is None:
                continue
            required.update(k for k, *_ in child.entries("requires"))
            nested = child.get("dependencies")
            if nested is not None:
                stack.append(nested[3])
    return entries, required


def _pnpm(src: Source) -> list[Entry]:
    from auditor.frontends.settings_yaml import get, load_yaml, pairs, scalar, span

    docs = load_yaml(src)
    if not docs:
        return []
    importers = get(docs[0], "importers")
    root = get(importers, ".") if importers is not None else docs[0]
    entries = []
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, key, value in pairs(get(root, section)):
            version = scalar(value) or scalar(get(value, "version")) or ""
            entries.append(Entry(name, version.split("(", 1)[0], *span(src, key), True))
    return entries


_YARN_HEADER = re.compile(r"^(\S[^\n]*?):[ \t]*$")
_YARN_FIELD = re.compile(r"^([ \t]+)(\"[^\"]+\"|[^\s:\"]+):?(?:[ \t]+(.*))?$")


def _yarn(src: Source) -> tuple[list[Entry], set[str]]:
    """yarn.lock v1 (`pg@^8.0.0, pg@^8.7.1:` / `  version "8.11.3"`) and berry (YAML-like)."""
    entries, required, direct = [], set(), set()
    current, section, workspace, body_indent = None, None, False, None
    for index, line in enumerate(src.raw_lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        start = src.starts[index]
        if header := _YARN_HEADER.match(line):
            spec = header.group(1).split(",")[0].strip()
            quoted = spec.startswith('"')
            spec = spec.strip('"')
            at = spec.rfind("@")
            name = spec[:at] if at > 0 else spec
            workspace = "@workspace:" in header.group(1)
            section, body_indent = None, None
            if name == "__metadata" or workspace:
                current = None
                continue
            current = [name, "", start + int(quoted), start + int(quoted) + len(name)]
            entries.append(current)
            continue
        field = _YARN_FIELD.match(line)
        if field is None:
            continue
        indent, key, value = len(field.group(1)), field.group(2).strip('"'), (field.group(3) or "").strip()
        if body_indent is None or indent <= body_indent:
            body_indent = indent
            section = key if key in ("dependencies", "optionalDependencies", "peerDependencies") else None
            if key == "version" and current is not None:
                current[1] = value.strip('"')
        elif section is not None:
            (direct if workspace else required).add(key)
    result = [Entry(n, v, s, e, n in direct) for n, v, s, e in entries]
    return result, required
