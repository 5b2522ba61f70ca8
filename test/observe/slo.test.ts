import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slosSchema } from '../../src/experiment/schema/load.js';
import type { LoadPhase, LoadRecord } from '../../src/journal/types.js';
import { evaluateSlos } from '../../src/observe/slo.js';

function phase(name: LoadPhase['phase'], over: Partial<LoadPhase> & { p95?: number }): LoadPhase {
  const p95 = over.p95 ?? 40;
  return {
    phase: name,
    startT: 0,
    endT: 10_000,
    requests: 1000,
    errors: 0,
    rps: 100,
    errorRate: 0,
    availability: 1,
    latencyMs: { p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 2, max: p95 * 4, mean: p95 / 2 },
    statusCodes: { '200': 1000 },
    ...over,
  };
}

const record: LoadRecord = {
  tool: 'builtin',
  phases: [phase('baseline', { p95: 41, rps: 1000 }), phase('chaos', { p95: 412, rps: 700, requests: 700, errors: 21, errorRate: 0.03, availability: 0.97 }), phase('recovery', { p95: 45 })],
  buckets: [],
};

const slos = (input: unknown) => slosSchema.parse(input);

describe('evaluateSlos', () => {
  it('judges absolute SLOs on the chaos phase by default', () => {
    const results = evaluateSlos(
      slos([
        { metric: 'p95', max: '300ms' },
        { metric: 'errorRate', max: '5%' },
        { metric: 'availability', min: '99%' },
        { metric: 'throughput', min: '500/s' },
        { metric: 'p95', max: '100ms', phase: 'recovery', name: 'fast again' },
      ]),
      record,
      12_345,
    );
    assert.deepEqual(
      results.map((r) => [r.name, r.kind, r.ok, r.observed, r.expected, r.t]),
      [
        ['p95 in chaos', 'slo', false, 'p95 412ms in chaos', 'p95 <= 300ms', 12_345],
        ['error rate in chaos', 'slo', true, 'error rate 3% in chaos', 'error rate <= 5%', 12_345],
        ['availability in chaos', 'slo', false, 'availability 97% in chaos', 'availability >= 99%', 12_345],
        ['throughput in chaos', 'slo', true, 'throughput 700 rps in chaos', 'throughput >= 500 rps', 12_345],
        ['fast again', 'slo', true, 'p95 45ms in recovery', 'p95 <= 100ms', 12_345],
      ],
    );
  });

  it('judges relative SLOs against the same run’s baseline, naming the baseline figure', () => {
    const [latency, drop, ok] = evaluateSlos(
      slos([
        { metric: 'p95', max: '3x' },
        { metric: 'throughput', maxDrop: '20%' },
        { metric: 'p95', max: '5x', phase: 'recovery' },
      ]),
      record,
      1,
    );
    assert.equal(latency!.ok, false);
    assert.equal(latency!.observed, 'p95 412ms in chaos, 10.05x baseline');
    assert.equal(latency!.expected, 'p95 <= 3x baseline (baseline 41ms, so <= 123ms)');
    assert.equal(drop!.ok, false);
    assert.equal(drop!.observed, 'throughput 700 rps in chaos, 0.7x baseline');
    assert.equal(drop!.expected, 'throughput >= 0.8x baseline (baseline 1000 rps, so >= 800 rps)');
    assert.equal(ok!.ok, true);
  });

  it('fails an SLO it cannot judge, and says why', () => {
    const noChaos: LoadRecord = { tool: 'builtin', phases: [phase('baseline', {})], buckets: [] };
    const [missing] = evaluateSlos(slos([{ metric: 'p95', max: '1s' }]), noChaos, 0);
    assert.equal(missing!.ok, false);
    assert.match(missing!.observed, /no load figures for chaos/);

    const failed: LoadRecord = { tool: 'builtin', phases: [], buckets: [], error: 'cannot reach http://x/: host not found (ENOTFOUND)' };
    const [err] = evaluateSlos(slos([{ metric: 'errorRate', max: '1%' }]), failed, 0);
    assert.equal(err!.ok, false);
    assert.match(err!.observed, /no load figures: cannot reach/);

    const noResponses: LoadRecord = { tool: 'builtin', phases: [phase('chaos', { latencyMs: null, errors: 1000, errorRate: 1, availability: 0 })], buckets: [] };
    const [lat, avail] = evaluateSlos(slos([{ metric: 'p99', max: '1s' }, { metric: 'availability', min: '50%' }]), noResponses, 0);
    assert.equal(lat!.ok, false);
    assert.equal(lat!.observed, 'no responses in chaos');
    assert.equal(avail!.ok, false);
    assert.equal(avail!.observed, 'availability 0% in chaos');

    const [rel] = evaluateSlos(slos([{ metric: 'p95', max: '2x' }]), { tool: 'builtin', phases: [phase('chaos', {})], buckets: [] }, 0);
    assert.equal(rel!.ok, false);
    assert.match(rel!.observed, /no load figures for baseline .*nothing to compare with/);
  });

  it('judges whole-run figures when a tool gives no per-phase ones, and says so', () => {
    const k6: LoadRecord = { tool: 'k6', phases: [], buckets: [{ t: 0, durationMs: 30_000, requests: 1200, errors: 12, latencyMs: { p50: 12, p95: 55, p99: 210, max: 413 } }] };
    const [p95, rate, rps] = evaluateSlos(slos([{ metric: 'p95', max: '100ms' }, { metric: 'errorRate', max: '0.5%' }, { metric: 'rps', min: 30 }]), k6, 0);
    assert.equal(p95!.ok, true);
    assert.equal(p95!.observed, 'p95 55ms over the whole k6 run (no per-phase figures)');
    assert.equal(rate!.ok, false);
    assert.equal(rps!.ok, true);
  });
});
