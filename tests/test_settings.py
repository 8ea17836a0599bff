"""Configuration and dependency files: env, compose, CI workflows, package.json, lockfiles,
requirements, pyproject (auditor.frontends.settings)."""
from __future__ import annotations

import random

import pytest

from auditor.frontends.settings import KINDS, image_repo, is_mysql_image, is_postgres_image, parse_settings


def parse(text: str, rel: str, kind: str, siblings: dict | None = None):
    facts, diagnostics = parse_settings(text, rel, kind, lambda name: (siblings or {}).get(name))
    assert facts.path == rel and facts.kind == kind and facts.statements == ()
    return facts, diagnostics


def uses(facts) -> list[tuple]:
    """(slug, line, col, end_line, end_col) of every use, in order."""
    return [(u.kind, u.location.line, u.location.col, u.location.end_line, u.location.end_col) for u in facts.uses]


def slugs(facts) -> list[str]:
    return [u.kind for u in facts.uses]


def items(facts) -> dict[str, tuple]:
    return {i.name: (i.kind, i.category, i.location.line, i.location.col, i.detail) for i in facts.items}


def everything(facts, diagnostics) -> str:
    """Every string a record carries out of the frontend."""
    parts = [u.evidence for u in facts.uses] + [i.detail for i in facts.items] + [i.name for i in facts.items]
    parts += list(facts.lines) + [d.message for d in diagnostics]
    return "\n".join(parts)


# -- env files -----------------------------------------------------------------------------------

ENV = """# database
export DATABASE_URL="mysql://app:hunter2-pw@db.internal:3306/shop?charset=utf8mb4"
MYSQL_ROOT_PASSWORD=Root-Pass-991
MYSQL_DATABASE=shop  # the schema

DB_POOL_SIZE=10
DB_READ_URL=
# DATABASE_URL=mysql://old:old-pass-1@legacy/shop
PG_URL='postgresql://app:pg-pass-33@pg:5432/shop'
REDIS_URL=redis://cache:6379
SQLALCHEMY_DATABASE_URI=mysql+pymysql://bot:bot-pass-77@db/botdb
"""


def test_env_urls_variables_and_items_with_exact_positions():
    facts, diagnostics = parse(ENV, ".env", "env")
    assert diagnostics == []
    assert uses(facts) == [
        ("mysql-url", 2, 22, 2, 82),  # the URL inside the quotes
        ("mysql-env-variable", 3, 1, 3, 20),
        ("mysql-env-variable", 4, 1, 4, 15),
        ("mysql-url", 11, 25, 11, 65),
    ]
    assert facts.uses[0].evidence == "DATABASE_URL=mysql://app:***@db.internal:3306/shop?charset=utf8mb4"
    assert facts.uses[1].evidence == "MYSQL_ROOT_PASSWORD=***"
    assert facts.uses[2].evidence == "MYSQL_DATABASE=shop"
    assert {u.confidence for u in facts.uses} == {"high"} and {u.function for u in facts.uses} == {""}
    assert items(facts) == {
        "DATABASE_URL": ("env-variable", "config", 2, 8, "mysql URL"),
        "MYSQL_ROOT_PASSWORD": ("env-variable", "config", 3, 1, "secret (redacted)"),
        "MYSQL_DATABASE": ("env-variable", "config", 4, 1, "string"),
        "DB_POOL_SIZE": ("env-variable", "config", 6, 1, "number"),
        "DB_READ_URL": ("env-variable", "config", 7, 1, "empty"),
        "PG_URL": ("env-variable", "config", 9, 1, "postgresql URL"),
        "SQLALCHEMY_DATABASE_URI": ("env-variable", "config", 11, 1, "mysql+pymysql URL"),
    }
    assert len(facts.lines) == len(ENV.split("\n"))
    assert facts.lines[0] == "# database"


def test_env_commented_and_postgres_urls_do_not_fire():
    facts, _ = parse("# MYSQL_HOST=db\n# DATABASE_URL=mysql://a:b@c/d\nDATABASE_URL=postgres://a@c/d\n"
                     "POSTGRES_PASSWORD=x\n", ".env.example", "env")
    assert facts.uses == ()


