// analyzeJournal on synthetic journals whose every figure can be worked out by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeJournal, dependencyPath, dependents, objectiveOf, systemGraph } from '../../src/analysis/index.js';
import type { Journal, LoadRecord } from '../../src/journal/types.js';
import { fault, journalFrom } from './journal-builder.js';

/** 30 probes, 100 ms apart; `ch` from index `from` to `to` inclusive, ok elsewhere. */
function pat(from: number, to: number, ch = 'x', len = 30): string {
  return [...Array(len)].map((_, i) => (i >= from && i <= to ? ch : 'o')).join('');
}

const shopGraph = {
  store: {},
  cart: { dependsOn: ['store'] },
  gateway: { dependsOn: ['cart'] },
  billing: {},
  audit: { dependsOn: ['store'], critical: true },
};

function shop(overrides: Partial<Parameters<typeof journalFrom>[0]> = {}): Journal {
  return journalFrom({
    health: { store: pat(11, 16), cart: pat(12, 16, '5'), billing: pat(13, 16, '5'), gateway: pat(14, 17, '5'), audit: pat(99, 99) },
    faults: [fault('store', 1000)],
    graph: shopGraph,
    within: 5000,
    ...overrides,
  });
}

describe('cascade', () => {
  test('orders failures after the fault, explains them by dependsOn, flags the rest, lists contained dependents', () => {
    const a = analyzeJournal(shop());
    assert.equal(a.cascades.length, 1);
    const [c] = a.cascades;
    assert.deepEqual(
      c!.steps.map((s) => [s.service, s.offsetMs, s.state, s.root, s.explained]),
      [
        ['store', 100, 'down', true, true],
        ['cart', 200, '5xx', false, true],
        ['billing', 300, '5xx', false, false],
        ['gateway', 400, '5xx', false, true],
      ],
    );
    assert.deepEqual(c!.steps.find((s) => s.service === 'gateway')!.via, ['gateway', 'cart']);
    assert.deepEqual(c!.unexplained, ['billing']);
    assert.deepEqual(c!.contained, ['audit']);
    assert.equal(c!.summary, 'kill store: store down at +0.10 s → cart 5xx at +0.20 s → billing 5xx at +0.30 s (not explained by dependsOn) → gateway 5xx at +0.40 s');
  });

  test('a probe in flight at the injection that saw the fault counts, at offset 0; within one probe interval the graph orders', () => {
    // store killed at 1010; cart's probe started at 1000, waited 30 ms for store and failed. Both
    // failures were seen within one 100 ms probe interval, so time cannot order them: the root first.
    const j = shop({ faults: [fault('store', 1010)], health: { store: pat(11, 16), cart: pat(10, 16, '5'), gateway: pat(99, 99), billing: pat(99, 99), audit: pat(99, 99) } });
    j.timeSeries = j.timeSeries.map((s) => (s.series === 'service:cart' && s.t === 1000 ? { ...s, latencyMs: 30 } : s));
    const [c] = analyzeJournal(j).cascades;
    assert.deepEqual(c!.steps.map((s) => [s.service, s.offsetMs, s.root]), [['store', 90, true], ['cart', 0, false]]);
    assert.equal(c!.steps[1]!.explained, true, 'cart depends on the root');
    // A probe that ended before the injection is not the fault's doing.
    j.timeSeries = j.timeSeries.map((s) => (s.series === 'service:cart' && s.t === 1000 ? { ...s, latencyMs: 5 } : s));
    assert.deepEqual(analyzeJournal(j).cascades[0]!.steps.map((s) => s.service), ['store']);
  });

  test('failures seen at the same probe tick are listed by dependsOn distance from the fault, not by the order the probes ran', () => {
    // gateway -> cart -> store; all three fail at the tick after the kill, gateway's probe a few ms earlier.
    const j = shop({ faults: [fault('store', 1010)], health: { store: pat(11, 16), cart: pat(11, 16, '5'), gateway: pat(11, 16, '5'), billing: pat(99, 99), audit: pat(99, 99) } });
    j.timeSeries = j.timeSeries.map((s) => (s.series === 'service:gateway' && s.t === 1100 ? { ...s, t: 1090 } : s));
    const [c] = analyzeJournal(j).cascades;
    assert.deepEqual(c!.steps.map((s) => s.service), ['store', 'cart', 'gateway']);
  });

  test('a failure explained only through a service that did not fail still counts as explained (transitive dependsOn)', () => {
    const j = shop({ health: { store: pat(11, 16), cart: pat(99, 99), gateway: pat(14, 17, '5'), billing: pat(99, 99), audit: pat(99, 99) } });
    const gateway = analyzeJournal(j).cascades[0]!.steps.find((s) => s.service === 'gateway')!;
    assert.equal(gateway.explained, true);
    assert.deepEqual(gateway.via, ['gateway', 'cart', 'store']);
  });

  test('without a graph in the journal, propagation is not judged (explained: null), roots still are', () => {
    const j = shop();
    delete j.system;
    const c = analyzeJournal(j).cascades[0]!;
    assert.equal(c.steps[0]!.explained, true);
    assert.ok(c.steps.slice(1).every((s) => s.explained === null));
    assert.deepEqual(c.unexplained, []);
    assert.deepEqual(c.contained, []);
  });

  test('separate faults make separate cascades; a service still failing from the first is not counted again', () => {
    const j = journalFrom({
      health: { store: pat(11, 15).slice(0, 20) + 'oxxxoooooo', cart: pat(12, 24, '5') },
      faults: [fault('store', 1000), fault('store', 2000)],
      graph: shopGraph,
    });
    const a = analyzeJournal(j);
    assert.equal(a.cascades.length, 2);
    assert.deepEqual(a.cascades[0]!.steps.map((s) => s.service), ['store', 'cart']);
    assert.equal(a.cascades[0]!.endT, 2000);
    assert.deepEqual(a.cascades[1]!.steps.map((s) => [s.service, s.offsetMs]), [['store', 100]]);
  });

  test('overlapping faults (a parallel group) are one episode with several roots', () => {
    const j = journalFrom({
      health: { a: pat(11, 16, 't'), b: pat(11, 13, 't') },
      faults: [fault('a', 1000, 1600, { kind: 'pause', durationMs: 600 }), fault('b', 1005, 1300, { kind: 'pause', durationMs: 300 })],
      graph: { a: {}, b: {} },
    });
    const [c, more] = analyzeJournal(j).cascades;
    assert.equal(more, undefined);
    assert.deepEqual(c!.faults, ['pause a', 'pause b']);
    assert.ok(c!.steps.every((s) => s.root && s.explained === true && s.state === 'timing out'));
  });

  test('single actions a few ms apart (kills in a parallel group) are one episode: both are roots', () => {
    const j = journalFrom({
      health: { a: pat(11, 16), b: pat(11, 16) },
      faults: [fault('a', 1000), fault('b', 1004)],
      graph: { a: { dependsOn: ['b'] }, b: {} },
    });
    const [c, more] = analyzeJournal(j).cascades;
    assert.equal(more, undefined);
    assert.deepEqual(c!.faults, ['kill a', 'kill b']);
    assert.ok(c!.steps.every((s) => s.root), JSON.stringify(c!.steps));
  });
});

