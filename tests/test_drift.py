"""Schema drift (SCH001): a Prisma schema against a MySQL dump, one `schema-drift` use per difference."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor.drift import compare, drift_from_prisma_text, dump_schema, prisma_schema, split_sql
from auditor.model import Location

USERS = '''model User {
  id          Int       @id @default(autoincrement()) @db.UnsignedInt
  email       String    @unique @db.VarChar(191)
  lastLoginAt DateTime? @map("last_login_at") @db.DateTime(0)

  @@map("users")
}
'''
USERS_DDL = '''CREATE TABLE `users` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(191) NOT NULL,
  `last_login_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_email_key` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
'''


def drift(prisma: str, ddl: str):
    return [(u.location.path, u.location.line, u.location.col, u.evidence)
            for u in drift_from_prisma_text(prisma, "schema.prisma", ddl, "dump.sql")]


def test_same_schema_no_drift():
    assert drift(USERS, USERS_DDL) == []


def test_nullability_at_the_prisma_field():
    uses = drift(USERS, USERS_DDL.replace("`last_login_at` datetime DEFAULT NULL", "`last_login_at` datetime NOT NULL"))
    assert uses == [("schema.prisma", 4, 3,
                     "column users.last_login_at: Prisma DateTime? (nullable) vs dump DATETIME NOT NULL")]
    [use] = drift_from_prisma_text(USERS, "schema.prisma", USERS_DDL.replace("datetime DEFAULT NULL", "datetime NOT NULL"),
                                   "dump.sql")
    assert (use.kind, use.confidence, use.function) == ("schema-drift", "high", "")
    assert use.location == Location("schema.prisma", 4, 3, 4, 14)


def test_table_only_on_one_side():
    uses = drift(USERS + 'model Guild {\n  id String @id\n}\n',
                 USERS_DDL + "CREATE TABLE audit_log (\n  id int NOT NULL\n);\n")
    assert uses == [
        ("dump.sql", 8, 14, "table audit_log: only in the dump (CREATE TABLE audit_log)"),
        ("schema.prisma", 8, 7, "table Guild: only in Prisma (model Guild)"),
    ]


def test_column_only_on_one_side():
    prisma = USERS.replace('  @@map', '  nickname    String?   @db.VarChar(50)\n\n  @@map')
    ddl = USERS_DDL.replace("  PRIMARY KEY", "  `legacy_flag` tinyint(1) NOT NULL DEFAULT '0',\n  PRIMARY KEY")
    assert drift(prisma, ddl) == [
        ("schema.prisma", 6, 3, "column users.nickname: only in Prisma (String? @db.VarChar(50))"),
        ("dump.sql", 5, 3, "column users.legacy_flag: only in the dump (TINYINT(1) NOT NULL)"),
    ]


@pytest.mark.parametrize(("prisma_type", "mysql_type", "evidence"), [
    ("Int @db.UnsignedInt", "int", "Prisma Int @db.UnsignedInt (int unsigned) vs dump INT (int)"),
    ("String", "varchar(255)", "Prisma String (varchar(191)) vs dump VARCHAR(255) (varchar(255))"),
    ("String @db.Text", "longtext", "Prisma String @db.Text (text) vs dump LONGTEXT (longtext)"),
    ("DateTime", "datetime", "Prisma DateTime (datetime(3)) vs dump DATETIME (datetime(0))"),
    ("Boolean", "tinyint", "Prisma Boolean (boolean) vs dump TINYINT (tinyint)"),
    ("Decimal @db.Decimal(10, 2)", "decimal(12,2)", "Prisma Decimal @db.Decimal(10, 2) (decimal(10, 2)) vs dump "
                                                    "DECIMAL(12, 2) (decimal(12, 2))"),
    ("Float", "float", "Prisma Float (double) vs dump FLOAT (float)"),
])
def test_type_difference(prisma_type, mysql_type, evidence):
    prisma = f"model T {{\n  id Int @id\n  v  {prisma_type}\n}}\n"
    ddl = f"CREATE TABLE T (id int NOT NULL, v {mysql_type} NOT NULL, PRIMARY KEY (id));"
    assert drift(prisma, ddl) == [("schema.prisma", 3, 3, f"column T.v: {evidence}")]


@pytest.mark.parametrize(("prisma_type", "mysql_type"), [
    ("Int @db.UnsignedInt", "int(10) unsigned"), ("Int", "int(11)"), ("BigInt @db.UnsignedBigInt", "bigint unsigned"),
    ("String", "varchar(191)"), ("String @db.Char(36)", "char(36)"), ("String @db.LongText", "longtext"),
    ("String @db.MediumText", "mediumtext"), ("DateTime", "datetime(3)"), ("DateTime @db.DateTime(0)", "datetime"),
    ("DateTime @db.Timestamp(0)", "timestamp"), ("DateTime @db.Date", "date"), ("Boolean", "tinyint(1)"),
    ("Boolean", "boolean"), ("Int @db.TinyInt", "tinyint"), ("Int @db.UnsignedMediumInt", "mediumint unsigned"),
    ("Float", "double"), ("Float @db.Float", "float"), ("Decimal", "decimal(65,30)"), ("Json", "json"),
    ("Bytes", "longblob"), ("Bytes @db.Blob", "blob"), ("Bytes @db.VarBinary(16)", "varbinary(16)"),
    ("Int @db.Year", "year"), ("Unsupported(\"point\")", "point"), ("Boolean @db.Bit(1)", "bit(1)"),
])
def test_type_families_that_match(prisma_type, mysql_type):
    prisma = f"model T {{\n  id Int @id\n  v  {prisma_type}\n}}\n"
    ddl = f"CREATE TABLE T (id int NOT NULL, v {mysql_type} NOT NULL, PRIMARY KEY (id));"
    assert drift(prisma, ddl) == []


def test_enum_values_and_mapped_names():
    prisma = '''enum Role {
  MEMBER @map("member")
  ADMIN  @map("admin")
}
model M {
  id   Int  @id
  role Role @default(MEMBER)
}
'''
    assert drift(prisma, "CREATE TABLE M (id int NOT NULL, role enum('member','admin') NOT NULL DEFAULT 'member', "
                         "PRIMARY KEY (id));") == []
    assert drift(prisma, "CREATE TABLE M (id int NOT NULL, role enum('member','admin','owner') NOT NULL "
                         "DEFAULT 'admin', PRIMARY KEY (id));") == [
        ("schema.prisma", 7, 3, "column M.role: Prisma Role (enum('member', 'admin')) vs dump "
                                "ENUM('member', 'admin', 'owner') (enum('member', 'admin', 'owner'))"),
        ("schema.prisma", 7, 3, "column M.role: Prisma @default(MEMBER) vs dump DEFAULT 'admin'"),
    ]


@pytest.mark.parametrize(("prisma_default", "mysql_default"), [
    ("@default(0)", "DEFAULT '0'"), ("@default(0)", "DEFAULT 0"), ("@default(false)", "DEFAULT '0'"),
    ("@default(true)", "DEFAULT b'1'"), ('@default("en")', "DEFAULT 'en'"), ("@default(1.50)", "DEFAULT '1.5'"),
    ("@default(now())", "DEFAULT CURRENT_TIMESTAMP"), ("@default(now())", "DEFAULT CURRENT_TIMESTAMP(3)"),
    ("@default(autoincrement())", "AUTO_INCREMENT"), ('@default(dbgenerated("(uuid())"))', "DEFAULT (uuid())"),
    ('@default(dbgenerated("CURRENT_TIMESTAMP"))', "DEFAULT now()"), ("@default(uuid())", ""), ("@updatedAt", ""),
    ("", "DEFAULT NULL"), ("@default(dbgenerated())", "DEFAULT 'anything'"),
])
def test_defaults_that_match(prisma_default, mysql_default):
    prisma = f"model T {{\n  id Int @id\n  v  Int? {prisma_default}\n}}\n"
    ddl = f"CREATE TABLE T (id int NOT NULL, v int {mysql_default}, PRIMARY KEY (id));"
    assert [u for u in drift(prisma, ddl) if "default" in u[3].lower() or "DEFAULT" in u[3]] == []


@pytest.mark.parametrize(("prisma_default", "mysql_default", "evidence"), [
    ('@default("en")', "DEFAULT 'en-US'", "Prisma @default(\"en\") vs dump DEFAULT 'en-US'"),
    ("@default(0)", "", "Prisma @default(0) vs dump no default"),
    ("", "DEFAULT '5'", "Prisma no default vs dump DEFAULT '5'"),
    ("@default(now())", "", "Prisma @default(now()) vs dump no default"),
    ("@default(uuid())", "DEFAULT (uuid())", "Prisma @default(uuid()) vs dump DEFAULT (UUID())"),
])
def test_default_difference(prisma_default, mysql_default, evidence):
    prisma = f"model T {{\n  id Int @id\n  v  String? {prisma_default}\n}}\n"
    ddl = f"CREATE TABLE T (id int NOT NULL, v varchar(191) {mysql_default}, PRIMARY KEY (id));"
    assert drift(prisma, ddl) == [("schema.prisma", 3, 3, f"column T.v: {evidence}")]


def test_indexes_by_column_list():
    prisma = '''model Post {
  id     Int    @id
  slug   String @unique
  title  String
  body   String @db.Text
  author Int

  @@index([author, title])
  @@index([title])
  @@fulltext([body])
}
'''
    ddl = '''CREATE TABLE Post (
  id int NOT NULL,
  slug varchar(191) NOT NULL,
  title varchar(191) NOT NULL,
  body text NOT NULL,
  author int NOT NULL,
  PRIMARY KEY (id),
  KEY slug_idx (slug),
  KEY by_author (author, title),
  KEY by_body (body(20))
);
ALTER TABLE Post ADD UNIQUE INDEX title_unique (title);'''
    assert drift(prisma, ddl) == [
        ("schema.prisma", 10, 3, "index Post(body): Prisma fulltext index (@@fulltext([body])) vs dump index "
                                 "(KEY by_body)"),
        ("schema.prisma", 3, 17, "index Post(slug): Prisma unique index (@unique on slug) vs dump index (KEY slug_idx)"),
        ("schema.prisma", 9, 3, "index Post(title): Prisma index (@@index([title])) vs dump unique index "
                                "(UNIQUE KEY title_unique)"),
    ]


def test_primary_key():
    prisma = '''model UserGuild {
  userId  Int
  guildId String

  @@id([userId, guildId])
}
'''
    assert drift(prisma, "CREATE TABLE UserGuild (userId int NOT NULL, guildId varchar(191) NOT NULL, "
                         "PRIMARY KEY (userId, guildId));") == []
    assert drift(prisma, "CREATE TABLE UserGuild (userId int NOT NULL, guildId varchar(191) NOT NULL, "
                         "PRIMARY KEY (guildId, userId));") == [
        ("schema.prisma", 5, 3, "primary key UserGuild: Prisma (userId, guildId) vs dump (guildId, userId)")]


RELATIONS = '''datasource db {
  provider = "mysql"
  url      = env("DATABASE_URL")
}
model User {
  id       Int       @id
  sessions Session[]
  @@map("users")
}
model Session {
  id     Int  @id
  userId Int  @map("user_id")
  user   User @relation(fields: [userId], references: [id], onDelete: Cascade)
  @@map("sessions")
}
'''
RELATIONS_DDL = '''CREATE TABLE users (id int NOT NULL, PRIMARY KEY (id));
CREATE TABLE sessions (
  id int NOT NULL,
  user_id int NOT NULL,
  PRIMARY KEY (id),
  KEY sessions_user_id_fkey (user_id),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);'''


def test_foreign_keys():
    assert drift(RELATIONS, RELATIONS_DDL) == []  # the index MySQL/Prisma add for the key is implied
    moved = RELATIONS_DDL.replace("REFERENCES users (id)", "REFERENCES accounts (id)")
    assert drift(RELATIONS, moved) == [
        ("schema.prisma", 13, 15, "foreign key sessions(user_id): Prisma references users(id) vs dump references "
                                  "accounts(id)")]
    without = RELATIONS_DDL.replace(",\n  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) "
                                    "ON DELETE CASCADE", "")
    assert drift(RELATIONS, without) == [
        ("schema.prisma", 13, 15, "foreign key sessions(user_id): only in Prisma (references users(id))")]
    later = without + "\nALTER TABLE `sessions` ADD CONSTRAINT `fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`);"
    assert drift(RELATIONS, later) == []
    plain = RELATIONS.replace("  user   User @relation(fields: [userId], references: [id], onDelete: Cascade)\n", "")
    plain = plain.replace("  sessions Session[]\n", "")
    assert drift(plain, RELATIONS_DDL) == [
        ("dump.sql", 7, 14, "foreign key sessions(user_id): only in the dump (references users(id))")]


def test_relation_mode_prisma():
    emulated = RELATIONS.replace('url      = env("DATABASE_URL")', 'url = env("DATABASE_URL")\n  relationMode = "prisma"')
    no_keys = RELATIONS_DDL.replace(",\n  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) "
                                    "ON DELETE CASCADE", "")
    assert drift(emulated, no_keys) == []  # emulated on purpose: no key anywhere in the dump
    other = no_keys + "\nCREATE TABLE audit (id int NOT NULL, user_id int, PRIMARY KEY (id), " \
                      "FOREIGN KEY (user_id) REFERENCES users (id));"
    uses = drift(emulated, other)
    assert [u[3] for u in uses] == ["table audit: only in the dump (CREATE TABLE audit)",
                                    "foreign key sessions(user_id): only in Prisma (references users(id))"]


def test_map_and_table_map_and_case():
    prisma = '''model ChatMessage {
  id        BigInt   @id @default(autoincrement()) @db.UnsignedBigInt
  createdAt DateTime @default(now()) @map(name: "created_at") @db.DateTime(0)

  @@index([createdAt], map: "idx_created")
  @@map(name: "Chat_Messages")
}
'''
    ddl = '''CREATE TABLE `chat_messages` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `Created_At` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `idx_other_name` (`created_at`)
);'''
    assert drift(prisma, ddl) == []
    assert drift(prisma.replace('@map(name: "created_at") ', ""), ddl) == [
        ("schema.prisma", 3, 3, "column Chat_Messages.createdAt: only in Prisma (DateTime @db.DateTime(0))"),
        ("dump.sql", 3, 3, "column Chat_Messages.Created_At: only in the dump (DATETIME NOT NULL)"),
        ("dump.sql", 5, 7, "index Chat_Messages(created_at): only in the dump (KEY idx_other_name)"),
        ("schema.prisma", 5, 3, "index Chat_Messages(createdAt): only in Prisma "
                                '(@@index([createdAt], map: "idx_created"))'),
    ]


def test_implicit_many_to_many_table():
    prisma = '''model Post {
  id   Int   @id
  tags Tag[]
}
model Tag {
  id    String @id @db.VarChar(20)
  posts Post[]
}
'''
    ddl = '''CREATE TABLE Post (id int NOT NULL, PRIMARY KEY (id));
CREATE TABLE Tag (id varchar(20) NOT NULL, PRIMARY KEY (id));
CREATE TABLE `_PostToTag` (
  `A` int NOT NULL,
  `B` varchar(20) NOT NULL,
  UNIQUE KEY `_PostToTag_AB_unique` (`A`,`B`),
  KEY `_PostToTag_B_index` (`B`),
  CONSTRAINT `_PostToTag_A_fkey` FOREIGN KEY (`A`) REFERENCES `Post` (`id`),
  CONSTRAINT `_PostToTag_B_fkey` FOREIGN KEY (`B`) REFERENCES `Tag` (`id`)
);'''
    assert drift(prisma, ddl) == []
    assert [u[3] for u in drift(prisma, ddl.split("CREATE TABLE `_PostToTag`")[0])] == [
        "table _PostToTag: only in Prisma (implicit many-to-many relation of Post.tags)"]


def test_dump_is_read_tolerantly():
    ddl = '''-- MySQL dump 10.13
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `places`;
CREATE TABLE `places` (
  `id` int NOT NULL,
  `geo` point NOT NULL /*!80003 SRID 4326 */,
  `name` varchar(191) NOT NULL COMMENT 'shown; in the UI',
  PRIMARY KEY (`id`),
  SPATIAL KEY `geo_idx` (`geo`)
) ENGINE=InnoDB /*!50100 PARTITION BY HASH (id) PARTITIONS 4 */;
LOCK TABLES `places` WRITE;
INSERT INTO `places` VALUES (1, ST_GeomFromText('POINT(1 1)'), 'a;b');
UNLOCK TABLES;
CREATE TABLE gone (id int);
DROP TABLE gone;
DELIMITER ;;
CREATE TRIGGER t BEFORE INSERT ON places FOR EACH ROW BEGIN SET NEW.name = 'x'; END ;;
DELIMITER ;
CREATE TABLE broken (((;
'''
    prisma = '''model places {
  id   Int                   @id
  geo  Unsupported("point")
  name String

  @@index([geo])
}
'''
    schema = dump_schema(split_sql(ddl), "dump.sql")
    assert sorted(schema.tables) == ["places"]
    assert list(schema.tables["places"].columns) == ["id", "geo", "name"]
    assert drift(prisma, ddl) == [
        ("schema.prisma", 6, 3, "index places(geo): Prisma index (@@index([geo])) vs dump spatial index "
                                "(SPATIAL KEY geo_idx)")]


def test_create_index_statements():
    ddl = USERS_DDL.replace(",\n  UNIQUE KEY `users_email_key` (`email`)", "") + \
        "CREATE UNIQUE INDEX users_email_key ON users (email);\nCREATE FULLTEXT INDEX ft ON `users` (`email`);\n"
    assert drift(USERS, ddl) == [
        ("dump.sql", 8, 23, "fulltext index users(email): only in the dump (FULLTEXT INDEX ft)")]


def test_split_sql_positions():
    text = "-- header\n/*!40101 SET x=1 */;\n  SELECT 'a;b', `c;d` -- x;\n  FROM t;\n\nCREATE TABLE u (id int)"
    statements = split_sql(text)
    assert [(s.line, s.col, s.end_line, s.sql) for s in statements] == [
        (3, 3, 4, "SELECT 'a;b', `c;d` -- x;\n  FROM t"), (6, 1, 6, "CREATE TABLE u (id int)")]


def test_output_is_deterministic_and_sorted_by_table():
    prisma = "".join(f"model T{n} {{\n  id Int @id\n  a  String?\n}}\n" for n in (3, 1, 2))
    ddl = "".join(f"CREATE TABLE T{n} (id int NOT NULL, a varchar(10) NOT NULL, b int, PRIMARY KEY (id));\n"
                  for n in (2, 3, 1))
    first = drift(prisma, ddl)
    assert first == drift(prisma, ddl)
    assert [u[3].split(":")[0] for u in first] == [
        "column T1.a", "column T1.a", "column T1.b", "column T2.a", "column T2.a", "column T2.b",
        "column T3.a", "column T3.a", "column T3.b"]


def test_compare_uses_the_given_paths():
    uses = compare(prisma_schema(USERS + "model Extra {\n  id Int @id\n}\n"), "prisma/schema.prisma",
                   dump_schema(split_sql(USERS_DDL + "CREATE TABLE more (id int);\n"), "db/dump.sql"), "db/dump.sql")
    assert [(u.location.path, u.location.line) for u in uses] == [("prisma/schema.prisma", 8), ("db/dump.sql", 8)]


def test_schema_drift_rule_examples():
    """SCH001's examples (prisma text with `// dump:` lines): fail examples drift, pass examples do not."""
    from auditor.catalog import load_rules

    [rule] = [r for r in load_rules() if r.id == "SCH001"]
    for expected in ("fail", "pass"):
        for code in rule.examples[expected]:
            dump = "\n".join(line[len("// dump: "):] for line in code.splitlines() if line.startswith("// dump: "))
            assert bool(drift(code, dump)) == (expected == "fail"), code


