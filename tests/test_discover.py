from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.discover import SourceFile, _git_list, discover, read_source

HAVE_GIT = shutil.which("git") is not None


def write(root: Path, rel: str, text: str | bytes = "const x = 1;\n") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def rels(found: list[SourceFile]) -> list[str]:
    return [f.rel for f in found]


def kinds(diags) -> list[tuple[str, str]]:
    return [(d.path, d.kind) for d in diags]


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A tmp dir that is not inside any git work tree."""
    if _git_list(tmp_path) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    return tmp_path


def make_project(root: Path) -> None:
    write(root, "src/app.js")
    write(root, "src/page.tsx")
    write(root, "src/api.mts")
    write(root, "src/types.d.ts")
    write(root, "src/util.cjs")
    write(root, "README.md", "# hi\n")
    write(root, "node_modules/mysql2/index.js")
    write(root, "packages/a/node_modules/x/index.js")
    write(root, "dist/app.js")
    write(root, "src/build/gen.js")
    write(root, "public/jquery.min.js")
    write(root, "public/app.bundle.js")
    write(root, "public/app.js.map", "{}")
    write(root, "generated/out.gen.js")
    write(root, "scratch/tmp.js")
    write(root, ".gitignore", "*.gen.js\nscratch/\n")


EXPECTED = ["src/api.mts", "src/app.js", "src/page.tsx", "src/util.cjs"]


def test_walk_skips_vendored_built_minified_and_gitignored(plain: Path) -> None:
    make_project(plain)
    found, diags = discover(plain)
    assert rels(found) == EXPECTED
    assert diags == []
    langs = {f.rel: f.language for f in found}
    assert langs == {"src/api.mts": "typescript", "src/app.js": "javascript",
                     "src/page.tsx": "tsx", "src/util.cjs": "javascript"}
    assert all(f.path.is_absolute() and f.path.is_file() for f in found)


@pytest.mark.skipif(not HAVE_GIT, reason="git not installed")
def test_git_listing_respects_gitignore_including_nested(tmp_path: Path) -> None:
    make_project(tmp_path)
    write(tmp_path, "src/nested/.gitignore", "secret.js\n")
    write(tmp_path, "src/nested/secret.js")
    write(tmp_path, "src/nested/kept.ts")
    write(tmp_path, "tracked/forced.gen.js")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-f", "tracked/forced.gen.js")  # tracked files are never ignored
    found, diags = discover(tmp_path)
    assert rels(found) == sorted(EXPECTED + ["src/nested/kept.ts", "tracked/forced.gen.js"])
    assert diags == []


@pytest.mark.skipif(not HAVE_GIT, reason="git not installed")
def test_git_subdirectory_root_lists_relative_to_it(tmp_path: Path) -> None:
    make_project(tmp_path)
    git(tmp_path, "init", "-q")
    found, _ = discover(tmp_path / "src")
    assert rels(found) == ["api.mts", "app.js", "page.tsx", "util.cjs"]


def test_root_named_like_a_skipped_dir_is_still_scanned(plain: Path) -> None:
    root = plain / "build"
    write(root, "a.js")
    assert rels(discover(root)[0]) == ["a.js"]


def test_explicit_files(plain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(plain)
    monkeypatch.chdir(plain)
    names = ["src/app.js", "README.md", "generated/out.gen.js", "node_modules/mysql2/index.js",
             "public/jquery.min.js", "src/missing.js"]
    found, diags = discover(plain, [Path(n) for n in names])
    # .gitignore does not apply to named files; vendored/minified names still do
    assert rels(found) == ["generated/out.gen.js", "src/app.js"]
    assert kinds(diags) == [("src/missing.js", "unreadable")]
    assert diags[0].message == "src/missing.js does not exist."


def test_explicit_absolute_file_outside_root(plain: Path) -> None:
    write(plain, "proj/a.js")
    other = write(plain, "elsewhere/b.js")
    found, diags = discover(plain / "proj", [other])
    assert found == []
    assert [d.kind for d in diags] == ["outside-root"]


def test_explicit_directory_expands_to_its_files(plain: Path) -> None:
    make_project(plain)
    found, _ = discover(plain, [plain / "src"])
    assert rels(found) == EXPECTED


def test_root_is_a_single_file(plain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(plain, "src/app.ts")
    monkeypatch.chdir(plain)
    found, diags = discover(Path("src/app.ts"))
    assert rels(found) == ["src/app.ts"] and diags == []


def test_missing_root(plain: Path) -> None:
    found, diags = discover(plain / "nope")
    assert found == [] and [d.kind for d in diags] == ["unreadable"]


@pytest.mark.parametrize("use_git", [False, True])
def test_symlink_loops_are_reported_not_followed(tmp_path: Path, use_git: bool) -> None:
    if use_git and not HAVE_GIT:
        pytest.skip("git not installed")
    if not use_git and _git_list(tmp_path) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    write(tmp_path, "src/app.js")
    os.symlink(".", tmp_path / "loop")
    os.symlink("..", tmp_path / "src" / "up")
    os.symlink("b.js", tmp_path / "a.js")
    os.symlink("a.js", tmp_path / "b.js")
    if use_git:
        git(tmp_path, "init", "-q")
    found, diags = discover(tmp_path)
    assert rels(found) == ["src/app.js"]
    assert kinds(diags) == [("a.js", "symlink-loop"), ("b.js", "symlink-loop"),
                            ("loop", "symlink-loop"), ("src/up", "symlink-loop")]
    assert "loop" in diags[2].message and "ancestor" in diags[2].message
    assert "a.js" in diags[0].message and "cycle" in diags[0].message


def test_symlinks_to_files_are_scanned_once_and_outside_links_skipped(plain: Path) -> None:
    root = plain / "proj"
    write(root, "src/real.js")
    os.symlink("src/real.js", root / "alias.js")
    outside = write(plain, "outside/lib.js")
    os.symlink(outside, root / "lib.js")
    os.symlink(outside.parent, root / "libdir")
    os.symlink("nowhere.js", root / "dangling.js")
    found, diags = discover(root)
    assert rels(found) == ["src/real.js"]
    assert kinds(diags) == [("dangling.js", "unreadable"), ("lib.js", "outside-root"),
                            ("libdir", "outside-root")]


def test_link_only_path_is_kept_when_target_not_listed(plain: Path) -> None:
    write(plain, ".gitignore", "hidden/\n")
    write(plain, "hidden/real.js")
    os.symlink("hidden/real.js", plain / "alias.js")
    found, _ = discover(plain)
    assert rels(found) == ["alias.js"]


def test_order_is_deterministic(plain: Path) -> None:
    for name in ["z.js", "a/b.ts", "A.js", "m/n/o.tsx", "a.js", "b/a.jsx"]:
        write(plain, name)
    first, _ = discover(plain)
    second, _ = discover(plain)
    assert first == second
    assert rels(first) == sorted(rels(first))


# -- read_source -------------------------------------------------------------------------

def source(root: Path, rel: str, data: bytes) -> SourceFile:
    return SourceFile(write(root, rel, data), rel, "javascript")


def test_plain_utf8(tmp_path: Path) -> None:
    text, diag = read_source(source(tmp_path, "a.js", "const s = 'é';\n".encode()))
    assert text == "const s = 'é';\n" and diag is None


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    text, diag = read_source(source(tmp_path, "a.js", b"\xef\xbb\xbfconst a = 1;\n"))
    assert text == "const a = 1;\n" and diag is None


def test_utf16_with_bom(tmp_path: Path) -> None:
    text, diag = read_source(source(tmp_path, "a.js", "const a = 'ü';\n".encode("utf-16")))
    assert text == "const a = 'ü';\n" and diag is None


def test_latin1_is_read_with_an_encoding_diagnostic(tmp_path: Path) -> None:
    data = "// ok\n// ok\nconst s = 'café';\n".encode("latin-1")
    text, diag = read_source(source(tmp_path, "a.js", data))
    assert text == "// ok\n// ok\nconst s = 'café';\n"
    assert diag is not None and diag.kind == "encoding" and diag.line == 3
    assert diag.message == "Not valid UTF-8 (first bad byte at line 3); read as cp1252."


def test_binary(tmp_path: Path) -> None:
    text, diag = read_source(source(tmp_path, "a.js", b"\x7fELF\x00\x00\x01" + bytes(range(256))))
    assert text is None and diag.kind == "binary"


def test_big_minified_bundle(tmp_path: Path) -> None:
    chunk = b"var a=function(b){return b*2};"
    data = chunk * (5 * 1024 * 1024 // len(chunk)) + b"\n//# sourceMappingURL=app.js.map\n"
    f = source(tmp_path, "app.js", data)
    assert rels(discover(tmp_path)[0]) == ["app.js"]  # the name does not give it away
    text, diag = read_source(f)
    assert text is None and diag.kind == "minified" and diag.path == "app.js"


def test_small_minified_file(tmp_path: Path) -> None:
    data = b"!function(){" + b"x+=1;" * 800 + b"}();\n//# sourceMappingURL=a.js.map\n"
    text, diag = read_source(source(tmp_path, "a.js", data))
    assert text is None and diag.kind == "minified"


def test_long_line_in_normal_file_is_not_minified(tmp_path: Path) -> None:
    data = b"const x = 1;\n" * 300 + b"const img = '" + b"A" * 5000 + b"';\n"
    text, diag = read_source(source(tmp_path, "a.js", data))
    assert text is not None and diag is None


def test_too_large(tmp_path: Path) -> None:
    data = b"const x = 1; // a perfectly ordinary line\n" * 60000
    text, diag = read_source(source(tmp_path, "a.js", data))
    assert text is None and diag.kind == "too-large" and "2 MB" in diag.message


def test_missing_and_unreadable(tmp_path: Path) -> None:
    text, diag = read_source(SourceFile(tmp_path / "gone.js", "gone.js", "javascript"))
    assert text is None and diag.kind == "unreadable"
    f = source(tmp_path, "secret.js", b"x\n")
    f.path.chmod(0)
    try:
        if os.access(f.path, os.R_OK):
            pytest.skip("running with privileges that ignore file modes")
        text, diag = read_source(f)
        assert text is None and diag.kind == "unreadable" and "permission denied" in diag.message
    finally:
        f.path.chmod(0o644)


def test_permission_error_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = source(tmp_path, "a.js", b"x\n")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", deny)
    text, diag = read_source(f)
    assert text is None and diag.kind == "unreadable"
    assert diag.message == "Cannot read file: permission denied."