describe('per service', () => {
  test('recovery figures are the journal\'s own; availability per phase comes from the health samples', () => {
    const j = shop();
    const a = analyzeJournal(j);
    for (const s of a.services) {
      const r = j.recovery.find((x) => x.service === s.service)!;
      assert.deepEqual([s.impacted, s.timeToImpactMs, s.timeToRecoverMs, s.outageMs, s.restarts, s.met], [r.impacted, r.timeToImpactMs, r.timeToRecoverMs, r.outageMs, r.restarts, r.met]);
    }
    const store = a.services.find((s) => s.service === 'store')!;
    assert.equal(store.targeted, true);
    // The first healthy probe answers 2 ms after it starts: recovered from its answer.
    assert.equal(store.timeToRecoverMs, 702);
    // baseline: t 0..900 (10 ok); method: t 1000 (1 ok); recovery: t 1100..2900 (6 failed of 19).
    assert.deepEqual(store.availability.map((p) => [p.phase, p.samples, p.ok]), [['baseline', 10, 10], ['method', 1, 1], ['recovery', 19, 13]]);
    assert.equal(store.availabilityUnderChaos, 14 / 20);
    assert.equal(a.services.find((s) => s.service === 'audit')!.critical, true);
    assert.equal(a.timeToRecoverMs, 802);
    assert.equal(a.allRecovered, true);
  });
});

