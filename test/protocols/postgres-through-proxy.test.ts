/**
 * The fault proxy is transparent to the PostgreSQL wire protocol under PostgreSQL's own
 * benchmark: a real postgres behind `faultline proxy`, loaded (`pgbench -i`, COPY) and driven
 * (`pgbench`, simple and prepared protocol) through it. With no toxic every transaction is
 * processed (pgbench's report, and the rows each one inserts in pgbench_history); with a latency
 * toxic the added round trips show in pgbench's own `latency average`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startProxyCli, type ProxyCli } from '../helpers/proxy-cli.js';
import { TRANSPORTS } from '../proxy/transports.js';
import { postgresSkip, startPostgres, type PostgresServer } from '../helpers/real-servers.js';
import { parsePgbench, runTool, show, type PgbenchSummary } from './bench-tools.js';

const skip = postgresSkip();

/**
 * Round trips of one transaction of pgbench's built-in TPC-B script: BEGIN, three UPDATEs, a
 * SELECT, an INSERT and END, each sent and answered before the next.
 */
const ROUND_TRIPS_PER_TRANSACTION = 7;

describe('pgbench through faultline proxy', { skip, timeout: 180_000 }, () => {
  let pg: PostgresServer;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());

  const conn = (p: number) => ['-h', '127.0.0.1', '-p', String(p), '-U', 'postgres'];

  /** One number from a query, through `p`. */
  async function scalar(p: number, sql: string): Promise<number> {
    const r = await runTool(join(pg.binDir, 'psql'), [...conn(p), '-d', 'postgres', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    assert.equal(r.code, 0, show(r));
    const n = Number(r.stdout.trim());
    assert.ok(Number.isFinite(n), `psql ${sql}: expected a number\n${show(r)}`);
    return n;
  }

  /** pgbench -t `perClient` with 4 clients on 2 threads through `port`; asserts every transaction was processed. */
  async function bench(port: number, perClient: number, extra: string[] = []): Promise<PgbenchSummary> {
    const history = await scalar(pg.port, 'SELECT count(*) FROM pgbench_history');
    // -n: no VACUUM first, which would also truncate pgbench_history, the count checked below.
    const r = await runTool(join(pg.binDir, 'pgbench'), [...conn(port), '-n', '-c', '4', '-j', '2', '-t', String(perClient), ...extra, 'postgres']);
    assert.equal(r.code, 0, `pgbench should exit 0\n${show(r)}`);
    const summary = parsePgbench(r.stdout);
    const expected = 4 * perClient;
    assert.equal(summary.failed, 0, `pgbench reported failed transactions\n${show(r)}`);
    assert.equal(summary.processed, expected, `pgbench processed ${summary.processed} of ${expected}\n${show(r)}`);
    assert.equal(summary.expected, expected, show(r));
    // Each TPC-B transaction inserts one history row: the server saw every one commit.
    assert.equal((await scalar(pg.port, 'SELECT count(*) FROM pgbench_history')) - history, expected, 'rows pgbench_history gained');
    return summary;
  }

  for (const { transport, skip: transportSkip } of TRANSPORTS) {
    describe(`on the ${transport} transport`, { skip: transportSkip }, () => {
      let proxy: ProxyCli;
      let port: number;
      before(async () => {
        proxy = await startProxyCli(transport);
        assert.match(proxy.output(), new RegExp(`proxy transport: ${transport}\\b`), proxy.output());
        port = await proxy.createProxy('pg', `127.0.0.1:${pg.port}`);
      });
      after(() => proxy?.stop());

      it('pgbench -i -s 1 loads its tables through the proxy (COPY of 100000 rows)', async () => {
        const r = await runTool(join(pg.binDir, 'pgbench'), [...conn(port), '-i', '-s', '1', 'postgres']);
        assert.equal(r.code, 0, `pgbench -i should exit 0\n${show(r)}`);
        assert.match(r.stderr, /^done in /m, show(r));
        assert.equal(await scalar(port, 'SELECT count(*) FROM pgbench_accounts'), 100_000);
      });

      it('with no toxic, every transaction is processed, with the simple and the prepared protocol', async (t) => {
        t.diagnostic(`simple: ${JSON.stringify(await bench(port, 250))}`);
        t.diagnostic(`prepared: ${JSON.stringify(await bench(port, 100, ['-M', 'prepared']))}`);
      });

      it('a 10 ms latency toxic shows in pgbench\'s own latency average: at least 7 round trips of it per transaction', async (t) => {
        const latency = 10;
        await proxy.addToxic('pg', { name: 'slow', type: 'latency', stream: 'downstream', attributes: { latency } });
        try {
          const s = await bench(port, 10);
          t.diagnostic(`with the toxic: ${JSON.stringify(s)}`);
          const floor = ROUND_TRIPS_PER_TRANSACTION * latency;
          assert.ok(s.latencyAvg >= floor, `pgbench's latency average ${s.latencyAvg} ms should be at least ${floor} ms (${ROUND_TRIPS_PER_TRANSACTION} round trips × ${latency} ms): ${JSON.stringify(s)}`);
          const ceiling = (4 / (floor / 1000)) * 1.1;
          assert.ok(s.tps <= ceiling, `pgbench's tps ${s.tps} should be at most ${ceiling.toFixed(1)} (4 clients, ${floor} ms per transaction): ${JSON.stringify(s)}`);
        } finally {
          await proxy.removeToxic('pg', 'slow');
        }
      });
    });
  }
});
