"""One column definition (CREATE TABLE, ALTER TABLE ADD / MODIFY): its type and its options.

Ranges are kept, never narrowed: INT UNSIGNED (up to 4294967295) needs BIGINT; BIGINT UNSIGNED
becomes BIGINT with a review note (NUMERIC(20) would keep the top half of the range but break the
foreign keys that point at a BIGINT identity); a CHECK (col >= 0) keeps the sign rule. Display widths (INT(11)) never limited
anything and go.
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note

T = exp.DataType.Type
INTEGERS = {T.TINYINT, T.SMALLINT, T.MEDIUMINT, T.INT, T.BIGINT}
UNSIGNED = {T.UTINYINT: T.SMALLINT, T.USMALLINT: T.INT, T.UMEDIUMINT: T.INT, T.UINT: T.BIGINT,
            T.UDECIMAL: T.DECIMAL, T.UDOUBLE: T.DOUBLE}
DROPPED = (exp.CharacterSetColumnConstraint, exp.CollateColumnConstraint, exp.CommentColumnConstraint)
ZERO_DATES = ("0000-00-00",)


def column_def(col: exp.ColumnDef, notes: list[Note], new_table: bool) -> None:
    dtype = col.args.get("kind")
    checks: list[exp.Expression] = []
    if isinstance(dtype, exp.DataType):
        _type(col, dtype, notes, checks)
    _constraints(col, notes, new_table, checks)
    if checks:
        cons = list(col.args.get("constraints") or [])
        cons.append(exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=exp.and_(*checks))))
        col.set("constraints", cons)


def _type(col: exp.ColumnDef, dtype: exp.DataType, notes: list[Note], checks: list) -> None:
    kind, params = dtype.this, dtype.expressions
    name = col.this.copy()
    if kind in UNSIGNED or kind == T.UBIGINT:
        checks.append(exp.GTE(this=exp.column(name), expression=exp.Literal.number(0)))
        if kind == T.UBIGINT:  # BIGINT, not NUMERIC(20): ids and the foreign keys that point at them must match
            dtype.set("this", T.BIGINT)
            note(notes, "review", f"BIGINT UNSIGNED {col.name} becomes BIGINT CHECK (>= 0): values above "
                                  "9223372036854775807 (never reached by ids) no longer fit")
            kind = T.BIGINT
        if kind in UNSIGNED:
            dtype.set("this", UNSIGNED[kind])
            kind = dtype.this
    if kind in INTEGERS:
        _integer(col, dtype, notes)
    elif kind in (T.DOUBLE, T.FLOAT) and len(params) == 2:
        dtype.set("this", T.DECIMAL)  # FLOAT(7,2): MySQL rounds to 2 decimals on storage
    elif kind in (T.BINARY, T.VARBINARY):
        _binary(col, dtype, checks)
    elif kind in (T.TINYBLOB, T.MEDIUMBLOB, T.LONGBLOB, T.BLOB):
        dtype.set("this", T.VARBINARY)  # sqlglot writes bytea for it; BLOB sizes are only limits
        dtype.set("expressions", [])
    elif kind == T.ENUM:
        values = [v.copy() for v in params]
        dtype.set("this", T.TEXT)
        dtype.set("expressions", [])
        checks.append(exp.In(this=exp.column(name), expressions=values))
        note(notes, "review", f"ENUM {col.name} becomes text CHECK (IN (...)): it sorts alphabetically, not in "
                              "declaration order, and MySQL's '' / index values for invalid input are gone")
    elif kind == T.SET:
        note(notes, "manual", f"SET column {col.name} has no PostgreSQL twin: text[] or a join table, by hand")
    elif kind == T.YEAR:
        dtype.set("this", T.SMALLINT)
        dtype.set("expressions", [])


def _integer(col: exp.ColumnDef, dtype: exp.DataType, notes: list[Note]) -> None:
    width = dtype.expressions[0].this.name if dtype.expressions and isinstance(dtype.expressions[0], exp.DataTypeParam) else ""
    dtype.set("expressions", [])  # display width: a hint, never a limit
    if dtype.this == T.TINYINT and width == "1":
        dtype.set("this", T.BOOLEAN)
        _boolean_default(col)
        note(notes, "review", f"TINYINT(1) {col.name} becomes boolean: code comparing it with 1/0, SUM()ing it or "
                              "reading 1/0 from the driver gets true/false (smallint keeps the numbers)")
    elif dtype.this == T.TINYINT:
        dtype.set("this", T.SMALLINT)
    elif dtype.this == T.MEDIUMINT:
        dtype.set("this", T.INT)


def _boolean_default(col: exp.ColumnDef) -> None:
    for cons in col.args.get("constraints") or []:
        kind = cons.kind
        if isinstance(kind, exp.DefaultColumnConstraint) and isinstance(kind.this, exp.Literal) \
                and kind.this.name in ("0", "1"):
            kind.set("this", exp.Boolean(this=kind.this.name == "1"))


def _binary(col: exp.ColumnDef, dtype: exp.DataType, checks: list) -> None:
    size = dtype.expressions[0].this if dtype.expressions and isinstance(dtype.expressions[0], exp.DataTypeParam) else None
    fixed = dtype.this == T.BINARY
    dtype.set("this", T.VARBINARY)  # sqlglot writes bytea; PostgreSQL's bytea takes no length
    dtype.set("expressions", [])
    if isinstance(size, exp.Literal):
        length = exp.func("octet_length", exp.column(col.this.copy()))
        op = exp.EQ if fixed else exp.LTE
        checks.append(op(this=length, expression=size.copy()))


def _constraints(col: exp.ColumnDef, notes: list[Note], new_table: bool, checks: list) -> None:
    kept = []
    cons_all = col.args.get("constraints") or []
    identity = any(isinstance(c.kind, exp.AutoIncrementColumnConstraint) for c in cons_all)
    zero = any(isinstance(c.kind, exp.DefaultColumnConstraint) and _zero_date(c.kind.this) for c in cons_all)
    for cons in col.args.get("constraints") or []:
        kind = cons.kind
        if isinstance(kind, DROPPED):
            continue
        if isinstance(kind, exp.ZeroFillColumnConstraint):
            checks.append(exp.GTE(this=exp.column(col.this.copy()), expression=exp.Literal.number(0)))
            note(notes, "review", f"ZEROFILL on {col.name} goes: it only padded the displayed number (42 showed as "
                                  "00042); code reading the padded text needs lpad()")
            continue
        if isinstance(kind, exp.OnUpdateColumnConstraint):
            note(notes, "manual", f"ON UPDATE {kind.this.sql('postgres')} on {col.name} needs a BEFORE UPDATE trigger "
                                  "in PostgreSQL; without it the column silently stops changing")
            continue
        if isinstance(kind, exp.NotNullColumnConstraint) and (identity or zero) and not kind.args.get("allow_null"):
            continue  # an identity column is NOT NULL already; a NULL default needs a nullable column
        if isinstance(kind, exp.AutoIncrementColumnConstraint):
            cons = exp.ColumnConstraint(kind=exp.GeneratedAsIdentityColumnConstraint(this=False))
            if not new_table:
                note(notes, "review", f"AUTO_INCREMENT on {col.name} of an existing table: the identity numbers rows "
                                      "from 1; move it past the highest id (setval / RESTART WITH)")
        if isinstance(kind, exp.DefaultColumnConstraint) and _zero_date(kind.this):
            kind.set("this", exp.Null())
            note(notes, "review", f"zero date default on {col.name} becomes NULL (PostgreSQL has no 0000-00-00): "
                                  "the column turns nullable and code testing for the zero date must test IS NULL")
        kept.append(cons)
    col.set("constraints", kept or None)


def _zero_date(value) -> bool:
    return isinstance(value, exp.Literal) and value.is_string and value.name.startswith(ZERO_DATES)