def test_slimy_fixture_drift():
    root = Path(__file__).parent.parent / "fixtures" / "slimy-admin-api"
    if not (root / "db" / "schema.sql").is_file():
        pytest.skip("fixture without a dump")
    uses = drift_from_prisma_text((root / "prisma" / "schema.prisma").read_text(encoding="utf-8"),
                                  "prisma/schema.prisma", (root / "db" / "schema.sql").read_text(encoding="utf-8"),
                                  "db/schema.sql")
    assert [(u.location.path, u.location.line, u.evidence) for u in uses] == [
        ("prisma/schema.prisma", 169, 'index audit_logs(action, created_at): only in Prisma '
                                      '(@@index([action, createdAt], map: "idx_audit_logs_action"))'),
        ("prisma/schema.prisma", 119, "column chat_messages.content: Prisma String? @db.LongText (longtext) vs dump "
                                      "MEDIUMTEXT (mediumtext)"),
        ("prisma/schema.prisma", 106, "column conversations.archived_at: only in Prisma (DateTime? @db.DateTime(0))"),
        ("db/schema.sql", 172, "table guild_settings: only in the dump (CREATE TABLE guild_settings)"),
        ("prisma/schema.prisma", 58, "column sessions.data: Prisma String (required) vs dump MEDIUMTEXT NULL"),
        ("prisma/schema.prisma", 91, "foreign key user_guilds(guild_id): only in Prisma (references guilds(id))"),
        ("prisma/schema.prisma", 38, "column users.locale: Prisma @default(\"en\") vs dump DEFAULT 'en-US'"),
    ]
