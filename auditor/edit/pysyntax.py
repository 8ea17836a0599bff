"""Which Python files libcst refuses, told from their tree-sitter tree.

auditor.edit.python refuses a file when libcst cannot parse it, when libcst's code for it is not
the text, or when its positions fall past the text; auditor.edit.pytree must refuse the same files
with the same error name, without libcst. tree-sitter's tree holds the syntax errors, but it also
reads more than libcst: Python 2 statements and literals, any string prefix, loose indentation.
Those are looked for here, with the spots libcst does not write back as they were. Beyond them
(argument and parameter order, assignment targets, ...) the two can still disagree on a broken
file; tests/test_edit_python_scan_mapping.py lists the cases known.
"""
from __future__ import annotations

from functools import lru_cache

# `bad`: what libcst's parser rejects although tree-sitter-python reads it (mostly Python 2)
_QUERY = r"""
(exec_statement) @bad
(comparison_operator "<>" @bad)
(raise_statement (expression_list) @bad)
(parameters (tuple_pattern) @bad)
(lambda_parameters (tuple_pattern) @bad)
(assignment left: (tuple_pattern) type: (_)) @bad
(assignment left: (list_pattern) type: (_)) @bad
((identifier) @bad (#any-of? @bad "async" "await"))
((integer) @bad (#match? @bad "^(0[0-9_]*[1-9][0-9_]*|.*[lL])$"))
((string_start) @bad (#not-match? @bad "^([rRuUbBfFtT]|[fFbBtT][rR]|[rR][fFbBtT])?[\"']"))
((type_conversion) @bad (#not-match? @bad "^![rsa]$"))
(print_statement) @print
(try_statement) @try
(block) @block
(elif_clause) @aligned
(else_clause) @aligned
(except_clause) @aligned
(finally_clause) @aligned
(decorated_definition (_) @aligned)
(concatenated_string) @concatenation
(type_conversion) @conversion
"""


@lru_cache(maxsize=None)
def _query():
    import tree_sitter as ts

    from auditor.frontends.python import _parser

    return ts.Query(_parser().language, _QUERY)


def libcst_error(root, data: bytes, text: str) -> str:
    """The name of the exception auditor.edit.python meets reading this file, '' for none.
    `data` is `text` in UTF-8, which `root` was parsed from."""
    import tree_sitter as ts

    found = ts.QueryCursor(_query()).captures(root)
    bodies = [root, *found.get("block", ())]
    aligned = [node for node in found.get("aligned", ()) if not node.is_extra]
    final = _final_backslash(root, data)
    if root.has_error or "bad" in found or _python2_print(found) or _bare_try(found) \
            or final not in ("", "comment") or _misindented(bodies, aligned, data):
        return "ParserSyntaxError"
    if any(_mixes_bytes(node) for node in found.get("concatenation", ())):
        return "CSTValidationError"
    if final == "comment" or _lossy(bodies, aligned, found.get("conversion", ()), data, text):
        return "ValueError"
    return ""


def _python2_print(found) -> bool:
    """`print "x"`; `print >>f, "x"` is also a Python 3 expression (a tuple), which libcst reads."""
    return any(all(c.type != "chevron" for c in node.children) for node in found.get("print", ()))


def _bare_try(found) -> bool:
    """A `try:` with neither `except` nor `finally`."""
    return any(all(c.type not in ("except_clause", "finally_clause") for c in node.children)
               for node in found.get("try", ()))


def _final_backslash(root, data: bytes) -> str:
    """What the `\\` before the file's last newline belongs to: a comment (libcst then drops that
    newline), else a line continuation with no line to continue; '' when there is none."""
    if not data.endswith((b"\\\n", b"\\\r\n")):
        return ""
    at = data.rindex(b"\\")
    return root.descendant_for_byte_range(at, at + 1).type


