// The prometheus probe against a real Prometheus (Debian's 2.42) scraping a real server whose
// metrics the test sets: scalar and one-series results, and every way of having no number.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { queryPrometheus } from '../../src/probes/promql.js';
import { runProbe } from '../../src/probes/run-probe.js';
import { evaluate } from '../../src/probes/tolerance.js';
import type { PrometheusQuery } from '../../src/probes/types.js';
import { PROMETHEUS_BIN, prometheusSkip, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

const skip = prometheusSkip(PROMETHEUS_BIN);

/** A target with three series of one gauge and a counter, as a service would export them. */
const EXPOSITION = [
  '# TYPE test_queue_depth gauge',
  'test_queue_depth{queue="a"} 2',
  'test_queue_depth{queue="b"} 5',
  'test_queue_depth{queue="c"} 11',
  '# TYPE test_requests_total counter',
  'test_requests_total{code="200"} 90',
  'test_requests_total{code="500"} 10',
  '',
].join('\n');

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('prometheus probe on a real Prometheus', { skip }, () => {
  let prom: PrometheusServer;
  let target: Server;
  let closers: Server[] = [];

  before(async () => {
    const t = await listen((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(EXPOSITION));
    target = t.server;
    const host = new URL(t.url).host;
    prom = await startPrometheus([host]);
    await prom.waitForTargetsUp([host]);
    // The series exist once the first scrape is stored: wait for the query to see them.
    for (let i = 0; i < 100; i++) {
      const data = await prom.query('count(test_queue_depth)');
      if ((data.result as unknown[]).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await prom?.stop();
    target?.close();
    for (const s of closers) s.close();
    closers = [];
  });

  const q = (query: string, extra: Partial<PrometheusQuery> = {}): PrometheusQuery => ({ url: prom.url, query, ...extra });

  test('a one-series vector and a scalar give their value', async () => {
    const one = await queryPrometheus(q('sum(test_queue_depth)'), { timeoutMs: 5000 });
    assert.ok(one.ok, JSON.stringify(one));
    assert.deepEqual(one.reading, { resultType: 'vector', series: 1, value: 18 });
    const ratio = await queryPrometheus(q('sum(test_requests_total{code=~"5.."}) / sum(test_requests_total)'), { timeoutMs: 5000 });
    assert.ok(ratio.ok && Math.abs(ratio.reading.value - 0.1) < 1e-9, JSON.stringify(ratio));
    const scalar = await queryPrometheus(q('scalar(sum(test_queue_depth)) * 2'), { timeoutMs: 5000 });
    assert.ok(scalar.ok, JSON.stringify(scalar));
    assert.deepEqual(scalar.reading, { resultType: 'scalar', series: 1, value: 36 });
  });

  test('several series fail unless aggregate says how to combine them', async () => {
    const several = await queryPrometheus(q('test_queue_depth'), { timeoutMs: 5000 });
    assert.equal(several.ok, false);
    assert.match(!several.ok ? several.error : '', /^3 series \(\{.*queue="a".*\}.*\): combine them in the query .* aggregate: sum\|min\|max\|avg\|count$/);
    const expected = { sum: 18, min: 2, max: 11, avg: 6, count: 3 } as const;
    for (const [aggregate, value] of Object.entries(expected)) {
      const r = await queryPrometheus(q('test_queue_depth', { aggregate: aggregate as keyof typeof expected }), { timeoutMs: 5000 });
      assert.ok(r.ok, `${aggregate}: ${JSON.stringify(r)}`);
      assert.equal(r.reading.value, value, aggregate);
      assert.equal(r.reading.series, 3);
    }
  });

  test('no series, NaN, a range vector and a query error each say why there is no value', async () => {
    const cases: [string, RegExp][] = [
      ['test_queue_depth{queue="nope"}', /^no series: the query returned an empty vector \(when no data means 0, append `or vector\(0\)` to the query\)$/],
      ['sum(test_requests_total{code="404"}) / sum(test_requests_total{code="404"})', /^no series/],
      ['scalar(sum(test_queue_depth)) * 0 / 0', /^the value is NaN/],
      ['test_queue_depth[1m]', /^the query returned a range vector: ask for an instant vector/],
      ['sum(test_queue_depth', /^query failed \(bad_data: .*parse error/],
      ['"a string"', /^the query returned a string result, not a number$/],
    ];
    for (const [query, reason] of cases) {
      const r = await queryPrometheus(q(query), { timeoutMs: 5000 });
      assert.equal(r.ok, false, query);
      assert.match(!r.ok ? r.error : '', reason, query);
    }
  });

  test('infinities are numbers: +Inf breaks a max, as it should', async () => {
    const r = await runProbe({ prometheus: q('scalar(sum(test_queue_depth)) / 0') }, { defaultTimeout: 5000 });
    assert.equal(r.promql?.value, Infinity);
    const verdict = evaluate({ prometheus: q('x') }, r, { value: { max: 100 } });
    assert.equal(verdict.ok, false);
    assert.match(verdict.observed, /^value Infinity in /);
  });

  test('as a probe: the value tolerance passes and fails, and a missing value fails with its reason', async () => {
    const call = { prometheus: q('sum(test_requests_total{code=~"5.."}) / sum(test_requests_total)') };
    const result = await runProbe(call, { defaultTimeout: 5000 });
    const held = evaluate(call, result, { value: { max: 0.2 } });
    assert.equal(held.ok, true, held.observed);
    assert.equal(held.expected, 'value <= 0.2');
    assert.match(held.observed, /^value 0\.1 in \d/);
    const broken = evaluate(call, result, { value: { max: 0.05 } });
    assert.deepEqual({ ok: broken.ok, expected: broken.expected }, { ok: false, expected: 'value <= 0.05' });

    const emptyCall = { prometheus: q('test_queue_depth{queue="nope"}') };
    const empty = evaluate(emptyCall, await runProbe(emptyCall, { defaultTimeout: 5000 }), { value: { max: 1 } });
    assert.equal(empty.ok, false);
    assert.match(empty.observed, /^no series: the query returned an empty vector/);
    // Without a tolerance a prometheus probe asks only for a value.
    const present = evaluate(call, result);
    assert.deepEqual({ ok: present.ok, expected: present.expected }, { ok: true, expected: 'a value' });
  });

  test('a protected Prometheus: headers and the bearer token from the environment reach it', async () => {
    // A reverse proxy that lets through only the right token and tenant header, as a gateway in front of Prometheus would.
    const seen: string[] = [];
    const guard = await listen(async (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${req.headers['x-scope-orgid'] ?? '-'}`);
      if (req.headers.authorization !== 'Bearer s3cret' || req.headers['x-scope-orgid'] !== 'team-a') return res.writeHead(401).end('unauthorized');
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${prom.url}${req.url}`, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    closers.push(guard.server);
    process.env.FAULTLINE_TEST_PROM_TOKEN = 's3cret';
    try {
      const ok = await queryPrometheus({ url: `${guard.url}/`, query: 'sum(test_queue_depth)', headers: { 'X-Scope-OrgID': 'team-a' }, bearerTokenEnv: 'FAULTLINE_TEST_PROM_TOKEN' }, { timeoutMs: 5000 });
      assert.ok(ok.ok, JSON.stringify(ok));
      assert.equal(ok.reading.value, 18);
      const refused = await queryPrometheus({ url: guard.url, query: 'sum(test_queue_depth)' }, { timeoutMs: 5000 });
      assert.deepEqual(refused, { ok: false, status: 401, latencyMs: refused.latencyMs, error: 'not a Prometheus API answer (status 401)' });
      delete process.env.FAULTLINE_TEST_PROM_TOKEN;
      const unset = await queryPrometheus({ url: guard.url, query: 'sum(test_queue_depth)', bearerTokenEnv: 'FAULTLINE_TEST_PROM_TOKEN' }, { timeoutMs: 5000 });
      assert.equal(!unset.ok && unset.error, 'environment variable FAULTLINE_TEST_PROM_TOKEN (bearerTokenEnv) is not set');
    } finally {
      delete process.env.FAULTLINE_TEST_PROM_TOKEN;
    }
    assert.match(seen[0]!, /^POST \/api\/v1\/query Bearer s3cret team-a$/);
    assert.equal(seen.length, 2, 'the call without a token set never went out');
  });
});

describe('prometheus probe when Prometheus does not answer', () => {
  test('a closed port and a server that never answers each give a clear failed observation', async () => {
    const closed = await listen(() => {});
    const url = closed.url;
    await new Promise((r) => closed.server.close(r));
    const refused = await queryPrometheus({ url, query: 'up' }, { timeoutMs: 2000 });
    assert.equal(!refused.ok && refused.error, `Prometheus at ${url} did not answer (ECONNREFUSED)`);

    const silent = await listen(() => {}); // accepts, never answers
    try {
      const started = performance.now();
      const r = await queryPrometheus({ url: silent.url, query: 'up' }, { timeoutMs: 300 });
      assert.equal(!r.ok && r.error, `Prometheus at ${silent.url} did not answer (timeout after 300ms)`);
      assert.ok(performance.now() - started < 5000);
    } finally {
      silent.server.closeAllConnections();
      silent.server.close();
    }

    const notProm = await listen((_req, res) => res.writeHead(404).end('404 page not found'));
    try {
      const r = await queryPrometheus({ url: notProm.url, query: 'up' }, { timeoutMs: 2000 });
      assert.equal(!r.ok && r.error, `not a Prometheus API answer (status 404: is ${notProm.url} the Prometheus server's address?)`);
    } finally {
      notProm.server.close();
    }
  });
});
