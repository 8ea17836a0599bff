"""CREATE / ALTER TABLE, CREATE INDEX and TRUNCATE: MySQL types, column and table options.

sqlglot emits types PostgreSQL does not have (UINT, USMALLINT, SMALLINT(1), INT(11), FLOAT(7, 2),
BYTEA(16), ENUM (...)), keeps MySQL table options (ENGINE=, DEFAULT CHARACTER SET=) and column
options (CHARACTER SET, COLLATE, COMMENT, ON UPDATE), and inline `KEY idx (col)`. Each becomes its
PostgreSQL form here, or a note when PostgreSQL needs something a single statement cannot hold
(a trigger, a separate CREATE INDEX).
"""
from __future__ import annotations

from sqlglot import exp

from auditor.rewrite.transforms import Note, note
from auditor.rewrite.transforms_columns import column_def

T = exp.DataType.Type
TABLE_OPTIONS = (exp.EngineProperty, exp.CharacterSetProperty, exp.CollateProperty, exp.AutoIncrementProperty,
                 exp.RowFormatProperty, exp.SchemaCommentProperty, exp.ChecksumProperty)


def ddl(tree: exp.Expression, kind: str, schema, notes: list[Note]) -> exp.Expression:
    if isinstance(tree, exp.Create):
        if isinstance(tree.this, exp.Index):
            _index(tree.this, notes)
        elif (tree.args.get("kind") or "").upper() == "TABLE":
            _create_table(tree, notes)
        elif (tree.args.get("kind") or "").upper() == "VIEW":
            _view_options(tree)
    elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
        _alter_table(tree, notes)
    elif isinstance(tree, exp.TruncateTable) and not tree.args.get("identity"):
        tree.set("identity", exp.var("RESTART"))  # MySQL's TRUNCATE resets AUTO_INCREMENT too
    return tree


def _create_table(tree: exp.Create, notes: list[Note]) -> None:
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    _table_options(tree, table, notes)
    like = next((p for p in (tree.args.get("properties") or exp.Properties()).expressions
                 if isinstance(p, exp.LikeProperty)), None)
    if like is not None and not isinstance(tree.this, exp.Schema):
        _like(tree, like, notes)
    if not isinstance(tree.this, exp.Schema):
        return
    kept = []
    for element in tree.this.expressions:
        if isinstance(element, exp.ColumnDef):
            column_def(element, notes, new_table=True)
            kept.append(element)
        elif isinstance(element, exp.IndexColumnConstraint):
            _inline_index(element, table, notes)
        elif isinstance(element, exp.UniqueColumnConstraint) and isinstance(element.this, exp.Schema):
            kept.append(_unique(element))
        else:
            kept.append(element)
    tree.this.set("expressions", kept)


def _table_options(tree: exp.Expression, table, notes: list[Note]) -> None:
    """ENGINE=, CHARSET=, COLLATE=, ROW_FORMAT=, COMMENT= go; AUTO_INCREMENT=n says where ids start."""
    props = tree.args.get("properties")
    if not isinstance(props, exp.Properties):
        return
    for prop in props.expressions:
        if isinstance(prop, exp.AutoIncrementProperty):
            note(notes, "review", f"AUTO_INCREMENT={prop.this.sql('mysql')} on {getattr(table, 'name', 'the table')}: "
                                  "start the identity there (ALTER TABLE ... ALTER COLUMN id RESTART WITH "
                                  f"{prop.this.sql('mysql')})")
    rest = [p for p in props.expressions if not isinstance(p, TABLE_OPTIONS)]
    tree.set("properties", exp.Properties(expressions=rest) if rest else None)


def _view_options(tree: exp.Create) -> None:
    """SQL SECURITY INVOKER -> WITH (security_invoker = true) (PostgreSQL 15+); DEFINER is PostgreSQL's default."""
    props = tree.args.get("properties")
    if not isinstance(props, exp.Properties):
        return
    kept = []
    for prop in props.expressions:
        if isinstance(prop, exp.SqlSecurityProperty):
            if str(prop.this).upper() == "INVOKER":
                kept.append(exp.Property(this=exp.var("security_invoker"), value=exp.true()))
        elif not isinstance(prop, (exp.AlgorithmProperty, exp.DefinerProperty)):
            kept.append(prop)
    tree.set("properties", exp.Properties(expressions=kept) if kept else None)


def _like(tree: exp.Create, like: exp.LikeProperty, notes: list[Note]) -> None:
    """`CREATE TABLE a LIKE b` copies indexes and defaults: PostgreSQL's LIKE does with INCLUDING ALL."""
    if not like.expressions:
        like.set("expressions", [exp.Property(this=exp.var("INCLUDING"), value=exp.var("ALL"))])
    tree.set("properties", None)
    tree.set("this", exp.Schema(this=tree.this, expressions=[like]))


def _unique(element: exp.UniqueColumnConstraint) -> exp.Expression:
    """`UNIQUE KEY uq (a, b)` -> `CONSTRAINT uq UNIQUE (a, b)`."""
    name, cols = element.this.this, [c.copy() for c in element.this.expressions]
    unique = exp.UniqueColumnConstraint(this=exp.Schema(expressions=cols))
    return exp.Constraint(this=name.copy(), expressions=[unique]) if name is not None else unique


