"""Next.js file routes: `pages/api/**` (the default export, any method) and `app/**/route.*` (`GET`, `POST`...).

The URL comes from the file's place: `pages/api/users/[id].ts` -> `/api/users/[id]`,
`app/(admin)/api/users/[id]/route.ts` -> `/api/users/[id]` (route groups and `@slots` dropped;
`_private` folders are not routed). A `src/` parent is allowed, and in a monorepo the `pages` or
`app` folder may sit deeper (`apps/web/app/...`).
"""
from __future__ import annotations

from auditor.facts import JsRef, JsRouteDecl
from auditor.model import Location

APP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_EXTENSIONS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
_NEXT = JsRef("next")


def _root(segments: list[str], first: str, second: str | None = None) -> int | None:
    """Index of the routing folder: preferably at the top or under `src/`, else the first one."""
    found = [i for i, s in enumerate(segments[:-1]) if s == first and (second is None or segments[i + 1:i + 2] == [second])]
    preferred = [i for i in found if i == 0 or segments[i - 1] == "src"]
    return (preferred or found or [None])[0]


def _stem(name: str) -> str | None:
    if name.endswith(".d.ts"):
        return None
    ext = next((e for e in _EXTENSIONS if name.endswith(e)), None)
    return name[:-len(ext)] if ext else None


def route_path(path: str) -> tuple[str, str] | None:
    """("pages" | "app", URL path) for a Next.js route file, else None."""
    segments = path.replace("\\", "/").split("/")
    if "node_modules" in segments or any(s.startswith(".") and s not in (".", "..") for s in segments[:-1]):
        return None
    stem = _stem(segments[-1])
    if stem is None:
        return None
    pages = _root(segments, "pages", "api")
    if pages is not None:
        parts = segments[pages + 1:-1] + ([] if stem == "index" else [stem])
        return "pages", "/" + "/".join(parts)
    app = _root(segments, "app")
    if stem == "route" and app is not None:
        folders = segments[app + 1:-1]
        if any(f.startswith("_") for f in folders):
            return None
        parts = [f for f in folders if not (f.startswith("(") and f.endswith(")")) and not f.startswith("@")]
        return "app", "/" + "/".join(parts)
    return None


def next_routes(path: str, exports: dict[str, tuple[JsRef, Location]]) -> list[JsRouteDecl]:
    """The routes a Next.js route file declares, given its exports (name -> (value, where exported))."""
    found = route_path(path)
    if found is None:
        return []
    kind, url = found
    if kind == "pages":
        wanted = [("default", "ANY")] if "default" in exports else []
    else:
        wanted = [(m, m) for m in APP_METHODS if m in exports]
    out = []
    for name, method in wanted:
        ref, where = exports[name]
        out.append(JsRouteDecl(_NEXT, method, url, (ref,), where, (where.line, where.col), "nextjs"))
    return out
