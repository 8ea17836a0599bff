"""Generate a large, realistic TypeScript codebase for the speed benchmarks.

    python benchmarks/corpus.py DEST [--files 3000] [--lines 300] [--seed 0]

An Express + mysql2 service of the shape the seed migration plans describe: one `lib/db.ts`
wrapper around a mysql2 pool, repositories that send MySQL through it (about one file in ten,
with MySQL-only constructs the catalogue flags), routers mounting handlers that call services,
and the bulk of any real codebase: services, validators, mappers, types and utilities with no
SQL at all. Deterministic for a given seed, so runs compare.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

DB = """import mysql from 'mysql2/promise';

const pool = mysql.createPool({
  host: process.env.DB_HOST ?? '127.0.0.1',
  user: process.env.DB_USER ?? 'app',
  database: process.env.DB_NAME ?? 'app',
  connectionLimit: 10,
});

export async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await pool.query(sql, params);
  return rows as T[];
}

export async function one<T = any>(sql: string, params: unknown[] = []): Promise<T | null> {
  const rows = await query<T>(sql, params);
  return rows.length ? rows[0] : null;
}

export async function execute(sql: string, params: unknown[] = []): Promise<number> {
  const [result]: any = await pool.execute(sql, params);
  return result.insertId ?? result.affectedRows;
}
"""

# SQL a repository sends: MySQL-only constructs mixed with portable statements.
QUERIES = [
    "SELECT id, name, created_at FROM {t} WHERE id = ?",
    "SELECT * FROM `{t}` WHERE owner_id = ? ORDER BY created_at DESC LIMIT ?, ?",
    "SELECT COUNT(*) AS total FROM {t} WHERE status = ?",
    "INSERT INTO {t} (owner_id, name, status) VALUES (?, ?, 'active') ON DUPLICATE KEY UPDATE name = VALUES(name)",
    "UPDATE {t} SET status = ?, updated_at = NOW() WHERE id = ?",
    "SELECT DATE_FORMAT(created_at, '%Y-%m') AS month, COUNT(*) AS n FROM {t} GROUP BY month",
    "SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') AS names FROM {t} WHERE owner_id = ?",
    "DELETE FROM {t} WHERE id = ?",
    "SELECT IFNULL(SUM(amount), 0) AS amount FROM {t} WHERE created_at >= DATE_SUB(NOW(), INTERVAL 7 DAY)",
    "SELECT id, name FROM {t} WHERE name LIKE ? LIMIT 20",
]
ENTITIES = ["user", "order", "invoice", "product", "account", "session", "ticket", "shipment", "coupon",
            "review", "payment", "subscription", "team", "project", "comment", "message", "report", "device"]
VERBS = ["load", "build", "compute", "resolve", "format", "normalize", "validate", "merge", "collect", "render"]


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _helper(rng: random.Random, entity: str, n: int) -> str:
    """A non-SQL function of ordinary business logic (about 20 lines)."""
    verb = rng.choice(VERBS)
    e = _cap(entity)
    return f"""
export function {verb}{e}{n}(input: {e}Input, options: Options = {{}}): {e}Result {{
  const items = (input.items ?? []).filter((item) => item.enabled !== false);
  const total = items.reduce((sum, item) => sum + item.quantity * item.price, 0);
  const label = `${{input.name ?? 'unnamed'}} (${{items.length}} items)`;
  if (options.strict && total < 0) {{
    throw new ValidationError(`negative total for ${{input.id}}`, {{ field: 'total' }});
  }}
  const tags = new Set<string>(items.flatMap((item) => item.tags ?? []));
  const byKind: Record<string, number> = {{}};
  for (const item of items) {{
    byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
  }}
  const result: {e}Result = {{
    id: input.id,
    label,
    total: Math.round(total * 100) / 100,
    tags: [...tags].sort(),
    byKind,
    updatedAt: new Date(options.now ?? Date.now()).toISOString(),
  }};
  return options.transform ? options.transform(result) : result;
}}
"""


def _types(entity: str) -> str:
    e = _cap(entity)
    return f"""