def test_env_multiline_double_quoted_value_and_jdbc_url():
    text = 'CERT="line one\nline two"\nJDBC_URL=jdbc:mysql://db:3306/shop\nMYSQL=not-a-prefix\n'
    facts, _ = parse(text, "app.env", "env")
    assert uses(facts) == [("mysql-url", 3, 15, 3, 35)]
    assert items(facts) == {"JDBC_URL": ("env-variable", "config", 3, 1, "mysql URL"),
                            "MYSQL": ("env-variable", "config", 4, 1, "string")}  # no CFG002: not MYSQL_*


# -- compose -------------------------------------------------------------------------------------

COMPOSE = """name: shop
x-db-env: &dbenv
  DATABASE_URL: mysql://shop:Anchor-Pass-1@db:3306/shop
services:
  db:
    image: mysql:8.0
    environment:
      MYSQL_ROOT_PASSWORD: "Compose-Root-22"
      MYSQL_DATABASE: shop
    ports:
      - "3306:3306"
    volumes:
      - slimy-db-data:/var/lib/mysql
    healthcheck:
      test: ["CMD", "mysqladmin", "ping", "-pCompose-Root-22"]
  api:
    build: .
    environment:
      <<: *dbenv
      NODE_ENV: production
    depends_on:
      db:
        condition: service_healthy
  worker:
    image: ghcr.io/acme/worker:1
    environment:
      - NODE_ENV=production
      - "DB_URL=mariadb://worker:Worker-Pass-3@db/jobs"
      - MYSQL_PASSWORD=List-Pass-44
    depends_on: [db]
  replica:
    image: docker.io/bitnami/mariadb:11.2
  cache:
    image: redis:7
volumes:
  slimy-db-data:
"""


def test_compose_images_urls_and_services_with_exact_positions():
    facts, diagnostics = parse(COMPOSE, "docker-compose.yml", "compose")
    assert diagnostics == []
    assert uses(facts) == [
        ("mysql-url", 3, 17, 3, 56),  # in the anchor, reached through `<<: *dbenv` (reported once)
        ("mysql-container-image", 6, 12, 6, 21),
        ("mysql-url", 28, 17, 28, 55),  # list form, inside the quotes
        ("mysql-container-image", 32, 12, 32, 42),
    ]
    assert facts.uses[0].evidence == "DATABASE_URL: mysql://shop:***@db:3306/shop"
    assert facts.uses[1].evidence == "db: image mysql:8.0"
    assert facts.uses[2].evidence == "DB_URL=mariadb://worker:***@db/jobs"
    assert items(facts) == {
        "db": ("compose-service", "config", 5, 3, "image mysql:8.0, ports 3306:3306, "
               "volumes slimy-db-data:/var/lib/mysql, depends_on by api worker"),
        "replica": ("compose-service", "config", 31, 3, "image docker.io/bitnami/mariadb:11.2"),
    }


def test_compose_long_syntax_postgres_service_and_v1_layout():
    text = """db:
  image: postgres:16
  ports:
    - target: 5432
      published: 5433
legacy:
  image: percona:8.0
"""
    facts, _ = parse(text, "compose.yaml", "compose")
    assert uses(facts) == [("mysql-container-image", 7, 10, 7, 21)]
    assert items(facts)["db"] == ("compose-service", "config", 1, 1, "image postgres:16, ports 5433:5432")


def test_image_names():
    for image in ("mysql", "mysql:8.0", "library/mysql:8", "docker.io/library/mariadb:11", "percona:8.0",
                  "bitnami/mysql:8.0", "bitnami/mariadb", "mysql/mysql-server:8.0", "mysql@sha256:abc",
                  "${DB_IMAGE:-mariadb:11}", "localhost:5000/mysql:8"):
        assert is_mysql_image(image), image
    for image in ("postgres:16", "redis:7", "mysqld-exporter", "prom/mysqld-exporter", "adminer", "phpmyadmin"):
        assert not is_mysql_image(image), image
    assert is_postgres_image("postgis/postgis:16-3.4") and image_repo("registry.io:443/a/b:1") == "a/b"


