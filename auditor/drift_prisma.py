"""The Prisma side of schema drift: what Prisma Migrate creates on MySQL for a schema, as
`auditor.drift.Schema` (database names: `@@map` / `@map`; see `auditor.drift` for the type families)."""
from __future__ import annotations

from auditor.drift import CLIENT_DEFAULTS, SCALARS, Column, ForeignKey, Index, Schema, Table, norm_default, norm_params
from auditor.drift_dump import sql_default, type_of_text
from auditor.frontends.prisma import parse_ast


def build(text: str) -> Schema:
    blocks, _ = parse_ast(text)
    schema = Schema()
    source = next((b for b in blocks if b.kind == "datasource"), None)
    mode = source and (source.entries.get("relationMode") or source.entries.get("referentialIntegrity"))
    schema.foreign_keys_managed = not (mode and mode.value == "prisma")
    models = {b.name: b for b in blocks if b.kind == "model"}
    enums = {b.name: {v.name: _mapped(v, v.name) for v in b.fields} for b in blocks if b.kind == "enum"}
    names = {m.name: _mapped(m, m.name, "@map") for m in models.values()}
    columns = {m.name: {f.name: _mapped(f, f.name) for f in m.fields if f.type not in models}
               for m in models.values()}
    for model in models.values():
        table = Table(names[model.name], f"model {model.name}", _pos(model.name_span))
        own = columns[model.name]
        for member in model.fields:
            if member.type in models or member.is_list:
                continue
            column = _prisma_column(member, own[member.name], enums)
            table.columns[column.name.lower()] = column
            if (attr := member.attr("id")) is not None:
                table.primary, table.primary_label, table.primary_pos = (column.name,), "@id", _pos(attr.span)
            if (attr := member.attr("unique")) is not None:
                table.indexes.append(Index((column.name,), "unique", f"@unique on {member.name}", _pos(attr.span)))
        for attr in model.attrs:
            listed = _field_names(attr)
            cols = tuple(own.get(n, n) for n in listed)
            if attr.name == "@id":
                table.primary, table.primary_label, table.primary_pos = cols, attr.text, _pos(attr.span)
            elif attr.name in ("@unique", "@index", "@fulltext"):
                kind = {"@unique": "unique", "@index": "index", "@fulltext": "fulltext"}[attr.name]
                table.indexes.append(Index(cols, kind, attr.text, _pos(attr.span)))
        for member in model.fields:
            relation = member.attr("relation")
            if member.type not in models or member.is_list or relation is None:
                continue
            local, remote = _list_names(relation.arg("fields", 99)), _list_names(relation.arg("references", 99))
            if local and remote:
                theirs = columns[member.type]
                table.foreign_keys.append(ForeignKey(
                    tuple(own.get(n, n) for n in local), names[member.type], tuple(theirs.get(n, n) for n in remote),
                    f"{member.name} {relation.text}", _pos(relation.span)))
        schema.tables[table.name.lower()] = table
    _implicit_many_to_many(models, names, schema)
    return schema


def _mapped(node, default: str, attr: str = "map") -> str:
    found = node.attr(attr)
    value = found.arg("name") if found is not None else None
    return value.value if value is not None and value.kind == "str" else default


def _list_names(value) -> list[str]:
    return [item.value for item in value.items] if value is not None and value.kind == "list" else []


def _field_names(attr) -> list[str]:
    """`@@index([a, b(sort: Desc)])`, `@@unique(fields: [a, b])`."""
    return _list_names(attr.arg("fields"))


def _prisma_column(member, name: str, enums: dict) -> Column:
    native = next((a for a in member.attrs if a.name.startswith("db.")), None)
    if member.type in enums:
        family, params = "enum", tuple(enums[member.type].values())
    elif member.type == "Unsupported":
        args = member.attr("type-args")
        written = args.args[0].value.value if args is not None and args.args else "unsupported"
        family, params = type_of_text(written)
    elif native is not None:
        base = native.name[3:]
        family = base[8:].lower() + " unsigned" if base.startswith("Unsigned") else base.lower()
        params = tuple(int(a.value.value) for a in native.args if a.value.kind == "num" and a.value.value.isdigit())
        if family == "tinyint" and (member.type == "Boolean" or params == (1,)):
            family, params = "boolean", ()
    else:
        family, params = SCALARS.get(member.type, (member.type.lower(), ()))
    default, default_text = _prisma_default(member, enums)
    return Column(name, family, norm_params(family, params), member.optional, default,
                  member.type_text + (f" {native.text}" if native is not None else ""), default_text,
                  _pos(member.span))


def _prisma_default(member, enums: dict) -> tuple[tuple | None, str]:
    attr = member.attr("default")
    if attr is None:
        return None, ""
    value = attr.arg("value")
    if value is None or value.kind == "list":
        return ("unknown",), attr.text
    if value.kind in ("str", "num"):
        return norm_default("lit", value.value), attr.text
    if value.kind == "name":
        if value.value in ("true", "false"):
            return ("lit", "1" if value.value == "true" else "0"), attr.text
        return ("lit", enums.get(member.type, {}).get(value.value, value.value)), attr.text  # an enum value
    function = value.value
    if function == "autoincrement":
        return ("autoincrement",), attr.text
    if function == "now":
        return ("current_timestamp",), attr.text
    if function in CLIENT_DEFAULTS:
        return None, attr.text
    sql = value.args[0].value if function == "dbgenerated" and value.args else None
    return (sql_default(sql.value) if sql is not None and sql.kind == "str" else ("unknown",)), attr.text


def _implicit_many_to_many(models: dict, names: dict, schema: Schema) -> None:
    """`_AToB(A, B)` tables Prisma creates for list relations on both sides without `fields`."""
    for model in models.values():
        for member in model.fields:
            other, rel = models.get(member.type), member.attr("relation")
            if other is None or not member.is_list or (rel is not None and rel.arg("fields", 99) is not None):
                continue
            relation = rel.arg("name") if rel is not None else None
            back = [f for f in other.fields if f.type == model.name and f.is_list and f is not member]
            if not back or not (relation is None or relation.kind == "str"):
                continue
            first, second = sorted((model.name, other.name))
            name = "_" + (relation.value if relation is not None else f"{first}To{second}")
            ids = [next((f for f in models[m].fields if f.attr("id") is not None), None) for m in (first, second)]
            if name.lower() in schema.tables or None in ids:
                continue
            table = Table(name, f"implicit many-to-many relation of {model.name}.{member.name}", _pos(member.span))
            for label, model_name, key in (("A", first, ids[0]), ("B", second, ids[1])):
                source = schema.tables[names[model_name].lower()].columns[_mapped(key, key.name).lower()]
                table.columns[label.lower()] = Column(label, source.family, source.params, False, None,
                                                     key.type_text, "", _pos(member.span))
                table.foreign_keys.append(ForeignKey((label,), names[model_name], (source.name,),
                                                     f"implicit {label} -> {model_name}", _pos(member.span)))
            table.indexes += [Index(("A", "B"), "unique", "implicit unique (A, B)", _pos(member.span)),
                              Index(("B",), "index", "implicit index (B)", _pos(member.span))]
            schema.tables[name.lower()] = table


def _pos(span) -> tuple:
    return (span.line, span.col, span.end_line, span.end_col)
