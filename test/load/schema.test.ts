import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSchema, slosSchema } from '../../src/experiment/schema/load.js';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('loadSchema', () => {
  it('fills the built-in generator’s defaults', () => {
    assert.deepEqual(loadSchema.parse({ url: 'http://api:8080/items?x=1', rate: '500/s', duration: '1m' }), {
      url: 'http://api:8080/items?x=1',
      rate: 500,
      connections: 256,
      pipelining: 1,
      durationMs: 60_000,
      timeoutMs: 10_000,
      intervalMs: 1000,
      okStatus: ['2xx', '3xx'],
      requests: [{ path: '/items?x=1', method: 'GET', headers: {}, weight: 1 }],
    });
    const closed = loadSchema.parse({ url: 'http://api:8080/', connections: 50, pipelining: 4, ok: ['2xx', 404] });
    assert.equal('rate' in closed, false);
    assert.deepEqual([(closed as { connections: number }).connections, (closed as { okStatus: unknown }).okStatus], [50, ['2xx', 404]]);
  });

  it('builds a weighted mix on one origin', () => {
    const spec = loadSchema.parse({
      url: 'http://api:8080/',
      headers: { authorization: 'Bearer t' },
      requests: [{ path: '/items', weight: 3 }, { url: 'http://api:8080/cart', method: 'post', body: '{}', headers: { 'content-type': 'application/json' } }],
    });
    assert.deepEqual((spec as { requests: unknown }).requests, [
      { path: '/items', method: 'GET', headers: { authorization: 'Bearer t' }, weight: 3 },
      { path: '/cart', method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{}', weight: 1 },
    ]);
  });

  it('takes workers: a count, or auto (the cores beyond one, at most 4)', () => {
    const parse = (workers: unknown) => (loadSchema.parse({ url: 'http://api:8080/', workers }) as { workers?: number }).workers;
    assert.equal(parse(2), 2);
    const auto = parse('auto')!;
    assert.ok(Number.isInteger(auto) && auto >= 1 && auto <= 4, `auto gave ${auto}`);
    assert.equal((loadSchema.parse({ url: 'http://api:8080/' }) as { workers?: number }).workers, undefined, 'absent: the default, one thread');
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://api:8080/', workers: 0 })), ['workers: expected a whole number of worker threads from 1 to 64, or "auto", got 0']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://api:8080/', workers: 1.5 })), ['workers: expected a whole number of worker threads from 1 to 64, or "auto", got 1.5']);
    assert.deepEqual(issues(loadSchema.safeParse({ command: 'k6 run x.js', workers: 2 })), ['workers: "workers" is for the built-in generator; with "command" the tool decides its own load']);
  });

  it('takes an external command', () => {
    assert.deepEqual(loadSchema.parse({ command: 'k6 run --summary-export {report} load.js', format: 'k6', grace: '30s' }), {
      command: 'k6 run --summary-export {report} load.js',
      format: 'k6',
      graceMs: 30_000,
      intervalMs: 1000,
    });
  });

  it('says exactly what is wrong', () => {
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', rate: 'fast' })), ['rate: expected a rate such as 500/s, 30/m or 2000/h (a bare number is per second), got "fast"']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', duration: 'soon' })), ['duration: expected a duration such as 500ms, 5s or 1m30s, got "soon"']);
    assert.deepEqual(issues(loadSchema.safeParse({})), ['url: missing required field: url (where to send requests), or command (an external load tool)']);
    assert.deepEqual(issues(loadSchema.safeParse({ command: 'k6 run x.js', rate: 5 })), ['rate: "rate" is for the built-in generator; with "command" the tool decides its own load']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', format: 'k6' })), ['format: "format" goes with "command"']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', requests: [{ url: 'http://y/' }] })), ['requests.0.url: expected a URL on http://x (the origin of load.url); one load sends to one origin']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', interval: '5s' })), ['interval: expected 100ms to 1s, got 5000ms']);
    assert.deepEqual(issues(loadSchema.safeParse({ url: 'http://x/', rate: 5, pipelining: 2 })), ['pipelining: pipelining is for the closed model (connections without rate)']);
  });
});

describe('slosSchema', () => {
  it('normalizes absolute and relative bounds', () => {
    assert.deepEqual(
      slosSchema.parse([
        { metric: 'p95', max: '300ms' },
        { metric: 'p99', max: 1500, phase: 'recovery' },
        { metric: 'errorRate', max: '1%' },
        { metric: 'availability', min: 0.99 },
        { metric: 'rps', min: '100/s' },
        { metric: 'p95', max: '3x' },
        { metric: 'throughput', maxDrop: '20%' },
        { name: 'fallback keeps answering', metric: 'availability', min: '80%' },
      ]),
      [
        { metric: 'p95', phase: 'chaos', op: '<=', value: 300 },
        { metric: 'p99', phase: 'recovery', op: '<=', value: 1500 },
        { metric: 'errorRate', phase: 'chaos', op: '<=', value: 0.01 },
        { metric: 'availability', phase: 'chaos', op: '>=', value: 0.99 },
        { metric: 'throughput', phase: 'chaos', op: '>=', value: 100 },
        { metric: 'p95', phase: 'chaos', op: '<=', value: 3, relativeTo: 'baseline' },
        { metric: 'throughput', phase: 'chaos', op: '>=', value: 0.8, relativeTo: 'baseline' },
        { name: 'fallback keeps answering', metric: 'availability', phase: 'chaos', op: '>=', value: 0.8 },
      ],
    );
    assert.deepEqual(slosSchema.parse(undefined), []);
  });

  it('rejects bounds that do not fit the metric', () => {
    assert.deepEqual(issues(slosSchema.safeParse([{ metric: 'p95' }])), ['0: expected one of max, min or maxDrop']);
    assert.deepEqual(issues(slosSchema.safeParse([{ metric: 'errorRate', max: 5 }])), ['0.max: expected a percentage such as 1% or 99.9% (or a fraction 0..1), or a factor of the baseline such as 2x, got 5']);
    assert.deepEqual(issues(slosSchema.safeParse([{ metric: 'p95', max: 'soon' }])), ['0.max: expected a latency such as 300ms or 1.5s, or a factor of the baseline such as 3x, got "soon"']);
    assert.equal(slosSchema.safeParse([{ metric: 'latency', max: '1s' }]).success, false);
  });
});