# -- CI workflows --------------------------------------------------------------------------------

GITHUB = """name: ci
on: [push]
env:
  DATABASE_URL: mysql://root:Gh-Pass-8812@127.0.0.1:3306/test
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      mysql:
        image: mysql:8.0
        env:
          MYSQL_ROOT_PASSWORD: Gh-Pass-8812
        ports:
          - 3306:3306
      postgres:
        image: postgres:16
      redis:
        image: redis:7
    steps:
      - uses: actions/checkout@v4
      - uses: shogo82148/actions-setup-mysql@v1
      - name: Start MySQL
        run: sudo systemctl start mysql.service
      - name: Load schema
        run: |
          echo "loading the mysql schema"
          mysql -h 127.0.0.1 -uroot -pGh-Pass-8812 test < schema.sql
          mysql -h 127.0.0.1 -uroot test < seed.sql
      - run: npm test
        env:
          DB_URL: mysql2://u:Step-Pass-5@localhost/db
      - run: psql -f schema.sql
"""


def test_github_actions_services_steps_and_env_with_exact_positions():
    facts, diagnostics = parse(GITHUB, ".github/workflows/ci.yml", "workflow")
    assert diagnostics == []
    assert uses(facts) == [
        ("mysql-url", 4, 17, 4, 62),
        ("ci-mysql-service", 10, 16, 10, 25),
        ("ci-mysql-service", 21, 15, 21, 48),
        ("ci-mysql-service", 23, 35, 23, 40),
        ("ci-mysql-service", 27, 11, 27, 16),  # one per step: the first MySQL command
        ("mysql-url", 31, 19, 31, 54),
    ]
    evidence = [u.evidence for u in facts.uses]
    assert evidence[1] == "jobs.test.services.mysql: image mysql:8.0"
    assert evidence[2] == "jobs.test: uses shogo82148/actions-setup-mysql@v1"
    assert evidence[3] == "jobs.test: run: sudo systemctl start mysql.service"
    assert evidence[4] == "jobs.test: run: mysql -h 127.0.0.1 -uroot -p*** test < schema.sql"
    assert items(facts) == {
        "mysql": ("ci-service", "config", 9, 7, "image mysql:8.0, job test, ports 3306:3306"),
        "postgres": ("ci-service", "config", 15, 7, "image postgres:16, job test"),
        "shogo82148/actions-setup-mysql": ("ci-service", "config", 21, 15,
                                           "action shogo82148/actions-setup-mysql@v1, job test"),
    }


GITLAB = """image: node:20
services:
  - mysql:8.0
  - name: postgres:16
    alias: pg
variables:
  MYSQL_ROOT_PASSWORD: Gl-Pass-61
  DATABASE_URL:
    value: "mysql://root:Gl-Pass-61@mysql/test"
    description: the test database
test:
  services:
    - name: mariadb:11
      alias: db
  before_script:
    - apt-get update
    - mysql -h db -uroot -e "CREATE DATABASE test"
  script:
    - npm test
lint:
  image: mysql:8.0
  script: echo lint
"""


def test_gitlab_ci_services_images_scripts_and_variables():
    facts, diagnostics = parse(GITLAB, ".gitlab-ci.yml", "workflow")
    assert diagnostics == []
    assert uses(facts) == [
        ("ci-mysql-service", 3, 5, 3, 14),
        ("mysql-url", 9, 13, 9, 47),
        ("ci-mysql-service", 13, 13, 13, 23),
        ("ci-mysql-service", 17, 7, 17, 12),
        ("ci-mysql-service", 21, 10, 21, 19),
    ]
    assert facts.uses[3].evidence == 'test: before_script: mysql -h db -uroot -e "CREATE DATABASE test"'
    assert set(items(facts)) == {"mysql", "pg", "db"}


def test_workflow_without_mysql_reports_nothing():
    text = "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n" \
           "      - run: echo \"mysql is gone\" && npm test\n      - uses: actions/setup-node@v4\n"
    facts, _ = parse(text, ".github/workflows/t.yml", "workflow")
    assert facts.uses == () and facts.items == ()


# -- package.json --------------------------------------------------------------------------------

