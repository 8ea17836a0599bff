"""Route facts left for later (`JsRoutesLater`): modules that declare no routes are not extracted at
parse time, yet routes still compose the middleware factories and handlers those modules export."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.facts import JsRouteFacts, JsRoutesLater
from auditor.frontends.javascript import _parser, _source_bytes, parse_module, route_facts
from auditor.frontends.jsroutes import extract_js_route_facts, may_declare_routes
from auditor.pipeline import scan
from auditor.resolve.values import Project
from auditor.routes import compose_js_routes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PROJECT = {
    "server.js": """
        const express = require('express');
        const app = express();
        app.use('/admin', require('./admin'));
        app.listen(3000);
    """,
    "admin.js": """
        const { Router } = require('express');
        const { requireRole } = require('./mw');
        const users = require('./users');
        const router = Router();
        router.get('/users/:id', requireRole('admin'), users.show);
        module.exports = router;
    """,
    "mw.js": """
        function requireRole(role) {
          return function check(req, res, next) {
            if (req.user.role !== role) return res.status(403).end();
            next();
          };
        }
        module.exports = { requireRole };
    """,
    "users.js": """
        const db = require('./db');
        exports.show = async (req, res) => {
          res.json(await db.query('SELECT * FROM users WHERE id = ?', [req.params.id]));
        };
    """,
    "db.js": """
        const mysql = require('mysql2/promise');
        const pool = mysql.createPool(process.env.DB_URL);
        module.exports = { query: (sql, params) => pool.query(sql, params) };
    """,
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _language(rel: str) -> str:
    return "tsx" if rel.endswith(".tsx") else "typescript" if rel.endswith((".ts", ".mts", ".cts")) else "javascript"


def _extract(text: str, rel: str) -> JsRouteFacts:
    data = _source_bytes(text, _language(rel))
    return extract_js_route_facts(_parser(_language(rel)).parse(data).root_node, data, rel)


def test_a_route_runs_the_factory_and_handler_of_modules_without_routes(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    later = {rel for rel in PROJECT
             if isinstance(parse_module((tmp_path / rel).read_text(), rel, "javascript")[0].route_facts, JsRoutesLater)}
    assert later == {"mw.js", "users.js", "db.js"}
    (found,) = scan(tmp_path).routes
    check = textwrap.dedent(PROJECT["mw.js"]).lstrip("\n").splitlines().index("  return function check(req, res, next) {")
    assert (found.method, found.path, found.handler, found.handler_path) == ("GET", "/admin/users/:id", "show", "users.js")
    assert found.entry_points == (("mw.js", check + 1), ("users.js", 2))
    assert len(found.sites) == 1  # the SELECT, reached through the handler


def _compose(root: Path, rels: list[str], lazily: bool):
    modules = {rel: parse_module((root / rel).read_text(encoding="utf-8"), rel, _language(rel))[0] for rel in rels}
    project = Project(modules)
    functions = lambda rel: {f.name: f.line for f in modules[rel].functions.values()} if rel in modules else {}  # noqa: E731
    if not lazily:
        facts = {rel: _extract((root / rel).read_text(encoding="utf-8"), rel) for rel in rels}
        return compose_js_routes(facts, project.resolve_spec, functions)
    facts = {rel: m.route_facts for rel, m in modules.items() if isinstance(m.route_facts, JsRouteFacts)}
    return compose_js_routes(facts, project.resolve_spec, functions,
                             lambda rel: route_facts(modules[rel]) if rel in modules else None)


@pytest.mark.parametrize("fixture", ["slimy-admin-api", "next-prisma-app", None])
def test_later_facts_compose_the_routes_facts_computed_at_once_do(fixture: str | None, tmp_path: Path) -> None:
    root = FIXTURES / fixture if fixture else tmp_path
    if fixture is None:
        _write(tmp_path, PROJECT)
    rels = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.suffix in (".js", ".mjs", ".ts", ".tsx") and "node_modules" not in p.parts)
    routes = _compose(root, rels, lazily=True)
    assert routes and routes == _compose(root, rels, lazily=False)


# Each declares an app, router, route or `use` (see jsroutes.may_declare_routes).
DECLARING = {
    "a.js": "const app = require('express')(); app.get('/x', (q, s) => s.end());",
    "b.js": "const r = require('exp' + 'ress').Router(); r.get('/x', h);",  # concatenated specifier
    "c.js": "const r = require('expr\\x65ss').Router(); r.get('/x', h);",  # escaped specifier
    "d.ts": "import r from 'expr\\x65ss';\nfoo.get('/x', h);",  # escaped import: express is imported
    "e.js": "const m = 'express'; const r = require(m).Router(); r.post('/x', h);",  # a variable
    "f.js": "module.exports = (myApp) => { myApp.get('/x', h); };",  # a router-ish parameter
    "g.js": "function setup(Server) { Server.use(mw); }",
    "h.js": "module.exports = (fastify, opts, done) => { fastify.route({ method: 'GET', url: '/x', handler: h }); };",
    "i.js": "function mount(app) { register(app); }",  # passes an app on: `setup(app)`
    "pages/api/users.ts": "export default function handler(req, res) { res.end(); }",  # Next.js file route
    "app/api/x/route.ts": "export async function GET() { return Response.json({}); }",
    "j.js": "const r = require/* c */(`koa-router`)(); r.get('/x', h);",
}


@pytest.mark.parametrize("rel", sorted(DECLARING))
def test_a_module_that_declares_routes_is_never_left_for_later(rel: str) -> None:
    facts = _extract(DECLARING[rel], rel)
    assert facts.owners or facts.routes or facts.uses
    assert may_declare_routes(DECLARING[rel].encode(), rel)
    assert isinstance(parse_module(DECLARING[rel], rel, _language(rel))[0].route_facts, JsRouteFacts)


def test_the_text_search_covers_every_declaring_fixture_module() -> None:
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".js", ".mjs", ".ts", ".tsx") or "node_modules" in path.parts:
            continue
        rel = path.relative_to(FIXTURES).as_posix()
        facts = _extract(path.read_text(encoding="utf-8"), rel)
        if facts.owners or facts.routes or facts.uses:
            assert may_declare_routes(path.read_bytes(), rel), rel


@pytest.mark.parametrize("text, later", [
    ("exports.a = () => 1;\nexports.b = function f() { return () => 2; };\n", True),
    ("exports.a = () => 1;\r\nexports.b = 2;\r\n", True),  # CRLF
    ("exports.a = () => 1;\nexports.b = 2;", True),  # no final newline
    ("", True),
    ("exports.a = () => 1;\r\nexports.b = 2;\n", False),  # mixed line endings: computed at parse time
    ("exports.a = () => 1;\rexports.b = 2;\n", False),  # a lone carriage return
])
def test_later_facts_are_those_of_the_exact_text(text: str, later: bool) -> None:
    facts, _ = parse_module(text, "m.js", "javascript")
    assert isinstance(facts.route_facts, JsRoutesLater) is later
    assert route_facts(facts) == _extract(text, "m.js")
