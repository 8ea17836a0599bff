from __future__ import annotations

import collections
import random
import re
import textwrap
from pathlib import Path

from auditor.facts import JsRouteFacts
from auditor.findings import stable_id
from auditor.frontends.javascript import _parser, parse_module
from auditor.frontends.jsroutes import extract_js_route_facts
from auditor.frontends.jsroutes_names import Names
from auditor.frontends.jsroutes_next import route_path
from auditor.frontends.jsvalues import FUNCTIONS
from auditor.model import Route
from auditor.resolve.aliases import load_aliases
from auditor.resolve.values import Project
from auditor.routes import compose_js_routes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _language(rel: str) -> str:
    return "tsx" if rel.endswith(".tsx") else "typescript" if rel.endswith((".ts", ".mts", ".cts")) else "javascript"


def _load(root: Path, rels: list[str]):
    modules, facts = {}, {}
    for rel in rels:
        text = (root / rel).read_text(encoding="utf-8")
        modules[rel], _ = parse_module(text, rel, _language(rel))
        data = text.encode("utf-8")
        facts[rel] = extract_js_route_facts(_parser(_language(rel)).parse(data).root_node, data, rel)
    project = Project(modules, None, load_aliases(root))

    def functions(path: str) -> dict[str, int]:
        m = modules.get(path)
        return {f.name: f.line for f in m.functions.values()} if m is not None else {}
    return facts, project.resolve_spec, functions


def scan(root: Path, files: dict[str, str]) -> tuple[Route, ...]:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return compose_js_routes(*_load(root, list(files)))


def table(routes) -> set[tuple[str, str, str, str, str]]:
    return {(r.method, r.path, r.framework, r.handler, r.handler_path) for r in routes}


def route(routes, method: str, path: str) -> Route:
    found = [r for r in routes if r.method == method and r.path == path]
    assert len(found) == 1, (method, path, [(r.method, r.path) for r in routes])
    return found[0]


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


# -- Express -------------------------------------------------------------------------------------

def test_express_methods_chains_and_inline_handlers(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"app.js": """
        const express = require('express');
        const app = express();
        app.set('title', 'x');
        app.get('env');
        function list(req, res) { res.json([]); }
        app.get('/items', list);
        app.post('/items', async (req, res) => { res.json({}); });
        app.put('/items/:id', list);
        app.patch('/items/:id', list);
        app.delete('/items/:id', list);
        app.all('/any', list);
        app.head('/items', list);
        app.options('/items', list);
        app.get(['/a', '/b'], list);
        app.route('/book').get(list).post(function create(req, res) {});
        app.listen(3000);
    """})
    assert table(routes) == {
        ("GET", "/items", "express", "list", "app.js"), ("POST", "/items", "express", "<anonymous>", "app.js"),
        ("PUT", "/items/:id", "express", "list", "app.js"), ("PATCH", "/items/:id", "express", "list", "app.js"),
        ("DELETE", "/items/:id", "express", "list", "app.js"), ("ANY", "/any", "express", "list", "app.js"),
        ("HEAD", "/items", "express", "list", "app.js"), ("OPTIONS", "/items", "express", "list", "app.js"),
        ("GET", "/a", "express", "list", "app.js"), ("GET", "/b", "express", "list", "app.js"),
        ("GET", "/book", "express", "list", "app.js"), ("POST", "/book", "express", "create", "app.js"),
    }
    post = route(routes, "POST", "/items")
    assert post.entry_points == (("app.js", 7),)
    assert post.id == stable_id("R", "express", "POST", "/items", "app.js", "<anonymous>")
    assert (post.location.line, post.location.col) == (7, 1)


