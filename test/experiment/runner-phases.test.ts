// Phases of the run lifecycle read alone, on plain data: the recovery deadline, recovery after
// an abort, the run's status. (The same rules against real processes: runner-figures.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeServices } from '../../src/experiment/runner/analyze.js';
import { DEFAULT_RECOVERY_WAIT_MS, recoveryDeadline } from '../../src/experiment/runner/phases/recovery.js';
import { decideStatus } from '../../src/experiment/runner/phases/report.js';
import type { RunContext } from '../../src/experiment/runner/run-context.js';
import type { Sample } from '../../src/journal/types.js';
import { fault } from '../analysis/journal-builder.js';

type DeadlineInput = Parameters<typeof recoveryDeadline>[0];
const ctx = (services: Record<string, { interval?: number } | undefined>, recovery?: { within: number; services?: string[] }): DeadlineInput =>
  ({
    experiment: { recovery } as RunContext['experiment'],
    watchedServices: Object.keys(services).filter((s) => services[s]),
    loaded: { system: { system: { services: Object.fromEntries(Object.entries(services).map(([n, h]) => [n, h ? { health: h } : {}])) } } } as unknown as RunContext['loaded'],
    probeInterval: 100,
    sustained: 3,
  }) as DeadlineInput;

test('recovery deadline: within + sustained × the slowest health interval in scope', () => {
  assert.equal(recoveryDeadline(ctx({ api: {}, db: { interval: 2000 } }, { within: 5000 }), 1000), 1000 + 5000 + 3 * 2000);
  assert.equal(recoveryDeadline(ctx({ api: {}, db: { interval: 2000 } }, { within: 5000, services: ['api'] }), 0), 5000 + 3 * 100, 'out of scope: its interval does not count');
  assert.equal(recoveryDeadline(ctx({ api: {} }), 0), DEFAULT_RECOVERY_WAIT_MS + 300);
});

const samples = (series: string, oks: boolean[], every = 100): Sample[] => oks.map((ok, i) => ({ t: i * every, series, ok, latencyMs: 5, observed: ok ? 'status 200' : 'refused' }));

test('recovery after an abort: not seen recovering before a cut-short watch is "not measured", after the deadline it is "did not recover"', () => {
  const input = {
    services: ['api'],
    samples: samples('service:api', [true, true, false, false, false]),
    faults: [fault('api', 150)],
    events: [],
    sustained: 2,
    expectation: { within: 10_000, sustained: 2 },
  };
  const [cut] = analyzeServices({ ...input, aborted: { until: 500, deadline: 10_350 } });
  assert.equal(cut!.notMeasured, 'aborted');
  assert.equal(cut!.met, undefined);
  const [full] = analyzeServices({ ...input, aborted: { until: 10_400, deadline: 10_350 } });
  assert.equal(full!.notMeasured, undefined);
  assert.equal(full!.met, false);
  const [recovered] = analyzeServices({ ...input, samples: samples('service:api', [true, true, false, true, true]), aborted: { until: 500, deadline: 10_350 } });
  assert.equal(recovered!.notMeasured, undefined, 'seen recovering: measured');
  assert.equal(recovered!.timeToRecoverMs, 155, 'from the answer of the probe at 300 (5 ms) to the fault end at 150');
});

test('status: revert failed > aborted > deviated (steady state, skipped step, failed verdict) > held', () => {
  const ok = { name: 'x', kind: 'recovery' as const, ok: true, observed: '', expected: '', t: 0 };
  const base = { aborted: false, faults: [fault('api', 0)], verdicts: [ok], steadyBefore: true, skipped: 0 };
  assert.equal(decideStatus(base), 'held');
  assert.equal(decideStatus({ ...base, steadyBefore: false }), 'deviated');
  assert.equal(decideStatus({ ...base, verdicts: [{ ...ok, ok: false }] }), 'deviated');
  assert.equal(decideStatus({ ...base, aborted: true, verdicts: [{ ...ok, ok: false }] }), 'aborted');
  assert.equal(decideStatus({ ...base, aborted: true, faults: [fault('api', 0, 0, { status: 'revert-failed' })] }), 'revert-failed');
});