PACKAGE = """{
  "name": "api",
  "dependencies": {
    "express": "^4.19.2",
    "mysql2": "^3.15.3",
    "sequelize": "^6.37.0"
  },
  "devDependencies": {
    "@types/mysql": "^2.15.26",
    "prisma": "git+https://bob:Tok-3n-991@github.com/acme/prisma.git"
  }
}
"""


def test_package_json_drivers_missing_postgres_and_items():
    facts, diagnostics = parse(PACKAGE, "package.json", "package")
    assert diagnostics == []
    assert uses(facts) == [
        ("missing-postgres-driver", 3, 3, 3, 17),  # the "dependencies" key
        ("mysql-driver-dependency", 5, 5, 5, 13),  # "mysql2", quotes included
        ("mysql-driver-dependency", 9, 5, 9, 19),
    ]
    assert facts.uses[1].evidence == '"mysql2": "^3.15.3" (dependencies)'
    assert items(facts) == {
        "mysql2": ("dependency", "dependencies", 5, 5, "^3.15.3 (dependencies)"),
        "sequelize": ("dependency", "dependencies", 6, 5, "^6.37.0 (dependencies)"),
        "@types/mysql": ("dependency", "dependencies", 9, 5, "^2.15.26 (devDependencies)"),
        "prisma": ("dependency", "dependencies", 10, 5,
                   "git+https://bob:***@github.com/acme/prisma.git (devDependencies)"),
    }


def test_package_json_missing_postgres_both_ways():
    with_pg = '{"dependencies": {"mysql2": "^3", "pg": "^8"}}'
    facts, _ = parse(with_pg, "package.json", "package")
    assert slugs(facts) == ["mysql-driver-dependency"]
    dev_only = '{\n  "name": "x",\n  "devDependencies": {\n    "mysql": "^2"\n  }\n}'
    facts, _ = parse(dev_only, "package.json", "package")
    assert uses(facts) == [("missing-postgres-driver", 3, 3, 3, 20), ("mysql-driver-dependency", 4, 5, 4, 12)]
    facts, _ = parse('{"dependencies": {"pg": "^8", "@prisma/client": "^5"}}', "package.json", "package")
    assert facts.uses == () and set(items(facts)) == {"pg", "@prisma/client"}


# -- lockfiles -----------------------------------------------------------------------------------

PACKAGE_PG_PROMISE = '{"name": "api", "dependencies": {"express": "^4", "pg-promise": "^11"}}'
NPM_V3 = """{
  "name": "api",
  "lockfileVersion": 3,
  "packages": {
    "": {
      "name": "api",
      "dependencies": {"express": "^4", "pg-promise": "^11", "mysql2": "^3.6.0"}
    },
    "node_modules/express": {"version": "4.19.2"},
    "node_modules/mysql2": {"version": "3.6.0"},
    "node_modules/pg": {"version": "8.11.3"},
    "node_modules/pg-promise": {"version": "11.5.4", "dependencies": {"pg": "8.11.3"}},
    "node_modules/@prisma/client": {"version": "5.22.0"},
    "node_modules/lib/node_modules/knex": {"version": "3.1.0"}
  }
}
"""


def test_npm_v3_lockfile_only_packages():
    facts, diagnostics = parse(NPM_V3, "package-lock.json", "lockfile", {"package.json": PACKAGE_PG_PROMISE})
    assert diagnostics == []
    # mysql2: the lock's root still declares it; @prisma/client: nothing depends on it. Not reported:
    # pg (hoisted dependency of pg-promise) and knex (nested, not top level).
    assert uses(facts) == [("lockfile-only-dependency", 10, 5, 10, 26),
                           ("lockfile-only-dependency", 13, 5, 13, 34)]
    assert facts.uses[0].evidence == "mysql2@3.6.0 in package-lock.json, not declared in package.json"
    assert facts.items == ()


