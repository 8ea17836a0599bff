"""What pgready knows about third-party database APIs, as tables (as sqlglot keeps TRANSFORMS).

Values of these APIs are typed by name ("mysql.client", "dbapi.cursor", ...). A package's module
object is "pkg:<language>:<package>"; its members come from IMPORTS. Everything the resolve stage
decides about a library call is looked up here, so adding a driver is adding rows.
"""
from __future__ import annotations

from dataclasses import dataclass

_MYSQL_JS = {"*": "mysql.module", "default": "mysql.module", "createPool": "mysql.factory",
             "createConnection": "mysql.factory", "createPoolCluster": "mysql.factory"}
_EXCEPTIONS = ("Error", "MySQLError", "Warning", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
               "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError")
_CURSOR_CLASSES = {"DictCursor": "mysql.cursorclass", "SSCursor": "mysql.cursorclass",
                   "SSDictCursor": "mysql.cursorclass"}
_DBAPI_CONNECT = {"connect": "dbapi.connect", "Connect": "dbapi.connect", "Connection": "dbapi.connect"}
_EXCEPTION_NAMES = {name: "mysql.exception" for name in _EXCEPTIONS}

# (language, package) -> {imported name: type}; "*" is the module itself, "?" any other name.
IMPORTS: dict[tuple[str, str], dict[str, str]] = {
    ("javascript", "mysql"): _MYSQL_JS,
    ("javascript", "mysql2"): _MYSQL_JS,
    ("javascript", "mysql2/promise"): _MYSQL_JS,
    ("javascript", "@prisma/client"): {"PrismaClient": "prisma.class"},
    ("javascript", "knex"): {"*": "knex.factory", "default": "knex.factory", "knex": "knex.factory"},
    ("javascript", "sequelize"): {"Sequelize": "sequelize.class"},
    ("javascript", "@sequelize/core"): {"Sequelize": "sequelize.class"},
    ("javascript", "typeorm"): {"DataSource": "typeorm.class", "Connection": "typeorm.class",
                                "getManager": "typeorm.factory", "getConnection": "typeorm.factory"},
    ("python", "pymysql"): {**_DBAPI_CONNECT, **_EXCEPTION_NAMES, "escape_string": "mysql.escape"},
    ("python", "pymysql.cursors"): _CURSOR_CLASSES,
    ("python", "pymysql.err"): {"?": "mysql.exception"},
    ("python", "pymysql.converters"): {"escape_string": "mysql.escape", "escape_item": "mysql.escape"},
    ("python", "MySQLdb"): {**_DBAPI_CONNECT, **_EXCEPTION_NAMES, "escape_string": "mysql.escape"},
    ("python", "MySQLdb.cursors"): _CURSOR_CLASSES,
    ("python", "MySQLdb._exceptions"): {"?": "mysql.exception"},
    ("python", "mysql.connector"): {**_DBAPI_CONNECT, **_EXCEPTION_NAMES},
    ("python", "mysql.connector.errors"): {"?": "mysql.exception"},
    ("python", "mysql.connector.pooling"): {"MySQLConnectionPool": "dbapi.poolclass"},
    ("python", "aiomysql"): {**_DBAPI_CONNECT, **_EXCEPTION_NAMES, **_CURSOR_CLASSES,
                             "create_pool": "dbapi.poolfactory"},
    ("python", "aiomysql.cursors"): _CURSOR_CLASSES,
    ("python", "asyncmy"): {**_DBAPI_CONNECT, **_EXCEPTION_NAMES, "create_pool": "dbapi.poolfactory"},
    ("python", "asyncmy.cursors"): _CURSOR_CLASSES,
    ("python", "asyncmy.errors"): {"?": "mysql.exception"},
    ("python", "databases"): {"Database": "databases.class"},
    ("python", "sqlalchemy"): {"text": "sqlalchemy.text", "create_engine": "sqlalchemy.create_engine"},
    ("python", "sqlalchemy.sql"): {"text": "sqlalchemy.text"},
    ("python", "sqlalchemy.sql.expression"): {"text": "sqlalchemy.text"},
    ("python", "sqlalchemy.orm"): {"Session": "sqlalchemy.sessionclass", "sessionmaker": "sqlalchemy.sessionmaker",
                                   "scoped_session": "sqlalchemy.sessionmaker"},
    ("python", "sqlalchemy.ext.asyncio"): {"create_async_engine": "sqlalchemy.create_engine",
                                           "AsyncSession": "sqlalchemy.sessionclass",
                                           "async_sessionmaker": "sqlalchemy.sessionmaker"},
    ("python", "django.db"): {"connection": "django.connection", "connections": "django.connections"},
    ("python", "sqlalchemy.dialects.mysql"): {"?": "sqlalchemy.mysqltype"},
    ("python", "sqlalchemy.dialects"): {"mysql": "pkg:python:sqlalchemy.dialects.mysql"},
    ("python", "django.db.transaction"): {"atomic": "django.atomic"},
    ("python", "django.db.models"): {"RawSQL": "django.rawsql"},
    ("python", "django.db.models.expressions"): {"RawSQL": "django.rawsql"},
}

