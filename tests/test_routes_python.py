from __future__ import annotations

import dataclasses
import json
import random
import sys
import textwrap
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_python
from jsonschema import Draft202012Validator

from auditor.findings import stable_id
from auditor.frontends.pyroutes import PyRouteFacts, extract_route_facts
from auditor.model import Inventory, Location, Route, Transaction
from auditor.report import json as report_json
from auditor.routes import compose_python_routes

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def facts_of(root: Path, files: dict[str, str]) -> dict[str, PyRouteFacts]:
    facts = {}
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = textwrap.dedent(text).lstrip("\n").encode("utf-8")
        target.write_bytes(data)
        facts[rel] = extract_route_facts(PARSER.parse(data).root_node, data, rel)
    return facts


def scan(root: Path, files: dict[str, str]) -> tuple[Route, ...]:
    facts = facts_of(root, files)
    return compose_python_routes(facts, lambda p: (root / p).is_file())


def table(routes) -> set[tuple[str, str, str, str, str]]:
    return {(r.method, r.path, r.framework, r.handler, r.handler_path) for r in routes}


def test_flask_single_module(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"app.py": """
        from flask import Flask
        from . import views
        app = Flask(__name__)

        @app.route('/users/<int:user_id>', methods=['GET', 'post'])
        def get_user(user_id): ...

        @app.route('/')
        def index(): ...

        @app.delete('/users/<int:user_id>')
        def drop(user_id): ...

        app.add_url_rule('/ping', 'ping', ping, methods=['HEAD'])
        app.add_url_rule('/about', view_func=views.about)
        def ping(): ...
        """, "views.py": "def about(): ...\n"})
    assert table(routes) == {
        ("GET", "/users/<int:user_id>", "flask", "get_user", "app.py"),
        ("POST", "/users/<int:user_id>", "flask", "get_user", "app.py"),
        ("GET", "/", "flask", "index", "app.py"),
        ("DELETE", "/users/<int:user_id>", "flask", "drop", "app.py"),
        ("HEAD", "/ping", "flask", "ping", "app.py"),
        ("GET", "/about", "flask", "about", "views.py"),
    }
    first = next(r for r in routes if r.handler == "get_user")
    decorator = "@app.route('/users/<int:user_id>', methods=['GET', 'post'])"
    assert first.location == Location("app.py", 5, 1, 5, len(decorator) + 1)  # the decorator
    assert first.id == stable_id("R", "flask", first.method, first.path, "app.py", "get_user")


def test_flask_blueprints_across_modules(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "shop/__init__.py": """
            from flask import Flask
            from .api import bp as api_bp
            from shop.admin import admin

            def create_app():
                app = Flask(__name__)
                app.register_blueprint(api_bp, url_prefix='/api')
                app.register_blueprint(admin)
                return app
            """,
        "shop/api/__init__.py": """
            from flask import Blueprint
            bp = Blueprint('api', __name__, url_prefix='/ignored')
            from . import users, nested
            """,
        "shop/api/users.py": """
            from flask.views import MethodView
            from . import bp

            @bp.get('/users/<int:user_id>')
            def get_user(user_id): ...

            class UserAPI(MethodView):
                def get(self): ...
                def post(self): ...

            bp.add_url_rule('/users', view_func=UserAPI.as_view('users'))
            """,
        "shop/api/nested.py": """
            from flask import Blueprint
            from shop.api import bp
            child = Blueprint('child', __name__, url_prefix='/child')

            @child.route('/leaf', methods=['PUT'])
            def leaf(): ...

            bp.register_blueprint(child)
            """,
        "shop/admin.py": """
            from flask import Blueprint
            admin = Blueprint('admin', __name__, url_prefix='/admin')

            @admin.post('/reindex')
            def reindex(): ...
            """,
        "orphan.py": """
            from flask import Blueprint
            loose = Blueprint('loose', __name__, url_prefix='/loose')

            @loose.get('/x')
            def x(): ...
            """,
    })
    assert table(routes) == {
        ("GET", "/api/users/<int:user_id>", "flask", "get_user", "shop/api/users.py"),
        ("GET", "/api/users", "flask", "UserAPI.get", "shop/api/users.py"),
        ("POST", "/api/users", "flask", "UserAPI.post", "shop/api/users.py"),
        ("PUT", "/api/child/leaf", "flask", "leaf", "shop/api/nested.py"),
        ("POST", "/admin/reindex", "flask", "reindex", "shop/admin.py"),
        ("GET", "/loose/x", "flask", "x", "orphan.py"),  # never registered: keeps its own prefix
    }


