"""Python driver-API uses spotted while walking (a mixin of the Python walker).

Receiver-independent uses become `DriverUse`s at once (`.lastrowid`, `e.args[0] == 1062`,
`ER_...`, `multi=True`); uses that depend on what something IS (an exception class, a cursor
class, `.rowcount` after an upsert) become references the resolve stage types later.
"""
from __future__ import annotations

import re

from auditor.model import DriverUse

ERROR_CODE = re.compile(r"^ER_[A-Z0-9_]+$")
_ERROR_NUMBER_OWNERS = ("errno",)
_CURSOR_NAMES = {"DictCursor", "SSCursor", "SSDictCursor"}
_COMPARE = {"==", "!=", "in", "not in"}


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
        for exc in (value.named_children if value.type == "tuple" else [value]):
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

    def on_identifier(self, node):
        name = self.src(node)
        parent = node.parent
        if name in _CURSOR_NAMES and parent is not None and parent.type not in (
                "attribute", "dotted_name", "aliased_import", "import_from_statement", "keyword_argument") or \
                (name in _CURSOR_NAMES and parent is not None and parent.type == "keyword_argument"
                 and parent.child_by_field_name("value") is not None
                 and parent.child_by_field_name("value").start_byte == node.start_byte):
            self.references.append(("mysql-cursor-class", self.value(node), self.loc(node), name, self.fid))

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
