/**
 * The store's tables on PostgreSQL and the seed catalog, as SQL for `postgres --single` (one
 * statement per line: single-user mode ends a statement at the newline). Idempotent.
 */
import { SEED_PRODUCTS } from '../seed.js';

export function storeSchemaSql(): string {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return [
    'CREATE TABLE IF NOT EXISTS products (id text PRIMARY KEY, n int NOT NULL, doc jsonb NOT NULL);',
    'CREATE TABLE IF NOT EXISTS carts ("user" text PRIMARY KEY, doc jsonb NOT NULL);',
    'CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, doc jsonb NOT NULL);',
    ...SEED_PRODUCTS.map((p, n) => `INSERT INTO products (id, n, doc) VALUES (${literal(p.id)}, ${n}, ${literal(JSON.stringify(p))}) ON CONFLICT (id) DO NOTHING;`),
    '',
  ].join('\n');
}
