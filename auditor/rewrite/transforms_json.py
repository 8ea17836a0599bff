"""MySQL JSON functions as PostgreSQL operators and functions (json / jsonb).

MySQL paths ('$.a.b[0]') become PostgreSQL text-array paths ('{a,b,0}'); a path with wildcards
(`$.*`, `$**`, `[*]`) has no such form and stays with a manual note. sqlglot writes JSON_EXTRACT
as JSON_EXTRACT_PATH (json only, fails on jsonb), JSON_OBJECT('k', v) as JSON_OBJECT('k': v)
(PostgreSQL 16 syntax with other NULL rules) and keeps JSON_SET / JSON_REMOVE / JSON_CONTAINS.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import note
from auditor.rewrite.transforms_expr import arg, fn

WILDCARD = "a MySQL JSON path with wildcards has no PostgreSQL text-array form: use jsonb_path_query by hand"


def path_parts(path: exp.Expression) -> list[str] | None:
    """'$.a[0].b' -> ['a', '0', 'b']; None when it is not a plain literal path."""
    if isinstance(path, exp.JSONPath):
        parts = []
        for part in path.expressions:
            if isinstance(part, exp.JSONPathRoot):
                continue
            if isinstance(part, (exp.JSONPathKey, exp.JSONPathSubscript)) and not isinstance(part.this, (exp.Expression,)) \
                    and str(part.this) != "*":
                parts.append(str(part.this))
            else:
                return None
        return parts
    if isinstance(path, exp.Literal) and path.is_string:
        try:
            return path_parts(exp.JSONPath(expressions=_parse_path(path.name)))
        except ValueError:
            return None
    return None


def _parse_path(text: str) -> list[exp.Expression]:
    from sqlglot.jsonpath import parse

    return parse(text).expressions


def _array_path(parts: list[str]) -> exp.Literal:
    quoted = ['"' + p.replace('"', '\\"') + '"' if any(c in p for c in ',{}" ') else p for p in parts]
    return exp.Literal.string("{" + ",".join(quoted) + "}")


def _extract(node, notes, scalar: bool = False):
    parts = path_parts(node.expression)
    if parts is None or node.expressions:
        note(notes, "manual", WILDCARD if parts is None else "JSON_EXTRACT() with several paths returns an array in "
                                                             "MySQL: build it with jsonb_build_array by hand")
        return None
    if len(parts) == 1 and not parts[0].isdigit():
        cls = exp.JSONExtractScalar if scalar else exp.JSONExtract
        return cls(this=node.this.copy(), expression=exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=parts[0])]),
                   only_json_types=True)
    cls = exp.JSONBExtractScalar if scalar else exp.JSONBExtract
    return cls(this=node.this.copy(), expression=_array_path(parts))


def _unquote(node, notes):
    inner = arg(node, 0)
    if isinstance(inner, (exp.JSONExtract, exp.JSONBExtract)):
        return _extract(inner, notes, scalar=True) if isinstance(inner, exp.JSONExtract) else \
            exp.JSONBExtractScalar(this=inner.this.copy(), expression=inner.expression.copy())
    return exp.JSONBExtractScalar(this=exp.cast(inner, "jsonb"), expression=exp.Literal.string("{}"))


def _set(node, notes):
    """JSON_SET(doc, path, value, ...) -> nested jsonb_set(doc, '{path}', to_jsonb(value))."""
    value, args = node.this.copy(), node.expressions
    if len(args) % 2:
        note(notes, "manual", "JSON_SET() in an unusual form: rewrite it with jsonb_set by hand")
        return None
    for path, new in zip(args[::2], args[1::2]):
        parts = path_parts(path)
        if parts is None:
            note(notes, "manual", WILDCARD)
            return None
        new = new.copy()
        if isinstance(new, exp.Literal) and new.is_string or _is_marker(new):
            new = exp.cast(new, "text")  # to_jsonb needs a known type; MySQL stores the string
        value = fn("jsonb_set", value, _array_path(parts), fn("to_jsonb", new))
    return value


def _remove(node, notes):
    value = node.this.copy()
    for path in node.expressions:
        parts = path_parts(path)
        if parts is None:
            note(notes, "manual", WILDCARD)
            return None
        if len(parts) == 1 and not parts[0].isdigit():
            value = exp.Sub(this=value, expression=exp.Literal.string(parts[0]))
        else:
            value = exp.JSONBDeleteAtPath(this=value, expression=_array_path(parts))
    return value


def _contains(node, notes):
    if len(node.expressions) != 2:
        note(notes, "manual", "JSON_CONTAINS() with a path: use jsonb_path_exists or #> then @> by hand")
        return None
    return exp.ArrayContainsAll(this=arg(node, 0), expression=exp.cast(arg(node, 1), "jsonb"))


def _contains_path(node, notes):
    mode = arg(node, 1)
    paths = node.expressions[2:]
    if not isinstance(mode, exp.Literal) or mode.name.lower() not in ("one", "all") or not paths:
        note(notes, "manual", "JSON_CONTAINS_PATH() with a computed mode: rewrite it with jsonb_path_exists by hand")
        return None
    tests = [fn("jsonb_path_exists", arg(node, 0), p.copy()) for p in paths]
    joined = exp.and_(*tests) if mode.name.lower() == "all" else exp.or_(*tests)
    return exp.Paren(this=joined) if len(tests) > 1 else joined


def _object(node, notes):
    args = []
    for pair in node.expressions:
        if not isinstance(pair, exp.JSONKeyValue):
            return None
        args += [pair.this.copy(), pair.expression.copy()]
    return fn("json_build_object", *args)


def _is_marker(node) -> bool:
    return isinstance(node, exp.Placeholder) or isinstance(node, exp.Column) and \
        node.name.lower().startswith(("pgready_ph_", "pgready_hole_"))


HANDLERS = {
    exp.JSONExtract: lambda node, notes: _extract(node, notes),
    exp.JSONExtractScalar: lambda node, notes: _extract(node, notes, scalar=True),
    "JSON_UNQUOTE": _unquote,
    exp.JSONSet: _set,
    exp.JSONRemove: _remove,
    "JSON_CONTAINS": _contains,
    "JSON_CONTAINS_PATH": _contains_path,
    exp.JSONObject: _object,
    "JSON_ARRAY": lambda node, notes: fn("json_build_array", *[e.copy() for e in node.expressions]),
    "JSON_ARRAYAGG": lambda node, notes: fn("json_agg", *[e.copy() for e in node.expressions]),
}