def test_unresolved_owners_and_prefixes_are_kept(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "app.py": """
            from flask import Flask
            from blueprints import ALL
            app = Flask(__name__)
            for bp in ALL:
                app.register_blueprint(bp)
            """,
        "blueprints.py": """
            from flask import Blueprint
            users = Blueprint('users', __name__, url_prefix='/users')
            ALL = [users]

            @users.get('/<name>')
            def show(name): ...

            def init_app(app):
                @app.route('/status')
                def status(): ...
            """,
        "tests_helpers.py": """
            from unittest import mock
            from flask import Flask

            @mock.patch('os.getcwd')
            def helper(m): ...
            """,
    })
    assert table(routes) == {
        ("GET", "/users/<name>", "flask", "show", "blueprints.py"),
        ("GET", "/status", "flask", "status", "blueprints.py"),
    }


def test_fastapi_router_chains(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "svc/main.py": """
            from fastapi import FastAPI
            from svc.api import api
            from svc.routers import items
            app = FastAPI()
            app.include_router(api, prefix='/api')
            legacy = items.router
            app.include_router(legacy, prefix='/legacy')

            @app.get('/health')
            async def health(): ...
            """,
        "svc/api.py": """
            from fastapi import APIRouter
            from .routers import users, items
            api = APIRouter(prefix='/v1')
            api.include_router(users.router)
            api.include_router(items.router, prefix='/shop')
            """,
        "svc/routers/__init__.py": "",
        "svc/routers/users.py": """
            from fastapi import APIRouter
            router = APIRouter(prefix='/users', tags=['users'])

            @router.get('/{user_id}')
            async def read_user(user_id: int): ...

            @router.api_route('/{user_id}', methods=['PUT', 'PATCH'])
            async def write_user(user_id: int): ...
            """,
        "svc/routers/items.py": """
            from fastapi import APIRouter
            router = APIRouter(prefix='/items')

            @router.post('')
            async def create_item(): ...
            """,
    })
    assert table(routes) == {
        ("GET", "/health", "fastapi", "health", "svc/main.py"),
        ("GET", "/api/v1/users/{user_id}", "fastapi", "read_user", "svc/routers/users.py"),
        ("PUT", "/api/v1/users/{user_id}", "fastapi", "write_user", "svc/routers/users.py"),
        ("PATCH", "/api/v1/users/{user_id}", "fastapi", "write_user", "svc/routers/users.py"),
        ("POST", "/api/v1/shop/items", "fastapi", "create_item", "svc/routers/items.py"),
        ("POST", "/legacy/items", "fastapi", "create_item", "svc/routers/items.py"),  # mounted twice
    }


def test_aiohttp(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "server.py": """
            from aiohttp import web
            from handlers import routes, Orders, list_orders
            admin = web.Application()
            admin.router.add_get('/stats', list_orders)

            def make_app():
                app = web.Application()
                app.add_routes(routes)
                app.router.add_route('*', '/any', list_orders)
                app.router.add_view('/orders/{id}', Orders)
                app.add_routes([web.post('/orders', list_orders), web.get('/orders', list_orders)])
                app.add_subapp('/admin/', admin)
                router = app.router
                router.add_patch('/orders/{id}', list_orders)
                return app
            """,
        "handlers.py": """
            from aiohttp import web
            routes = web.RouteTableDef()

            @routes.get('/')
            async def index(request): ...

            @routes.view('/things')
            class Things(web.View):
                async def get(self): ...
                async def delete(self): ...

            class Orders(web.View):
                async def get(self): ...

            async def list_orders(request): ...
            """,
    })
    assert table(routes) == {
        ("GET", "/", "aiohttp", "index", "handlers.py"),
        ("GET", "/things", "aiohttp", "Things.get", "handlers.py"),
        ("DELETE", "/things", "aiohttp", "Things.delete", "handlers.py"),
        ("ANY", "/any", "aiohttp", "list_orders", "handlers.py"),
        ("GET", "/orders/{id}", "aiohttp", "Orders.get", "handlers.py"),
        ("POST", "/orders", "aiohttp", "list_orders", "handlers.py"),
        ("GET", "/orders", "aiohttp", "list_orders", "handlers.py"),
        ("GET", "/admin/stats", "aiohttp", "list_orders", "handlers.py"),
        ("PATCH", "/orders/{id}", "aiohttp", "list_orders", "handlers.py"),
    }