# (type, member) -> type; member "*" matches any name (e.g. `connections['default']`).
MEMBERS: dict[tuple[str, str], str] = {
    **{("mysql.module", name): "mysql.factory" for name in ("createPool", "createConnection", "createPoolCluster")},
    **{("mysql.client", name): "mysql.factory" for name in ("getConnection", "promise", "of")},
    ("typeorm.client", "manager"): "typeorm.client",
    ("typeorm.client", "createQueryRunner"): "typeorm.factory",
    ("typeorm.client", "getRepository"): "typeorm.factory",
    ("dbapi.conn", "cursor"): "dbapi.cursorfactory",
    **{("dbapi.pool", name): "dbapi.connfactory" for name in ("acquire", "get_connection", "connection", "get_conn")},
    **{("sqlalchemy.engine", name): "sqlalchemy.connfactory" for name in ("connect", "begin", "raw_connection")},
    ("sqlalchemy.conn", "begin"): "sqlalchemy.connfactory",
    ("sqlalchemy.session", "begin"): "sqlalchemy.sessionfactory",
    ("django.connections", "*"): "django.connection",
    ("django.connection", "cursor"): "django.cursorfactory",
    ("pkg:python:django.db", "transaction"): "pkg:python:django.db.transaction",
}

# type of the value a call (or `new`) of this type returns
CALLS: dict[str, str] = {
    "mysql.factory": "mysql.client", "knex.factory": "knex.client", "typeorm.factory": "typeorm.client",
    "prisma.class": "prisma.client", "sequelize.class": "sequelize.client", "typeorm.class": "typeorm.client",
    "dbapi.connect": "dbapi.conn", "dbapi.poolfactory": "dbapi.pool", "dbapi.poolclass": "dbapi.pool",
    "dbapi.connfactory": "dbapi.conn", "dbapi.cursorfactory": "dbapi.cursor",
    "sqlalchemy.create_engine": "sqlalchemy.engine", "sqlalchemy.connfactory": "sqlalchemy.conn",
    "sqlalchemy.sessionmaker": "sqlalchemy.sessionclass", "sqlalchemy.sessionclass": "sqlalchemy.session",
    "sqlalchemy.sessionfactory": "sqlalchemy.session",
    "databases.class": "databases.client", "django.cursorfactory": "django.cursor", "django.atomic": "django.atomic",
}


@dataclass(frozen=True)
class SinkSpec:
    kind: str  # driver | orm-raw
    placeholders: str  # driver (`?` reaches the driver) | orm | pyformat (`%s`) | named (`:name`)
    arg: int = 0
    keywords: tuple[str, ...] = ()  # keyword arguments that may carry the SQL instead
    text_only: bool = False  # a sink only when handed SQL text (not e.g. a text() object)
    prefix: str = ""  # SQL the call implies before its argument (callproc -> CALL)