def _inline_index(element: exp.IndexColumnConstraint, table, notes: list[Note]) -> None:
    """PostgreSQL declares no plain index inside CREATE TABLE: the reason carries the statement to add."""
    kind = str(element.args.get("kind") or "").upper()
    cols = ", ".join(c.sql("postgres") for c in element.expressions)
    name = element.name or f"{table.name}_{'_'.join(c.name for c in element.expressions)}_idx"
    if kind in ("FULLTEXT", "SPATIAL"):
        note(notes, "manual", f"{kind} KEY {name} ({cols}) has no PostgreSQL twin: a GIN index on to_tsvector(...) "
                              "(FULLTEXT) or a GiST index (SPATIAL) after the CREATE TABLE")
        return
    note(notes, "manual", f"inline KEY {name} ({cols}) needs a separate statement after the CREATE TABLE: "
                          f"CREATE INDEX {name} ON {table.name} ({cols}) (index names are unique per schema)")


def _index(index: exp.Index, notes: list[Note]) -> None:
    """CREATE INDEX: `name(10)` prefix lengths go (PostgreSQL indexes the whole value)."""
    params = index.args.get("params")
    for ordered in (params.args.get("columns") or []) if params is not None else []:
        if not isinstance(ordered, exp.Ordered):
            continue
        if ordered.args.get("nulls_first") and not ordered.args.get("desc"):
            ordered.set("nulls_first", None)  # MySQL's own default order, not a choice made in the SQL
        part = ordered.this
        if isinstance(part, exp.Anonymous) and len(part.expressions) == 1 and isinstance(part.expressions[0], exp.Literal):
            ordered.set("this", exp.column(part.name))
            note(notes, "review", f"index prefix {part.name}({part.expressions[0].name}) goes: PostgreSQL indexes the "
                                  "whole value (a UNIQUE prefix index no longer limits duplicates to the prefix; "
                                  "btree rows over ~2700 bytes fail)")


def _alter_table(tree: exp.Alter, notes: list[Note]) -> None:
    options = tree.args.get("options")
    if options:
        kept = [o for o in options if not isinstance(o, TABLE_OPTIONS)]
        tree.set("options", kept or None)
        if not kept and not tree.args.get("actions"):
            note(notes, "manual", "this ALTER TABLE only sets MySQL table options (ENGINE, CHARSET, ...): "
                                  "drop the statement for PostgreSQL")
    actions = []
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            column_def(action, notes, new_table=False)
            if action.args.get("position") is not None:
                action.set("position", None)
                note(notes, "review", "column position (AFTER / FIRST) goes: PostgreSQL adds the column last "
                                      "(SELECT * and INSERT without a column list see another order)")
            actions.append(action)
        elif isinstance(action, exp.ModifyColumn):
            actions += _modify(action, notes)
        else:
            actions.append(action)
    if actions:
        tree.set("actions", actions)


def _modify(action: exp.ModifyColumn, notes: list[Note]) -> list[exp.Expression]:
    """`MODIFY c type [NOT NULL] [DEFAULT x]` redefines the whole column: its type, its NULL-ability
    and its default (a default it does not repeat is dropped)."""
    col = action.this
    if not isinstance(col, exp.ColumnDef):
        note(notes, "manual", "ALTER TABLE ... MODIFY / CHANGE in an unusual form: rewrite it by hand")
        return [action]
    renamed = action.args.get("rename_from")
    if renamed is not None and renamed.name.lower() != col.name.lower():
        note(notes, "manual", f"CHANGE {renamed.name} {col.name} renames the column: PostgreSQL needs ALTER TABLE ... "
                              "RENAME COLUMN as its own statement, then ALTER COLUMN for the type; split it by hand")
        return [action]
    column_def(col, notes, new_table=False)
    allowed = (exp.NotNullColumnConstraint, exp.DefaultColumnConstraint)
    kinds = [c.kind for c in col.args.get("constraints") or []]
    if any(not isinstance(k, allowed) for k in kinds) or col.args.get("position") is not None:
        note(notes, "manual", f"ALTER TABLE ... MODIFY {col.name} with options beyond NOT NULL / DEFAULT: "
                              "rewrite it as ALTER COLUMN ... statements by hand")
        return [action]
    name = col.this.copy()
    not_null = next((k for k in kinds if isinstance(k, exp.NotNullColumnConstraint)), None)
    default = next((k for k in kinds if isinstance(k, exp.DefaultColumnConstraint)), None)
    nullable = not_null is None or bool(not_null.args.get("allow_null"))
    out = [exp.AlterColumn(this=name, dtype=col.args["kind"].copy()),
           exp.AlterColumn(this=name.copy(), allow_null=True, drop=nullable)]
    out.append(exp.AlterColumn(this=name.copy(), default=default.this.copy()) if default is not None
               else exp.AlterColumn(this=name.copy(), drop=True))
    note(notes, "review", f"MODIFY {col.name} becomes ALTER COLUMN ... TYPE / NOT NULL / DEFAULT: a type PostgreSQL "
                          "cannot cast implicitly needs USING, and a table rewrite locks it meanwhile")
    return out