describe('score and maturity', () => {
  test('sub-scores and the weighted total follow the documented formulas', () => {
    const { score, maturity } = analyzeJournal(shop());
    // recovery: store, cart, billing 702 ms, gateway 802 ms (answers 2 ms after the probes start) of 2 × 5 s → 93, 93, 93, 92 → 92.75
    assert.equal(score.recovery.score, 93);
    assert.match(score.recovery.explanation, /store 702ms of 5\.00s → 93/);
    // isolation: bystanders cart, gateway, billing (1 each) and audit (critical: 2); only audit healthy → 2/5
    assert.equal(score.isolation.score, 40);
    // degradation, no load and no probes: health samples from t=1000: 100, of which 19 failed
    assert.equal(score.degradation.score, 81);
    assert.match(score.degradation.explanation, /81 of 100 health probe samples/);
    assert.equal(score.safety.score, 100);
    assert.equal(score.total, Math.round(93 * 0.35 + 40 * 0.2 + 81 * 0.3 + 100 * 0.15));
    assert.match(score.explanation, /propagation to billing is not explained/);
    assert.equal(maturity.level, 3);
    assert.match(maturity.explanation, /level 4 \(contains failure\) needs more: isolation 40 < 80/);
  });

  test('a sub-score that does not apply is left out and the weights renormalised', () => {
    const j = journalFrom({ health: { api: pat(11, 14) }, faults: [fault('api', 1000)], within: 5000 });
    const { score } = analyzeJournal(j);
    assert.equal(score.isolation.score, null);
    const w = 0.35 + 0.3 + 0.15;
    assert.equal(score.total, Math.round((score.recovery.score! * 0.35 + score.degradation.score! * 0.3 + score.safety.score! * 0.15) / w));
  });

  test('safety deducts for a fault left in place, an abort, failed rollbacks and a critical bystander hit', () => {
    const j = shop({
      faults: [fault('store', 1000, 1000, { status: 'revert-failed', error: 'EPERM' })],
      overrides: { rollbacks: [{ name: 'a', ok: false, output: '', t: 1 }, { name: 'b', ok: false, output: '', t: 2 }, { name: 'c', ok: false, output: '', t: 3 }] },
    });
    j.timeSeries = j.timeSeries.map((s) => (s.series === 'service:audit' && s.t >= 1500 && s.t <= 1700 ? { ...s, ok: false, observed: 'status 503 in 1ms' } : s));
    j.recovery = j.recovery.map((r) => (r.service === 'audit' ? { ...r, impacted: true, timeToImpactMs: 500, timeToRecoverMs: 800, outageMs: 300, failedProbes: 3 } : r));
    let safety = analyzeJournal(j).score.safety;
    assert.equal(safety.score, 100 - 60 - 20 - 15);
    assert.match(safety.explanation, /60 \(1 fault left in place\).*20 \(3 failed rollbacks\).*15 \(critical audit hit without being targeted\)/);
    j.status = 'aborted';
    j.reasons = ['guardrail: error rate 40% > 10%'];
    safety = analyzeJournal(j).score.safety;
    assert.equal(safety.score, 0);
    assert.match(safety.explanation, /30 \(aborted: guardrail: error rate 40% > 10%\)/);
    assert.equal(analyzeJournal(j).maturity.level, 1);
  });

  test('with load, degradation is load availability from the first fault on × the latency factor', () => {
    const j = shop();
    j.load = load({ baseline: [1000, 0, 20], chaos: [50, 5, 30], recovery: [950, 45, 100] });
    const { score, errorBudget } = analyzeJournal(j);
    // 1000 requests after the first fault, 50 errors → 95%; p99 100 ms vs 20 ms → factor max(0.5, 40/100) = 0.5
    assert.equal(score.degradation.score, Math.round(100 * 0.95 * 0.5));
    assert.match(score.degradation.explanation, /95\.00% of 1000 requests.*latency factor 0\.50 \(p99 100ms vs 20ms at baseline\)/);
    assert.equal(errorBudget!.source, 'load');
    assert.equal(errorBudget!.total, 2000);
    assert.equal(errorBudget!.bad, 50);
  });

  test('maturity 5 needs everything: recovered in time, contained, hardly degraded, the hypothesis held', () => {
    const j = journalFrom({ health: { api: pat(11, 11), web: pat(99, 99) }, faults: [fault('api', 1000)], graph: { api: {}, web: {} }, within: 10_000 });
    j.load = load({ baseline: [1000, 0, 20], chaos: [10, 0, 20], recovery: [990, 1, 25] });
    const a = analyzeJournal(j);
    assert.equal(a.maturity.level, 5, a.maturity.explanation);
    assert.match(a.maturity.explanation, /every criterion of levels 2-5 is met/);
    assert.ok(a.score.total! >= 90);
    j.verdicts.push({ name: 'web answers', kind: 'throughout', ok: false, observed: '1 of 20 failed', expected: 'status 2xx', t: 3000 });
    j.status = 'deviated';
    assert.equal(analyzeJournal(j).maturity.level, 4);
  });

  test('a service that never recovers: maturity 1, recovery 0 for it, time to recover null', () => {
    const j = journalFrom({ health: { api: pat(11, 29) }, faults: [fault('api', 1000)], within: 1000 });
    const a = analyzeJournal(j);
    assert.equal(a.services[0]!.timeToRecoverMs, null);
    assert.equal(a.score.recovery.score, 0);
    assert.equal(a.maturity.level, 1);
    assert.match(a.maturity.explanation, /api did not recover/);
    assert.equal(a.timeToRecoverMs, null);
    assert.equal(a.allRecovered, false);
  });

  test('no fault applied: no score, maturity not rated', () => {
    const j = journalFrom({ health: { api: pat(99, 99) }, faults: [] });
    const a = analyzeJournal(j);
    assert.equal(a.score.total, null);
    assert.equal(a.maturity.level, 1);
    assert.match(a.maturity.explanation, /not rated/);
    assert.deepEqual(a.cascades, []);
  });
});

