"""The Prisma frontend: a tolerant reader of schema.prisma (ORM001-ORM005, prisma-model items) and of
migration_lock.toml (ORM011). Positions are 1-based lines and columns, end_col exclusive."""
from __future__ import annotations

from auditor.frontends.prisma import parse_ast, parse_migration_lock, parse_prisma
from auditor.model import Location

SLIMY = '''\
// admin-api data model
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["fullTextIndex",
                     "relationJoins"]
}

datasource db {
  provider     = "mysql"
  url          = "mysql://admin:s3cr3t-pw@db:3306/slimy"
  relationMode = "prisma"
}

enum Role {
  MEMBER @map("member")
  ADMIN  @map("admin")
}

/// A Discord user
model User {
  id          String      @id @default(dbgenerated("(uuid())")) @db.VarChar(36)
  discordId   String      @unique @map("discord_id") @db.VarChar(32)
  points      Int         @default(0) @db.UnsignedInt
  role        Role        @default(MEMBER)
  lastLoginAt DateTime?   @map("last_login_at") @db.DateTime(0)
  note        String      @default("say \\"hi\\" // not a comment")
  guilds      UserGuild[]
  sessions    Session[]

  @@map("users")
}

model Guild {
  id      String      @id @db.VarChar(32)
  name    String      @db.VarChar(100)
  members UserGuild[]

  @@map("guilds")
}

model UserGuild {
  userId  String @map("user_id") @db.VarChar(36)
  guildId String @map("guild_id") @db.VarChar(32)
  user    User   @relation(fields: [userId], references: [id], onDelete: Cascade)
  guild   Guild  @relation(fields: [guildId], references: [id])

  @@id([userId, guildId])
  @@index([guildId])
  @@map("user_guilds")
}

model Session {
  id        String   @id @db.Char(64)
  userId    String   @map("user_id")
  createdAt DateTime @default(now()) @db.Timestamp(0)
  user      User     @relation(fields: [userId], references: [id])
}

model ChatMessage {
  id        BigInt   @id @default(autoincrement()) @db.UnsignedBigInt
  content   String   @db.LongText
  createdAt DateTime @default(dbgenerated("CURRENT_TIMESTAMP")) @db.DateTime(0)

  @@fulltext([content], map: "ft_content")
  @@index([createdAt(sort: Desc)])
}
'''


def _uses(text: str):
    facts, problems = parse_prisma(text, "prisma/schema.prisma")
    return [(u.kind, u.location.line, u.location.col, u.location.end_col, u.evidence) for u in facts.uses], problems


def test_realistic_schema_uses_at_exact_positions():
    uses, problems = _uses(SLIMY)
    assert problems == []
    assert uses == [
        ("prisma-mysql-provider", 9, 18, 25, 'provider = "mysql"'),
        ("prisma-relation-mode", 11, 18, 26, 'relationMode = "prisma"'),
        ("prisma-dbgenerated-mysql", 21, 40, 63, 'id @default(dbgenerated("(uuid())"))'),
        ("prisma-native-type", 23, 39, 54, "points Int @db.UnsignedInt"),
        ("prisma-native-type", 25, 49, 64, "lastLoginAt DateTime? @db.DateTime(0)"),
        ("prisma-native-type", 60, 52, 70, "id BigInt @db.UnsignedBigInt"),
        ("prisma-native-type", 61, 22, 34, "content String @db.LongText"),
        ("prisma-native-type", 62, 65, 80, "createdAt DateTime @db.DateTime(0)"),
        ("prisma-fulltext", 64, 3, 43, 'model ChatMessage: @@fulltext([content], map: "ft_content")'),
    ]
    lines = SLIMY.splitlines()
    assert [lines[line - 1][col - 1:end - 1] for _, line, col, end, _ in uses] == [
        '"mysql"', '"prisma"', 'dbgenerated("(uuid())")', "@db.UnsignedInt", "@db.DateTime(0)",
        "@db.UnsignedBigInt", "@db.LongText", "@db.DateTime(0)", '@@fulltext([content], map: "ft_content")']


