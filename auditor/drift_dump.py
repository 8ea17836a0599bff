"""The dump side of schema drift: MySQL DDL read with sqlglot (read=mysql) into `auditor.drift.Schema`.

Tolerant: a CREATE TABLE sqlglot cannot read whole (an unknown column type, exotic options) is read
again element by element, skipping only the elements it cannot read; other statements it cannot
read are skipped. Positions of tables, columns and keys come from sqlglot's identifier offsets.
"""
from __future__ import annotations

import re

from sqlglot import exp, parse_one

from auditor.drift import Column, ForeignKey, Index, Schema, Table, norm_default, norm_params
from auditor.facts import SqlStatement

_UNSIGNED = {"utinyint": "tinyint", "usmallint": "smallint", "umediumint": "mediumint", "uint": "int",
             "ubigint": "bigint"}
_NAMES = {"timestamptz": "timestamp", "bool": "boolean", "udecimal": "decimal unsigned",
          "udouble": "double unsigned", "ufloat": "float unsigned"}
_LEAD = r"(?is)(?:\s|/\*.*?\*/|--[^\n]*\n|#[^\n]*\n)*"  # blanks and comments before the first word
_DDL = re.compile(_LEAD + r"(create\s+(?:temporary\s+)?table|alter\s+table|drop\s+table|create\s+(?:unique\s+)?index)\b")
_NOT_COLUMNS = frozenset({"KEY", "INDEX", "PRIMARY", "UNIQUE", "CONSTRAINT", "FULLTEXT", "SPATIAL", "CHECK",
                          "FOREIGN"})
_QUOTED = {"'": re.compile(r"'(?:[^'\\]|\\.)*'", re.S), '"': re.compile(r'"(?:[^"\\]|\\.)*"', re.S),
           "`": re.compile(r"`[^`]*`")}
_DELIMITER = re.compile(r"(?i)delimiter[ \t]+(\S+)[^\n]*")
_SPECIAL_INDEX = re.compile(
    _LEAD + r"create\s+(fulltext|spatial)\s+index\s+(`[^`]+`|\w+)\s+on\s+(`[^`]+`|\w+)\s*\(([^)]*)\)")


def mysql_type(dtype) -> tuple[str, tuple]:
    """(family, parameters) of a sqlglot DataType read as MySQL (see `auditor.drift`)."""
    name = dtype.this.name.lower() if isinstance(dtype, exp.DataType) else "unknown"
    if name == "userdefined":
        return str(dtype.args.get("kind") or "unknown").lower(), ()
    family = _UNSIGNED[name] + " unsigned" if name in _UNSIGNED else _NAMES.get(name, name)
    if family in ("enum", "set"):
        params = tuple(e.this for e in dtype.expressions if isinstance(e, exp.Literal))
    else:
        params = tuple(int(p.this.this) for p in dtype.expressions
                       if isinstance(p, exp.DataTypeParam) and isinstance(p.this, exp.Literal) and p.this.is_int)
    if family == "tinyint" and params == (1,):
        family, params = "boolean", ()
    return family, norm_params(family, params)


def type_of_text(text: str) -> tuple[str, tuple]:
    try:
        return mysql_type(exp.DataType.build(text, dialect="mysql"))
    except Exception:  # noqa: BLE001 - a type sqlglot does not know (POINT, GEOMETRY)
        return " ".join(text.lower().split()), ()


def default_of(node) -> tuple | None:
    """A DEFAULT expression normalised: literals by value, CURRENT_TIMESTAMP/NOW(), else the SQL."""
    while isinstance(node, exp.Paren):
        node = node.this
    if node is None or isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        return norm_default("lit", node.this)
    if isinstance(node, exp.Boolean):
        return ("lit", "1" if node.this else "0")
    if isinstance(node, (exp.BitString, exp.HexString)):
        try:
            return ("lit", str(int(node.this, 2 if isinstance(node, exp.BitString) else 16)))
        except ValueError:
            pass
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return norm_default("lit", "-" + node.this.this)
    if isinstance(node, exp.CurrentTimestamp):
        return ("current_timestamp",)
    return norm_default("expr", node.sql("mysql"))


def sql_default(text: str) -> tuple | None:
    """A default written as SQL text (Prisma `dbgenerated("...")`)."""
    try:
        return default_of(parse_one(text, read="mysql"))
    except Exception:  # noqa: BLE001 - keep it as written
        return norm_default("expr", text)


# -- statements -----------------------------------------------------------------------------------

