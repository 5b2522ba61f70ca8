/**
 * The load on worker threads (src/load/worker-pool.ts): real worker threads against real servers on
 * port 0. The figures merged from the workers must equal what one recorder would have seen, and
 * what the server counted; the open model's schedule split across workers must be the one schedule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BuiltinLoad } from '../../src/load/engine.js';
import { startLoad } from '../../src/load/start-load.js';
import { shareOf } from '../../src/load/worker-pool.js';
import { closedPort, startHoldingServer, startServer, type CountingServer } from './servers.js';
import { request, spec } from './spec-helpers.js';

describe('load on worker threads', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer((req, res) => res.writeHead(req.url === '/bad' ? 503 : 200).end('ok'));
  });
  after(() => srv.close());

  it('closed model: the merged counts are the sums, and what the server received', async () => {
    const start = srv.count;
    const socketsBefore = srv.sockets;
    const buckets: number[] = [];
    const run = startLoad(spec(srv.url, { workers: 2, connections: 5, durationMs: 1200, intervalMs: 200, requests: [request('/', { weight: 3 }), request('/bad')] }), { onBucket: (b) => buckets.push(b.requests) });
    let ended = false;
    void run.ended.then(() => (ended = true));
    while (srv.count - start < 20 && !ended) await new Promise((r) => setTimeout(r, 10));
    run.mark('chaos');
    await run.ended;
    const record = await run.stop();
    const totals = run.totals()!;
    assert.equal(record.error, undefined);
    const received = srv.count - start;
    assert.ok(received > 0);
    assert.equal(totals.requests, received, 'every request the server received, counted once');
    assert.equal(totals.sent, received);
    assert.equal(totals.cutOff, 0);
    assert.equal((totals.statusCodes['200'] ?? 0) + (totals.statusCodes['503'] ?? 0), received);
    assert.equal(totals.errors, totals.statusCodes['503']);
    // Each worker sends the mix in its own order: 3:1 per worker, so 3:1 overall within a cycle per worker.
    assert.ok(Math.abs(totals.statusCodes['503']! - received / 4) <= 2, `503s ${totals.statusCodes['503']} of ${received}`);
    assert.equal(buckets.reduce((a, b) => a + b, 0), received, 'the per-bucket series adds up to the total');
    assert.deepEqual(record.phases.map((p) => p.phase), ['baseline', 'chaos']);
    assert.equal(record.phases.reduce((n, p) => n + p.requests, 0), received, 'the phases add up to the total');
    assert.ok(record.phases[0]!.requests > 0 && record.phases[1]!.requests > 0);
    assert.equal(srv.sockets - socketsBefore, 5, 'the connections are split across the workers, not multiplied');
    assert.ok(totals.latencyMs !== null && totals.latencyMs.p50 > 0);
  });

  it('splits connections across workers, the remainder to the first', () => {
    const s = spec(srv.url, { connections: 7, workers: 3 });
    assert.deepEqual([0, 1, 2].map((i) => shareOf(s, i, 3).connections), [3, 2, 2]);
  });

  it("open model: the workers' schedules interleave into the one schedule", async () => {
    // Two shards in this thread against a server that answers nothing: each has one connection
    // (one request in flight) and queues the rest, so their backlogs hold their intended times.
    const holding = await startHoldingServer();
    try {
      const startPerf = performance.now();
      const rate = 100;
      const shards = [0, 1].map((index) => new BuiltinLoad(spec(holding.url, { rate, connections: 1, durationMs: 10_000 }), {}, { index, count: 2, startPerf }));
      await new Promise((r) => setTimeout(r, 400));
      const times = shards.flatMap((s) => s.outstanding()).sort((a, b) => a - b);
      await Promise.all(shards.map((s) => s.stop()));
      assert.ok(times.length >= 20, `${times.length} requests due`);
      // Every 10 ms from the start, each index exactly once: i/rate for i = 0, 1, 2 …
      times.forEach((t, i) => assert.ok(Math.abs(t - startPerf - i * (1000 / rate)) < 1e-6, `request ${i} due at ${t - startPerf} ms`));
      const [a, b] = shards.map((s) => s.outstanding());
      assert.equal(a!.length, 0, 'stopped: nothing outstanding');
      assert.equal(b!.length, 0);
    } finally {
      await holding.close();
    }
  });

  it('open model on 2 workers: rate × duration requests, every one received once', async () => {
    const start = srv.count;
    const run = startLoad(spec(srv.url, { workers: 2, rate: 200, connections: 64, durationMs: 1500 }));
    await run.ended;
    const record = await run.stop();
    const totals = run.totals()!;
    assert.equal(record.error, undefined);
    assert.equal(totals.requests, 300, 'the schedule holds rate × duration requests, split between the workers');
    assert.equal(totals.sent + totals.notSent, 300);
    assert.equal(srv.count - start, totals.sent, 'the server received every request sent, once');
    assert.ok(totals.sent >= 270, `sent ${totals.sent} of 300 (a busy machine may leave a few unsent at the end)`);
    assert.equal(record.requestedRate, 200);
    assert.ok(record.achievedRate! > 150 && record.achievedRate! <= 201, `achieved ${record.achievedRate}/s`);
  });

  it('open model on 2 workers: a 1 s stall shows in the percentiles (latency from the intended send time)', async () => {
    // Requests that arrive between 300 ms and 1.3 s after the first one are answered at 1.3 s.
    let first = 0;
    const stalling = await startServer((_req, res) => {
      const now = Date.now();
      first ||= now;
      const t = now - first;
      if (t >= 300 && t < 1300) setTimeout(() => res.end('ok'), 1300 - t);
      else res.end('ok');
    });
    try {
      // One connection per worker: the requests due during the stall queue behind the held ones.
      const run = startLoad(spec(stalling.url, { workers: 2, rate: 100, connections: 2, durationMs: 2000 }));
      await run.ended;
      const record = await run.stop();
      const totals = run.totals()!;
      assert.equal(record.error, undefined);
      assert.equal(totals.requests, 200);
      // About half the requests were due during the stall; they waited up to ~1 s for its end. A
      // generator measuring from the actual send would see a few ms here.
      assert.ok(totals.latencyMs!.p99 >= 700, `p99 ${totals.latencyMs!.p99} ms`);
      assert.ok(totals.latencyMs!.p90 >= 400, `p90 ${totals.latencyMs!.p90} ms`);
      assert.ok(record.lateRequests! >= 50, `${record.lateRequests} late`);
    } finally {
      await stalling.close();
    }
  });

  it('abort ends every worker promptly, and stop() returns the figures', async () => {
    const start = srv.count;
    const controller = new AbortController();
    const run = startLoad(spec(srv.url, { workers: 2, connections: 4, durationMs: 60_000 }), { signal: controller.signal });
    const deadline = Date.now() + 30_000;
    while (srv.count - start < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(srv.count - start >= 50, 'the load is running');
    const t0 = performance.now();
    controller.abort();
    await run.ended;
    const record = await run.stop();
    const took = performance.now() - t0;
    assert.ok(took < 10_000, `stopped after ${Math.round(took)} ms`);
    assert.equal(record.error, undefined);
    const received = srv.count - start;
    assert.equal(run.totals()!.requests, received);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(srv.count - start, received, 'nothing is sent after stop()');
  });

  it('a worker that throws fails the run with an error naming it, and does not hang', async () => {
    const run = startLoad(spec(srv.url, { workers: 2, connections: 2, durationMs: 60_000, requests: [] }));
    await run.ended;
    const record = await run.stop();
    assert.match(record.error ?? '', /^load worker [12] of 2 failed: a load needs at least one request/);
  });

  it('an unreachable URL ends the load with an error, as with one thread', async () => {
    const run = startLoad(spec(`http://127.0.0.1:${await closedPort()}/`, { workers: 2, connections: 4, durationMs: 60_000 }));
    await run.ended;
    const record = await run.stop();
    assert.match(record.error ?? '', /^cannot reach http:\/\/127\.0\.0\.1:\d+\/: connection refused/);
  });

  it('live figures: progress and recent() come from the workers while the load runs', async () => {
    const run = startLoad(spec(srv.url, { workers: 2, rate: 100, connections: 8, durationMs: 60_000 }), { keepRecentMs: 5000 });
    try {
      const deadline = Date.now() + 20_000;
      while (run.progress().requests < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(run.progress().requests >= 20, `progress ${run.progress().requests}`);
      const recent = run.recent!(5000);
      assert.ok(recent.requests >= 20 && recent.p95Ms !== null);
      run.mark('chaos');
      assert.equal(run.progress().phase, 'chaos');
    } finally {
      await run.stop();
    }
  });
});
