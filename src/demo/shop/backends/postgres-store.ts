/**
 * The store's routes (products, carts, orders; see services/store.ts) on a real PostgreSQL,
 * through a pg pool. Each record is one jsonb row (schema in postgres-schema.ts, made once
 * before the shop starts).
 *
 * As with the stand-in's HTTP client there are no timeouts here: a frozen database makes a query
 * wait as long as it is frozen. The resilient build's per-attempt timeout, breaker and fallbacks
 * are what keep it answering; the fragile build hangs with the database.
 */
import type { Pool } from 'pg';
import { UpstreamError, type CallOptions, type UpstreamClient, type UpstreamResponse } from '../http/client.js';

type Route = (m: RegExpExecArray, body: Record<string, unknown>) => Promise<UpstreamResponse>;

export class PostgresStoreClient implements UpstreamClient {
  readonly #pool: Promise<Pool>;
  readonly #routes: [string, RegExp, Route][];

  constructor(
    readonly dependency: string,
    url: string,
  ) {
    this.#pool = import('pg').then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: url, max: 16 });
      pool.on('error', () => undefined); // an idle connection lost (database killed): the next query says so
      return pool;
    });
    this.#routes = [
      ['GET', /^\/health$/, async () => ({ status: 200, body: { ok: (await this.#rows('SELECT 1 AS ok')).length === 1, service: this.dependency } })],
      ['GET', /^\/products$/, async () => ({ status: 200, body: { products: await this.#docs('SELECT doc FROM products ORDER BY n') } })],
      ['GET', /^\/products\/([^/]+)$/, (m) => this.#one('SELECT doc FROM products WHERE id = $1', m[1]!, 'product')],
      ['GET', /^\/carts\/([^/]+)$/, async (m) => {
        const [cart] = await this.#docs('SELECT doc FROM carts WHERE "user" = $1', [m[1]!]);
        return { status: 200, body: cart ?? { user: m[1]!, items: [] } };
      }],
      ['PUT', /^\/carts\/([^/]+)$/, async (m, body) => {
        const cart = { user: m[1]!, items: body.items ?? [] };
        await this.#rows('INSERT INTO carts ("user", doc) VALUES ($1, $2) ON CONFLICT ("user") DO UPDATE SET doc = EXCLUDED.doc', [cart.user, cart]);
        return { status: 200, body: cart };
      }],
      ['DELETE', /^\/carts\/([^/]+)$/, async (m) => {
        await this.#rows('DELETE FROM carts WHERE "user" = $1', [m[1]!]);
        return { status: 204, body: undefined };
      }],
      ['POST', /^\/orders$/, async (_m, body) => {
        if (typeof body.id !== 'string' || !body.id) return { status: 400, body: { error: 'an order needs an id' } };
        // Idempotent by id: a retried create finds the order it already made.
        const made = await this.#docs('INSERT INTO orders (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING doc', [body.id, body]);
        if (made.length) return { status: 201, body: made[0] };
        return this.#one('SELECT doc FROM orders WHERE id = $1', body.id, 'order');
      }],
      ['GET', /^\/orders\/([^/]+)$/, (m) => this.#one('SELECT doc FROM orders WHERE id = $1', m[1]!, 'order')],
      ['PATCH', /^\/orders\/([^/]+)$/, async (m, body) => {
        const patch = { status: body.status, ...(typeof body.chargeId === 'string' ? { chargeId: body.chargeId } : {}) };
        const [updated] = await this.#docs('UPDATE orders SET doc = doc || $2::jsonb WHERE id = $1 RETURNING doc', [m[1]!, patch]);
        return updated ? { status: 200, body: updated } : { status: 404, body: { error: `no order ${m[1]}` } };
      }],
    ];
  }

  async call(path: string, options: CallOptions = {}): Promise<UpstreamResponse> {
    const method = options.method ?? 'GET';
    for (const [verb, pattern, route] of this.#routes) {
      const m = verb === method ? pattern.exec(path) : null;
      if (!m) continue;
      for (let i = 1; i < m.length; i++) m[i] = decodeURIComponent(m[i]!);
      try {
        return await route(m, (options.body ?? {}) as Record<string, unknown>);
      } catch (err) {
        throw new UpstreamError(this.dependency, err instanceof Error ? err.message : String(err));
      }
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  }

  async #rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await (await this.#pool).query(sql, params)).rows as Record<string, unknown>[];
  }

  async #docs(sql: string, params: unknown[] = []): Promise<unknown[]> {
    return (await this.#rows(sql, params)).map((r) => r.doc);
  }

  async #one(sql: string, id: string, what: string): Promise<UpstreamResponse> {
    const [doc] = await this.#docs(sql, [id]);
    return doc === undefined ? { status: 404, body: { error: `no ${what} ${id}` } } : { status: 200, body: doc };
  }
}