def test_npm_lockfile_needs_its_package_json_and_accepts_the_example_header():
    facts, diagnostics = parse(NPM_V3, "package-lock.json", "lockfile")
    assert facts.uses == () and diagnostics == []
    facts, _ = parse(f"//package.json: {PACKAGE_PG_PROMISE}\n{NPM_V3}", "package-lock.json", "lockfile")
    assert [u.location.line for u in facts.uses] == [11, 14]
    declared = '{"dependencies": {"mysql2": "^3", "@prisma/client": "^5", "pg-promise": "^11"}}'
    facts, _ = parse(NPM_V3, "sub/package-lock.json", "lockfile", {"package.json": declared})
    assert facts.uses == ()


def test_npm_v1_lockfile():
    text = """{
  "lockfileVersion": 1,
  "dependencies": {
    "pg": {"version": "8.11.3"},
    "pg-promise": {"version": "11.5.4", "requires": {"pg": "8.11.3"}},
    "typeorm": {"version": "0.3.20"}
  }
}"""
    facts, _ = parse(text, "npm-shrinkwrap.json", "lockfile", {"package.json": PACKAGE_PG_PROMISE})
    assert uses(facts) == [("lockfile-only-dependency", 6, 5, 6, 14)]


PNPM_V9 = """lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@prisma/client':
        specifier: ^5.22.0
        version: 5.22.0(prisma@5.22.0)
      express:
        specifier: ^4.19.2
        version: 4.19.2
    devDependencies:
      prisma:
        specifier: ^5.22.0
        version: 5.22.0

  packages/web:
    dependencies:
      pg:
        specifier: ^8.11.3
        version: 8.11.3

packages:

  pg@8.11.3:
    resolution: {integrity: sha512-abc}
"""


def test_pnpm_lockfile_only_packages():
    package = '{"dependencies": {"express": "^4.19.2"}}'
    facts, diagnostics = parse(PNPM_V9, "pnpm-lock.yaml", "lockfile", {"package.json": package})
    assert diagnostics == []
    assert uses(facts) == [("lockfile-only-dependency", 7, 7, 7, 23), ("lockfile-only-dependency", 14, 7, 14, 13)]
    assert facts.uses[0].evidence == "@prisma/client@5.22.0 in pnpm-lock.yaml, not declared in package.json"
    v5 = "lockfileVersion: 5.4\nspecifiers:\n  mysql2: ^3.6.0\ndependencies:\n  mysql2: 3.6.0\n"
    facts, _ = parse(v5, "pnpm-lock.yaml", "lockfile", {"package.json": "{}"})
    assert uses(facts) == [("lockfile-only-dependency", 5, 3, 5, 9)]


def test_yarn_lockfile_only_packages():
    v1 = """# yarn lockfile v1


"@prisma/client@^5.0.0":
  version "5.22.0"

pg-promise@^11.0.0:
  version "11.5.4"
  dependencies:
    pg "8.11.3"

pg@8.11.3, pg@^8.11.0:
  version "8.11.3"
"""
    facts, _ = parse(v1, "yarn.lock", "lockfile", {"package.json": PACKAGE_PG_PROMISE})
    assert uses(facts) == [("lockfile-only-dependency", 4, 2, 4, 16)]
    berry = '__metadata:\n  version: 6\n\n"knex@npm:^3.0.0":\n  version: 3.1.0\n\n' \
            '"root@workspace:.":\n  version: 0.0.0-use.local\n  dependencies:\n    knex: ^3.0.0\n'
    facts, _ = parse(berry, "yarn.lock", "lockfile", {"package.json": '{"dependencies": {}}'})
    assert uses(facts) == [("lockfile-only-dependency", 4, 2, 4, 6)]


# -- requirements / pyproject --------------------------------------------------------------------

REQUIREMENTS = """# runtime
-r base.txt
Flask==3.0.3  # web
PyMySQL[rsa]==1.1.1 ; python_version >= "3.8"
mysqlclient>=2.2 \\
    --hash=sha256:0123
SQLAlchemy[asyncio]>=2.0
git+https://u:Req-Tok-51@github.com/acme/asyncmy.git#egg=asyncmy
--index-url https://pypi.org/simple
"""