def test_items_one_per_model_with_lines_and_fields():
    facts, _ = parse_prisma(SLIMY, "prisma/schema.prisma")
    assert [(i.kind, i.name, i.category, i.size, i.detail) for i in facts.items] == [
        ("prisma-model", "User", "orm", 12, "8 fields"),
        ("prisma-model", "Guild", "orm", 7, "3 fields"),
        ("prisma-model", "UserGuild", "orm", 10, "4 fields"),
        ("prisma-model", "Session", "orm", 6, "4 fields"),
        ("prisma-model", "ChatMessage", "orm", 8, "3 fields"),
    ]
    assert facts.items[0].location == Location("prisma/schema.prisma", 20, 1, 31, 2)
    assert facts.kind == "prisma" and facts.path == "prisma/schema.prisma" and facts.statements == ()


def test_lines_are_redacted():
    facts, _ = parse_prisma(SLIMY, "prisma/schema.prisma")
    assert len(facts.lines) == len(SLIMY.splitlines())
    assert not any("s3cr3t-pw" in line for line in facts.lines)
    assert facts.lines[9] == '  url          = "mysql://admin:***@db:3306/slimy"'


def test_ast_fields_attributes_and_strings():
    blocks, errors = parse_ast(SLIMY)
    assert errors == []
    assert [b.kind for b in blocks] == ["generator", "datasource", "enum", "model", "model", "model", "model", "model"]
    generator = blocks[0]
    assert [v.value for v in generator.entries["previewFeatures"].items] == ["fullTextIndex", "relationJoins"]
    user = blocks[3]
    note = next(f for f in user.fields if f.name == "note")
    assert note.attr("default").arg().value == 'say "hi" // not a comment'
    last = next(f for f in user.fields if f.name == "lastLoginAt")
    assert (last.type, last.optional, last.is_list, last.type_text) == ("DateTime", True, False, "DateTime?")
    assert next(f for f in user.fields if f.name == "guilds").is_list
    chat = blocks[7]
    index = chat.attr("@index")
    assert [item.value for item in index.arg("fields").items] == ["createdAt"]
    assert chat.attr("@fulltext").arg("map").value == "ft_content"


def test_native_types_postgres_has_are_not_reported():
    text = '''datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Flag {
  id      Int     @id @db.Integer
  small   Int     @db.SmallInt
  on      Boolean @db.Bit(1)
  body    String  @db.Text
  payload Json    @db.JsonB
  at      DateTime @db.Timestamptz(3)
  wide    Int     @db.UnsignedInt
}
'''
    uses, _ = _uses(text)
    assert [(u[0], u[1]) for u in uses] == [("prisma-native-type", 12)]
    uses, _ = _uses(text.replace("postgresql", "mysql"))
    assert [(u[0], u[1]) for u in uses] == [("prisma-mysql-provider", 2), ("prisma-native-type", 8),
                                            ("prisma-native-type", 12)]


def test_dbgenerated_only_with_mysql_sql():
    text = '''model T {
  a String @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  b String @default(dbgenerated("(UUID_TO_BIN(UUID()))"))
  c DateTime @default(dbgenerated("(curdate())"))
  d Int @default(dbgenerated("(unix_timestamp())"))
  e String @default(dbgenerated("`x`"))
  f DateTime @default(dbgenerated("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"))
  g String @default(dbgenerated("uuid_generate_v4()"))
  h String @default(uuid())
}
'''
    uses, _ = _uses(text)
    assert [u[1] for u in uses if u[0] == "prisma-dbgenerated-mysql"] == [3, 4, 5, 6, 7]


def test_referential_integrity_is_the_old_name_of_relation_mode():
    uses, _ = _uses('datasource db {\n  provider = "mysql"\n  referentialIntegrity = "prisma"\n}\n')
    assert [u[0] for u in uses] == ["prisma-mysql-provider", "prisma-relation-mode"]
    uses, _ = _uses('datasource db {\n  provider = "mysql"\n  relationMode = "foreignKeys"\n}\n')
    assert [u[0] for u in uses] == ["prisma-mysql-provider"]