def split(text: str) -> list[SqlStatement]:
    """Split at the delimiter (`;`, or what `DELIMITER` sets) outside strings, quoted names and comments."""
    out, i, n, start, delimiter, line, line_start = [], 0, len(text), None, ";", 1, 0
    stop = _stops(delimiter)
    while i < n:
        c = text[i]
        if c == "\n":
            line, line_start = line + 1, i + 1
        if start is None and c.isspace():
            i += 1
            continue
        if text.startswith(("-- ", "--\t", "--\n", "#"), i) or text.startswith("--", i) and i + 2 == n:
            i = n if text.find("\n", i) < 0 else text.find("\n", i)
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            line_start = text.rfind("\n", 0, end) + 1 if "\n" in text[i:end] else line_start
            i = end
            continue
        if start is None and text.startswith(delimiter, i):  # an empty statement (`/*!40101 ... */;`)
            i += len(delimiter)
            continue
        if start is None:
            start = (i, line, i - line_start + 1)
            if m := _DELIMITER.match(text, i):
                delimiter, start, i = m.group(1), None, m.end()
                stop = _stops(delimiter)
                continue
        if c in "'\"`":
            quoted = _QUOTED[c].match(text, i)
            end = quoted.end() if quoted else n
            line += text.count("\n", i, end)
            line_start = text.rfind("\n", 0, end) + 1 if "\n" in text[i:end] else line_start
            i = end
            continue
        if text.startswith(delimiter, i):
            out.append(SqlStatement(text[start[0]:i], start[1], start[2], line))
            start, i = None, i + len(delimiter)
            continue
        following = stop.search(text, i + 1)  # jump over ordinary characters
        i = following.start() if following else n
    if start is not None and text[start[0]:].strip():
        out.append(SqlStatement(text[start[0]:].rstrip(), start[1], start[2], line))
    return out


def _stops(delimiter: str):
    """Characters where `split` must look: newlines, quotes, comment starts, the delimiter."""
    return re.compile("[\\n'\"`#/\\-" + re.escape(delimiter[0]) + "]")


def read_statement(statement: SqlStatement, schema: Schema) -> None:
    sql = statement.sql.rstrip().rstrip(";")
    if not _DDL.match(sql) and not _SPECIAL_INDEX.match(sql):
        return
    where = _Where(statement)
    if m := _SPECIAL_INDEX.match(sql):
        table = schema.tables.get(_unquote(m.group(3)).lower())
        if table is not None:
            cols = tuple(_unquote(c.strip().split("(")[0].strip()) for c in m.group(4).split(","))
            table.indexes.append(Index(cols, m.group(1).lower(), f"{m.group(1).upper()} INDEX {_unquote(m.group(2))}",
                                       where.at(m.start(2), m.end(2))))
        return
    try:
        tree = parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001 - read what can be read
        tree = _piecewise(sql) if re.match(r"(?is)\s*create\s+(?:temporary\s+)?table", sql) else None
    if isinstance(tree, exp.Create) and tree.kind == "TABLE" and isinstance(tree.this, exp.Schema) and \
            tree.this.expressions:
        ident = tree.this.this.this
        table = Table(ident.name, f"CREATE TABLE {ident.name}", where.of(ident))
        for element in tree.this.expressions:
            _element(element, table, where)
        schema.tables[table.name.lower()] = table
    elif isinstance(tree, exp.Create) and tree.kind == "INDEX" and isinstance(tree.this, exp.Index):
        index, table = tree.this, schema.tables.get(tree.this.args["table"].name.lower())
        columns = (index.args.get("params") or exp.IndexParameters()).args.get("columns") or []
        if table is not None:
            kind = "unique" if tree.args.get("unique") else "index"
            table.indexes.append(Index(_names(columns), kind, f"CREATE {kind.upper()} {index.name}",
                                       where.of(index.this)))
    elif isinstance(tree, exp.Alter) and (table := schema.tables.get(tree.this.name.lower())) is not None:
        for action in tree.args.get("actions") or []:
            for element in action.expressions if isinstance(action, exp.AddConstraint) else [action]:
                _element(element, table, where)
    elif isinstance(tree, exp.Drop) and tree.kind == "TABLE":
        for dropped in tree.args.get("tables") or [tree.this]:
            schema.tables.pop(dropped.name.lower(), None) if dropped is not None else None


