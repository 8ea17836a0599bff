"""Prisma schema edits (auditor.edit.prisma): the provider and MySQL native types, nothing else."""
from __future__ import annotations

from pathlib import Path

import yaml

from auditor.edit import TextEdit, apply
from auditor.edit.prisma import NATIVE_RULE, PROVIDER_RULE, prisma_edits

SCHEMA = """// Shop schema (was MariaDB 10.6)
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "mysql" // switch me
  url      = env("DATABASE_URL")
}

/// A customer
model User {
  id        Int      @id @default(autoincrement()) @db.UnsignedInt
  active    Boolean  @default(true) @db.TinyInt(1)
  age       Int?     @db.TinyInt
  bio       String?  @db.LongText
  avatar    Bytes?   @db.MediumBlob
  hash      Bytes    @db.Binary(32)
  flags     Bytes?   @db.Bit(8)
  score     Float    @db.Double
  born      Int?     @db.Year
  createdAt DateTime @default(now()) @map("created_at") @db.DateTime(0)
  name      String   @db.VarChar(191)
  views     BigInt   @db.UnsignedBigInt
  orders    Order[]

  @@index([name])
  @@map("users")
}

model Order {
  id     BigInt @id @default(autoincrement()) @db.UnsignedBigInt
  userId Int    @map("user_id") @db.UnsignedInt
  total  Float  @db.Float
  note   String @db.MediumText // free text
  user   User   @relation(fields: [userId], references: [id])
}
"""

EXPECTED = """// Shop schema (was MariaDB 10.6)
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql" // switch me
  url      = env("DATABASE_URL")
}

/// A customer
model User {
  id        Int      @id @default(autoincrement()) @db.Integer
  active    Boolean  @default(true) @db.Boolean
  age       Int?     @db.SmallInt
  bio       String?  @db.Text
  avatar    Bytes?   @db.ByteA
  hash      Bytes    @db.ByteA
  flags     Bytes?   @db.Bit(8)
  score     Float    @db.DoublePrecision
  born      Int?     @db.Integer
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamp(0)
  name      String   @db.VarChar(191)
  views     BigInt   @db.BigInt
  orders    Order[]

  @@index([name])
  @@map("users")
}

model Order {
  id     BigInt @id @default(autoincrement()) @db.BigInt
  userId Int    @map("user_id") @db.Integer
  total  Float  @db.Real
  note   String @db.Text // free text
  user   User   @relation(fields: [userId], references: [id])
}
"""


def edited(text: str, edits) -> str:
    return apply(text, [TextEdit(e.start, e.end, e.text) for e in edits])


def test_realistic_schema_is_moved_to_postgresql_byte_for_byte():
    edits = prisma_edits(SCHEMA)
    assert edited(SCHEMA, edits) == EXPECTED
    assert [e.start for e in edits] == sorted(e.start for e in edits)


def test_provider_is_safe_and_native_types_are_review_with_reasons():
    edits = prisma_edits(SCHEMA)
    provider = [e for e in edits if e.rule_id == PROVIDER_RULE]
    assert len(provider) == 1 and provider[0].safety == "safe" and SCHEMA[provider[0].start:provider[0].end] == "mysql"
    native = [e for e in edits if e.rule_id == NATIVE_RULE]
    assert len(native) == 14 and {e.safety for e in native} == {"review"}
    unsigned = next(e for e in native if SCHEMA[e.start:e.end] == "UnsignedInt")
    assert "2147483647" in unsigned.reason and unsigned.text == "Integer"


def test_unsigned_int_on_a_bigint_field_becomes_bigint():
    text = "model T {\n  id BigInt @id @db.UnsignedInt\n}\n"
    assert edited(text, prisma_edits(text)) == "model T {\n  id BigInt @id @db.BigInt\n}\n"


def test_a_schema_already_on_postgresql_keeps_its_provider_and_bit_types():
    text = ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
            "model Flag {\n  id Int @id\n  on Boolean @db.Bit(1)\n  body String @db.Text\n}\n")
    assert prisma_edits(text) == []


def test_types_without_a_postgresql_counterpart_get_no_edit():
    text = "model T {\n  id Int @id\n  bits Bytes @db.Bit(8)\n  set String @db.VarChar(10)\n}\n"
    assert prisma_edits(text) == []


def test_rule_ids_are_the_ids_of_the_prisma_rule_files():
    rules = Path(__file__).resolve().parents[1] / "rules" / "orm"
    assert yaml.safe_load((rules / "prisma-mysql-provider.yaml").read_text())["id"] == PROVIDER_RULE
    assert yaml.safe_load((rules / "prisma-native-type.yaml").read_text())["id"] == NATIVE_RULE
