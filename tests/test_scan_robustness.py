"""Bad input gives one clear diagnostic for that file, and the rest of the scan completes."""
from __future__ import annotations

import os

from auditor.pipeline import scan

GOOD = ("const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
        "pool.query('SELECT IFNULL(a, 0) FROM t');\n")


def test_each_bad_file_gets_a_diagnostic_and_good_files_are_still_audited(tmp_path):
    (tmp_path / "good.js").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.js").write_text(
        "const mysql = require('mysql2');\nconst pool = mysql.createPool({});\nfunction ( {\n"
        "pool.query('SELECT IFNULL(b, 1) FROM u');\n", encoding="utf-8")
    (tmp_path / "blob.js").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (tmp_path / "bundle.js").write_text("var a=1;" * (5 * 1024 * 1024 // 8), encoding="utf-8")
    (tmp_path / "legacy.js").write_bytes(
        "// caf\u00e9\nconst mysql = require('mysql');\nconst c = mysql.createConnection({});\n"
        "c.query('SELECT IFNULL(x, 2) FROM v');\n".encode("latin-1"))
    os.symlink(".", tmp_path / "loop")

    inv = scan(tmp_path)
    kinds = {(d.path, d.kind) for d in inv.diagnostics}
    assert ("broken.js", "syntax-error") in kinds
    assert ("blob.js", "binary") in kinds
    assert ("bundle.js", "minified") in kinds
    assert ("legacy.js", "encoding") in kinds
    assert any(kind == "symlink-loop" and path.startswith("loop") for path, kind in kinds)
    ifnull = {(f.location.path, f.location.line) for f in inv.findings if f.rule_id == "FUN001"}
    # the good file, the non-UTF-8 file and the part of the broken file that parses are all audited
    assert ("good.js", 3) in ifnull and ("legacy.js", 4) in ifnull and ("broken.js", 4) in ifnull
    assert all(d.message and "\n" not in d.message for d in inv.diagnostics)


def test_sql_that_sqlglot_cannot_parse_is_a_finding_not_a_silent_drop(tmp_path):
    (tmp_path / "odd.js").write_text(
        "const mysql = require('mysql2/promise');\nconst pool = mysql.createPool({});\n"
        "pool.query('SELECT FROM WHERE (((');\n", encoding="utf-8")
    inv = scan(tmp_path)
    assert [(f.rule_id, f.location.line) for f in inv.findings] == [("PAR001", 3)]
    assert inv.sites[0].statement == "unparsed"


def test_a_classifier_crash_is_a_diagnostic_not_a_silent_drop(tmp_path, monkeypatch):
    import auditor.classify as classify

    def explode(sql, placeholders):
        raise RuntimeError("boom")

    monkeypatch.setattr(classify, "split_and_parse", explode)
    (tmp_path / "a.js").write_text(GOOD, encoding="utf-8")
    inv = scan(tmp_path)
    assert [(d.path, d.kind, d.line) for d in inv.diagnostics] == [("a.js", "internal", 3)]
    assert "boom" in inv.diagnostics[0].message and len(inv.sites) == 1
