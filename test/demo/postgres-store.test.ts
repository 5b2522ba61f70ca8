// The demo store's PostgreSQL client on a real PostgreSQL: a call whose caller gave up (its signal
// aborted, as the resilient build's timeout does) leaves no query queued behind a blocked
// database, so a database that comes back is not buried under the backlog of a freeze.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { POOL_SIZE, PostgresStoreClient } from '../../src/demo/shop/backends/postgres-store.js';
import { postgresSkip, startPostgres, type PostgresServer } from '../helpers/real-servers.js';
import { waitFor } from '../helpers/wait.js';

const SKIP = postgresSkip();
let server: PostgresServer;
let admin: pg.Client;
let watcher: pg.Client;
let url: string;

before(async () => {
  if (SKIP) return;
  server = await startPostgres();
  url = `postgres://${server.user}@127.0.0.1:${server.port}/postgres`;
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  await admin.query('CREATE TABLE carts ("user" text PRIMARY KEY, doc jsonb NOT NULL)');
});
after(async () => {
  await admin?.end();
  await watcher?.end();
  await server?.stop();
});

test('a call given up while the database is blocked rejects at once and never reaches it; the ones already sent finish later', { skip: SKIP }, async () => {
  const store = new PostgresStoreClient('store', url);
  await store.call('/carts/warm', { method: 'PUT', body: { items: [] } }); // the pool is up
  // Block every write to carts, as a frozen database would: a lock held by another session.
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE carts IN ACCESS EXCLUSIVE MODE');
  const given = 100;
  const calls = Array.from({ length: given }, (_, i) => {
    const ac = new AbortController();
    const call = store.call(`/carts/u${i}`, { method: 'PUT', body: { items: [i] }, signal: ac.signal });
    return { ac, settled: call.then(() => 'ok', (err: Error) => err.name) };
  });
  // Wait until the pool's connections are all taken by blocked queries, then give up on every call.
  // (Watched from its own session: inside the locking transaction the activity view is a snapshot.)
  const blocked = async () => (await watcher.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).rows[0]!.n;
  assert.ok(await waitFor(async () => (await blocked()) >= POOL_SIZE, { timeoutMs: 15_000 }), 'the pool filled up with blocked queries');
  for (const c of calls) c.ac.abort();
  let outcomes: string[] | 'pending';
  try {
    // At once, while the lock is still held: not one of them waits for the database.
    outcomes = await Promise.race([Promise.all(calls.map((c) => c.settled)), sleep(10_000).then(() => 'pending' as const)]);
  } finally {
    await admin.query('COMMIT');
  }
  if (outcomes === 'pending') assert.fail('every call given up settles while the database is still blocked');
  assert.ok(outcomes.every((o) => o === 'AbortError'), `every call given up rejects as an AbortError (the policy's timeout): ${[...new Set(outcomes)].join(', ')}`);

  // As many calls at once as the pool has connections can only all finish once every connection is
  // free again: by then every query ever sent has run.
  await Promise.all(Array.from({ length: POOL_SIZE }, (_, i) => store.call(`/carts/after${i}`, { method: 'PUT', body: { items: [] } })));
  const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM carts WHERE "user" LIKE 'u%'`);
  // At most one query per pooled connection was sent before the lock let go.
  assert.ok(rows[0]!.n <= POOL_SIZE, `${rows[0]!.n} of the ${given} given-up writes reached the database`);
  assert.ok(rows[0]!.n >= 1, 'the writes already sent when the caller gave up still ran');
  await store.close();
});