def _piecewise(sql: str):
    """Read `CREATE TABLE t (a, b, c)` element by element; offsets stay those of `sql`."""
    open_at = sql.find("(")
    if open_at < 0:
        return None
    head = sql[:open_at]
    try:
        tree = parse_one(head + "(x INT)", read="mysql")
    except Exception:  # noqa: BLE001
        return None
    elements, depth, quote, begin = [], 0, "", open_at + 1
    for i in range(open_at + 1, len(sql)):
        c = sql[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")" and depth == 0 or c == "," and depth == 0:
            elements.append((begin, sql[begin:i]))
            begin = i + 1
            if c == ")":
                break
        elif c == ")":
            depth -= 1
    parsed = []
    for begin, text in elements:
        pad = " " * (begin - open_at - 1)  # keep offsets: the element sits where it was
        try:
            parsed += parse_one(f"{head}({pad}{text})", read="mysql").this.expressions
        except Exception:  # noqa: BLE001 - a column of a type sqlglot does not know, else skip it
            parsed += _unknown_type_column(f"{head}({pad}", text)
    tree.this.set("expressions", parsed)
    return tree


def _unknown_type_column(prefix: str, text: str) -> list:
    """`geo POINT NOT NULL`: read as an INT column, then given its own type back."""
    m = re.match(r"\s*(`[^`]+`|\w+)\s+(\w{3,})", text)
    if m is None or m.group(1).upper() in _NOT_COLUMNS:
        return []
    try:
        tree = parse_one(f"{prefix}{text[:m.start(2)]}{'INT'.ljust(len(m.group(2)))}{text[m.end(2):]})", read="mysql")
        column = tree.this.expressions[0]
        column.set("kind", exp.DataType.build(m.group(2), udt=True))
        return [column] if isinstance(column, exp.ColumnDef) else []
    except Exception:  # noqa: BLE001
        return []


def _element(element, table: Table, where: "_Where") -> None:
    if isinstance(element, exp.ColumnDef):
        column, primary, unique = _column(element, where)
        table.columns[column.name.lower()] = column
        if primary:
            table.primary, table.primary_label, table.primary_pos = (column.name,), "PRIMARY KEY", column.pos
        if unique:
            table.indexes.append(Index((column.name,), "unique", f"UNIQUE on {column.name}", column.pos))
    elif isinstance(element, exp.Constraint):  # `CONSTRAINT name ...`: located at its name
        counts = len(table.indexes), len(table.foreign_keys)
        for inner in element.expressions:
            _element(inner, table, where)
        pos = where.of(element.this)
        for item in (*table.indexes[counts[0]:], *table.foreign_keys[counts[1]:]):
            item.pos = pos
    elif isinstance(element, exp.PrimaryKey):
        table.primary, table.primary_label = _names(element.expressions), "PRIMARY KEY"
        table.primary_pos = where.of(element.find(exp.Identifier))
    elif isinstance(element, exp.UniqueColumnConstraint) and isinstance(element.this, exp.Schema):
        name = element.this.this.name if element.this.this else ""
        table.indexes.append(Index(_names(element.this.expressions), "unique", f"UNIQUE KEY {name}".strip(),
                                   where.of(element.find(exp.Identifier))))
    elif isinstance(element, exp.IndexColumnConstraint):
        kind = str(element.args.get("kind") or "").lower() or "index"
        kind = {"unique": "unique", "fulltext": "fulltext", "spatial": "spatial"}.get(kind, "index")
        label = f"{'' if kind == 'index' else kind.upper() + ' '}KEY {element.name}".strip()
        table.indexes.append(Index(_names(element.expressions), kind, label, where.of(element.find(exp.Identifier))))
    elif isinstance(element, exp.ForeignKey):
        reference = element.args.get("reference")
        target = reference.this if reference is not None else None
        if isinstance(target, exp.Schema):
            table.foreign_keys.append(ForeignKey(
                _names(element.expressions), target.this.name, _names(target.expressions),
                f"FOREIGN KEY REFERENCES {target.this.name}", where.of(element.find(exp.Identifier))))


def _column(node: exp.ColumnDef, where: "_Where") -> tuple[Column, bool, bool]:
    dtype = node.args.get("kind")
    family, params = mysql_type(dtype)
    nullable, primary, unique, default, default_text = True, False, False, None, ""
    for constraint in node.args.get("constraints") or []:
        kind = constraint.kind
        if isinstance(kind, exp.NotNullColumnConstraint):
            nullable = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            primary, nullable = True, False
        elif isinstance(kind, exp.UniqueColumnConstraint):
            unique = True
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            default, default_text = ("autoincrement",), "AUTO_INCREMENT"
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default, default_text = default_of(kind.this), f"DEFAULT {kind.this.sql('mysql')}"
    type_text = dtype.sql("mysql") if dtype is not None else "?"
    return Column(node.name, family, params, nullable, default, type_text, default_text, where.of(node.this)), \
        primary, unique


def _names(nodes) -> tuple[str, ...]:
    names = []
    for node in nodes:
        while isinstance(node, (exp.Ordered, exp.ColumnPrefix)):
            node = node.this
        names.append(node.name if isinstance(node, (exp.Column, exp.Identifier, exp.Anonymous)) else node.sql("mysql"))
    return tuple(names)


def _unquote(name: str) -> str:
    return name.strip().strip("`")


class _Where:
    """Offsets in a statement's text -> (line, col, end_line, end_col) in its file."""

    def __init__(self, statement: SqlStatement):
        self.statement = statement

    def at(self, start: int, end: int) -> tuple:
        return (*self._point(start), *self._point(end))

    def of(self, node) -> tuple:
        meta = getattr(node, "meta", None) or {}
        if "start" not in meta:
            return self.at(0, 0)
        return self.at(meta["start"], meta["end"] + 1)

    def _point(self, offset: int) -> tuple[int, int]:
        sql = self.statement.sql
        before = sql.count("\n", 0, offset)
        if before == 0:
            return self.statement.line, self.statement.col + offset
        return self.statement.line + before, offset - sql.rfind("\n", 0, offset)
