/**
 * The fault proxy is transparent to the Redis protocol (RESP) under Redis's own benchmark: a real
 * redis-server behind `faultline proxy`, driven by redis-benchmark and redis-cli. With no toxic
 * every request succeeds (the tool's exit code and stderr, and the server's own INFO counters);
 * with a latency toxic the added latency shows in redis-benchmark's own report.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startProxyCli, type ProxyCli } from '../helpers/proxy-cli.js';
import { TRANSPORTS } from '../proxy/transports.js';
import { redisSkip, startRedis, type RealServer } from '../helpers/real-servers.js';
import { parseRedisBenchmarkCsv, runTool, show, type RedisBenchRow } from './bench-tools.js';

const skip = redisSkip();

/** INFO stats counters, read with redis-cli through `port`. */
async function stats(port: number): Promise<{ commands: number; errors: number }> {
  const r = await runTool('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'INFO', 'stats']);
  assert.equal(r.code, 0, show(r));
  const field = (name: string) => {
    const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(r.stdout);
    assert.ok(m, `redis INFO stats: expected a ${name} field\n${show(r)}`);
    return Number(m[1]);
  };
  return { commands: field('total_commands_processed'), errors: field('total_error_replies') };
}

/** redis-benchmark's SET and GET through `port`; asserts it reported success, returns its rows. */
async function benchmark(port: number, requests: number, clients: number, pipeline: number): Promise<RedisBenchRow[]> {
  const r = await runTool('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', String(clients), '-P', String(pipeline), '-t', 'set,get', '-q', '--csv']);
  // redis-benchmark exits 1 with "Error: ..." on stderr when a connection breaks or a reply is an error.
  assert.equal(r.code, 0, `redis-benchmark should exit 0\n${show(r)}`);
  assert.doesNotMatch(r.stderr, /error/i, show(r));
  const rows = parseRedisBenchmarkCsv(r.stdout);
  assert.deepEqual(rows.map((row) => row.test), ['SET', 'GET'], show(r));
  for (const row of rows) assert.ok(row.rps > 0, `${row.test}: expected a positive rps\n${show(r)}`);
  return rows;
}

for (const { transport, skip: transportSkip } of TRANSPORTS) {
  describe(`redis-benchmark through faultline proxy (${transport} transport)`, { skip: skip ?? transportSkip, timeout: 120_000 }, () => {
    let redis: RealServer;
    let proxy: ProxyCli;
    let port: number;

    before(async () => {
      redis = await startRedis();
      proxy = await startProxyCli(transport);
      assert.match(proxy.output(), new RegExp(`proxy transport: ${transport}\\b`), proxy.output());
      port = await proxy.createProxy('redis', `127.0.0.1:${redis.port}`);
    });
    after(async () => {
      await proxy?.stop();
      await redis?.stop();
    });

    it('with no toxic, every request succeeds, plain and pipelined, and the server counts them all', async (t) => {
      const start = await stats(port);
      t.diagnostic(`-P 1: ${JSON.stringify(await benchmark(port, 5000, 20, 1))}`);
      t.diagnostic(`-P 16: ${JSON.stringify(await benchmark(port, 20_000, 20, 16))}`);
      const end = await stats(port);
      const sent = 2 * 5000 + 2 * 20_000;
      assert.ok(end.commands - start.commands >= sent, `the server processed ${end.commands - start.commands} commands, expected at least the ${sent} sent`);
      assert.equal(end.errors - start.errors, 0, 'the server answered errors');
    });

    it('redis-cli round-trips a 1 MiB binary value through the proxy', async () => {
      const value = randomBytes(1024 * 1024);
      const set = await runTool('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '-x', 'SET', 'faultline:blob'], value);
      assert.equal(set.stdout.trim(), 'OK', show(set));
      // Not a terminal: redis-cli prints the raw value and a newline.
      const get = await runTool('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'GET', 'faultline:blob']);
      assert.equal(get.code, 0, show({ ...get, stdout: '' }));
      assert.ok(Buffer.from(get.stdout, 'latin1').equals(Buffer.concat([value, Buffer.from('\n')])), `GET through the proxy returned ${get.stdout.length} bytes that differ from the ${value.length + 1} expected`);
    });

    it('a 20 ms latency toxic shows in redis-benchmark\'s own latencies and throughput', async (t) => {
      const latency = 20;
      const clients = 20;
      await proxy.addToxic('redis', { name: 'slow', type: 'latency', stream: 'downstream', attributes: { latency } });
      try {
        for (const pipeline of [1, 16]) {
          const rows = await benchmark(port, pipeline === 1 ? 1000 : 8000, clients, pipeline);
          t.diagnostic(`-P ${pipeline} with the toxic: ${JSON.stringify(rows)}`);
          for (const row of rows) {
            const at = `${row.test} with -c ${clients} -P ${pipeline}: ${JSON.stringify(row)}`;
            assert.ok(row.p50 >= latency, `${at}: the p50 should be at least the toxic's ${latency} ms`);
            // Each client has at most `pipeline` requests in flight, each waiting the toxic's latency.
            const ceiling = ((clients * pipeline) / (latency / 1000)) * 1.1;
            assert.ok(row.rps <= ceiling, `${at}: rps should be at most ${ceiling.toFixed(0)} with ${latency} ms per round trip`);
          }
        }
      } finally {
        await proxy.removeToxic('redis', 'slow');
      }
    });
  });
}
