"""Compose files and CI workflows (GitHub Actions, GitLab CI): YAML read as nodes, so every value
keeps its exact position in the source text."""
from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditor.frontends.settings import (
    Source, env_assignment, is_mysql_image, is_postgres_image,
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
DB_SERVICE_NAMES = frozenset({"db", "database", "mysql", "mariadb", "postgres", "postgresql", "pg", "mysqldb"})


# -- nodes ---------------------------------------------------------------------------------------

def load_yaml(src: Source) -> list[Node]:
    """The documents of the file; a syntax error gives a diagnostic and the documents before it."""
    docs = []
    try:
        for doc in yaml.compose_all(src.text, Loader=_LOADER):
            if doc is not None:
                docs.append(doc)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        src.syntax_error(f"YAML: {problem}", mark.line + 1 if mark is not None else None)
    return docs


def span(src: Source, node: Node) -> tuple[int, int]:
    start = src.offset(node.start_mark.line, node.start_mark.column)
    end = src.offset(node.end_mark.line, node.end_mark.column)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        while end > start and src.text[end - 1] in "\r\n \t":
            end -= 1
    return start, end


def pairs(node: Node | None) -> list[tuple[str, Node, Node]]:
    """(key, key node, value node) of a mapping with scalar keys; `<<` merge keys expanded,
    explicit keys winning over merged ones."""
    if not isinstance(node, MappingNode):
        return []
    explicit, merged = [], []
    for key, value in node.value:
        if key.tag == _MERGE:
            for source in (value.value if isinstance(value, SequenceNode) else [value]):
                merged.extend(pairs(source))
        elif isinstance(key, ScalarNode):
            explicit.append((str(key.value), key, value))
    names = {k for k, _, _ in explicit}
    return explicit + [p for p in merged if p[0] not in names]


def get(node: Node | None, key: str) -> Node | None:
    found = [v for k, _, v in pairs(node) if k == key]
    return found[-1] if found else None


def scalar(node: Node | None) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else None


def scalars(node: Node | None) -> list[Node]:
    """The scalar nodes of a value that may be one scalar or a (nested) list of them."""
    if isinstance(node, ScalarNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [s for item in node.value for s in scalars(item)]
    return []


def environment(src: Source, node: Node | None, sep: str = ": ") -> None:
    """`environment:` / `env:` / `variables:` in mapping form (`KEY: value`, GitLab `KEY: {value: x}`)
    or list form (`- KEY=value`)."""
    if isinstance(node, MappingNode):
        for name, key, value in pairs(node):
            if isinstance(value, MappingNode):
                value = get(value, "value")
            k_start, k_end = span(src, key)
            if isinstance(value, ScalarNode) and value.value != "" and value.tag != "tag:yaml.org,2002:null":
                v_start, v_end = span(src, value)
                env_assignment(src, name, k_start, k_end, v_start, v_end, str(value.value), sep)
    elif isinstance(node, SequenceNode):
        for item in scalars(node):
            start, end = span(src, item)
            raw = src.text[start:end]
            quoted = item.style in ("'", '"')
            equals = raw.find("=")
            if equals < 0 or "=" not in item.value:
                continue
            name, _, value = str(item.value).partition("=")
            env_assignment(src, name.strip(), start + int(quoted), start + equals, start + equals + 1,
                           end - int(quoted), value, "=")


def env_blocks(src: Source, root: Node, names: tuple[str, ...]) -> None:
    """Every mapping under a key in `names` (`env`, `variables`), at any depth."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, _, value in pairs(node):
                if key in names:
                    environment(src, value)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _listing(node: Node | None, keys: tuple[str, str]) -> list[str]:
    """Ports / volumes in short (`3306:3306`) or long (`{published, target}`) syntax."""
    out = []
    for item in (node.value if isinstance(node, SequenceNode) else []):
        if isinstance(item, ScalarNode):
            out.append(str(item.value))
        elif isinstance(item, MappingNode):
            parts = [scalar(get(item, k)) for k in keys]
            out.append(":".join(p for p in parts if p))
    return [o for o in out if o]


# -- compose -------------------------------------------------------------------------------------

def parse_compose(src: Source) -> None:
    for doc in load_yaml(src):
        services = get(doc, "services")
        if services is None and get(doc, "version") is None:  # compose v1: services at the top
            services_pairs = [p for p in pairs(doc) if get(p[2], "image") is not None or get(p[2], "build") is not None]
        else:
            services_pairs = pairs(services)
        dependents: dict[str, list[str]] = {}
        for name, _, service in services_pairs:
            depends = get(service, "depends_on")
            targets = [k for k, _, _ in pairs(depends)] or [str(n.value) for n in scalars(depends)]
            for target in targets:
                dependents.setdefault(target, []).append(name)
        for name, key, service in services_pairs:
            _compose_service(src, name, key, service, dependents.get(name, []))


def _compose_service(src: Source, name: str, key: Node, service: Node, dependents: list[str]) -> None:
    if not isinstance(service, MappingNode):
        return
    image_node = get(service, "image")
    image = scalar(image_node) or ""
    if image and is_mysql_image(image):
        src.use("mysql-container-image", *span(src, image_node), f"{name}: image {image}")
    environment(src, get(service, "environment"))
    if not (image and (is_mysql_image(image) or is_postgres_image(image)) or
            not image and name.lower() in DB_SERVICE_NAMES):
        return
    parts = [f"image {image}" if image else "build"]
    if ports := _listing(get(service, "ports"), ("published", "target")):
        parts.append("ports " + " ".join(ports))
    if volumes := _listing(get(service, "volumes"), ("source", "target")):
        parts.append("volumes " + " ".join(volumes))
    if dependents:
        parts.append("depends_on by " + " ".join(sorted(dependents)))
    src.item("compose-service", name, "config", *span(src, key), ", ".join(parts))


# -- CI workflows --------------------------------------------------------------------------------

_CMD_WORDS = (r"mysql|mysqladmin|mysqldump|mysqlsh|mysqlcheck|mysqlimport|mysqlpump|mysql_tzinfo_to_sql|"
              r"mysql_upgrade|mysqld|mariadb|mariadb-admin|mariadb-dump|mariadb-check|mariadb-import|mariadbd")
_COMMAND = re.compile(
    rf"(?:^|[;&|(`{{]|\$\(|\b(?:sudo|exec|time|xargs|then|do|else|env|run)[ \t])[ \t]*"
    rf"(?:[A-Za-z_]\w*=\S*[ \t]+)*(?:[\w./-]*/)?({_CMD_WORDS})(?=[ \t]|$|[;&|)<>])", re.MULTILINE)
_SERVICE = re.compile(r"\b(?:systemctl[ \t]+\w+[ \t]+|service[ \t]+)(mysql|mariadb)(?:d|\.service)?\b"
                      r"|/etc/init\.d/(mysql|mariadb)\b")
_INSTALL = re.compile(r"\b(?:apt(?:-get)?|brew|apk|yum|dnf)\b[^\n]*?\b(?:install|add)\b[^\n]*?"
                      r"((?:lib)?(?:mysql|mariadb)(?:client)?(?:-[\w.-]+|@[\w.]+)?)(?=[ \t]|$)", re.MULTILINE)
_DOCKER_RUN = re.compile(r"\bdocker[ \t]+(?:container[ \t]+)?run\b[^\n]*", re.MULTILINE)


def mysql_command(text: str) -> tuple[int, int] | None:
    """(start, end) of the first MySQL command in a shell script (`mysql ...`, `mysqladmin`,
    `systemctl start mysql`, installing MySQL packages, `docker run ... mysql:8`), or None."""
    found = []
    for pattern in (_COMMAND, _SERVICE, _INSTALL):
        for m in pattern.finditer(text):
            group = next(g for g in range(1, (m.re.groups or 0) + 1) if m.group(g))
            if not _in_comment(text, m.start(group)):
                found.append((m.start(group), m.end(group)))
                break
    for m in _DOCKER_RUN.finditer(text):
        for token in re.finditer(r"(?<=\s)[^\s=-][^\s=]*", m.group(0)):
            if is_mysql_image(token.group(0)) and not _in_comment(text, m.start()):
                found.append((m.start() + token.start(), m.start() + token.end()))
                break
    return min(found) if found else None


def _in_comment(text: str, offset: int) -> bool:
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    return bool(re.search(r"(^|\s)#", text[line_start:offset]))


def _script_use(src: Source, node: Node | None, label: str) -> None:
    for item in scalars(node):
        start, end = span(src, item)
        script = src.text[start:end]
        hit = mysql_command(script)
        if hit is not None:
            line_start = max(script.rfind("\n", 0, hit[0]), script.rfind("\r", 0, hit[0])) + 1
            line = re.split(r"\r\n|\n|\r", script[line_start:], maxsplit=1)[0].strip()
            src.use("ci-mysql-service", start + hit[0], start + hit[1], f"{label}: {line}")
            return


def _is_mysql_action(uses: str) -> bool:
    if uses.startswith("docker://"):
        return is_mysql_image(uses[len("docker://"):])
    return bool(re.search(r"mysql|mariadb", uses.split("@", 1)[0], re.IGNORECASE))


def parse_workflow(src: Source) -> None:
    gitlab = bool(re.search(r"(^|/)\.gitlab-ci\.ya?ml$", src.rel))
    for doc in load_yaml(src):
        if not gitlab and (get(doc, "jobs") is not None or "/.github/" in f"/{src.rel}"):
            env_blocks(src, doc, ("env",))
            _github(src, doc)
        else:
            env_blocks(src, doc, ("variables",))
            _gitlab(src, doc)


def _image_of(node: Node | None, key: str = "image") -> Node | None:
    """`image: mysql:8` or `image: {name: mysql:8}` (GitLab) / container `{image: ...}` (GitHub)."""
    if isinstance(node, ScalarNode):
        return node
    return get(node, key) if isinstance(node, MappingNode) else None


def _github(src: Source, doc: Node) -> None:
    for job, _, body in pairs(get(doc, "jobs")):
        container = _image_of(get(body, "container"))
        if (image := scalar(container)) and is_mysql_image(image):
            src.use("ci-mysql-service", *span(src, container), f"jobs.{job}.container: image {image}")
        for name, key, service in pairs(get(body, "services")):
            image_node = _image_of(service)
            image = scalar(image_node) or ""
            if is_mysql_image(image):
                src.use("ci-mysql-service", *span(src, image_node), f"jobs.{job}.services.{name}: image {image}")
            if is_mysql_image(image) or is_postgres_image(image):
                parts = [f"image {image}", f"job {job}"]
                if ports := _listing(get(service, "ports"), ("published", "target")):
                    parts.append("ports " + " ".join(ports))
                src.item("ci-service", name, "config", *span(src, key), ", ".join(parts))
        steps = get(body, "steps")
        for step in (steps.value if isinstance(steps, SequenceNode) else []):
            uses_node = get(step, "uses")
            uses = scalar(uses_node) or ""
            if uses and _is_mysql_action(uses):
                src.use("ci-mysql-service", *span(src, uses_node), f"jobs.{job}: uses {uses}")
                src.item("ci-service", uses.split("@", 1)[0], "config", *span(src, uses_node),
                         f"action {uses}, job {job}")
            elif get(step, "run") is not None:
                _script_use(src, get(step, "run"), f"jobs.{job}: run")


_GITLAB_RESERVED = frozenset({"stages", "variables", "workflow", "include", "image", "services", "before_script",
                              "after_script", "cache", "default", "spec"})


def _gitlab(src: Source, doc: Node) -> None:
    _gitlab_job(src, "(global)", doc)
    for name, _, body in pairs(doc):
        if name == "default":
            _gitlab_job(src, "default", body)
        elif name not in _GITLAB_RESERVED and isinstance(body, MappingNode):
            _gitlab_job(src, name, body)


def _gitlab_job(src: Source, job: str, body: Node) -> None:
    image_node = _image_of(get(body, "image"), "name")
    if (image := scalar(image_node)) and is_mysql_image(image):
        src.use("ci-mysql-service", *span(src, image_node), f"{job}: image {image}")
    services = get(body, "services")
    for service in (services.value if isinstance(services, SequenceNode) else []):
        name_node = _image_of(service, "name")
        image = scalar(name_node) or ""
        if not image:
            continue
        if is_mysql_image(image):
            src.use("ci-mysql-service", *span(src, name_node), f"{job}: service {image}")
        if is_mysql_image(image) or is_postgres_image(image):
            alias = scalar(get(service, "alias")) if isinstance(service, MappingNode) else None
            src.item("ci-service", alias or image.split(":", 1)[0], "config", *span(src, name_node),
                     f"image {image}, job {job}")
    if job == "(global)":  # a top-level before_script is global; top-level `script` is not a key
        keys = ("before_script", "after_script")
    else:
        keys = ("before_script", "script", "after_script")
    for key in keys:
        _script_use(src, get(body, key), f"{job}: {key}")
