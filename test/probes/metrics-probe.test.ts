// The metrics probe against a real HTTP server serving real exposition text, and against a real
// demo shop service's /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { probe } from '../../src/experiment/schema/experiment.js';
import { metricsProbe } from '../../src/probes/metrics-probe.js';
import { runProbe } from '../../src/probes/run-probe.js';
import { evaluate } from '../../src/probes/tolerance.js';
import type { Expectation, MetricsQuery, ProbeCall } from '../../src/probes/types.js';
import { closedPort, startHttpServer, type TestServer } from './http-server.js';
import { shopRequest, startShop, type RunningShop } from '../demo/helpers.js';

/** A server whose exposition text the test changes between scrapes. */
let page = '';
let status = 200;
let srv: TestServer;
/** /slow-first: when set, the next request is held (with the page as it was) until `held()` is called. */
let holdNext = false;
let held: (() => void) | undefined;
before(async () => {
  srv = await startHttpServer(async (req, res) => {
    if (req.url === '/hang') return;
    const body = page;
    if (req.url === '/slow-first' && holdNext) {
      holdNext = false;
      await new Promise<void>((r) => (held = r));
    }
    res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
});
after(() => srv.close());

const counters = (a: number, b: number) => `# HELP jobs_total Jobs done.
# TYPE jobs_total counter
jobs_total{queue="fast",host="a"} ${a}
jobs_total{queue="fast",host="b"} ${b}
jobs_total{queue="slow",host="a"} 100
# TYPE breaker_state gauge
breaker_state{dependency="payments"} 1
breaker_state{dependency="store"} 0
`;

function check(query: MetricsQuery, expect?: Expectation, phase?: 'before' | 'during' | 'after') {
  const call: ProbeCall = { metrics: query };
  return runProbe(call, { defaultTimeout: 2000, ...(phase ? { phase } : {}) }).then((result) => ({ result, verdict: evaluate(call, result, expect) }));
}

describe('metrics probe: reading a value', () => {
  it('sums the series whose labels include the given ones', async () => {
    page = counters(3, 4);
    const { result, verdict } = await check({ url: `${srv.url}/metrics`, name: 'jobs_total', labels: { queue: 'fast' } }, { value: { equals: 7 } });
    assert.equal(result.metric?.series, 2);
    assert.equal(result.metric?.value, 7);
    assert.deepEqual(verdict, { ok: true, observed: `jobs_total{queue="fast"} = 7 (2 series) in ${verdict.observed.split(' in ')[1]}`, expected: 'value = 7' });
  });

  it('aggregates with min, max, avg and count', async () => {
    page = counters(3, 4);
    const url = `${srv.url}/metrics`;
    assert.equal((await metricsProbe({ url, name: 'jobs_total', aggregate: 'max' }, { timeout: 2000 })).metric?.value, 100);
    assert.equal((await metricsProbe({ url, name: 'jobs_total', aggregate: 'min' }, { timeout: 2000 })).metric?.value, 3);
    assert.equal((await metricsProbe({ url, name: 'jobs_total', aggregate: 'avg', labels: { queue: 'fast' } }, { timeout: 2000 })).metric?.value, 3.5);
    assert.equal((await metricsProbe({ url, name: 'jobs_total', aggregate: 'count' }, { timeout: 2000 })).metric?.value, 3);
    assert.equal((await metricsProbe({ url, name: 'nope', aggregate: 'count' }, { timeout: 2000 })).metric?.value, 0);
  });

  it('checks ranges and says what it saw', async () => {
    page = counters(3, 4);
    const url = `${srv.url}/metrics`;
    const open = await check({ url, name: 'breaker_state', labels: { dependency: 'payments' } }, { value: { min: 1 } });
    assert.equal(open.verdict.ok, true);
    assert.equal(open.verdict.expected, 'value >= 1');
    const closed = await check({ url, name: 'breaker_state', labels: { dependency: 'store' } }, { value: { min: 1 } });
    assert.equal(closed.verdict.ok, false);
    assert.match(closed.verdict.observed, /^breaker_state\{dependency="store"\} = 0 in \d+ms$/);
    assert.equal((await check({ url, name: 'breaker_state' }, { value: { min: 0, max: 0.5 } })).verdict.expected, 'value in [0, 0.5]');
  });

  it('fails when no series matches, unless counting', async () => {
    page = counters(1, 1);
    const missing = await check({ url: `${srv.url}/metrics`, name: 'breaker_state', labels: { dependency: 'cache' } });
    assert.equal(missing.verdict.ok, false);
    assert.equal(missing.verdict.expected, 'metric present');
    assert.match(missing.verdict.observed, /^breaker_state\{dependency="cache"\} no series/);
    assert.equal((await check({ url: `${srv.url}/metrics`, name: 'breaker_state', labels: { dependency: 'cache' } }, { value: { equals: 0 } })).verdict.ok, false);
  });

  it('a failing endpoint, a bad page or a timeout is a failed call with the reason', async () => {
    status = 500;
    const bad = await check({ url: `${srv.url}/metrics`, name: 'x' });
    status = 200;
    assert.equal(bad.result.ok, false);
    assert.equal(bad.result.error, 'metrics endpoint answered status 500');
    page = 'x{a="1" 2\n';
    const garbled = await check({ url: `${srv.url}/metrics`, name: 'x' });
    assert.equal(garbled.result.error, 'not Prometheus text format (line 1: expected "," or "}" after label a)');
    const refused = await check({ url: `http://127.0.0.1:${await closedPort()}/metrics`, name: 'x' });
    assert.equal(refused.result.error, 'ECONNREFUSED');
    assert.equal(refused.verdict.ok, false);
    const hang = await runProbe({ metrics: { url: `${srv.url}/hang`, name: 'x' }, timeout: 100 }, { defaultTimeout: 5000 });
    assert.equal(hang.error, 'timeout after 100ms');
    // ok: false — the endpoint must be down.
    assert.equal(evaluate({ metrics: { url: 'http://x/metrics', name: 'x' } }, refused.result, { ok: false }).ok, true);
  });
});

describe('metrics probe: counter increase', () => {
  it('measures growth since the baseline (the check before the method), across series, resets and new series', async () => {
    const query: MetricsQuery = { url: `${srv.url}/metrics`, name: 'jobs_total', labels: { queue: 'fast' } };
    const expect: Expectation = { increase: { min: 1 } };
    page = counters(10, 20);
    // The run's first scrape (a watcher) and the check before the method: both baselines, both pass.
    const first = await check(query, expect, 'during');
    assert.equal(first.result.metric?.baseline, true);
    assert.equal(first.verdict.ok, true);
    page = counters(11, 20);
    const beforeCheck = await check(query, expect, 'before');
    assert.equal(beforeCheck.result.metric?.baseline, true, 'the check before the method resets the baseline');
    assert.equal(beforeCheck.verdict.ok, true);
    // Nothing happened yet.
    const idle = await check(query, expect, 'during');
    assert.equal(idle.result.metric?.increase, 0);
    assert.equal(idle.verdict.ok, false);
    assert.match(idle.verdict.observed, /no increase since the baseline/);
    // Grows by 2 + 3.
    page = counters(13, 23);
    const grown = await check(query, expect, 'during');
    assert.equal(grown.result.metric?.increase, 5);
    assert.equal(grown.verdict.ok, true);
    assert.match(grown.verdict.observed, /= 36 \(2 series\), \+5 since the baseline/);
    // Host a restarted: its counter starts again from 0 and is now 4 — a reset, so +4.
    page = counters(4, 23);
    assert.equal((await check(query, expect, 'during')).result.metric?.increase, 9);
    // A series that appears after the baseline counts from 0.
    page = `${counters(4, 23)}jobs_total{queue="fast",host="c"} 2\n`;
    const after = await check(query, { increase: { min: 11, max: 11 } }, 'after');
    assert.equal(after.result.metric?.increase, 11);
    assert.equal(after.verdict.ok, true);
    assert.equal(after.verdict.expected, 'increase in [11, 11]');
  });

  it('a scrape that started before a newer one was applied does not look like a reset', async () => {
    const query: MetricsQuery = { url: `${srv.url}/slow-first`, name: 'jobs_total', labels: { queue: 'fast', host: 'a' } };
    page = counters(50, 0);
    await check(query, undefined, 'before');
    holdNext = true;
    const slow = runProbe({ metrics: query }, { defaultTimeout: 5000 }); // answers with the page as it is now (50), later
    await waitUntil(() => held !== undefined);
    page = counters(60, 0);
    const fast = await runProbe({ metrics: query }, { defaultTimeout: 5000 });
    assert.equal(fast.metric?.increase, 10);
    held!();
    const older = await slow;
    assert.equal(older.metric?.value, 50, 'the slow scrape saw the older page');
    assert.equal(older.metric?.increase, 10, 'not counted as a reset (+50)');
    assert.equal((await runProbe({ metrics: query }, { defaultTimeout: 5000 })).metric?.increase, 10);
  });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('metrics probe: the schema', () => {
  it('accepts the documented forms and rejects bad ones with a reason', () => {
    const ok = probe.safeParse({ name: 'p', metrics: { url: 'http://127.0.0.1:1/metrics', name: 'shop_breaker_state', labels: { dependency: 'payments' } }, expect: { value: { min: 1 } } });
    assert.equal(ok.success, true);
    const bare = probe.safeParse({ name: 'p', metrics: { url: 'http://h/metrics', name: 'x' }, expect: { value: 0, increase: { min: 1, max: 5 } } });
    assert.equal(bare.success, true);
    assert.deepEqual((bare.data as { expect: Expectation }).expect.value, { equals: 0 });
    const messages = (input: unknown) => {
      const r = probe.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.ok(messages({ name: 'p', metrics: { url: 'http://h/metrics', name: '9bad' } }).some((m) => m.includes('expected a Prometheus metric name')));
    assert.ok(messages({ name: 'p', metrics: { url: 'http://h/metrics', name: 'x' }, expect: { value: {} } }).length > 0);
    assert.ok(messages({ name: 'p', metrics: { url: 'http://h/metrics', name: 'x' }, expect: { value: { min: 2, max: 1 } } }).length > 0);
    assert.ok(messages({ name: 'p', metrics: { url: 'http://h/metrics', name: 'x', aggregate: 'median' } }).length > 0);
    assert.ok(messages({ name: 'p', metrics: { url: 'http://h/metrics', name: 'x' }, http: 'http://h/' }).some((m) => m.includes('expected only one of http, tcp, command, metrics, prometheus or kubernetes, got http and metrics')));
  });
});

describe('metrics probe: a real demo shop service', () => {
  let shop: RunningShop;
  before(async () => {
    shop = await startShop('resilient');
  });
  after(() => shop?.stop());

  it('reads breaker state, and sees requests counted between two scrapes', async () => {
    const url = `${shop.url('catalog')}/metrics`;
    const breaker = await check({ url, name: 'shop_breaker_state', labels: { dependency: 'store' } }, { value: { equals: 0 } });
    assert.equal(breaker.verdict.ok, true, breaker.verdict.observed);
    const info = await check({ url, name: 'shop_info', labels: { service: 'catalog', mode: 'resilient' } }, { value: { equals: 1 } });
    assert.equal(info.verdict.ok, true, info.verdict.observed);
    const query: MetricsQuery = { url, name: 'shop_http_requests_total', labels: { method: 'GET' } };
    await check(query, undefined, 'before');
    for (let i = 0; i < 3; i++) assert.equal((await shopRequest(`${shop.url('catalog')}/products`)).status, 200);
    const grown = await check(query, { increase: { min: 3 } }, 'after');
    assert.equal(grown.verdict.ok, true, grown.verdict.observed);
  });
});