DJANGO = {
    "config/__init__.py": "",
    "config/urls.py": """
        from django.conf import settings
        from django.contrib import admin
        from django.urls import include, path, re_path
        from blog import urls as blog_urls
        from . import views

        urlpatterns = [
            path('admin/', admin.site.urls),  # a library URLconf: nothing to list
            path('', views.home),
            path('shop/', include('shop.urls', namespace='shop')),
            re_path(r'^blog/', include(blog_urls)),
            path('api/', include([path('ping/', views.ping), path('v1/', include('api.urls'))])),
        ]
        if settings.DEBUG:
            urlpatterns += [path('debug/', views.debug)]
        """,
    "config/views.py": "def home(r): ...\ndef ping(r): ...\ndef debug(r): ...\n",
    "shop/__init__.py": "",
    "shop/urls.py": """
        from django.contrib.auth.decorators import login_required
        from django.urls import path
        from django.views.generic import TemplateView
        from . import views
        from .views import OrderView

        urlpatterns = [
            path('orders/<int:pk>/', views.order_detail, name='order'),
            path('orders/<int:pk>/edit/', login_required(OrderView.as_view())),
            path('about/', TemplateView.as_view(template_name='about.html')),
            path('list/', views.OrderList.as_view()),
        ]
        """,
    "shop/views.py": """
        from django.views import View
        from django.views.generic import ListView
        from common.views import JsonView

        def order_detail(request, pk): ...

        class OrderView(JsonView):
            def get(self, request, pk): ...
            def post(self, request, pk): ...

        class OrderList(ListView):
            model = None
        """,
    "common/__init__.py": "",
    "common/views.py": """
        from django.views import View
        class JsonView(View):
            def delete(self, request, pk): ...
        """,
    "blog/__init__.py": "",
    "blog/urls.py": """
        from django.urls import re_path
        from blog.views import post
        urlpatterns = [re_path(r'^(?P<slug>[-\\w]+)/$', post)]
        """,
    "blog/views.py": "def post(request, slug): ...\n",
    "api/__init__.py": "",
    "api/urls.py": """
        from django.urls import path
        from api.views import *
        urlpatterns = []
        urlpatterns.append(path('users/<int:pk>/', user_detail))
        """,
    "api/views.py": "def user_detail(request, pk): ...\n",
    "standalone/urls.py": """
        from django.urls import path
        from standalone import views
        urlpatterns = [path('solo/', views.solo)]
        """,
    "standalone/views.py": "def solo(request): ...\n",
}


def test_django_include_chains_and_class_based_views(tmp_path: Path) -> None:
    routes = scan(tmp_path, DJANGO)
    assert table(routes) == {
        ("ANY", "/", "django", "home", "config/views.py"),
        ("ANY", "/debug/", "django", "debug", "config/views.py"),
        ("ANY", "/api/ping/", "django", "ping", "config/views.py"),
        ("ANY", "/api/v1/users/<int:pk>/", "django", "user_detail", "api/views.py"),
        ("ANY", "/shop/orders/<int:pk>/", "django", "order_detail", "shop/views.py"),
        ("GET", "/shop/orders/<int:pk>/edit/", "django", "OrderView.get", "shop/views.py"),
        ("POST", "/shop/orders/<int:pk>/edit/", "django", "OrderView.post", "shop/views.py"),
        ("DELETE", "/shop/orders/<int:pk>/edit/", "django", "JsonView.delete", "common/views.py"),
        ("ANY", "/shop/about/", "django", "TemplateView", ""),  # a library view
        ("ANY", "/shop/list/", "django", "OrderList", "shop/views.py"),
        ("ANY", "/blog/(?P<slug>[-\\w]+)/", "django", "post", "blog/views.py"),
        ("ANY", "/solo/", "django", "solo", "standalone/views.py"),  # a second root
    }
    detail = next(r for r in routes if r.handler == "order_detail")
    assert detail.location.path == "shop/urls.py" and detail.location.line == 8


def test_django_include_cycle_terminates(tmp_path: Path) -> None:
    routes = scan(tmp_path, {
        "a/urls.py": "from django.urls import path, include\n"
                     "urlpatterns = [path('b/', include('b.urls')), path('x/', v)]\ndef v(r): ...\n",
        "b/urls.py": "from django.urls import path, include\n"
                     "urlpatterns = [path('a/', include('a.urls')), path('y/', w)]\ndef w(r): ...\n",
    })
    assert {r.path for r in routes} >= {"/x/", "/b/y/"}


