import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sample } from '../../src/journal/types.js';
import { checkGuardrails, type GuardrailContext } from '../../src/safety/guardrails.js';

function series(name: string, oks: boolean[], step = 100): Sample[] {
  return oks.map((ok, i) => ({ t: i * step, series: name, ok, latencyMs: 1, observed: ok ? 'ok' : 'refused' }));
}

function ctx(samples: Sample[], extra: Partial<GuardrailContext> = {}): GuardrailContext {
  const now = Math.max(0, ...samples.map((s) => s.t));
  return {
    now,
    samples: (name) => samples.filter((s) => s.series === name),
    services: [...new Set(samples.filter((s) => s.series.startsWith('service:')).map((s) => s.series.slice(8)))],
    protectedServices: [],
    criticalFailures: 2,
    ...extra,
  };
}

describe('guardrails', () => {
  test('availability over a sliding window trips below the threshold, not before', () => {
    const guard = [{ availability: { below: 0.6, window: 1000 } }];
    const healthy = series('service:a', [true, true, true, true, true, false, false]);
    assert.equal(checkGuardrails(guard, ctx(healthy)), undefined, '5 of 7 = 71%');
    const worse = series('service:a', [true, true, true, false, false, false, false]);
    assert.match(checkGuardrails(guard, ctx(worse))!, /availability of the system was 43% over the last 1\.00s, below the guardrail's 60%/);
    // Old failures fall out of the window.
    const recovered = series('service:a', [false, false, false, false, true, true, true, true, true, true, true, true, true, true, true]);
    assert.equal(checkGuardrails(guard, ctx(recovered)), undefined);
  });

  test('availability of one service ignores the others', () => {
    const guard = [{ availability: { below: 0.5, window: 1000, service: 'b' } }];
    const samples = [...series('service:a', [false, false, false, false]), ...series('service:b', [true, true, true, true])];
    assert.equal(checkGuardrails(guard, ctx(samples)), undefined);
  });

  test('a critical service nobody targets trips after N failures in a row', () => {
    const samples = series('service:db', [true, true, false]);
    assert.equal(checkGuardrails([], ctx(samples, { protectedServices: ['db'] })), undefined);
    samples.push(...series('service:db', [false]).map((s) => ({ ...s, t: 300 })));
    assert.match(checkGuardrails([], ctx(samples, { protectedServices: ['db'] }))!, /critical service db failed 2 health probes in a row/);
  });

  test('a custom probe guard counts consecutive failures', () => {
    const guard = [{ probe: 'checkout', failures: 3 }];
    assert.equal(checkGuardrails(guard, ctx(series('probe:checkout', [false, false, true, false, false]))), undefined);
    assert.match(checkGuardrails(guard, ctx(series('probe:checkout', [true, false, false, false])))!, /probe "checkout" failed 3 times in a row/);
  });

  test('load guards read the live load, and wait for enough requests', () => {
    const load = (requests: number, errors: number, p95Ms: number | null) => ({ recent: () => ({ requests, errors, p95Ms }) });
    assert.equal(checkGuardrails([{ errorRate: { above: 0.1, window: 1000 } }], ctx([], { load: load(2, 2, 5) })), undefined, 'too few requests');
    assert.match(checkGuardrails([{ errorRate: { above: 0.1, window: 1000 } }], ctx([], { load: load(100, 20, 5) }))!, /error rate was 20%/);
    assert.match(checkGuardrails([{ p95: { above: 300, window: 1000 } }], ctx([], { load: load(100, 0, 450) }))!, /p95 latency was 450ms/);
    assert.equal(checkGuardrails([{ p95: { above: 300, window: 1000 } }], ctx([])), undefined, 'no load: nothing to judge');
  });
});