_PY_CURSOR = SinkSpec("driver", "pyformat", 0, ("query", "operation", "sql"))
_KNEX_RAW = ("whereRaw", "orWhereRaw", "andWhereRaw", "whereNotRaw", "havingRaw", "orHavingRaw", "orderByRaw",
             "groupByRaw", "joinRaw", "fromRaw")

# (receiver type or "*" for any receiver, method) -> how the call sends SQL
SINKS: dict[tuple[str, str], SinkSpec] = {
    ("mysql.client", "query"): SinkSpec("driver", "driver"),
    ("mysql.client", "execute"): SinkSpec("driver", "driver"),
    ("*", "$queryRaw"): SinkSpec("orm-raw", "orm"),
    ("*", "$executeRaw"): SinkSpec("orm-raw", "orm"),
    ("*", "$queryRawUnsafe"): SinkSpec("orm-raw", "driver"),
    ("*", "$executeRawUnsafe"): SinkSpec("orm-raw", "driver"),
    **{("*", name): SinkSpec("orm-raw", "orm") for name in _KNEX_RAW},
    ("knex.client", "raw"): SinkSpec("orm-raw", "orm"),
    ("sequelize.client", "query"): SinkSpec("orm-raw", "orm"),
    ("typeorm.client", "query"): SinkSpec("orm-raw", "driver"),
    ("dbapi.cursor", "execute"): _PY_CURSOR,
    ("dbapi.cursor", "executemany"): _PY_CURSOR,
    ("dbapi.cursor", "callproc"): SinkSpec("driver", "pyformat", 0, ("procname",), prefix="CALL "),
    ("dbapi.conn", "query"): SinkSpec("driver", "pyformat"),
    **{("databases.client", name): SinkSpec("driver", "named", 0, ("query",))
       for name in ("fetch_all", "fetch_one", "fetch_val", "execute", "execute_many", "iterate")},
    **{(owner, "exec_driver_sql"): SinkSpec("orm-raw", "pyformat", 0, ("statement",))
       for owner in ("sqlalchemy.conn", "sqlalchemy.engine")},
    **{(owner, "execute"): SinkSpec("orm-raw", "named", 0, ("statement",), text_only=True)
       for owner in ("sqlalchemy.conn", "sqlalchemy.engine", "sqlalchemy.session")},
    ("django.cursor", "execute"): SinkSpec("orm-raw", "pyformat", 0, ("sql",)),
    ("django.cursor", "executemany"): SinkSpec("orm-raw", "pyformat", 0, ("sql",)),
}

# Django QuerySet.extra(): keyword -> the SQL each fragment is completed into (every fragment is a site)
EXTRA_FRAGMENTS: dict[str, str] = {"where": "SELECT 1 WHERE ", "select": "SELECT ", "order_by": "SELECT 1 ORDER BY "}

# types that send SQL when called: text("..."), RawSQL("...")
CALL_SINKS: dict[str, SinkSpec] = {
    "sqlalchemy.text": SinkSpec("orm-raw", "named", 0, ("text",)),
    "django.rawsql": SinkSpec("orm-raw", "pyformat", 0, ("sql",)),
}