def _mixes_bytes(node) -> bool:
    """`"a" b"b"`: libcst's ConcatenatedString refuses it."""
    return len({b"b" in opening(c)[0] for c in node.named_children if c.type == "string"}) > 1


def opening(string) -> tuple[bytes, str]:
    """A string node's prefix (`rb`, `f`...), lowercased, and its quote, both read from the opening
    token (tree-sitter's closing token of a raw string may hold the content's last backslashes)."""
    token = string.children[0].text
    prefix = token.rstrip(b"'\"")
    return prefix.lower(), token[len(prefix):].decode()


# -- indentation, which tree-sitter does not hold against a file ---------------------------------
def _statements(body) -> list:
    return [node for node in body.named_children if not node.is_extra]


def _lead(data: bytes, start: int) -> bytes | None:
    """What precedes `start` on its logical line, lines holding only a `\\` continuation included;
    None when code does."""
    begin = data.rfind(b"\n", 0, start) + 1
    while begin:
        above = data.rfind(b"\n", 0, begin - 1) + 1
        if data[above:begin].strip(b" \t\f") not in (b"\\\n", b"\\\r\n"):
            break
        begin = above
    lead = data[begin:start]
    return None if lead.strip(b" \t\f\\\r\n") else lead


def _indent(data: bytes, start: int) -> tuple[int, int]:
    """The indentation of the line holding `start` as CPython's tokenizer measures it: in columns
    with tabs to multiples of 8 and with tabs as 1 (the two must agree), a form feed resetting both."""
    col = alt = 0
    for c in data[data.rfind(b"\n", 0, start) + 1:start]:
        if c == 0x20:
            col, alt = col + 1, alt + 1
        elif c == 0x09:
            col, alt = (col // 8 + 1) * 8, alt + 1
        elif c == 0x0C:
            col = alt = 0
        else:
            break
    return col, alt


def _misindented(bodies, aligned, data: bytes) -> bool:
    """An unexpected indent, an unindent to no level, an empty block, or tabs whose width matters."""
    for body in bodies:
        statements = _statements(body)
        levels = {_indent(data, s.start_byte) for s in statements if _lead(data, s.start_byte) is not None}
        if body.type == "module":
            wrong = bool(levels - {(0, 0)})
        elif not statements:
            wrong = True
        elif _lead(data, statements[0].start_byte) is None:  # `if x: a`: no line of its own may follow
            wrong = bool(levels)
        else:
            header = _indent(data, body.parent.start_byte)
            wrong = len(levels) > 1 or not all(a > b for a, b in zip(levels.pop(), header))
        if wrong:
            return True
    return any(_lead(data, node.start_byte) is not None
               and _indent(data, node.start_byte) != _indent(data, node.parent.start_byte) for node in aligned)


# -- what libcst does not write back as it was ---------------------------------------------------
def _lossy(bodies, aligned, conversions, data: bytes, text: str) -> bool:
    """A byte-order mark, a final lone `\\r`, form feeds and `\\` lines before a statement, space
    before the colon of `except E :` and after an f-string field's `!r`."""
    starts = [s for body in bodies for s in _statements(body)] + aligned
    leads = (_lead(data, node.start_byte) for node in starts)
    return text.startswith("\ufeff") or text.endswith("\r") \
        or any(lead and (b"\\" in lead or b"\f" in lead) for lead in leads) \
        or any(_spaced_colon(node) for node in aligned if node.type == "except_clause") \
        or any(node.next_sibling.start_byte != node.end_byte for node in conversions)


def _spaced_colon(node) -> bool:
    """`except E :`, not `except E as e :` nor `except :`."""
    kinds = [c.type for c in node.children]
    if "as" in kinds or "as_pattern" in kinds or ":" not in kinds:
        return False
    colon = kinds.index(":")
    value = [c for c in node.children[:colon] if c.is_named and not c.is_extra]
    return bool(value) and node.children[colon].start_byte != value[-1].end_byte
