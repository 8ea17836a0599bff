"""What a frontend knows about one module, in language-neutral records.

A frontend turns a file into these facts and never into findings. Values are symbolic:
`Ref` names a binding to look up, `Call` stands for the result of a call, `Text` is string
content rebuilt from literals with typed holes. The resolve stage evaluates them across
modules (imports, exports, classes) to decide which calls send SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from operator import attrgetter
from typing import Union

from auditor.model import DriverUse, Item, Location


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of string content. kind: `lit` (known text) or `hole` (unknown, typed later).

    For `lit`, `exact` says the text maps character-for-character onto the source from
    (line, col); an escape sequence is not exact and maps to its start.
    For `hole`, text is the source expression; `param` is True for ORM-bound parameters.
    """

    kind: str
    text: str
    line: int
    col: int
    exact: bool = True
    param: bool = False
    end_line: int = 0
    end_col: int = 0
    path: str = ""  # set when the text comes from another module (an imported constant)


@dataclass(frozen=True, slots=True)
class Text:
    pieces: tuple[Union[Piece, "Ref", "Text"], ...]
    lit_id: int  # id of the outermost literal expression (to know which literals reached a sink)
    dynamic: bool = False  # built by conditional appends (`sql += ...`)
    formatted: bool = False  # built by `%` formatting or `.format()` (Python)


@dataclass(frozen=True, slots=True)
class Ref:
    """An identifier, looked up in `scopes` (innermost first; 0 is the module)."""

    scopes: tuple[int, ...]
    name: str
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0


@dataclass(frozen=True, slots=True)
class Member:
    base: "Value"
    name: str


@dataclass(frozen=True, slots=True)
class Call:
    callee: "Value"
    call_id: int


@dataclass(frozen=True, slots=True)
class New:
    callee: "Value"


@dataclass(frozen=True, slots=True)
class Import:
    """`require(spec)` / `import * as x` (name `*`), `import x` (name `default`), `import {n}`."""

    spec: str
    name: str = "*"


@dataclass(frozen=True, slots=True)
class Param:
    fid: int
    index: int


@dataclass(frozen=True, slots=True)
class Func:
    fid: int


@dataclass(frozen=True, slots=True)
class Cls:
    cid: int


@dataclass(frozen=True, slots=True)
class This:
    cid: int  # 0 when not inside a class


@dataclass(frozen=True, slots=True)
class Obj:
    members: tuple[tuple[str, "Value"], ...]


@dataclass(frozen=True, slots=True)
class Seq:
    """A list or tuple literal."""

    items: tuple["Value", ...]


@dataclass(frozen=True, slots=True)
class Elem:
    base: "Value"
    index: int


@dataclass(frozen=True, slots=True)
class Opaque:
    source: str


Value = Union[Text, Ref, Member, Call, New, Import, Param, Func, Cls, This, Obj, Seq, Elem, Opaque]


@dataclass(frozen=True, slots=True)
class FunctionFact:
    fid: int
    name: str  # qualified symbol: `query`, `GuildRepository.findById`, `<arrow@12>`
    params: tuple[str, ...]
    cid: int  # enclosing class, 0 if none
    parent: int  # enclosing function, 0 for the module
    line: int
    end_line: int
    returns: tuple[Value, ...] = ()
    decorators: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassFact:
    cid: int
    name: str
    methods: tuple[tuple[str, int], ...]  # method name -> fid
    fields: tuple[tuple[str, Value], ...]  # `this.x = value`
    superclass: Value | None = None


@dataclass(frozen=True, slots=True)
class CallFact:
    call_id: int
    fid: int  # enclosing function (0: module level)
    callee: Value
    callee_text: str
    args: tuple[Value, ...]
    location: Location  # the whole call expression
    tagged: bool = False  # tagged template: args[0] is the template
    array_pattern: Location | None = None  # `const [rows] = await <this call>`
    kwargs: tuple[tuple[str, "Value", Location], ...] = ()  # Python keyword arguments


