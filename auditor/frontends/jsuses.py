"""JavaScript/TypeScript driver-API and ORM-setting uses spotted while walking (a walker mixin).

Receiver-independent uses become `DriverUse`s at once: `.insertId`, `{ affectedRows }`,
`namedPlaceholders:` / `typeCast:` options, `err.errno === 1062`, Sequelize `dialect: 'mysql'`,
TypeORM `type: 'mysql'`. Uses that depend on what a receiver is are decided in the resolve stage.
"""
from __future__ import annotations

import re

from auditor.model import DriverUse

_RESULT_PROPS = {"insertId": "insert-id", "affectedRows": "affected-rows", "changedRows": "changed-rows"}
_RESULT_PROP_BYTES = frozenset(name.encode() for name in _RESULT_PROPS)
_OPTION_KEYS = {"namedPlaceholders": "named-placeholders", "multipleStatements": "multiple-statements",
                "typeCast": "type-cast-option", "dateStrings": "date-strings",
                "supportBigNumbers": "big-number-options", "bigNumberStrings": "big-number-options",
                "decimalNumbers": "decimal-numbers"}
ERROR_CODE = re.compile(r"^ER_[A-Z0-9_]+$")
_TYPEORM_KEYS = {"host", "port", "database", "url", "entities", "username", "synchronize", "migrations"}
_COMPARE = {"===", "==", "!==", "!="}




class JsUsesMixin:
    def result_prop(self, node, name: str) -> None:
        if node is not None and name in _RESULT_PROPS:
            self.uses.append(DriverUse(_RESULT_PROPS[name], self.loc(node), name, "high", self.symbol()))

    def on_member_expression(self, node):
        prop = node.child_by_field_name("property")
        if prop is not None and self.data[prop.start_byte:prop.end_byte] in _RESULT_PROP_BYTES:  # (no decoding)
            self.result_prop(prop, self.src(prop))

    def on_pair(self, node):
        key = node.child_by_field_name("key")
        name = self.src(key).strip("'\"") if key is not None else ""
        if name in _OPTION_KEYS:
            self.uses.append(DriverUse(_OPTION_KEYS[name], self.loc(node), self.src(node)[:80], "high", self.symbol()))
        elif name in ("dialect", "type"):
            self.orm_option(node, name)

    def orm_option(self, pair, name: str) -> None:
        """Sequelize `dialect: 'mysql'`; TypeORM `type: 'mysql'` among connection options."""
        value = pair.child_by_field_name("value")
        if value is None or value.type != "string" or self.string_value(value).lower() not in ("mysql", "mariadb"):
            return
        if name == "type":
            keys = {self.src(p.child_by_field_name("key")).strip("'\"") for p in pair.parent.named_children
                    if p.type == "pair"} if pair.parent is not None else set()
            if not keys & _TYPEORM_KEYS:
                return
        kind = "sequelize-mysql-dialect" if name == "dialect" else "typeorm-mysql-type"
        self.uses.append(DriverUse(kind, self.loc(value), self.src(pair)[:80], "high", self.symbol()))

    def is_errno(self, node) -> bool:
        node = self.unwrap(node)
        return node.type == "member_expression" and self.src(node.child_by_field_name("property")) == "errno"

    def on_switch_statement(self, node):
        value = node.child_by_field_name("value")
        if value is not None and self.is_errno(value):
            for case in node.child_by_field_name("body").named_children:
                case_value = case.child_by_field_name("value")
                if case.type == "switch_case" and case_value is not None and case_value.type == "number":
                    self.uses.append(DriverUse("mysql-error-code", self.loc(case_value), self.src(case_value), "high", self.symbol()))