export interface {e}Input {{
  id: number;
  name?: string;
  items?: Array<{{ kind: string; quantity: number; price: number; enabled?: boolean; tags?: string[] }}>;
}}

export interface {e}Result {{
  id: number;
  label: string;
  total: number;
  tags: string[];
  byKind: Record<string, number>;
  updatedAt: string;
}}

export interface Options {{
  strict?: boolean;
  now?: number;
  transform?: <T>(value: T) => T;
}}

export class ValidationError extends Error {{
  constructor(message: string, public readonly details: Record<string, unknown> = {{}}) {{
    super(message);
    this.name = 'ValidationError';
  }}
}}
"""


def _repository(rng: random.Random, entity: str, index: int) -> str:
    table = f"{entity}s"
    parts = ["import { query, one, execute } from '../lib/db';\n", _types(entity)]
    for n, sql in enumerate(rng.sample(QUERIES, 5)):
        text = sql.format(t=table)
        call = "execute" if text.startswith(("INSERT", "UPDATE", "DELETE")) else "query"
        parts.append(f"""
export async function {entity}Query{index}_{n}(...params: unknown[]) {{
  const rows = await {call}(`{text}`, params);
  return rows;
}}
""")
    return "".join(parts)


def _router(entity: str, index: int, repo: str | None) -> str:
    e = _cap(entity)
    use = f"import * as repo from '../repositories/{repo}';\n" if repo else ""
    call = f"await repo.{repo.replace('_', 'Query')}_0(req.params.id)" if repo else "[]"
    return f"""import {{ Router }} from 'express';
{use}
export const router{index} = Router();

router{index}.get('/{entity}s/:id', async (req, res, next) => {{
  try {{
    const rows = {call};
    res.json({{ data: rows, page: Number(req.query.page ?? 1) }});
  }} catch (error) {{
    next(error);
  }}
}});

router{index}.post('/{entity}s', async (req, res) => {{
  const body = req.body as Partial<{{ name: string }}>;
  if (!body.name) {{
    res.status(400).json({{ error: '{e} name is required' }});
    return;
  }}
  res.status(201).json({{ ok: true }});
}});
"""


def generate(dest: Path, files: int = 3000, lines: int = 300, seed: int = 0) -> tuple[int, int]:
    """Write the codebase under `dest`; return (files, lines) written."""
    rng = random.Random(seed)
    (dest / "lib").mkdir(parents=True, exist_ok=True)
    (dest / "lib" / "db.ts").write_text(DB, encoding="utf-8")
    (dest / "package.json").write_text('{"name": "bench-app", "dependencies": {"express": "^4.19.2", '
                                       '"mysql2": "^3.9.7"}}\n', encoding="utf-8")
    written, total = 2, DB.count("\n")
    repos: list[str] = []
    for i in range(files - 2):
        entity = rng.choice(ENTITIES)
        kind = rng.random()
        if kind < 0.10:
            folder, name = "repositories", f"{entity}_{i}"
            body = _repository(rng, entity, i)
            repos.append(name)
        elif kind < 0.15:
            folder, name = "routes", f"{entity}Routes{i}"
            body = _router(entity, i, rng.choice(repos) if repos else None)
        else:
            folder, name = rng.choice(["services", "utils", "validators", "mappers"]), f"{entity}{_cap(rng.choice(VERBS))}{i}"
            body = _types(entity)
        n = 0
        while body.count("\n") < lines:
            body += _helper(rng, entity, n)
            n += 1
        path = dest / folder / f"{name}.ts"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written += 1
        total += body.count("\n")
    return written, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--lines", type=int, default=300, help="about this many lines per file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files, lines = generate(args.dest, args.files, args.lines, args.seed)
    print(f"{files} files, {lines} lines under {args.dest}")


if __name__ == "__main__":
    main()