def test_syntax_errors_give_diagnostics_and_partial_results():
    text = '''model A {
  id Int @id
  name
  size Int @db.MediumInt
}
}
model B {
  id Int @id @db.TinyInt
'''
    facts, problems = parse_prisma(text, "schema.prisma")
    assert [(p.kind, p.line) for p in problems] == [("syntax-error", 3), ("syntax-error", 6), ("syntax-error", 7)]
    assert "expected name, found the end of the line" in problems[0].message
    assert "has no closing brace" in problems[2].message
    assert [(u.kind, u.location.line) for u in facts.uses] == [("prisma-native-type", 4), ("prisma-native-type", 8)]
    assert [(i.name, i.detail) for i in facts.items] == [("A", "2 fields"), ("B", "1 fields")]


def test_never_raises_on_garbage():
    for text in ("", "{{{", "model", 'model X { a "b" }', "datasource db { provider = }", "@@", "\x00\ufeff",
                 'model M {\n  a String @default("unterminated\n}\n', "model M {\n  a Int @x(((\n"):
        facts, problems = parse_prisma(text, "schema.prisma")
        assert facts.path == "schema.prisma"
        assert all(p.kind == "syntax-error" for p in problems)


def test_views_are_listed_and_checked():
    text = 'view Totals {\n  id  Int @unique\n  sum Float @db.Double\n}\n'
    facts, _ = parse_prisma(text, "schema.prisma")
    assert [(i.name, i.detail, i.size) for i in facts.items] == [("Totals", "2 fields (view)", 4)]
    assert [(u.kind, u.location.line, u.location.col) for u in facts.uses] == [("prisma-native-type", 3, 13)]


def test_migration_lock():
    facts, problems = parse_migration_lock('# Please do not edit this file manually\nprovider = "mysql"\n',
                                           "prisma/migrations/migration_lock.toml")
    assert problems == [] and facts.kind == "prisma-lock"
    [use] = facts.uses
    assert (use.kind, use.location, use.evidence) == (
        "prisma-migration-lock-mysql", Location("prisma/migrations/migration_lock.toml", 2, 12, 2, 19),
        'provider = "mysql"')
    facts, _ = parse_migration_lock('provider = "postgresql"\n# provider = "mysql"\n', "m.toml")
    assert facts.uses == ()


def test_fixture_schema_annotations_match(tmp_path):
    """Every `// expect: ORM00x` of the slimy fixture's schema.prisma is found, and nothing else."""
    import re
    from pathlib import Path

    path = Path(__file__).parent.parent / "fixtures" / "slimy-admin-api" / "prisma" / "schema.prisma"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    ids = {"prisma-mysql-provider": "ORM001", "prisma-native-type": "ORM002", "prisma-relation-mode": "ORM003",
           "prisma-fulltext": "ORM004", "prisma-dbgenerated-mysql": "ORM005"}
    expected = {(n, rule) for n, line in enumerate(text.splitlines(), 1)
                for m in re.finditer(r"// expect: (.*)$", line) for rule in re.split(r",\s*", m.group(1).strip())}
    facts, problems = parse_prisma(text, "prisma/schema.prisma")
    assert problems == []
    assert {(u.location.line, ids[u.kind]) for u in facts.uses} == expected


def test_mutated_schemas_never_hang_or_raise():
    import random

    from auditor.drift import prisma_schema

    rng = random.Random(7)
    for _ in range(300):
        chars = list(SLIMY)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(chars))
            if rng.random() < 0.5:
                del chars[at]
            else:
                chars.insert(at, rng.choice('{}()[]"@,:=?\n'))
        text = "".join(chars)
        facts, problems = parse_prisma(text, "schema.prisma")
        assert all(p.kind == "syntax-error" and p.line for p in problems)
        prisma_schema(text)