def test_requirements_drivers_and_section():
    facts, diagnostics = parse(REQUIREMENTS, "requirements-dev.txt", "requirements")
    assert diagnostics == []
    assert uses(facts) == [
        ("missing-postgres-driver", 3, 1, 8, 65),  # from the first requirement to the end of the last line
        ("mysql-driver-dependency", 4, 1, 4, 8),
        ("mysql-driver-dependency", 5, 1, 5, 12),
        ("mysql-driver-dependency", 8, 58, 8, 65),
    ]
    assert facts.uses[1].evidence == 'PyMySQL[rsa]==1.1.1 ; python_version >= "3.8" (requirements-dev.txt)'
    assert items(facts)["PyMySQL"] == ("dependency", "dependencies", 4, 1, "==1.1.1 (requirements-dev.txt)")
    assert items(facts)["SQLAlchemy"][4] == ">=2.0 (requirements-dev.txt)"
    assert "Flask" not in items(facts)


def test_requirements_missing_postgres_both_ways():
    facts, _ = parse("aiomysql==0.2.0\npsycopg[binary]==3.2.1\n", "requirements.txt", "requirements")
    assert slugs(facts) == ["mysql-driver-dependency"]
    facts, _ = parse("pymysql\n", "requirements.txt", "requirements")  # one bare requirement: spans differ
    assert uses(facts) == [("missing-postgres-driver", 1, 1, 1, 1), ("mysql-driver-dependency", 1, 1, 1, 8)]
    facts, _ = parse("sqlalchemy[asyncio,postgresql-asyncpg]\nasyncmy\n", "requirements.txt", "requirements")
    assert slugs(facts) == ["mysql-driver-dependency"]
    facts, _ = parse("# none\n\nrequests==2.32\n", "requirements.txt", "requirements")
    assert facts.uses == () and facts.items == ()


PYPROJECT = """[project]
name = "bot"
dependencies = [  # runtime
  "fastapi>=0.110",
  "aiomysql>=0.2",
  'sqlalchemy[asyncio]>=2',
]

[project.optional-dependencies]
dev = ["pytest", "mysql-connector-python==8.3.0"]

[tool.poetry.dependencies]
python = "^3.11"
PyMySQL = { version = "^1.1", extras = ["rsa"] }
"""


def test_pyproject_pep621_optional_and_poetry():
    facts, diagnostics = parse(PYPROJECT, "pyproject.toml", "pyproject")
    assert diagnostics == []
    assert uses(facts) == [
        ("missing-postgres-driver", 3, 1, 3, 13),  # `dependencies` of [project]
        ("mysql-driver-dependency", 5, 4, 5, 12),
        ("mysql-driver-dependency", 10, 19, 10, 41),
        ("mysql-driver-dependency", 14, 1, 14, 8),
    ]
    assert facts.uses[3].evidence == 'PyMySQL = { version = "^1.1", extras = ["rsa"] } (tool.poetry.dependencies)'
    assert items(facts)["mysql-connector-python"][4] == "==8.3.0 (project.optional-dependencies.dev)"
    assert items(facts)["sqlalchemy"][2:4] == (6, 4)


def test_pyproject_missing_postgres_both_ways():
    poetry = '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]  # main\npython = "^3.11"\n' \
             '"mysqlclient" = "^2.2"\n'
    facts, _ = parse(poetry, "pyproject.toml", "pyproject")
    assert uses(facts) == [("missing-postgres-driver", 4, 1, 4, 27), ("mysql-driver-dependency", 6, 1, 6, 14)]
    facts, _ = parse(poetry + 'psycopg = {version = "^3.1", extras = ["binary"]}\n', "pyproject.toml", "pyproject")
    assert slugs(facts) == ["mysql-driver-dependency"]
    facts, _ = parse('[tool.ruff]\nline-length = 100\n', "pyproject.toml", "pyproject")
    assert facts.uses == () and facts.items == ()


# -- credentials ---------------------------------------------------------------------------------

SECRETS = ("hunter2-pw", "Root-Pass-991", "pg-pass-33", "bot-pass-77", "Anchor-Pass-1", "Compose-Root-22",
           "Worker-Pass-3", "List-Pass-44", "Gh-Pass-8812", "Step-Pass-5", "Gl-Pass-61", "Tok-3n-991", "Req-Tok-51")


