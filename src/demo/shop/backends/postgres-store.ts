/**
 * The store's routes (products, carts, orders; see services/store.ts) on a real PostgreSQL,
 * through a pg pool. Each record is one jsonb row (schema in postgres-schema.ts, made once
 * before the shop starts).
 *
 * As with the stand-in's HTTP client there are no timeouts here: a frozen database makes a query
 * wait as long as it is frozen. The resilient build's per-attempt timeout, breaker and fallbacks
 * are what keep it answering; the fragile build hangs with the database.
 *
 * A call the caller has given up on (its signal aborted: the resilient build's timeout) gives up
 * its place in the pool's queue too. Without that, every timed-out request of a freeze leaves a
 * query queued behind the frozen connections, and after the database resumes the pool works
 * through that backlog while new requests wait behind it and time out in turn (seen under load).
 * A query already sent runs to its end (the caller has its AbortError at once): the connection it
 * holds is busy until the database answers, then goes back to the pool.
 */
import type { Pool, PoolClient } from 'pg';
import { UpstreamError, type CallOptions, type UpstreamClient, type UpstreamResponse } from '../http/client.js';

/**
 * Connections per service. The shop's queries take a millisecond or so: a few connections carry its
 * load, and each one more is another backend to start (and, in database-outage, to freeze).
 */
export const POOL_SIZE = 4;

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
type Route = (m: RegExpExecArray, body: Record<string, unknown>, q: Query) => Promise<UpstreamResponse>;

export class PostgresStoreClient implements UpstreamClient {
  readonly #pool: Promise<Pool>;
  readonly #routes: [string, RegExp, Route][];

  constructor(
    readonly dependency: string,
    url: string,
  ) {
    this.#pool = import('pg').then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
      pool.on('error', () => undefined); // an idle connection lost (database killed): the next query says so
      // Open the pool's connections now, as the service starts. Opened on demand, each costs a
      // PostgreSQL backend's fork and start in the middle of the run's baseline, and on a busy
      // machine that burst alone outlasted the resilient build's 250 ms timeouts (seen: catalog's
      // breaker opened before any fault). A failure here is the first query's to report.
      void Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('SELECT 1'))).catch(() => undefined);
      return pool;
    });
    this.#routes = [
      ['GET', /^\/health$/, async (_m, _b, q) => ({ status: 200, body: { ok: (await q('SELECT 1 AS ok')).length === 1, service: this.dependency } })],
      ['GET', /^\/products$/, async (_m, _b, q) => ({ status: 200, body: { products: await docs(q, 'SELECT doc FROM products ORDER BY n') } })],
      ['GET', /^\/products\/([^/]+)$/, (m, _b, q) => one(q, 'SELECT doc FROM products WHERE id = $1', m[1]!, 'product')],
      ['GET', /^\/carts\/([^/]+)$/, async (m, _b, q) => {
        const [cart] = await docs(q, 'SELECT doc FROM carts WHERE "user" = $1', [m[1]!]);
        return { status: 200, body: cart ?? { user: m[1]!, items: [] } };
      }],
      ['PUT', /^\/carts\/([^/]+)$/, async (m, body, q) => {
        const cart = { user: m[1]!, items: body.items ?? [] };
        await q('INSERT INTO carts ("user", doc) VALUES ($1, $2) ON CONFLICT ("user") DO UPDATE SET doc = EXCLUDED.doc', [cart.user, cart]);
        return { status: 200, body: cart };
      }],
      ['DELETE', /^\/carts\/([^/]+)$/, async (m, _b, q) => {
        await q('DELETE FROM carts WHERE "user" = $1', [m[1]!]);
        return { status: 204, body: undefined };
      }],
      ['POST', /^\/orders$/, async (_m, body, q) => {
        if (typeof body.id !== 'string' || !body.id) return { status: 400, body: { error: 'an order needs an id' } };
        // Idempotent by id: a retried create finds the order it already made.
        const made = await docs(q, 'INSERT INTO orders (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING doc', [body.id, body]);
        if (made.length) return { status: 201, body: made[0] };
        return one(q, 'SELECT doc FROM orders WHERE id = $1', body.id, 'order');
      }],
      ['GET', /^\/orders\/([^/]+)$/, (m, _b, q) => one(q, 'SELECT doc FROM orders WHERE id = $1', m[1]!, 'order')],
      ['PATCH', /^\/orders\/([^/]+)$/, async (m, body, q) => {
        const patch = { status: body.status, ...(typeof body.chargeId === 'string' ? { chargeId: body.chargeId } : {}) };
        const [updated] = await docs(q, 'UPDATE orders SET doc = doc || $2::jsonb WHERE id = $1 RETURNING doc', [m[1]!, patch]);
        return updated ? { status: 200, body: updated } : { status: 404, body: { error: `no order ${m[1]}` } };
      }],
    ];
  }

  /** Ends the pool's connections (tests; the shop's process just exits). */
  async close(): Promise<void> {
    await (await this.#pool).end();
  }

  async call(path: string, options: CallOptions = {}): Promise<UpstreamResponse> {
    const method = options.method ?? 'GET';
    for (const [verb, pattern, route] of this.#routes) {
      const m = verb === method ? pattern.exec(path) : null;
      if (!m) continue;
      for (let i = 1; i < m.length; i++) m[i] = decodeURIComponent(m[i]!);
      const query: Query = async (sql, params = []) => {
        const client = await checkout(await this.#pool, options.signal);
        const running = client.query(sql, params).finally(() => client.release());
        return ((await untilAborted(running, options.signal)) as { rows: Record<string, unknown>[] }).rows;
      };
      try {
        return await route(m, (options.body ?? {}) as Record<string, unknown>, query);
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err; // the policy reports it as a timeout
        throw new UpstreamError(this.dependency, err instanceof Error ? err.message : String(err));
      }
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  }
}

/** A pooled connection, or an AbortError once `signal` aborts; a connection that comes later goes straight back. */
function checkout(pool: Pool, signal: AbortSignal | undefined): Promise<PoolClient> {
  if (!signal) return pool.connect();
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    pool.connect().then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) client.release();
        else resolve(client);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** `work`'s outcome, or an AbortError as soon as `signal` aborts (`work` goes on; its failure is then nobody's). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortError());
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function abortError(): Error {
  const err = new Error('the caller gave up on the database');
  err.name = 'AbortError';
  return err;
}

async function docs(q: Query, sql: string, params: unknown[] = []): Promise<unknown[]> {
  return (await q(sql, params)).map((r) => r.doc);
}

async function one(q: Query, sql: string, id: string, what: string): Promise<UpstreamResponse> {
  const [doc] = await docs(q, sql, [id]);
  return doc === undefined ? { status: 404, body: { error: `no ${what} ${id}` } } : { status: 200, body: doc };
}
