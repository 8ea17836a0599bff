"""Configuration: pyproject.toml [tool.pgready] and .pgready.toml, precedence, errors, per-file ignores."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor import config as cfg
from auditor.config import ConfigError, describe, ignored_for, included, load, rule_ignored


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path):
    """A git work tree root (only `.git` matters to the lookup)."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_defaults_without_configuration(repo):
    config = load(repo)
    assert config.values == cfg.DEFAULTS
    assert set(config.sources.values()) == {"default"} and set(config.sources) == set(cfg.KEYS)
    assert "no .pgready.toml or pyproject.toml [tool.pgready] found" in describe(config)


def test_pyproject_table_is_read(repo):
    write(repo / "pyproject.toml", '[project]\nname = "app"\n\n[tool.pgready]\nselect = ["functions", "SYN003"]\n'
                                   'fail-on = "warning"\ntarget = "asyncpg"\n')
    config = load(repo)
    assert config.values["select"] == ["functions", "SYN003"]
    assert (config.values["fail-on"], config.values["target"]) == ("warning", "asyncpg")
    assert config.sources["select"] == config.sources["target"] == "pyproject.toml [tool.pgready]"
    assert config.sources["ignore"] == "default"


def test_dotfile_wins_key_by_key_and_command_line_wins_over_both(repo):
    write(repo / "pyproject.toml", '[tool.pgready]\nfail-on = "info"\ntarget = "psycopg"\nignore = ["SYN001"]\n')
    write(repo / ".pgready.toml", 'fail-on = "never"\nexclude = ["legacy/**"]\n')
    config = load(repo, {"target": "asyncpg", "select": [], "fail_on": None, "schema": None})
    assert config.values["fail-on"] == "never" and config.sources["fail-on"] == ".pgready.toml"
    assert config.values["ignore"] == ["SYN001"] and config.sources["ignore"] == "pyproject.toml [tool.pgready]"
    assert config.values["exclude"] == ["legacy/**"]
    assert config.values["target"] == "asyncpg" and config.sources["target"] == "command line"
    assert config.sources["select"] == "default"  # an empty / None override means "not given"
    text = describe(config)
    assert 'fail-on          = "never"  # .pgready.toml' in text
    assert 'target           = "asyncpg"  # command line' in text
    assert 'ignore           = ["SYN001"]  # pyproject.toml [tool.pgready]' in text
    assert "schema           = (automatic)  # default" in text
    assert f"read .pgready.toml: {repo / '.pgready.toml'}" in text
    assert describe(config) == text  # deterministic


def test_lookup_walks_up_to_the_git_root_and_no_further(tmp_path):
    write(tmp_path / ".pgready.toml", 'target = "psycopg"\n')  # above the git root: never read
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    write(project / "pyproject.toml", '[tool.pgready]\nfail-on = "warning"\n')
    write(project / "services" / "api" / "pyproject.toml", '[project]\nname = "api"\n')  # no table: skipped
    sub = project / "services" / "api" / "src"
    sub.mkdir(parents=True)
    config = load(sub)
    assert config.values["fail-on"] == "warning" and config.files["pyproject.toml [tool.pgready]"] == \
        project / "pyproject.toml"
    assert config.values["target"] is None and config.sources["target"] == "default"


def test_outside_git_only_the_root_is_read(tmp_path):
    write(tmp_path / ".pgready.toml", 'target = "psycopg"\n')
    (tmp_path / "src").mkdir()
    assert load(tmp_path / "src").values["target"] is None
    assert load(tmp_path).values["target"] == "psycopg"


def test_a_file_root_reads_its_directory(repo):
    write(repo / ".pgready.toml", 'target = "psycopg"\n')
    assert load(write(repo / "app.py", "")).values["target"] == "psycopg"


@pytest.mark.parametrize("text, expected", [
    ('fail_on = "warning"\n', "unknown key 'fail_on' (did you mean 'fail-on'? valid keys: baseline, cache-dir, "
                              "exclude, fail-on, ignore, include, jobs, per-file-ignores, schema, select, target)"),
    ("jobs = 0\n", "jobs: must be a whole number of processes, at least 1, not 0"),
    ('jobs = "2"\n', 'jobs: must be a whole number of processes, at least 1, not "2"'),
    ("[tool.pgready]\n", "unknown key 'tool'"),
    ('fail-on = "critical"\n', "fail-on: 'critical' is not one of error, warning, info, never"),
    ('target = "pg"\n', "target: 'pg' is not one of node-postgres, postgres.js, psycopg, asyncpg"),
    ("target = 3\n", "target: must be a non-empty string, not 3"),
    ('select = "SYN001"\n', None),  # a single string is accepted for rule lists
    ('include = "src/**"\n', 'include: must be a list of strings, not "src/**"'),
    ("ignore = [1]\n", "ignore: must be a list of strings, not [1]"),
    ('select = ["SYN001,"]\n', "select: empty entry"),
    ('per-file-ignores = ["tests/**"]\n', "per-file-ignores: must be a table of glob"),
    ('[per-file-ignores]\n"tests/**" = 5\n', "per-file-ignores: 'tests/**': must be a list of strings, not 5"),
    ('schema = ""\n', "schema: must be a non-empty string"),
    ("select = [\n", "not valid TOML"),
])
def test_errors_are_one_line_with_file_and_key(repo, text, expected):
    path = write(repo / ".pgready.toml", text)
    if expected is None:
        assert load(repo).values["select"] == ["SYN001"]
        return
    with pytest.raises(ConfigError) as caught:
        load(repo)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ") and expected in message, message