@pytest.mark.parametrize(("text", "rel", "kind"), [
    (ENV, ".env", "env"), (COMPOSE, "docker-compose.yml", "compose"), (GITHUB, ".github/workflows/ci.yml", "workflow"),
    (GITLAB, ".gitlab-ci.yml", "workflow"), (PACKAGE, "package.json", "package"),
    (REQUIREMENTS, "requirements.txt", "requirements")])
def test_no_record_carries_a_credential(text, rel, kind):
    facts, diagnostics = parse(text, rel, kind)
    out = everything(facts, diagnostics)
    assert facts.uses and facts.lines
    assert [s for s in SECRETS if s in out] == []
    assert "***" in out


def test_secret_lines_are_masked_but_keep_their_shape():
    facts, _ = parse(COMPOSE, "docker-compose.yml", "compose")
    assert facts.lines[7] == "      MYSQL_ROOT_PASSWORD: ***"
    assert facts.lines[14] == '      test: ["CMD", "mysqladmin", "ping", "-p***"]'
    assert facts.lines[28] == "      - MYSQL_PASSWORD=***"
    facts, _ = parse('DB_PASSWORD="p@ss/w0rd with spaces"\nMYSQL_PASSWORD=${SECRET_FROM_VAULT}\n', ".env", "env")
    assert facts.lines[0] == 'DB_PASSWORD="***"' and "w0rd" not in everything(facts, [])
    assert items(facts)["MYSQL_PASSWORD"][4] == "reference"
    url = "DATABASE_URL=mysql://app:p@ss:w/rd@db:3306/x?password=Qp-991\n"
    facts, _ = parse(url, ".env", "env")
    assert facts.lines[0] == "DATABASE_URL=mysql://app:***@db:3306/x?password=***"
    assert facts.uses[0].evidence == "DATABASE_URL=mysql://app:***@db:3306/x?password=***"


# -- broken input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rel", "kind", "line"), [
    ("services:\n  db:\n    image: [mysql\n", "docker-compose.yml", "compose", 4),
    ("jobs:\n  t:\n    steps: [a\n  b: c\n", ".github/workflows/ci.yml", "workflow", 4),
    ('{\n  "dependencies": {\n    "mysql2": "^3"\n  ,\n}', "package.json", "package", 5),
    ('{"packages": {', "package-lock.json", "lockfile", 1),
    ("importers: [\n", "pnpm-lock.yaml", "lockfile", 2),
    ('[project]\ndependencies = ["pymysql"\n', "pyproject.toml", "pyproject", 3),
])
def test_broken_files_give_a_diagnostic(text, rel, kind, line):
    facts, diagnostics = parse(text, rel, kind, {"package.json": "{}"})
    assert [(d.kind, d.line) for d in diagnostics] == [("syntax-error", line)]
    assert facts.uses == ()


def test_yaml_documents_before_an_error_are_kept():
    text = "services:\n  db:\n    image: mysql:8\n---\nservices: [\n"
    facts, diagnostics = parse(text, "compose.yml", "compose")
    assert slugs(facts) == ["mysql-container-image"] and diagnostics[0].kind == "syntax-error"


def test_never_raises_on_garbage():
    rng = random.Random(7)
    alphabet = "{}[]:,\"'-=#\n \t|>&*!%@`\\abcmysql:/0123456789\r\x00\ufeff"
    names = {"env": ".env", "compose": "compose.yml", "workflow": ".gitlab-ci.yml", "package": "package.json",
             "lockfile": "yarn.lock", "requirements": "requirements.txt", "pyproject": "pyproject.toml"}
    for kind in KINDS:
        for _ in range(150):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
            for rel in (names[kind], "package-lock.json", "pnpm-lock.yaml") if kind == "lockfile" else (names[kind],):
                facts, diagnostics = parse_settings(text, rel, kind, lambda name: text)
                assert all(d.kind in ("syntax-error", "internal") for d in diagnostics)


def test_yaml_alias_bomb_is_walked_once():
    bomb = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 8)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    facts, _ = parse(bomb + "variables: {DB_URL: 'mysql://a@b/c'}\n", ".gitlab-ci.yml", "workflow")
    assert slugs(facts) == ["mysql-url"]
