"""ES module and CommonJS import/export statements as bindings and exports (a walker mixin)."""
from __future__ import annotations

from auditor.facts import Import, Ref


class ModuleMixin:
    def on_import_statement(self, node):
        source = node.child_by_field_name("source")
        spec = self.string_value(source)
        for clause in (c for c in node.children if c.type == "import_clause"):
            for part in clause.named_children:
                if part.type == "identifier":
                    self.bind(0, self.src(part), Import(spec, "default"))
                elif part.type == "namespace_import":
                    ident = part.named_children[-1]
                    self.bind(0, self.src(ident), Import(spec, "*"))
                elif part.type == "named_imports":
                    for spec_node in part.named_children:
                        if spec_node.type != "import_specifier":  # a comment between the braces
                            continue
                        name = spec_node.child_by_field_name("name")
                        alias = spec_node.child_by_field_name("alias") or name
                        self.bind(0, self.src(alias), Import(spec, self.src(name)))
        return False

    def on_export_statement(self, node):
        source = node.child_by_field_name("source")
        spec = self.string_value(source) if source is not None else None
        declaration = node.child_by_field_name("declaration")
        value_node = node.child_by_field_name("value")
        is_default = any(c.type == "default" for c in node.children)
        if declaration is not None:
            self.visit(declaration)
            for name in self.declared_names(declaration):
                self.exports["default" if is_default else name] = Ref((0,), name)
            return False
        if value_node is not None and is_default:
            self.exports["default"] = self.value(value_node)
            self.name_function(value_node, "default")
            self.visit(value_node)
            return False
        clause = next((c for c in node.children if c.type == "export_clause"), None)
        if clause is not None:
            for spec_node in clause.named_children:
                if spec_node.type != "export_specifier":  # a comment between the braces
                    continue
                name = self.src(spec_node.child_by_field_name("name"))
                alias = spec_node.child_by_field_name("alias")
                exported = self.src(alias) if alias is not None else name
                self.exports[exported] = Import(spec, name) if spec else Ref((0,), name)
        elif spec and any(c.type == "*" for c in node.children):
            self.star_exports.append(spec)
        return False

    def declared_names(self, declaration) -> list[str]:
        name = declaration.child_by_field_name("name")
        if name is not None:
            return [self.src(name)]
        return [self.src(d.child_by_field_name("name")) for d in declaration.named_children
                if d.type == "variable_declarator" and d.child_by_field_name("name").type == "identifier"]