@dataclass(frozen=True, slots=True)
class Block:
    """A `with` statement: what it enters, and the lines of its body."""

    fid: int
    value: "Value"
    location: Location
    body_line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    path: str
    language: str
    functions: dict[int, FunctionFact] = field(default_factory=dict)
    classes: dict[int, ClassFact] = field(default_factory=dict)
    bindings: dict[tuple[int, str], Value] = field(default_factory=dict)  # (scope, name) -> value
    exports: dict[str, Value] = field(default_factory=dict)
    module_value: Value | None = None  # CommonJS `module.exports = X`
    star_exports: tuple[str, ...] = ()
    calls: tuple[CallFact, ...] = ()
    literals: tuple[tuple[Text, Location, int], ...] = ()  # SQL-looking texts: (text, where, fid)
    driver_uses: tuple[DriverUse, ...] = ()  # uses that need no receiver knowledge
    references: tuple[tuple[str, "Value", Location, str, int], ...] = ()  # (use kind, value to type, where, evidence, fid)
    blocks: tuple["Block", ...] = ()  # `with` statements
    route_facts: object = None  # per-module route facts (frontends.pyroutes, jsroutes), composed by auditor.routes
    lines: tuple[str, ...] = ()  # source lines, for code snippets (and to rebuild the text, see JsRoutesLater)


# -- HTTP routes declared in Python modules (frontends.pyroutes), composed by auditor.routes --------

@dataclass(frozen=True, slots=True)
class PyImport:
    local: str  # the dotted name it binds here: `views`, `c` (import a.b as c), `a.b` (import a.b)
    module: str  # as written, maybe relative: `.views`, `shop.urls`, `.`
    name: str = ""  # `from module import name`; "" for `import module`


@dataclass(frozen=True, slots=True)
class PyClass:
    name: str
    methods: tuple[str, ...]  # HTTP-method names it defines (`get`, `post`, ...)
    bases: tuple[str, ...]  # dotted base classes as written


@dataclass(frozen=True, slots=True)
class Owner:
    """An app, blueprint, router or route table created here: `bp = Blueprint(..., url_prefix='/x')`."""
    name: str
    framework: str
    kind: str  # app | blueprint | router | table
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Handler:
    expr: str  # dotted reference as written (`views.order_detail`); the qualified symbol when `local`
    view_class: bool = False  # a class-based view (`X.as_view()`, `add_view`, `@routes.view`)
    local: bool = False  # a decorated function or class of this module


@dataclass(frozen=True, slots=True)
class RouteDecl:
    owner: str  # dotted reference to the app/blueprint/router/table it is attached to
    methods: tuple[str, ...]  # upper case, or ("ANY",); () for a view class: its methods decide
    path: str
    handler: Handler
    location: Location
    framework: str = ""  # when the declaration names it (aiohttp `web.get`, Flask `add_url_rule`)


@dataclass(frozen=True, slots=True)
class Mount:
    """`parent.register_blueprint(child, url_prefix=)`, `include_router`, `add_subapp`, `add_routes`."""
    parent: str
    child: str
    prefix: str | None  # None: not given at the mount (the child's own prefix applies)
    location: Location


@dataclass(frozen=True, slots=True)
class UrlPattern:
    """A Django `path()`/`re_path()`/`url()` entry: a view, or an include of more patterns."""
    route: str
    regex: bool
    location: Location
    handler: Handler | None = None
    include_module: str = ""  # include('shop.urls')
    include_ref: str = ""  # include(shop_urls), include(api_patterns)
    children: tuple["UrlPattern", ...] = ()  # include([...]) written inline


@dataclass(frozen=True, slots=True)
class PyRouteFacts:
    path: str
    imports: tuple[PyImport, ...] = ()
    star_imports: tuple[str, ...] = ()
    symbols: frozenset[str] = frozenset()  # names bound at module level (defs, classes, assignments, imports)
    classes: tuple[PyClass, ...] = ()
    owners: tuple[Owner, ...] = ()
    routes: tuple[RouteDecl, ...] = ()
    mounts: tuple[Mount, ...] = ()
    patterns: tuple[tuple[str, tuple[UrlPattern, ...]], ...] = ()  # module-level Django lists by name
    frameworks: tuple[str, ...] = ()  # web frameworks this module imports


# -- HTTP routes declared in JavaScript/TypeScript modules (frontends.jsroutes), composed by auditor.routes --

@dataclass(frozen=True, slots=True)
class JsRef:
    """What an expression names, as far as its own module knows.

    kind: `function` (name as pgready names it, line where it starts), `owner` (name: the key of an
    app/router created in this module), `import` (spec, name: `*`, `default` or an export name),
    `param` (name and line of the function, index of the parameter), `class` (name: a class of this
    module), `instance` (`new` of the class `name` here, or of `callee`), `call` (callee, args),
    `list` (args: the items of an array), `object` (fields), `next` (a Next.js file route), `unknown`.
    `members` are properties read from it (`ctrl.list` is `ctrl` with members `("list",)`).
    """

    kind: str
    name: str = ""
    line: int = 0
    spec: str = ""
    members: tuple[str, ...] = ()
    index: int = 0
    callee: "JsRef | None" = None
    args: tuple["JsRef", ...] = ()
    fields: tuple[tuple[str, "JsRef"], ...] = ()
    text: str = ""  # the expression as written (shown when it cannot be resolved)


