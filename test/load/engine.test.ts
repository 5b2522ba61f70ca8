import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLoad } from '../../src/load/start-load.js';
import { sleep } from '../../src/util/sleep.js';
import { closedPort, startServer, startStallServer, type CountingServer } from './servers.js';
import { request, spec } from './spec-helpers.js';

describe('built-in load: closed model', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer((req, res, body) => {
      if (req.url === '/err') return void res.writeHead(500).end('no');
      if (req.url === '/missing') return void res.writeHead(404).end('no');
      if (req.url?.startsWith('/delay')) return void setTimeout(() => res.end('late'), Number(new URL(req.url, 'http://x').searchParams.get('ms')));
      if (req.url === '/echo') return void res.end(JSON.stringify({ method: req.method, header: req.headers['x-load'], body }));
      res.end('ok');
    });
  });
  after(() => srv.close());

  it('counts exactly the requests the server received', async () => {
    const start = srv.count;
    const run = startLoad(spec(srv.url, { connections: 4, durationMs: 400 }));
    await run.ended;
    const record = await run.stop();
    const received = srv.count - start;
    assert.equal(record.tool, 'builtin');
    assert.equal(record.error, undefined);
    assert.equal(record.phases.length, 1);
    const [phase] = record.phases;
    assert.ok(received > 0, 'no requests');
    assert.equal(phase!.requests, received);
    assert.equal(phase!.errors, 0);
    assert.deepEqual(phase!.statusCodes, { '200': received });
    assert.equal(record.buckets.reduce((n, b) => n + b.requests, 0), received);
    assert.equal(run.totals()!.sent, received);
    assert.ok(phase!.latencyMs!.p50 > 0 && phase!.latencyMs!.p50 <= phase!.latencyMs!.p99);
    assert.equal(record.requestedRate, undefined);
    assert.ok(record.achievedRate! > 0);
  });

  it('measures latency against a server with a known delay', async () => {
    const run = startLoad(spec(srv.url, { connections: 3, durationMs: 700, requests: [request('/delay?ms=50')] }));
    await run.ended;
    const { phases } = await run.stop();
    const l = phases[0]!.latencyMs!;
    // Never below the server's 50 ms; on a busy machine timers may add some, never 100 ms at the median.
    assert.ok(l.p50 >= 49.5 && l.p50 < 150, `p50 ${l.p50}`);
    assert.ok(l.p99 >= l.p50 && l.max >= 49.5, JSON.stringify(l));
    assert.ok(phases[0]!.requests >= 3, `${phases[0]!.requests} requests`);
  });

  it('tells fast and slow requests apart in the percentiles', async () => {
    const run = startLoad(spec(srv.url, { connections: 4, durationMs: 800, requests: [request('/', { weight: 9 }), request('/delay?ms=100')] }));
    await run.ended;
    const l = (await run.stop()).phases[0]!.latencyMs!;
    assert.ok(l.p50 < 60, `p50 ${l.p50}`);
    assert.ok(l.max >= 99.5, `max ${l.max}`);
  });

  it('pipelines requests on few connections', async () => {
    const start = srv.count;
    const sockets = srv.sockets;
    const run = startLoad(spec(srv.url, { connections: 2, pipelining: 8, durationMs: 300 }));
    await run.ended;
    const record = await run.stop();
    assert.equal(record.phases[0]!.requests, srv.count - start);
    assert.equal(record.phases[0]!.errors, 0);
    assert.ok(srv.sockets - sockets <= 2, `${srv.sockets - sockets} connections`);
  });

  it('sends the mix in the proportions of its weights', async () => {
    const a = srv.byPath.get('/a') ?? 0;
    const b = srv.byPath.get('/b') ?? 0;
    const run = startLoad(spec(srv.url, { connections: 3, durationMs: 600, requests: [request('/a', { weight: 3 }), request('/b', { weight: 1 })] }));
    await run.ended;
    await run.stop();
    const sentA = (srv.byPath.get('/a') ?? 0) - a;
    const sentB = (srv.byPath.get('/b') ?? 0) - b;
    assert.ok(sentB > 2, `${sentB} to /b`);
    // Every cycle of four sends three to /a and one to /b; the last cycle may be cut short.
    assert.ok(Math.abs(sentA - 3 * sentB) <= 3, `${sentA} to /a, ${sentB} to /b`);
  });

  it('sends method, headers and body', async () => {
    const seen: string[] = [];
    const echo = await startServer((req, res, body) => {
      seen.push(`${req.method} ${req.headers['x-load']} ${body}`);
      res.end();
    });
    try {
      const run = startLoad(spec(echo.url, { connections: 1, durationMs: 100, requests: [request('/', { method: 'POST', headers: { 'x-load': 'yes', 'content-type': 'text/plain' }, body: 'ping' })] }));
      await run.ended;
      await run.stop();
      assert.ok(seen.length > 0);
      assert.ok(seen.every((s) => s === 'POST yes ping'), seen[0]);
    } finally {
      await echo.close();
    }
  });

  it('counts error statuses as errors, by status', async () => {
    const run = startLoad(spec(srv.url, { connections: 2, durationMs: 300, requests: [request('/'), request('/err'), request('/missing')] }));
    await run.ended;
    const [p] = (await run.stop()).phases;
    const codes = p!.statusCodes;
    assert.ok(codes['200']! > 0 && codes['500']! > 0 && codes['404']! > 0, JSON.stringify(codes));
    assert.equal(p!.errors, codes['500']! + codes['404']!);
    assert.equal(p!.requests, codes['200']! + codes['500']! + codes['404']!);
    assert.equal(p!.errorRate, p!.errors / p!.requests);
    assert.equal(p!.availability, 1 - p!.errorRate!);
  });

  it('takes the statuses that count as success from okStatus', async () => {
    const run = startLoad(spec(srv.url, { durationMs: 200, okStatus: ['2xx', 404], requests: [request('/missing'), request('/err')] }));
    await run.ended;
    const [p] = (await run.stop()).phases;
    assert.equal(p!.errors, p!.statusCodes['500']);
  });

  it('stops early when the signal aborts', async () => {
    const controller = new AbortController();
    const run = startLoad(spec(srv.url, { durationMs: 60_000 }), { signal: controller.signal });
    await sleep(100);
    controller.abort();
    await run.ended;
    const record = await run.stop();
    assert.ok(record.phases[0]!.endT < 10_000);
    assert.ok(record.phases[0]!.requests > 0);
  });

  it('counts requests that time out', async () => {
    const hang = await startServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.end('ok');
    });
    try {
      // undici checks its timeouts about once a second, so a 100 ms timeout fires within ~1.1 s.
      const run = startLoad(spec(hang.url, { connections: 2, timeoutMs: 100, durationMs: 1600, requests: [request('/'), request('/hang')] }));
      await run.ended;
      const [p] = (await run.stop()).phases;
      assert.ok(p!.statusCodes.timeout! >= 1, JSON.stringify(p!.statusCodes));
      assert.ok(p!.errors >= p!.statusCodes.timeout!);
    } finally {
      await hang.close();
    }
  });
});

