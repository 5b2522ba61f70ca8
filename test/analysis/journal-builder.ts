/**
 * Synthetic journals for analysis tests. Health series are written as patterns, one character per
 * probe at a fixed interval: `o` ok, `x` connection refused, `5` status 503, `t` timeout, `.` no
 * sample. Recovery records come from the runner's own analysis, as in a real run.
 */
import { systemGraph } from '../../src/analysis/index.js';
import { analyzeServices } from '../../src/experiment/runner/analyze.js';
import type { FaultRecord, Journal, Sample } from '../../src/journal/types.js';

const OBSERVED: Record<string, { ok: boolean; observed: string; error?: string }> = {
  o: { ok: true, observed: 'status 200 in 2ms' },
  x: { ok: false, observed: 'ECONNREFUSED after 1ms', error: 'ECONNREFUSED' },
  '5': { ok: false, observed: 'status 503 in 4ms' },
  t: { ok: false, observed: 'timeout after 300ms', error: 'timeout after 300ms' },
};

export function samplesFrom(series: string, pattern: string, interval = 100, start = 0): Sample[] {
  const out: Sample[] = [];
  [...pattern].forEach((c, i) => {
    if (c === '.' || c === ' ') return;
    const o = OBSERVED[c];
    if (!o) throw new Error(`unknown pattern character ${c}`);
    out.push({ t: start + i * interval, series, ok: o.ok, latencyMs: 2, observed: o.observed, ...(o.error ? { error: o.error } : {}) });
  });
  return out;
}

export function fault(service: string, injectedT: number, revertedT = injectedT, extra: Partial<FaultRecord> = {}): FaultRecord {
  return {
    id: `f-${service}-${injectedT}`,
    kind: 'kill',
    driver: 'process',
    service,
    target: `${service} (pid 1)`,
    params: {},
    status: 'reverted',
    injectedAt: new Date(1_700_000_000_000 + injectedT).toISOString(),
    injectedT,
    revertedAt: new Date(1_700_000_000_000 + revertedT).toISOString(),
    revertedT,
    ...extra,
  };
}

export interface Spec {
  /** Health patterns per service, e.g. { store: 'oooxxxooo' }. */
  health: Record<string, string>;
  probes?: Record<string, string>;
  faults: FaultRecord[];
  graph?: Record<string, { dependsOn?: string[]; critical?: boolean }>;
  interval?: number;
  sustained?: number;
  within?: number;
  overrides?: Partial<Journal>;
}

export function journalFrom(spec: Spec): Journal {
  const interval = spec.interval ?? 100;
  const samples = [
    ...Object.entries(spec.health).flatMap(([name, p]) => samplesFrom(`service:${name}`, p, interval)),
    ...Object.entries(spec.probes ?? {}).flatMap(([name, p]) => samplesFrom(`probe:${name}`, p, interval)),
  ].sort((a, b) => a.t - b.t);
  const end = Math.max(0, ...samples.map((s) => s.t)) + interval;
  const firstFault = Math.min(...spec.faults.map((f) => f.injectedT), end);
  const recovery = analyzeServices({
    services: Object.keys(spec.health),
    samples,
    faults: spec.faults,
    events: [],
    sustained: spec.sustained ?? 3,
    ...(spec.within !== undefined ? { expectation: { within: spec.within, sustained: spec.sustained ?? 3 } } : {}),
  });
  const journal: Journal = {
    version: 1,
    runId: '20261122T000000-000000',
    title: 'synthetic',
    experimentFile: '/project/experiments/synthetic.yaml',
    systemFile: '/project/faultline.yaml',
    status: 'held',
    exitCode: 0,
    reasons: [],
    startedAt: new Date(1_700_000_000_000).toISOString(),
    endedAt: new Date(1_700_000_000_000 + end).toISOString(),
    durationMs: end,
    seed: 1,
    probeIntervalMs: interval,
    phases: [
      { phase: 'preflight', startT: 0, endT: 0 },
      { phase: 'baseline', startT: 0, endT: firstFault },
      { phase: 'method', startT: firstFault, endT: firstFault + 10 },
      { phase: 'recovery', startT: firstFault + 10, endT: end },
    ],
    steadyState: { before: [], during: [], after: [] },
    faults: spec.faults,
    rollbacks: [],
    recovery,
    serviceEvents: [],
    verdicts: recovery
      .filter((r) => r.expectedWithinMs !== undefined)
      .map((r) => ({ name: `${r.service} recovers`, kind: 'recovery' as const, ok: r.met === true, observed: 'x', expected: 'y', t: end })),
    timeSeries: samples,
    experiment: { title: 'synthetic' },
    ...spec.overrides,
  };
  if (spec.graph) journal.system = systemGraph(spec.graph);
  if (journal.verdicts.some((v) => !v.ok) && !spec.overrides?.status) {
    journal.status = 'deviated';
    journal.exitCode = 1;
  }
  return journal;
}