# (receiver type, method) -> driver-use kind (= the slug of the rule that judges it)
METHOD_USES: dict[tuple[str, str], str] = {
    ("mysql.client", "beginTransaction"): "transaction-driver-methods",
    **{(owner, name): "escape-format" for owner in ("mysql.client", "mysql.module")
       for name in ("escape", "escapeId", "format")},
    ("dbapi.conn", "begin"): "transaction-driver-methods",
    ("dbapi.conn", "autocommit"): "transaction-driver-methods",
    **{("dbapi.conn", name): "escape-format" for name in ("escape", "escape_string", "literal")},
    ("dbapi.conn", "insert_id"): "insert-id",
    ("dbapi.conn", "affected_rows"): "affected-rows",
    ("dbapi.cursor", "nextset"): "multiple-statements",
    ("mysql.client", "ping"): "connection-ping",
    **{("dbapi.conn", name): "connection-ping" for name in ("ping", "is_connected", "reconnect")},
    ("mysql.client", "changeUser"): "change-database",
    **{("dbapi.conn", name): "change-database" for name in ("select_db", "cmd_init_db")},
    **{("mysql.client", name): "connection-pause-resume" for name in ("pause", "resume")},
    **{("mysql.client", name): "prepared-statement-api" for name in ("prepare", "unprepare")},
}
CALL_USES: dict[str, str] = {"mysql.escape": "escape-format"}
# a driver use named by a reference (exception class, cursor class) when it evaluates to one of these types
REFERENCE_USES: dict[str, frozenset[str]] = {
    "mysql-exception-class": frozenset({"mysql.exception"}),
    "mysql-cursor-class": frozenset({"mysql.cursorclass"}),
    "sqlalchemy-mysql-type": frozenset({"sqlalchemy.mysqltype"}),
}
# keyword arguments of connect/pool calls that are MySQL session settings
CONNECT_KEYWORDS = frozenset({"charset", "init_command", "sql_mode"})
CONNECT_TYPES = frozenset({"dbapi.connect", "dbapi.poolfactory", "dbapi.poolclass"})
# calls that open a transaction (drivers), and what a `with` block or decorator of these types means
OPENS_TRANSACTION = frozenset({("mysql.client", "beginTransaction"), ("dbapi.conn", "begin")})
TRANSACTION_BLOCKS = frozenset({("sqlalchemy.engine", "begin"), ("sqlalchemy.conn", "begin"),
                                ("sqlalchemy.session", "begin")})
TRANSACTION_VALUES = frozenset({"django.atomic"})  # `@transaction.atomic`, `transaction.atomic()`


# Language builtins and globals: calls to them are known, just not project code (by root name).
BUILTINS = {
    "javascript": frozenset({"require", "console", "JSON", "Math", "Number", "String", "Boolean", "Array", "Object",
                             "Promise", "Date", "Error", "TypeError", "RegExp", "Map", "Set", "Symbol", "BigInt",
                             "parseInt", "parseFloat", "isNaN", "setTimeout", "setInterval", "clearTimeout",
                             "clearInterval", "setImmediate", "encodeURIComponent", "decodeURIComponent", "Buffer",
                             "process", "structuredClone", "fetch", "URL", "URLSearchParams"}),
    "python": frozenset({"print", "len", "int", "str", "float", "bool", "list", "dict", "set", "tuple", "range",
                         "enumerate", "zip", "sorted", "reversed", "min", "max", "sum", "any", "all", "abs", "round",
                         "isinstance", "issubclass", "getattr", "setattr", "hasattr", "super", "type", "repr",
                         "open", "iter", "next", "map", "filter", "format", "vars", "id", "hash", "divmod",
                         "ValueError", "KeyError", "TypeError", "RuntimeError", "Exception", "NotImplementedError",
                         "frozenset", "bytes", "object", "property", "staticmethod", "classmethod"}),
}


def imported_type(language: str, package: str, name: str) -> str | None:
    """Type of `name` imported from a third-party `package` (None: not a package we know)."""
    table = IMPORTS.get((language, package))
    if name in ("*", "default") and (table is None or name not in table):
        known = table is not None or any(lang == language and pkg.startswith(package + ".") for lang, pkg in IMPORTS)
        return f"pkg:{language}:{package}" if known else None
    if table is None:
        return imported_type(language, f"{package}.{name}", "*") if language == "python" else None
    return table.get(name) or (imported_type(language, f"{package}.{name}", "*") if language == "python" else None) \
        or table.get("?")


def member_type(owner: str, name: str) -> str | None:
    if owner.startswith("pkg:"):
        _, language, package = owner.split(":", 2)
        return imported_type(language, package, name)
    return MEMBERS.get((owner, name)) or MEMBERS.get((owner, "*"))
