"""The shortcuts of the JavaScript/TypeScript walk and of the JSON writer give what the plain way gives.

The walk reads named children only (bar where `_keyword_parents` finds a `function`/`class` keyword),
skips nodes without named children, and builds a literal's text only when it may start like SQL.
The reference below walks every child with the handler named after its type and builds every
literal: both must record the same facts. Node ids may differ (fewer nodes are asked for one), so
facts are compared with each id replaced by the node it names.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import facts as F
from auditor.frontends import javascript as js
from auditor.report.json import dumps

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

SNIPPETS = {
    "overloads.ts": """
        function find(id: string): Promise<User>;
        function find(id: number): Promise<User>;
        function find(id: any) { return pool.query('SELECT * FROM users WHERE id = ?', [id]); }
        declare function external(sql: string): void;
        declare class Ambient { run(): void; }
        abstract class Base { abstract q(): string; run() { return this.q(); } }
        type Code = 'ER_DUP_ENTRY' | 'ER_NO_SUCH_TABLE';
        interface Codes { 'ER_LOCK_WAIT_TIMEOUT': number; [key: string]: unknown }
        let r: typeof res.insertId;
    """,
    "appends.js": """
        let sql = 'SELECT * FROM t WHERE a = 1';
        sql += function () { return ' AND b = 2'; };
        sql += class { static x = 'SELECT 1 FROM y' };
        sql += ` AND c = ${c}`;
        db.query(sql);
        const t = db.sql`SELECT * FROM users WHERE id = ${id} ${function () {}}`;
    """,
    "broken.ts": """
        function broken( { conn.query('SELECT * FROM t WHERE a = 1');
        class { function x() {} }
        conn.query('INSERT INTO t VALUES (1)'
        const y = function () { return conn.query("DELETE FROM t WHERE id = 1"); };
    """,
    "literals.js": r"""
        const a = '\x53ELECT * FROM t WHERE a = 1', b = ' ( select a from b where c = 1';
        const c = "ſelect * from t where a = 1", d = `${cond ? 'SELECT' : 'X'} * FROM t WHERE a = 1`;
        const e = '\tSELECT * FROM t WHERE a = 1', f = '   ', g = '', h = ``, i = 'update t set a = 1';
        const j = 'Hello there. Select a file.', k = `\
        SELECT * FROM t WHERE a = 1`, l = 'SELECT ' + x + ' FROM t WHERE a = 1';
        if (err.code === 'ER_DUP_ENTRY' || err.errno == 1062) {}
        switch (e.errno) { case 1062: break; }
        const { insertId, affectedRows } = await conn.execute('UPDATE t SET a = ?', [1]);
    """,
    "unicode.ts": """
        const naïve = 'SELECT * FROM café WHERE naïve = ?';
        conn.query(naïve, ['é']); const 名前 = "SELECT 名前 FROM テーブル WHERE id = 1";
        function ñ(a: string) { return conn.query(`UPDATE t SET a = '${a}' WHERE id = 1`); }
    """,
}


class _EveryChild(js._Walker):
    """The walk as it was: every child, the handler found by name, every literal's text built."""

    def visit(self, node) -> None:
        if node.type in js.FUNCTIONS:
            self.on_function(node)
        elif node.type in js.CLASSES:
            self.on_class(node)
        else:
            handler = getattr(self, "on_" + node.type, None)
            if handler is None or handler(node) is not False:
                self.visit_children(node)

    def visit_children(self, node) -> None:
        for child in node.children:
            self.visit(child)

    def children(self, node) -> list:
        return node.children

    def literal_candidate(self, node) -> None:
        lead, js._SQL_LEAD = js._SQL_LEAD, re.compile(rb"")
        try:
            super().literal_candidate(node)
        finally:
            js._SQL_LEAD = lead


_IDS = {F.FunctionFact: ("fid", "cid", "parent"), F.ClassFact: ("cid",), F.CallFact: ("call_id", "fid"),
        F.Text: ("lit_id",), F.Call: ("call_id",), F.Param: ("fid",), F.Func: ("fid",), F.Cls: ("cid",),
        F.This: ("cid",)}


def _named(value, node_of):
    """`value` with every node id replaced by the node it names."""
    if isinstance(value, (tuple, list)):
        return tuple(_named(v, node_of) for v in value)
    if isinstance(value, dict):
        return {_named(k, node_of): _named(v, node_of) for k, v in value.items()}
    if not dataclasses.is_dataclass(value):
        return value
    fields = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if field.name in _IDS.get(type(value), ()):
            item = node_of(item)
        elif isinstance(value, F.Ref) and field.name == "scopes":
            item = tuple(map(node_of, item))
        elif isinstance(value, F.ClassFact) and field.name == "methods":
            item = tuple((name, node_of(fid)) for name, fid in item)
        elif isinstance(value, F.ModuleFacts) and field.name in ("functions", "classes"):
            item = {node_of(k): _named(v, node_of) for k, v in item.items()}
        elif isinstance(value, F.ModuleFacts) and field.name == "bindings":
            item = {(node_of(scope), name): _named(v, node_of) for (scope, name), v in item.items()}
        elif isinstance(value, F.ModuleFacts) and field.name == "literals":
            item = tuple((_named(t, node_of), where, node_of(fid)) for t, where, fid in item)
        else:
            item = _named(item, node_of)
        fields[field.name] = item
    return type(value).__name__, fields


def _facts(walker_class, text: str, rel: str):
    language = "tsx" if rel.endswith(".tsx") else "typescript" if rel.endswith(".ts") else "javascript"
    data = js._source_bytes(text, language)
    root = js._parser(language).parse(data).root_node
    walker = walker_class(data, text, rel, language, js._keyword_parents(root, data))
    walker.visit(root)
    node = {i: key for key, i in walker.ids.items()}
    return _named(walker.facts(), lambda i: node[i] if i else 0)


def _sources():
    for rel, text in SNIPPETS.items():
        yield rel, textwrap.dedent(text)
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".js", ".mjs", ".ts", ".tsx") and "node_modules" not in path.parts:
            yield path.relative_to(FIXTURES).as_posix(), path.read_text(encoding="utf-8")


def test_the_walk_records_what_walking_every_child_records() -> None:
    for rel, text in _sources():
        assert _facts(js._Walker, text, rel) == _facts(_EveryChild, text, rel), rel


def test_keyword_parents_are_found_where_the_keywords_are() -> None:
    text = "function f(a: string): void;\nfunction f(a) { return a; }\ndeclare function g(): void;\nconst s = 'class';\n"
    data = text.encode()
    root = js._parser("typescript").parse(data).root_node
    parents = js._keyword_parents(root, data)
    assert {n.type for n in _descendants(root) if n.id in parents} == {"function_signature", "function_declaration"}
    assert js._keyword_parents(js._parser("typescript").parse(b"function (").root_node, b"function (") is None


def _descendants(node):
    yield node
    for child in node.children:
        yield from _descendants(child)


def test_plain_positions_are_the_general_ones() -> None:
    for rel, text in _sources():
        data = js._source_bytes(text, "javascript")
        walker = js._Walker(data, text, rel, "javascript")
        if not walker.plain:
            continue
        general = js._Walker(data, text, rel, "javascript")
        general.plain, general.byte_lines = False, data.splitlines()
        for node in _descendants(js._parser("javascript").parse(data).root_node):
            assert walker.span(node) == general.span(node)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text() | st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_json_text_is_the_standard_librarys(doc) -> None:
    assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)


def test_json_errors_are_the_standard_librarys() -> None:
    loop: list = []
    loop.append(loop)
    for doc in ({"a": object()}, {(1, 2): 3}, {"a": {1}}, loop, [math.nan, {"k": [float("inf")]}]):
        try:
            expected = json.dumps(doc, indent=2, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            expected = (type(error), str(error))
        try:
            got = dumps(doc)
        except (TypeError, ValueError) as error:
            got = (type(error), str(error))
        assert got == expected
