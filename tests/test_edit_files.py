"""Reading files for `fix` and writing them back atomically (auditor.edit.files)."""
from __future__ import annotations

import os
import stat

import pytest

from auditor.edit import files
from auditor.edit.files import ChangedSinceRead, read_snapshot, unified_diff, write_atomically


def test_write_replaces_the_file_keeps_its_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "db.js"
    path.write_bytes(b"pool.query('SELECT `a` FROM t');\n")
    os.chmod(path, 0o750)
    snapshot = read_snapshot(path)
    write_atomically(snapshot, snapshot.text.replace("`a`", "a"))
    assert path.read_bytes() == b"pool.query('SELECT a FROM t');\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.js"]


def test_a_file_changed_after_reading_is_not_overwritten(tmp_path):
    path = tmp_path / "db.py"
    path.write_text("SQL = 'SELECT 1'\n", encoding="utf-8")
    snapshot = read_snapshot(path)
    path.write_text("SQL = 'SELECT 2'\n", encoding="utf-8")  # someone saved meanwhile
    with pytest.raises(ChangedSinceRead, match="changed after pgready read it"):
        write_atomically(snapshot, "SQL = 'SELECT 3'\n")
    assert path.read_text(encoding="utf-8") == "SQL = 'SELECT 2'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.py"]


def test_a_failure_while_replacing_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "db.js"
    path.write_bytes(b"old\n")
    snapshot = read_snapshot(path)

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(snapshot, "new\n")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.js"]


def test_crlf_line_endings_and_a_utf8_bom_are_kept(tmp_path):
    path = tmp_path / "q.ts"
    path.write_bytes(b"\xef\xbb\xbfconst a = 'caf\xc3\xa9';\r\nconst b = `SELECT\r\n  1`;\r\n")
    snapshot = read_snapshot(path)
    assert snapshot.text == "const a = 'café';\r\nconst b = `SELECT\r\n  1`;\r\n"  # positions as the scan sees them
    write_atomically(snapshot, snapshot.text.replace("1", "2"))
    assert path.read_bytes() == b"\xef\xbb\xbfconst a = 'caf\xc3\xa9';\r\nconst b = `SELECT\r\n  2`;\r\n"


def test_a_pep_263_coding_cookie_is_honoured(tmp_path):
    path = tmp_path / "legacy.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nSQL = 'SELECT nom FROM caf\xe9s'\n")
    snapshot = read_snapshot(path)
    assert "cafés" in snapshot.text and snapshot.encoding == "iso8859-1"
    write_atomically(snapshot, snapshot.text.replace("nom", '"nom"'))
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nSQL = 'SELECT \"nom\" FROM caf\xe9s'\n"


def test_undecodable_files_are_refused_rather_than_guessed(tmp_path):
    path = tmp_path / "bad.js"
    path.write_bytes(b"const s = 'caf\xe9';\n")  # latin-1 bytes in a file without a declared encoding
    with pytest.raises(UnicodeDecodeError):
        read_snapshot(path)


def test_editing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.js"
    real.write_bytes(b"a\n")
    link = tmp_path / "link.js"
    link.symlink_to(real)
    write_atomically(read_snapshot(link), "b\n")
    assert link.is_symlink() and real.read_bytes() == b"b\n"


def test_unified_diff_looks_like_git():
    old = "line 1\nline 2\nline 3\nline 4\nSELECT `a` FROM t\nline 6\nline 7\nline 8\nline 9\n"
    new = old.replace("`a`", "a")
    assert unified_diff("src/db.js", old, new) == (
        "--- a/src/db.js\n+++ b/src/db.js\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n"
        "-SELECT `a` FROM t\n+SELECT a FROM t\n line 6\n line 7\n line 8\n")


def test_unified_diff_marks_a_missing_final_newline_and_keeps_crlf():
    diff = unified_diff("q.sql", "SELECT `a`\r\nFROM t", "SELECT a\r\nFROM t")
    assert diff == "--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n-SELECT `a`\r\n+SELECT a\r\n FROM t\n\\ No newline at end of file\n"
