"""Functions, casts and literals sqlglot leaves MySQL-only (or writes wrongly) for PostgreSQL.

sqlglot passes unknown MySQL functions through unchanged (SYSDATE(), ELT(), FIELD(), INET_ATON()),
writes some as functions PostgreSQL does not have (WEEK_OF_YEAR, DAY_OF_WEEK, NUMBER_TO_STR, HEX,
JSON_OBJECT('k': v)) and quotes a non-literal interval amount into the interval string
(`INTERVAL ? DAY` -> INTERVAL '? DAY'). Each handler returns the PostgreSQL node, or None to keep
the node as it is. JSON functions live in `transforms_json`, clause-level fixes in
`transforms_clauses`.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note

T = exp.DataType.Type


def expressions(tree: exp.Expression, kind: str, schema, notes: list[Note]) -> exp.Expression:
    from auditor.rewrite import transforms_clauses, transforms_json

    handlers = {**HANDLERS, **transforms_json.HANDLERS}

    for node in reversed(list(tree.walk())):  # children first: a rewritten call keeps rewritten arguments
        key = node.name.upper() if isinstance(node, exp.Anonymous) else type(node)
        handler = handlers.get(key)
        new = handler(node, notes) if handler is not None else None
        if new is None or new is node:
            continue
        if node is tree:
            tree = new
        else:
            node.replace(new)
    return transforms_clauses.clauses(tree, notes)


def fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    """A PostgreSQL function call written as named (no sqlglot renaming on the way out)."""
    return exp.Anonymous(this=name, expressions=list(args))


def arg(node: exp.Expression, i: int) -> exp.Expression | None:
    args = node.expressions if isinstance(node, exp.Anonymous) else [node.this, *node.expressions]
    return args[i].copy() if i < len(args) and args[i] is not None else None


def number(node) -> int | None:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return -int(node.this.name) if node.this.name.isdigit() else None
    return int(node.name) if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit() else None


def _last_insert_id(node, notes):
    if node.expressions:
        note(notes, "manual", "LAST_INSERT_ID(expr) sets the value the next LAST_INSERT_ID() returns: PostgreSQL has "
                              "no such session slot; use INSERT ... RETURNING or a sequence by hand")
        return None
    note(notes, "review", "LAST_INSERT_ID() becomes lastval(): it returns the last sequence value of the session, "
                          "which differs if a trigger used a sequence (INSERT ... RETURNING id is exact)")
    return fn("lastval")


def _extract(part: str, value: exp.Expression) -> exp.Extract:
    return exp.Extract(this=exp.var(part), expression=value)


def _date_part(part: str, plus: int = 0):
    def handler(node, notes):
        value = _extract(part, node.this.copy())
        return exp.Add(this=value, expression=exp.Literal.number(plus)) if plus else value
    return handler


def _yearweek(node, notes):
    mode = number(arg(node, 1)) if len(node.expressions) > 1 else None
    if mode != 3:
        note(notes, "manual", "YEARWEEK() with a week mode other than 3 (ISO) has no PostgreSQL pattern: compute it by hand")
        return None
    return exp.Cast(this=fn("to_char", arg(node, 0), exp.Literal.string("IYYYIW")), to=exp.DataType.build("int"))


def _unix_timestamp(node, notes):
    value = arg(node, 0) if node.expressions else fn("now")
    return exp.Cast(this=_extract("epoch", value), to=exp.DataType.build("bigint"))


def _format(node, notes):
    decimals = number(node.args.get("format"))
    if decimals is None or node.args.get("culture") is not None:
        note(notes, "manual", "FORMAT() with a computed number of decimals or a locale: build the to_char pattern by hand")
        return None
    pattern = "FM999,999,999,999,990" + ("." + "0" * decimals if decimals else "")
    return fn("to_char", node.this.copy(), exp.Literal.string(pattern))


def _elt(node, notes):
    ifs = [exp.If(this=exp.Literal.number(i), true=v.copy()) for i, v in enumerate(node.expressions, 1)]
    return exp.Case(this=node.this.copy(), ifs=ifs)


def _field(node, notes):
    if len(node.expressions) < 2:
        return None
    values = exp.Array(expressions=[v.copy() for v in node.expressions[1:]])
    return exp.Coalesce(this=fn("array_position", values, arg(node, 0)), expressions=[exp.Literal.number(0)])


def _substring_index(node, notes):
    count = number(node.args.get("count"))
    text, delim = node.this.copy(), node.args["delimiter"].copy()
    if count == 1:
        return fn("split_part", text, delim, exp.Literal.number(1))
    if count is not None and count > 1:
        parts = exp.Bracket(this=exp.Paren(this=fn("string_to_array", text, delim)),
                            expressions=[exp.Slice(this=exp.Literal.number(1), expression=exp.Literal.number(count))])
        return fn("array_to_string", parts, delim.copy())
    note(notes, "manual", "SUBSTRING_INDEX() with a negative or computed count: rewrite it with "
                          "string_to_array / split_part by hand")
    return None


def _greatest(node, notes):
    """MySQL's GREATEST/LEAST return NULL when any argument is NULL; PostgreSQL's ignore NULLs."""
    args = [node.this, *node.expressions]
    if all(isinstance(a, exp.Literal) for a in args) or isinstance(node.parent, exp.Case) and node.arg_key == "default":
        return None  # constants, or already guarded by pgready
    nulls = exp.or_(*[exp.Is(this=a.copy(), expression=exp.Null()) for a in args])
    return exp.Case(ifs=[exp.If(this=nulls, true=exp.Null())], default=node.copy())


def _sha2(node, notes):
    bits = number(node.args.get("length"))
    if bits not in (224, 256, 384, 512):
        note(notes, "manual", "SHA2() with a computed or unusual length: pick sha224/256/384/512 by hand")
        return None
    data = fn("convert_to", node.this.copy(), exp.Literal.string("UTF8"))
    return fn("encode", fn(f"sha{bits}", data), exp.Literal.string("hex"))


def _get_lock(node, notes):
    if number(arg(node, 1)) != 0:
        note(notes, "manual", "GET_LOCK() with a wait: pg_advisory_lock() waits forever, pg_try_advisory_lock() not at "
                              "all; a timeout needs SET lock_timeout (and it returns boolean, not 1/0)")
        return None
    note(notes, "review", "GET_LOCK(name, 0) becomes pg_try_advisory_lock(hashtext(name)): it returns true/false, not "
                          "1/0, and two names can hash to the same lock")
    return fn("pg_try_advisory_lock", fn("hashtext", arg(node, 0)))


def _interval(node, notes):
    """`INTERVAL ? DAY`: a non-literal amount multiplies a one-unit interval."""
    amount, unit = node.this, node.args.get("unit")
    if amount is None or unit is None or isinstance(amount, exp.Literal):
        return None
    if isinstance(amount, exp.Neg) and isinstance(amount.this, exp.Literal):
        return None
    one = exp.Interval(this=exp.Literal.string("1"), unit=unit.copy())
    value = amount.copy() if isinstance(amount, (exp.Column, exp.Placeholder, exp.Paren)) else exp.Paren(this=amount.copy())
    return exp.Paren(this=exp.Mul(this=value, expression=one))


def _zero_if_empty(name: str, node: exp.Expression):
    """MySQL's BIT_OR / BIT_XOR of no rows is 0; PostgreSQL's is NULL."""
    if isinstance(node.parent, exp.Coalesce):
        return None
    return exp.Coalesce(this=fn(name, node.this.copy()), expressions=[exp.Literal.number(0)])


def _cast(node, notes):
    to = node.to
    if to.this in (T.CHAR, T.NCHAR) and not to.expressions:
        node.set("to", exp.DataType.build("text"))  # CAST(x AS CHAR) has no length limit in MySQL
    elif to.this in (T.CHAR, T.NCHAR):
        node.set("to", exp.DataType(this=T.VARCHAR, expressions=[e.copy() for e in to.expressions]))
    elif to.this == T.DECIMAL and not to.expressions:
        node.set("to", exp.DataType.build("decimal(10, 0)"))  # MySQL's DECIMAL means DECIMAL(10,0)
    elif to.this == T.UBIGINT:
        node.set("to", exp.DataType.build("numeric(20)"))
        note(notes, "review", "CAST(... AS UNSIGNED) becomes numeric(20): MySQL wraps negative values around 2^64, "
                              "PostgreSQL keeps them negative")
    return node


def _hex_string(node, notes):
    """X'0a' / 0x0a: a number in arithmetic, a binary string elsewhere (MySQL decides by context)."""
    if isinstance(node.parent, exp.Binary) and not isinstance(node.parent, (exp.EQ, exp.NEQ, exp.Like)) or \
            isinstance(node.parent, (exp.Neg, exp.BitwiseNot)):
        return exp.Literal.number(int(node.name, 16))
    note(notes, "review", f"hex literal {node.sql('mysql')} becomes bytea: where MySQL used it as a number "
                          f"(a numeric column), write {int(node.name, 16)} instead")
    return fn("decode", exp.Literal.string(node.name.lower()), exp.Literal.string("hex"))  # no backslash to misread


HANDLERS = {
    "LAST_INSERT_ID": _last_insert_id,
    "SYSDATE": lambda node, notes: fn("clock_timestamp"),
    "UNIX_TIMESTAMP": _unix_timestamp,
    "CONNECTION_ID": lambda node, notes: fn("pg_backend_pid"),
    "YEARWEEK": _yearweek,
    "FIELD": _field,
    "MID": lambda node, notes: fn("substr", *[e.copy() for e in node.expressions]),
    "INET_NTOA": lambda node, notes: fn("host", exp.Add(this=exp.cast(exp.Literal.string("0.0.0.0"), "inet"),
                                                        expression=arg(node, 0))),
    "INET_ATON": lambda node, notes: exp.Sub(this=exp.cast(arg(node, 0), "inet"),
                                             expression=exp.cast(exp.Literal.string("0.0.0.0"), "inet")),
    "GET_LOCK": _get_lock,
    "RELEASE_LOCK": lambda node, notes: fn("pg_advisory_unlock", fn("hashtext", arg(node, 0))),
    exp.CurrentTime: lambda node, notes: exp.Localtime(this=node.this.copy() if node.this else None),  # time, no zone
    exp.UtcTimestamp: lambda node, notes: exp.AtTimeZone(this=fn("now"), zone=exp.Literal.string("UTC")),
    exp.WeekOfYear: _date_part("week"),
    exp.DayOfWeek: _date_part("dow", 1),
    exp.DayOfMonth: _date_part("day"),
    exp.DayOfYear: _date_part("doy"),
    exp.NumberToStr: _format,
    exp.Elt: _elt,
    exp.SubstringIndex: _substring_index,
    exp.AnyValue: lambda node, notes: exp.Min(this=node.this.copy()),
    exp.BitwiseOrAgg: lambda node, notes: _zero_if_empty("bit_or", node),
    exp.BitwiseXorAgg: lambda node, notes: _zero_if_empty("bit_xor", node),
    exp.Hex: lambda node, notes: exp.Upper(this=fn("encode", node.this.copy(), exp.Literal.string("hex"))),
    exp.Unhex: lambda node, notes: fn("decode", node.this.copy(), exp.Literal.string("hex")),
    exp.Greatest: _greatest,
    exp.Least: _greatest,
    exp.SHA2: _sha2,
    exp.Interval: _interval,
    exp.Cast: _cast,
    exp.HexString: _hex_string,
    exp.RegexpLike: lambda node, notes: exp.RegexpILike(this=node.this.copy(), expression=node.expression.copy()),
}
