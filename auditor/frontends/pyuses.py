"""Python driver-API uses spotted while walking (a mixin of the Python walker).

Receiver-independent uses become `DriverUse`s at once (`.lastrowid`, `e.args[0] == 1062`,
`ER_...`, `multi=True`); uses that depend on what something IS (an exception class, a cursor
class, `.rowcount` after an upsert) become references the resolve stage types later.
"""
from __future__ import annotations

import re

from auditor.frontends.pyvalues import code_children
from auditor.model import DriverUse

ERROR_CODE = re.compile(r"^ER_[A-Z0-9_]+$")
_ERROR_NUMBER_OWNERS = ("errno",)
_CURSOR_NAMES = {"DictCursor", "SSCursor", "SSDictCursor"}
_COMPARE = {"==", "!=", "in", "not in"}
_DJANGO_MYSQL_OPTIONS = {"init_command", "sql_mode", "charset", "isolation_level"}


class PyUsesMixin:
    def keyword_use(self, key: str, value, arg) -> None:
        source = self.src(value)
        if key == "client_flag" and "MULTI_STATEMENTS" in source or key == "multi" and source == "True":
            self.uses.append(DriverUse("multiple-statements", self.loc(arg), self.src(arg)[:80], "high", self.symbol()))

    def on_except_clause(self, node):
        value = node.child_by_field_name("value") or next((c for c in node.named_children if c.type != "block"), None)
        if value is None:
            return None
        if value.type == "as_pattern":
            value = value.named_children[0]
        for exc in (code_children(value) if value.type == "tuple" else [value]):
            self.references.append(("mysql-exception-class", self.value(exc), self.loc(exc), self.src(exc), self.fid))

    def on_attribute(self, node):
        attr = self.src(node.child_by_field_name("attribute"))
        if attr == "lastrowid":
            self.uses.append(DriverUse("insert-id", self.loc(node), self.src(node)[:80], "high", self.symbol()))
        elif attr == "rowcount":
            self.references.append(("rowcount", self.value(node.child_by_field_name("object")), self.loc(node),
                                    self.src(node)[:80], self.fid))
        elif ERROR_CODE.match(attr):
            self.uses.append(DriverUse("mysql-error-code", self.loc(node), self.src(node)[:80], "high", self.symbol()))
        elif attr in _CURSOR_NAMES and node.parent is not None and node.parent.type != "attribute":
            self.references.append(("mysql-cursor-class", self.value(node), self.loc(node), self.src(node), self.fid))
            return False
        elif attr.isupper() and node.parent is not None and node.parent.type != "attribute":
            # `mysql.TINYINT`: typed later (a sqlalchemy.dialects.mysql type?)
            self.references.append(("sqlalchemy-mysql-type", self.value(node), self.loc(node), self.src(node), self.fid))

    def on_identifier(self, node):
        name = self.src(node)
        parent = node.parent
        if name.isupper() and len(name) > 2 and name not in _CURSOR_NAMES and parent is not None and parent.type in (
                "call", "argument_list", "keyword_argument", "assignment", "expression_statement") and \
                parent.type != "attribute":
            self.references.append(("sqlalchemy-mysql-type", self.value(node), self.loc(node), name, self.fid))
        if name in _CURSOR_NAMES and parent is not None and parent.type not in (
                "attribute", "dotted_name", "aliased_import", "import_from_statement", "keyword_argument") or \
                (name in _CURSOR_NAMES and parent is not None and parent.type == "keyword_argument"
                 and parent.child_by_field_name("value") is not None
                 and parent.child_by_field_name("value").start_byte == node.start_byte):
            self.references.append(("mysql-cursor-class", self.value(node), self.loc(node), name, self.fid))

    def on_dictionary(self, node):
        """A Django DATABASES entry on MySQL: its MySQL-only OPTIONS."""
        pairs = {self.string_content(p.child_by_field_name("key")): p.child_by_field_name("value")
                 for p in node.named_children if p.type == "pair" and p.child_by_field_name("key").type == "string"}
        engine, options = pairs.get("ENGINE"), pairs.get("OPTIONS")
        if engine is None or options is None or options.type != "dictionary" or engine.type != "string" \
                or not self.string_content(engine).endswith(".mysql"):
            return None
        for pair in options.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None and key.type == "string" and self.string_content(key) in _DJANGO_MYSQL_OPTIONS:
                self.uses.append(DriverUse("django-mysql-options", self.loc(key), self.src(pair)[:80], "high",
                                           self.symbol()))
        return None

    def on_comparison_operator(self, node):
        operators = [self.src(c) for c in node.children_by_field_name("operators")]
        operands = [c for c in node.named_children if c.type not in ("comment",)]
        if not operators or not any(op in _COMPARE for op in operators) or len(operands) != 2:
            return None
        for a, b in (operands, operands[::-1]):
            if self.is_error_number_source(a):
                numbers = b.named_children if b.type in ("tuple", "list", "set") else [b]
                for number in numbers:
                    if number.type == "integer":
                        self.uses.append(DriverUse("mysql-error-code", self.loc(number), self.src(node)[:80], "high",
                                                   self.symbol()))

    def is_error_number_source(self, node) -> bool:
        """`e.errno`, `e.args[0]`."""
        if node.type == "attribute":
            return self.src(node.child_by_field_name("attribute")) in _ERROR_NUMBER_OWNERS
        if node.type == "subscript":
            value, index = node.child_by_field_name("value"), node.child_by_field_name("subscript")
            return value is not None and value.type == "attribute" and \
                self.src(value.child_by_field_name("attribute")) == "args" and index is not None and self.src(index) == "0"
        return False