describe('error budget', () => {
  test('from probe samples: burn rate against 99.9% and the share of a 30-day budget', () => {
    const j = shop();
    const b = analyzeJournal(j).errorBudget!;
    assert.equal(b.source, 'health');
    assert.equal(b.total, 150);
    assert.equal(b.bad, 19);
    assert.equal(b.objective, 0.999);
    assert.ok(Math.abs(b.burnRate - 19 / 150 / 0.001) < 1e-9);
    assert.ok(Math.abs(b.badMs - (19 / 150) * 2900) < 1e-9);
    assert.ok(Math.abs(b.budgetMs - 0.001 * 30 * 86_400_000) < 1e-6);
    assert.ok(Math.abs(b.usedPercent - (100 * b.badMs) / b.budgetMs) < 1e-9);
    assert.match(b.explanation, /19 of 150 health probe samples failed/);
  });

  test('hypothesis probes are preferred to health probes', () => {
    const j = journalFrom({ health: { api: pat(11, 14) }, probes: { 'api answers': pat(11, 12) }, faults: [fault('api', 1000)] });
    const b = analyzeJournal(j).errorBudget!;
    assert.equal(b.source, 'probes');
    assert.equal(b.bad, 2);
  });

  test('the objective comes from an availability or error-rate SLO when the experiment states one', () => {
    assert.equal(objectiveOf({ hypothesis: { slos: [{ availability: 0.99 }] } }).objective, 0.99);
    assert.equal(objectiveOf({ hypothesis: { slos: [{ availability: { min: '99.5%' } }] } }).objective, 0.995);
    assert.ok(Math.abs(objectiveOf({ slos: [{ name: 'errors', errorRate: { max: 0.02 } }] }).objective - 0.98) < 1e-12);
    assert.equal(objectiveOf({ slos: [{ metric: 'availability', op: '>=', value: 0.995, phase: 'chaos' }] }).objective, 0.995);
    assert.ok(Math.abs(objectiveOf({ slos: [{ metric: 'errorRate', op: '<=', value: 0.01, phase: 'chaos' }, { metric: 'availability', op: '>=', value: 0.95, phase: 'recovery' }] }).objective - 0.99) < 1e-12, 'the strictest');
    assert.equal(objectiveOf({ slos: [{ metric: 'errorRate', op: '<=', value: 2, relativeTo: 'baseline', phase: 'chaos' }] }).objective, 0.999, 'relative SLOs set no objective');
    assert.equal(objectiveOf({ hypothesis: { probes: [] } }).objective, 0.999);
    assert.equal(objectiveOf(undefined).objective, 0.999);
  });
});