@dataclass(frozen=True, slots=True)
class JsOwner:
    """An app or router created here: `const router = express.Router()`, `new Router({ prefix })`."""

    key: str  # the binding: `router`, `createApp/app` inside a function
    framework: str  # express | fastify | koa
    kind: str  # app | router
    prefix: str
    location: Location


@dataclass(frozen=True, slots=True)
class JsRouteDecl:
    """`router.get(path, ...chain)`, a `route()` chain, Fastify `route({...})`, or a Next.js file route."""

    owner: JsRef  # what it is declared on (kind `next` for file routes)
    method: str  # upper case or ANY
    path: str  # as written; the full path for Next.js
    chain: tuple[JsRef, ...]  # middleware then the handler, in the order they run
    location: Location
    order: tuple[int, int]  # (start byte, end byte) of the declaring call: registration order in the module
    framework: str = ""  # when the declaration itself says (Fastify `route({})`, Next.js)


@dataclass(frozen=True, slots=True)
class JsUse:
    """What attaches middleware or other routers to an owner.

    kind: `use` (`app.use([prefix], ...items)`), `register` (Fastify `register(plugin, { prefix })`),
    `pass` (`setup(app)`: the callee declares routes on its parameter `index`), `hook` (Fastify
    `addHook('preHandler', fn)`).
    """

    owner: JsRef
    kind: str
    items: tuple[JsRef, ...]
    location: Location
    order: tuple[int, int]
    prefix: str | None = None
    index: int = 0


@dataclass(frozen=True, slots=True)
class JsRouteFacts:
    path: str
    owners: tuple[JsOwner, ...] = ()
    routes: tuple[JsRouteDecl, ...] = ()
    uses: tuple[JsUse, ...] = ()
    exports: tuple[tuple[str, JsRef], ...] = ()  # `=` for `module.exports = X`
    star_exports: tuple[str, ...] = ()
    factories: tuple[tuple[int, str, int], ...] = ()  # (line of a function, name and line of the function it returns)
    frameworks: tuple[str, ...] = ()  # web frameworks this module imports


@dataclass(frozen=True, slots=True)
class JsRoutesLater:
    """`route_facts` of a module that declares no app, router, route or `use` (see
    `jsroutes.may_declare_routes`): only another module's routes can need its exports and
    middleware factories, and most modules are never asked. `frontends.javascript.route_facts`
    computes them from the module's text, which is its `lines` joined by `newline`, plus one more
    when `final_newline` (a module whose text is not that keeps its facts computed at parse time)."""

    newline: str
    final_newline: bool


# -- files that are not code: SQL scripts, ORM schemas, configuration, manifests ------------------

@dataclass(frozen=True, slots=True)
class SqlStatement:
    """One statement of a .sql file, to classify like any SQL site (site kind `script`)."""

    sql: str
    line: int
    col: int
    end_line: int


@dataclass(frozen=True, slots=True)
class NonCodeFacts:
    """What a non-code frontend (sqlfile, prisma, settings) found in one file."""

    path: str
    kind: str  # sql | prisma | prisma-lock | env | compose | package | lockfile | requirements | pyproject | workflow
    statements: tuple[SqlStatement, ...] = ()
    uses: tuple[DriverUse, ...] = ()  # judged by rules: kind = rule slug
    items: tuple[Item, ...] = ()
    lines: tuple[str, ...] = ()  # for finding code lines (redacted by the frontend)


def _pickled_as_calls(cls: type) -> type:
    """Pickle a record as a call of its class with its fields. The default for frozen slotted
    dataclasses (their __getstate__/__setstate__) calls `dataclasses.fields()` for every object,
    and a worker process sends its files' facts, millions of them, back to the main process."""
    names = tuple(f.name for f in fields(cls))
    get = attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self):
            return cls, (get(self),)
    else:
        def __reduce__(self):
            return cls, get(self)
    cls.__reduce__ = __reduce__
    return cls


for _record in [v for v in globals().values() if isinstance(v, type) and is_dataclass(v) and v.__module__ == __name__]:
    _pickled_as_calls(_record)