def test_express_nested_routers_across_files(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.js": """
            const express = require('express');
            const api = require('./routes');
            const app = express();
            app.use('/api', api);
            app.use(require('./routes/health'));
        """,
        "routes/index.js": """
            const { Router } = require('express');
            import users from './users';
            const router = Router();
            router.use('/users', users);
            router.use('/admin', require('./admin').default);
            module.exports = router;
        """,
        "routes/users.js": """
            import express from 'express';
            const router = express.Router({ mergeParams: true });
            router.get('/', (req, res) => res.json([]));
            router.get('/:id', (req, res) => res.json({}));
            export default router;
        """,
        "routes/admin.ts": """
            import { Router } from 'express';
            import { settings } from './settings';
            const admin = Router();
            admin.use('/settings', settings);
            admin.delete('/cache', (req, res) => res.end());
            export default admin;
        """,
        "routes/settings.ts": """
            import { Router } from 'express';
            export const settings = Router();
            settings.put('/:key', function save(req, res) { res.end(); });
        """,
        "routes/health.js": """
            const router = require('express').Router();
            router.get('/health', (req, res) => res.send('ok'));
            module.exports = router;
        """,
    })
    assert {(r.method, r.path, r.handler_path) for r in routes} == {
        ("GET", "/api/users", "routes/users.js"), ("GET", "/api/users/:id", "routes/users.js"),
        ("DELETE", "/api/admin/cache", "routes/admin.ts"), ("PUT", "/api/admin/settings/:key", "routes/settings.ts"),
        ("GET", "/health", "routes/health.js"),
    }
    assert route(routes, "PUT", "/api/admin/settings/:key").handler == "save"


def test_middleware_chain_order_scope_and_factories(tmp_path: Path) -> None:
    files = {
        "middleware/auth.js": """
            async function loadSession(req, res, next) { next(); }
            function requireRole(role) {
              return (req, res, next) => next();
            }
            const audit = (req, res, next) => next();
            module.exports = { loadSession, requireRole, audit };
        """,
        "app.js": """
            const express = require('express');
            const { loadSession, requireRole, audit } = require('./middleware/auth');
            const app = express();
            app.get('/early', (req, res) => res.end());
            app.use(express.json());
            app.use(loadSession);
            app.use('/admin', requireRole('admin'));
            const guard = [audit, (req, res, next) => next()];
            app.get('/late', guard, (req, res) => res.end());
            app.get('/admin/stats', audit, async function stats(req, res) {});
            app.get('/administrators', (req, res) => res.end());
            app.use('/admin/area', require('./area'));
            app.use((err, req, res, next) => res.status(500).end());
        """,
        "area.js": """
            const router = require('express').Router();
            router.use(require('./middleware/auth').audit);
            router.get('/x', (req, res) => res.end());
            module.exports = router;
        """,
    }
    routes = scan(tmp_path, files)
    auth = "middleware/auth.js"
    load, role = (auth, line_of(tmp_path, auth, "loadSession(req")), (auth, line_of(tmp_path, auth, "return (req"))
    audit = (auth, line_of(tmp_path, auth, "const audit"))
    app = lambda needle: ("app.js", line_of(tmp_path, "app.js", needle))  # noqa: E731
    assert route(routes, "GET", "/early").entry_points == (app("'/early'"),)
    assert route(routes, "GET", "/late").entry_points == (load, audit, app("const guard"), app("'/late'"))
    stats = route(routes, "GET", "/admin/stats")
    assert stats.entry_points == (load, role, audit, app("'/admin/stats'"))
    assert stats.handler == "stats"
    assert route(routes, "GET", "/administrators").entry_points == (load, app("'/administrators'"))
    assert route(routes, "GET", "/admin/area/x").entry_points == (load, role, audit, ("area.js", 3))


def test_controllers_imported_from_other_files(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "controllers/users.js": """
            exports.list = async (req, res) => { res.json([]); };
            exports.show = async function (req, res) {};
        """,
        "controllers/orders.js": """
            async function index(req, res) {}
            const remove = (req, res) => {};
            module.exports = { index, remove };
        """,
        "controllers/GuildController.ts": """
            class GuildController {
              async list(req, res) {}
              static async create(req, res) {}
            }
            export default new GuildController();
            export { GuildController };
        """,
        "controllers/wrap.js": """
            module.exports = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);
        """,
        "routes.js": """
            const express = require('express');
            const users = require('./controllers/users');
            const { index, remove: drop } = require('./controllers/orders');
            import guilds, { GuildController } from './controllers/GuildController';
            const wrap = require('./controllers/wrap');
            const router = express.Router();
            router.get('/users', users.list);
            router.get('/users/:id', users.show);
            router.get('/orders', index);
            router.delete('/orders/:id', drop);
            router.get('/guilds', guilds.list);
            router.post('/guilds', GuildController.create);
            router.get('/wrapped', wrap(async (req, res) => {}));
            router.get('/missing', require('left-pad').handler);
            module.exports = router;
        """,
    })
    assert table(routes) == {
        ("GET", "/users", "express", "list", "controllers/users.js"),
        ("GET", "/users/:id", "express", "show", "controllers/users.js"),
        ("GET", "/orders", "express", "index", "controllers/orders.js"),
        ("DELETE", "/orders/:id", "express", "remove", "controllers/orders.js"),
        ("GET", "/guilds", "express", "GuildController.list", "controllers/GuildController.ts"),
        ("POST", "/guilds", "express", "GuildController.create", "controllers/GuildController.ts"),
        ("GET", "/wrapped", "express", "<anonymous>", "routes.js"),
        ("GET", "/missing", "express", "require('left-pad').handler", ""),
    }
    assert route(routes, "GET", "/users").entry_points == (("controllers/users.js", 1),)
    assert route(routes, "GET", "/guilds").entry_points == (("controllers/GuildController.ts", 2),)
    assert route(routes, "GET", "/wrapped").entry_points == (("controllers/wrap.js", 1), ("routes.js", 13))
    assert route(routes, "GET", "/missing").entry_points == ()


def test_setup_functions_and_dynamic_import(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.js": """
            const express = require('express');
            const app = express();
            require('./routes/legacy')(app);
            async function start() {
              const { default: hooks } = await import('./routes/hooks.mjs');
              app.use('/hooks', hooks);
            }
            start();
        """,
        "routes/legacy.js": """
            module.exports = function (app) {
              app.get('/legacy', (req, res) => res.end());
            };
        """,
        "routes/hooks.mjs": """
            import { Router } from 'express';
            const router = Router();
            router.post('/in', (req, res) => res.end());
            export default router;
        """,
    })
    assert table(routes) == {
        ("GET", "/legacy", "express", "<anonymous>/<anonymous>", "routes/legacy.js"),
        ("POST", "/hooks/in", "express", "<anonymous>", "routes/hooks.mjs"),
    }


def test_unresolvable_and_unmounted_routers_are_kept(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "a.js": """
            import { router } from '@corp/missing-router';
            router.get('/from-lib', (req, res) => res.end());
        """,
        "b.js": """
            const express = require('express');
            const app = express();
            app.use('/mounted', require('./does-not-exist'));
            const orphan = express.Router();
            orphan.get('/orphan', (req, res) => res.end());
        """,
        "c.ts": """
            export function register(server: any) {
              server.post('/via-param', (req: any, res: any) => res.end());
            }
        """,
    })
    assert {(r.method, r.path, r.framework) for r in routes} == {
        ("GET", "/from-lib", "express"), ("GET", "/orphan", "express"), ("POST", "/via-param", "express")}


def test_lookalikes_are_not_routes(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"client.js": """
        import axios from 'axios';
        const cache = new Map();
        axios.get('/api/users', { params: { q: 1 } });
        cache.get('/key');
        $.get('/api/users', function (data) { render(data); });
        const api = createClient();
        api.post('/api/users', payload);
        request(app).get('/api/users').expect(200);
    """})
    assert routes == ()


# -- Fastify -------------------------------------------------------------------------------------

def test_fastify_shorthand_route_register_and_hooks(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.js": """
            const fastify = require('fastify')({ logger: true });
            const { authenticate } = require('./auth');
            fastify.addHook('onRequest', authenticate);
            fastify.get('/ping', async () => 'pong');
            fastify.register(require('./routes/items'), { prefix: '/api' });
        """,
        "auth.js": """
            exports.authenticate = async (request, reply) => {};
            exports.admin = async (request, reply) => {};
        """,
        "routes/items.js": """
            const { admin } = require('../auth');
            module.exports = async function items(app, opts) {
              app.get('/items/:id', { preHandler: [admin] }, async (request, reply) => ({}));
              app.route({ method: ['PUT', 'DELETE'], url: '/items/:id', preHandler: admin, handler: async (request) => {} });
              app.register(require('./tags'), { prefix: '/v2' });
            };
        """,
        "routes/tags.ts": """
            import { FastifyInstance } from 'fastify';
            export default async function tags(fastify: FastifyInstance) {
              fastify.post('/tags', async function createTag(request, reply) {});
            }
        """,
    })
    assert table(routes) == {
        ("GET", "/ping", "fastify", "<anonymous>", "server.js"),
        ("GET", "/api/items/:id", "fastify", "items/<anonymous>", "routes/items.js"),
        ("PUT", "/api/items/:id", "fastify", "handler", "routes/items.js"),
        ("DELETE", "/api/items/:id", "fastify", "handler", "routes/items.js"),
        ("POST", "/api/v2/tags", "fastify", "createTag", "routes/tags.ts"),
    }
    authenticate, admin = ("auth.js", 1), ("auth.js", 2)
    assert route(routes, "GET", "/ping").entry_points == (authenticate, ("server.js", 4))
    assert route(routes, "GET", "/api/items/:id").entry_points == (authenticate, admin, ("routes/items.js", 3))
    assert route(routes, "PUT", "/api/items/:id").entry_points == (authenticate, admin, ("routes/items.js", 4))
    assert route(routes, "POST", "/api/v2/tags").entry_points == (authenticate, ("routes/tags.ts", 3))


# -- Koa -----------------------------------------------------------------------------------------

def test_koa_router_prefixes_and_nesting(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "app.js": """
            const Koa = require('koa');
            const Router = require('@koa/router');
            const users = require('./users');
            const app = new Koa();
            const api = new Router({ prefix: '/api' });
            api.use('/v1', users.routes(), users.allowedMethods());
            api.get('/status', (ctx) => { ctx.body = 'ok'; });
            app.use(api.routes()).use(api.allowedMethods());
        """,
        "users.js": """
            import Router from 'koa-router';
            const router = new Router({ prefix: '/users' });
            async function load(ctx, next) { await next(); }
            router.get('user', '/:id', load, async (ctx) => {});
            router.del('/:id', async (ctx) => {});
            export default router;
        """,
    })
    assert {(r.method, r.path, r.framework, r.handler_path) for r in routes} == {
        ("GET", "/api/status", "koa", "app.js"), ("GET", "/api/v1/users/:id", "koa", "users.js"),
        ("DELETE", "/api/v1/users/:id", "koa", "users.js")}
    assert route(routes, "GET", "/api/v1/users/:id").entry_points == (("users.js", 3), ("users.js", 4))


# -- Next.js -------------------------------------------------------------------------------------

def test_next_pages_and_app_routes(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "pages/api/users/[id].ts": """
            export default async function handler(req, res) {
              if (req.method === 'GET') res.json({});
            }
        """,
        "pages/api/index.js": "export default (req, res) => res.end();\n",
        "src/pages/api/auth/[...nextauth].ts": """
            import NextAuth from 'next-auth';
            import { withAuth } from '../../../lib/with-auth';
            async function auth(req, res) {}
            export default withAuth(auth);
        """,
        "src/lib/with-auth.ts": """
            export function withAuth(handler) {
              return async (req, res) => handler(req, res);
            }
        """,
        "pages/about.tsx": "export default function About() { return null; }\n",
        "app/(shop)/api/orders/[id]/route.ts": """
            import { NextResponse } from 'next/server';
            export async function GET(req, { params }) { return NextResponse.json({}); }
            export const DELETE = async () => new Response(null);
            async function write() {}
            export { write as PUT, write as PATCH };
            export const dynamic = 'force-dynamic';
        """,
        "src/app/route.ts": "export function GET() { return new Response('ok'); }\n",
        "app/_internal/route.ts": "export function GET() {}\n",
        "app/dashboard/page.tsx": "export default function Page() { return null; }\n",
    })
    assert table(routes) == {
        ("ANY", "/api/users/[id]", "nextjs", "handler", "pages/api/users/[id].ts"),
        ("ANY", "/api", "nextjs", "default", "pages/api/index.js"),
        ("ANY", "/api/auth/[...nextauth]", "nextjs", "auth", "src/pages/api/auth/[...nextauth].ts"),
        ("GET", "/api/orders/[id]", "nextjs", "GET", "app/(shop)/api/orders/[id]/route.ts"),
        ("DELETE", "/api/orders/[id]", "nextjs", "DELETE", "app/(shop)/api/orders/[id]/route.ts"),
        ("PUT", "/api/orders/[id]", "nextjs", "write", "app/(shop)/api/orders/[id]/route.ts"),
        ("PATCH", "/api/orders/[id]", "nextjs", "write", "app/(shop)/api/orders/[id]/route.ts"),
        ("GET", "/", "nextjs", "GET", "src/app/route.ts"),
    }
    assert route(routes, "ANY", "/api/auth/[...nextauth]").entry_points == (
        ("src/lib/with-auth.ts", 2), ("src/pages/api/auth/[...nextauth].ts", 3))


def test_next_route_paths() -> None:
    assert route_path("apps/web/app/api/x/route.ts") == ("app", "/api/x")
    assert route_path("app/@modal/(group)/photo/route.js") == ("app", "/photo")
    assert route_path("pages/api/types.d.ts") is None
    assert route_path("node_modules/x/pages/api/a.js") is None
    assert route_path("lib/route.ts") is None


# -- whole-project properties --------------------------------------------------------------------

def test_composition_is_deterministic(tmp_path: Path) -> None:
    files = {
        "server.js": "const app = require('express')();\napp.use('/a', require('./a'));\napp.use('/b', require('./a'));\n",
        "a.js": "const r = require('express').Router();\nr.get('/x', (q, s) => s.end());\nmodule.exports = r;\n",
    }
    first = scan(tmp_path, files)
    facts, resolve, functions = _load(tmp_path, list(files))
    items = list(facts.items())
    random.Random(7).shuffle(items)
    assert compose_js_routes(dict(items), resolve, functions) == first
    assert [(r.method, r.path) for r in first] == [("GET", "/a/x"), ("GET", "/b/x")]


def test_handler_names_match_the_frontend(tmp_path: Path) -> None:
    text = textwrap.dedent("""
        const a = () => {};
        exports.b = function () {};
        module.exports.c = async () => {};
        module.exports = function () { return () => {}; };
        function Ctor() {}
        Ctor.prototype.m = function () {};
        class K { m() { return { x: () => 1 }; } static s() {} }
        const o = { p: () => {}, q() {}, nested: { r: () => {} } };
        call({ handler: async () => {} }, [() => {}], (x) => (y) => y);
        export default function () {}
        const C = class { n() {} };
    """)
    for language in ("javascript", "typescript"):
        facts, _ = parse_module(text, "x.js", language)
        data = text.encode()
        names = Names(lambda n: data[n.start_byte:n.end_byte].decode())
        stack, mine = [_parser(language).parse(data).root_node], collections.Counter()
        while stack:
            node = stack.pop()
            if node.is_named and node.type in FUNCTIONS:
                mine[(node.start_point[0] + 1, names.name(node))] += 1
            stack.extend(node.children)
        assert mine == collections.Counter((f.line, f.name) for f in facts.functions.values())


def test_slimy_admin_api_routes_match_annotations() -> None:
    root = FIXTURES / "slimy-admin-api"
    rels = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix in (".js", ".mjs", ".ts"))
    routes = compose_js_routes(*_load(root, rels))
    annotated = set()
    for rel in rels:
        annotated |= set(re.findall(r"//\s*route: ([A-Z]+) (\S+)", (root / rel).read_text(encoding="utf-8")))
    assert {(r.method, r.path) for r in routes} == annotated
    assert all(r.framework == "express" for r in routes)
    session = "middleware/session.js"
    load, role = line_of(root, session, "async function loadSession"), line_of(root, session, "return (req, res, next)")
    members = route(routes, "GET", "/api/guilds/:id/members")
    assert members.entry_points == ((session, load), (session, role), ("routes/guilds.js", members.location.line))
    hook = route(routes, "POST", "/api/webhooks/discord/guild-create")
    assert hook.entry_points[0] == (session, load) and hook.handler_path == "routes/webhooks.mjs"
    assert route(routes, "GET", "/api/health").entry_points == ((session, load), ("server.js", 33))


def test_facts_are_plain_records(tmp_path: Path) -> None:
    data = b"const app = require('express')();\napp.get('/x', (req, res) => res.end());\nmodule.exports = app;\n"
    facts = extract_js_route_facts(_parser("javascript").parse(data).root_node, data, "s.js")
    assert isinstance(facts, JsRouteFacts) and hash(facts)
    assert facts.frameworks == ("express",) and [o.key for o in facts.owners] == ["app"]
    assert [(d.method, d.path) for d in facts.routes] == [("GET", "/x")]
    assert dict(facts.exports)["="].kind == "owner"


def test_broken_and_deep_sources_do_not_crash() -> None:
    rng = random.Random(3)
    for path in sorted((FIXTURES / "slimy-admin-api" / "routes").glob("*.js"))[:3]:
        data = path.read_bytes()
        for _ in range(15):
            cut = bytearray(data)
            for _ in range(rng.randint(1, 5)):
                at = rng.randrange(len(cut))
                del cut[at:at + rng.randint(1, 30)]
            broken = bytes(cut)
            facts = extract_js_route_facts(_parser("javascript").parse(broken).root_node, broken, "r.js")
            compose_js_routes({"r.js": facts}, lambda importer, spec: None, lambda p: {})
    deep = ("const x = a" + ".b" * 3000 + ";\nf(" + "g(" * 2000 + ")" * 2001 + ";\n").encode()
    assert extract_js_route_facts(_parser("javascript").parse(deep).root_node, deep, "d.js").routes == ()


def test_arrays_of_routers_and_middleware_in_use(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"app.js": """
        const express = require('express');
        const app = express();
        const a = express.Router();
        const b = express.Router();
        function auth(req, res, next) { next(); }
        a.get('/a', (req, res) => res.end());
        b.get('/b', (req, res) => res.end());
        app.use('/api', [auth, a], b);
    """})
    assert {(r.path, r.entry_points) for r in routes} == {
        ("/api/a", (("app.js", 5), ("app.js", 6))), ("/api/b", (("app.js", 5), ("app.js", 7)))}


def test_fastify_inline_and_wrapped_plugins(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.ts": """
            import Fastify from 'fastify';
            import users from './users';
            const app = Fastify();
            app.register(async (instance) => {
              instance.get('/health', async () => ({ ok: true }));
            }, { prefix: '/v1' });
            app.register(users, { prefix: '/users' });
        """,
        "users.ts": """
            import fp from 'fastify-plugin';
            export default fp(async function users(server) {
              server.delete('/:id', async function removeUser() {});
            });
        """,
    })
    assert table(routes) == {
        ("GET", "/v1/health", "fastify", "<anonymous>/<anonymous>", "server.ts"),
        ("DELETE", "/:id", "fastify", "removeUser", "users.ts"),  # fastify-plugin ignores `prefix`
    }


def test_esm_router_exported_between_commented_braces(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.mjs": """
            import express from 'express';
            import { /* the API */ api } from './routes.mjs';
            const app = express();
            app.use('/api', api);
        """,
        "routes.mjs": """
            import { Router } from 'express';
            const api = Router();
            api.get('/ping', (req, res) => res.send('pong'));
            export {
              // mounted by server.mjs
              api,
            };
        """,
    })
    assert table(routes) == {("GET", "/api/ping", "express", "<anonymous>", "routes.mjs")}