def test_pyproject_errors_name_the_file(repo):
    path = write(repo / "pyproject.toml", '[tool.pgready]\ncolour = "red"\n')
    with pytest.raises(ConfigError, match=rf"^{path}: unknown key 'colour' \(valid keys: baseline, "):
        load(repo)
    write(repo / "pyproject.toml", 'tool = { pgready = "yes" }\n')
    with pytest.raises(ConfigError, match=r"\[tool.pgready\] must be a table"):
        load(repo)


def test_command_line_errors(repo):
    with pytest.raises(ConfigError, match=r"^command line: unknown key 'colour'"):
        load(repo, {"colour": "red"})
    with pytest.raises(ConfigError, match=r"^command line: fail-on: 'bad' is not one of"):
        load(repo, {"fail_on": "bad"})


def test_rule_lists_split_commas_like_the_command_line(repo):
    write(repo / ".pgready.toml", 'select = ["functions, SYN003", "ddl"]\n')
    assert load(repo).values["select"] == ["functions", "SYN003", "ddl"]
    assert load(repo, {"select": ["syntax,FUN001"]}).values["select"] == ["syntax", "FUN001"]


def test_paths_are_relative_to_the_file_that_sets_them(repo):
    write(repo / "pyproject.toml", '[tool.pgready]\nschema = "db/schema.sql"\nbaseline = ".pgready-baseline.json"\n')
    (repo / "sub").mkdir()
    config = load(repo / "sub")
    assert config.values["schema"] == str(repo / "db" / "schema.sql")
    assert config.values["baseline"] == str(repo / ".pgready-baseline.json")
    assert load(repo, {"schema": Path("other.sql")}).values["schema"] == "other.sql"  # as typed


def test_per_file_ignores(repo):
    write(repo / ".pgready.toml", '[per-file-ignores]\n"tests/**" = ["SYN001", "functions"]\n'
                                  '"*.test.js" = ["limit-offset-comma"]\n"legacy/*.py" = ["DRV004"]\n')
    config = load(repo)
    assert ignored_for(config, "tests/unit/db.py") == {"SYN001", "functions"}
    assert ignored_for(config, "src/a.test.js") == {"limit-offset-comma"}
    assert ignored_for(config, "./legacy/old.py") == {"DRV004"}
    assert ignored_for(config, "legacy/deep/old.py") == {"DRV004"}  # fnmatch: * crosses folders
    assert ignored_for(config, "src/app.js") == set()
    assert rule_ignored(config, "tests/x.py", "FUN003", "group-concat", "functions")
    assert rule_ignored(config, "a.test.js", "SYN003", "limit-offset-comma", "syntax")
    assert not rule_ignored(config, "a.test.js", "SYN001", "backtick-identifier", "syntax")


def test_globs_are_relative_to_the_configuration_file(repo):
    """Scanning a subfolder: findings are relative to it, the globs to the project root."""
    write(repo / ".pgready.toml", 'exclude = ["services/api/generated/**"]\n'
                                  '[per-file-ignores]\n"services/api/tests/**" = ["SYN001"]\n')
    (repo / "services" / "api").mkdir(parents=True)
    config = load(repo / "services" / "api")
    assert ignored_for(config, "tests/test_db.py") == {"SYN001"}
    assert not included(config, "generated/models.js")
    assert included(config, "src/models.js")


def test_include_and_exclude(repo):
    write(repo / ".pgready.toml", 'include = ["src/**", "*.sql"]\nexclude = ["src/vendor/"]\n')
    config = load(repo)
    assert included(config, "src/app.js") and included(config, "db/schema.sql")
    assert not included(config, "scripts/seed.js")
    assert not included(config, "src/vendor/lib.js")
    assert included(load(repo.parent), "anything.js")  # no configuration: everything


def test_check_rules_against_the_catalogue(repo):
    from auditor.catalog import load_rules

    rules = load_rules()
    path = write(repo / ".pgready.toml", 'select = ["functions", "syn003", "backtick-identifier"]\n'
                                         '[per-file-ignores]\n"tests/**" = ["DRV004"]\n')
    cfg.check_rules(load(repo), rules)
    write(repo / ".pgready.toml", '[per-file-ignores]\n"tests/**" = ["NOPE999"]\n')
    with pytest.raises(ConfigError, match=rf"^{path}: per-file-ignores: unknown rule or category 'NOPE999'"):
        cfg.check_rules(load(repo), rules)
    with pytest.raises(ConfigError, match=r"^command line: ignore: unknown rule or category 'nope'"):
        cfg.check_rules(load(repo, {"ignore": ["nope"]}), rules)


def test_choices_match_the_command_line():
    from auditor import cli

    assert cfg.FAIL_ON == cli.FAIL_ON and cfg.TARGETS == cli.TARGETS


def test_this_repository_has_no_pgready_table():
    root = Path(__file__).resolve().parents[1]
    assert load(root).sources["fail-on"] in ("default", ".pgready.toml")


def test_importing_config_stays_cheap():
    """The pre-commit hook reads the configuration on every run: no heavy imports."""
    code = ("import sys, auditor.config as c; heavy = {'sqlglot', 'yaml', 'pathspec', 'rich', 'tree_sitter', "
            "'libcst', 'networkx'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "[]"