def test_deterministic_and_sorted(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, DJANGO)
    exists = lambda p: (tmp_path / p).is_file()  # noqa: E731
    first = compose_python_routes(facts, exists)
    keys = list(facts)
    random.Random(3).shuffle(keys)
    assert compose_python_routes({k: facts[k] for k in keys}, exists) == first
    assert list(first) == sorted(first, key=lambda r: (r.path, r.method, r.framework, r.handler))
    assert len({r.id for r in first}) == len(first)


def test_scanned_code_is_never_imported(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"boom_app.py": """
        raise SystemExit('imported!')
        from flask import Flask
        app = Flask(__name__)
        @app.get('/boom')
        def boom(): ...
        def broken(:
        """})
    assert [(r.method, r.path) for r in routes] == [("GET", "/boom")]
    assert "boom_app" not in sys.modules


def test_not_routes(tmp_path: Path) -> None:
    assert scan(tmp_path, {"x.py": """
        from sanic import Blueprint
        import pytest
        bp = Blueprint('x', url_prefix='/x')
        cache = {}

        @pytest.mark.get('/nope')
        def t(): ...

        @bp.get('/sanic')
        def s(): ...

        value = cache.get('/key')
        """}) == ()


def test_module_facts_api(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"m.py": """
        from flask import Blueprint
        from .api import child
        bp = Blueprint('x', __name__, url_prefix='/x')
        bp.register_blueprint(child, url_prefix='/c')

        class Ping:
            @bp.route('/ping', methods=METHODS)
            def ping(self): ...

        @bp.route('/café', methods=['GET', 'PROPFIND', 'post'])
        def cafe(): ...
        """})["m.py"]
    assert isinstance(facts, PyRouteFacts) and facts.path == "m.py"
    assert [(o.name, o.framework, o.kind, o.prefix) for o in facts.owners] == [("bp", "flask", "blueprint", "/x")]
    assert [(m.parent, m.child, m.prefix) for m in facts.mounts] == [("bp", "child", "/c")]
    assert [(i.local, i.module, i.name) for i in facts.imports] == [
        ("Blueprint", "flask", "Blueprint"), ("child", ".api", "child")]
    assert facts.frameworks == ("flask",) and {"bp", "Ping", "cafe", "child"} <= facts.symbols
    ping, cafe = facts.routes
    assert (ping.owner, ping.methods, ping.path, ping.handler.expr) == ("bp", ("ANY",), "/ping", "Ping.ping")
    assert cafe.methods == ("GET", "POST")  # methods outside the schema's list are left out
    line = "@bp.route('/café', methods=['GET', 'PROPFIND', 'post'])"
    assert cafe.location == Location("m.py", 10, 1, 10, len(line) + 1)  # columns in characters


def test_json_round_trip_and_schema_with_routes(tmp_path: Path) -> None:
    routes = scan(tmp_path, {"app.py": """
        from flask import Flask
        app = Flask(__name__)
        @app.route('/users/<int:user_id>', methods=['GET', 'DELETE'])
        def get_user(user_id): ...
        """})
    inv = Inventory("1.0", "0.1.0", str(tmp_path), ("app.py",), (),
                    (Transaction("t-1", "block", "app.py", 4, 1, 5, "engine.begin", "get_user", ()),),
                    (), (), (), routes=routes)
    doc = report_json.to_dict(inv)
    schema = report_json.schema()
    Draft202012Validator(schema).validate(doc)
    assert list(doc)[list(doc).index("diagnostics") + 1] == "routes"
    assert doc["summary"]["routes"] == 2
    assert doc["routes"][0] == {
        "id": routes[0].id, "method": "DELETE", "path": "/users/<int:user_id>", "framework": "flask",
        "handler": "get_user", "handler_path": "app.py",
        "location": {"path": "app.py", "line": 3, "col": 1, "end_line": 3,
                     "end_col": len("@app.route('/users/<int:user_id>', methods=['GET', 'DELETE'])") + 1},
        "entry_points": [], "sites": [],
    }
    back = report_json.from_dict(json.loads(json.dumps(doc)))
    assert back == inv and report_json.to_dict(back) == doc
    shuffled = dataclasses.replace(inv, routes=tuple(reversed(routes)))
    assert report_json.to_dict(shuffled) == doc
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert report_json.load(path) == inv

    route_schema = schema["$defs"]["route"]
    assert route_schema["additionalProperties"] is False
    assert all("description" in p for p in route_schema["properties"].values())
    assert "block" in schema["$defs"]["transaction"]["properties"]["kind"]["enum"]
    bad = json.loads(json.dumps(doc))
    bad["routes"][0]["method"] = "FETCH"
    with pytest.raises(Exception):
        Draft202012Validator(schema).validate(bad)