describe('built-in load: open model', () => {
  it('sends at the requested rate and reports requested vs achieved', async () => {
    const srv = await startServer();
    try {
      const run = startLoad(spec(srv.url, { rate: 200, connections: 20, durationMs: 1000 }));
      await run.ended;
      const record = await run.stop();
      // 200/s for 1 s: exactly 200 requests are due; every one is sent.
      assert.equal(srv.count, 200);
      assert.equal(record.phases[0]!.requests, 200);
      assert.equal(record.requestedRate, 200);
      assert.ok(record.achievedRate! > 150 && record.achievedRate! < 260, `achieved ${record.achievedRate}`);
      assert.equal(typeof record.lateRequests, 'number');
    } finally {
      await srv.close();
    }
  });

  it('charges a stalling server for the requests it made wait (no coordinated omission)', async () => {
    // 200 ms stall every second at 100/s: a fifth of the requests wait 0..200 ms, so the true
    // p90 is ~100 ms and p99 ~190 ms. A closed-loop client would see a handful of slow requests.
    const srv = await startStallServer(200);
    try {
      const run = startLoad(spec(srv.url, { rate: 100, connections: 50, durationMs: 3000 }));
      await run.ended;
      const { phases } = await run.stop();
      const l = phases[0]!.latencyMs!;
      assert.equal(phases[0]!.requests, 300);
      assert.ok(l.p99 >= 150 && l.p99 <= 400, `p99 ${l.p99}`);
      assert.ok(l.p90 >= 60 && l.p90 <= 250, `p90 ${l.p90}`);
      assert.ok(l.p50 < 60, `p50 ${l.p50}`);
    } finally {
      await srv.close();
    }
  });

  it('measures from the intended send time when every connection is busy', async () => {
    // One connection, a server that takes 100 ms, 20 requests per second: each request waits for
    // the one before it, so latencies grow far beyond 100 ms and requests go out late.
    const srv = await startServer((_req, res) => setTimeout(() => res.end('ok'), 100));
    try {
      const run = startLoad(spec(srv.url, { rate: 20, connections: 1, durationMs: 1000 }));
      await run.ended;
      const record = await run.stop();
      const l = record.phases[0]!.latencyMs!;
      assert.ok(l.max > 300, `max ${l.max}`);
      assert.ok(record.lateRequests! > 0);
      assert.ok(run.totals()!.notSent > 0);
      assert.ok(record.achievedRate! < 20);
    } finally {
      await srv.close();
    }
  });

  it('splits figures into phases at each mark()', async () => {
    const srv = await startServer();
    try {
      const origin = performance.now() - 1000;
      const clock = { now: () => performance.now() - origin };
      const run = startLoad(spec(srv.url, { rate: 100, connections: 10, intervalMs: 100 }), { now: clock.now });
      await sleep(250);
      run.mark('chaos');
      run.mark('chaos');
      await sleep(250);
      run.mark('recovery');
      await sleep(250);
      const record = await run.stop();
      assert.deepEqual(record.phases.map((p) => p.phase), ['baseline', 'chaos', 'recovery']);
      const [b, c, r] = record.phases;
      assert.ok(b!.startT >= 1000, 'run clock');
      assert.equal(b!.endT, c!.startT);
      assert.equal(c!.endT, r!.startT);
      for (const p of record.phases) assert.ok(p.requests > 5, `${p.phase}: ${p.requests}`);
      assert.equal(b!.requests + c!.requests + r!.requests, srv.count);
      // A mark closes the bucket it falls in, so no bucket straddles two phases.
      for (const bucket of record.buckets) {
        for (const mark of [c!.startT, r!.startT]) assert.ok(!(bucket.t < mark && mark < bucket.t + bucket.durationMs - 0.25), `bucket at ${bucket.t} straddles the mark at ${mark}`);
      }
      assert.equal(record.buckets.reduce((n, x) => n + x.requests, 0), srv.count);
    } finally {
      await srv.close();
    }
  });
});

describe('built-in load: failures', () => {
  it('records an unreachable URL as the load error, without throwing', async () => {
    const port = await closedPort();
    const run = startLoad(spec(`http://127.0.0.1:${port}/`, { connections: 4, durationMs: 5000 }));
    await run.ended;
    const record = await run.stop();
    assert.match(record.error!, /cannot reach http:\/\/127\.0\.0\.1:\d+\/: connection refused/);
    assert.match(record.error!, /ECONNREFUSED/);
    assert.ok(record.phases[0]!.statusCodes.ECONNREFUSED! >= 3);
  });

  it('records an invalid spec as the load error', async () => {
    const run = startLoad(spec('not a url'));
    const record = await run.stop();
    assert.match(record.error!, /could not start/);
  });

  it('stop() is idempotent', async () => {
    const srv = await startServer();
    try {
      const run = startLoad(spec(srv.url, { durationMs: 100 }));
      const [a, b] = await Promise.all([run.stop(), run.stop()]);
      assert.equal(a, b);
    } finally {
      await srv.close();
    }
  });
});