describe('system graph', () => {
  test('systemGraph copies dependsOn and critical; paths are shortest; dependents are transitive', () => {
    const g = systemGraph({ ...shopGraph, extra: { dependsOn: ['gateway', 'store'] } });
    assert.deepEqual(g.services.cart, { dependsOn: ['store'], critical: false });
    assert.equal(g.services.audit!.critical, true);
    assert.deepEqual(dependencyPath(g, 'gateway', new Set(['store'])), ['gateway', 'cart', 'store']);
    assert.deepEqual(dependencyPath(g, 'extra', new Set(['store'])), ['extra', 'store']);
    assert.equal(dependencyPath(g, 'billing', new Set(['store'])), undefined);
    assert.deepEqual(dependents(g, 'store').sort(), ['audit', 'cart', 'extra', 'gateway']);
    assert.deepEqual(JSON.parse(JSON.stringify(g)), g, 'plain JSON');
  });
});

test('analyzeJournal is pure: the same journal gives the same analysis and is not changed', () => {
  const j = shop();
  const copy = structuredClone(j);
  const first = analyzeJournal(j);
  assert.deepEqual(j, copy);
  assert.deepEqual(analyzeJournal(structuredClone(j)), first);
  assert.deepEqual(JSON.parse(JSON.stringify(first)), first, 'plain JSON, so it round-trips through journal.json');
});

function load(phases: Record<'baseline' | 'chaos' | 'recovery', [requests: number, errors: number, p99: number]>): LoadRecord {
  const bounds = { baseline: [0, 1000], chaos: [1000, 1000], recovery: [1000, 3000] } as const;
  return {
    tool: 'builtin',
    phases: (Object.keys(phases) as (keyof typeof phases)[]).map((phase) => {
      const [requests, errors, p99] = phases[phase];
      const [startT, endT] = bounds[phase];
      return {
        phase,
        startT,
        endT,
        requests,
        errors,
        rps: requests / Math.max(0.001, (endT - startT) / 1000),
        errorRate: requests ? errors / requests : null,
        availability: requests ? 1 - errors / requests : null,
        latencyMs: { p50: p99 / 4, p90: p99 / 2, p95: p99 * 0.8, p99, max: p99 * 2, mean: p99 / 3 },
        statusCodes: { '200': requests - errors, '503': errors },
      };
    }),
    buckets: [],
  };
}
