// Guardrails against real processes: a breach aborts within a second and says why; blast-radius
// and time-window refusals inject nothing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import type { Journal } from '../../src/journal/types.js';
import { freePort, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, killHard, startServer } from '../helpers/processes.js';

const kinds = faultRegistry();
let dir: string;
let cleanup: () => Promise<void>;
const servers: number[] = [];
let portA: number;

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  portA = await freePort();
  const portC = await freePort();
  const a = startServer(portA);
  const c1 = startServer(portC, { REPLICA: '1' });
  const c2 = startServer(await freePort(), { REPLICA: '2' });
  servers.push(a.pid!, c1.pid!, c2.pid!);
  await writeFile(join(dir, 'a.pid'), String(a.pid));
  await waitFor(() => httpOk(`http://127.0.0.1:${portA}/`), { what: 'server a' });
  await writeFile(
    join(dir, 'faultline.yaml'),
    `probeInterval: 100ms
services:
  a:
    pidFile: a.pid
    health: { http: "http://127.0.0.1:${portA}/", timeout: 150ms }
  front:
    endpoint: http://127.0.0.1:${portA}/
    critical: true
    health: { http: "http://127.0.0.1:${portA}/", timeout: 150ms }
  replicas:
    match: "REPLICA_MARK_${process.pid}"
`,
  );
});
after(async () => {
  servers.forEach(killHard);
  await cleanup();
});

async function run(name: string, yaml: string): Promise<Journal> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return runExperiment(await loadExperiment(file, { kinds }), { kinds, stateDir: join(dir, '.state'), reporters: [] });
}

// How soon after a breach the run must have reverted. Guardrails are evaluated every 200 ms; the
// bound is for a busy 2-core machine, and far below the 30 s the faults would otherwise last.
const PROMPT_MS = 3000;

/**
 * The first instant at which the availability guardrail could have seen its breach, re-derived
 * from the time series as src/safety/guardrails.ts reads it: at instant T, the samples done by T
 * (t + latencyMs <= T) that started within the window (t >= T - window), at least 3, fewer than
 * `below` of them ok. That set changes only when a sample is done or one leaves the window, so
 * those are the instants to try. (Trying only the samples' own start times, as this did before,
 * missed a breach the guardrail saw when old ok samples had just left its window: seen on a busy
 * machine, where the run aborted before a sample-anchored window fell below 50%.)
 */
function breachT(j: Journal, series: string, below: number, window: number): number {
  const samples = j.timeSeries.filter((s) => s.series === series);
  const instants = samples.flatMap((s) => [s.t + s.latencyMs, s.t + window + 0.001]).sort((a, b) => a - b);
  for (const at of instants) {
    const seen = samples.filter((x) => x.t + x.latencyMs <= at && x.t >= at - window);
    if (seen.length >= 3 && seen.filter((x) => x.ok).length / seen.length < below) return at;
  }
  throw new Error('no breach in the time series');
}

describe('guardrails in a run', () => {
  test('availability below the guardrail aborts promptly after the breach and the report says why', async () => {
    const j = await run(
      'avail',
      'title: avail\nguardrails:\n  allowCritical: true\n  criticalFailures: 1000\n  abortIf:\n    - availability: { below: 50%, window: 1s, service: a }\nmethod:\n  - { fault: pause, target: a, duration: 30s }\n',
    );
    assert.equal(j.status, 'aborted');
    assert.equal(j.exitCode, 3);
    assert.match(j.reasons[0]!, /^guardrail: availability of a was [\d.]+% over the last 1\.00s, below the guardrail's 50%/);
    const fault = j.faults[0]!;
    assert.equal(fault.status, 'reverted');
    const breach = breachT(j, 'service:a', 0.5, 1000);
    assert.ok(fault.revertedT! - breach < PROMPT_MS, `reverted ${fault.revertedT! - breach}ms after the breach`);
  });

  test('an untargeted critical service failing aborts the run', async () => {
    const j = await run('critical', 'title: critical\nmethod:\n  - { fault: pause, target: a, duration: 30s }\n');
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /guardrail: critical service front failed 2 health probes in a row/);
    assert.ok(j.faults[0]!.revertedT! - j.faults[0]!.injectedT < 10_000, 'reverted long before its 30 s');
  });

  test('a custom probe guardrail aborts after N failures in a row', async () => {
    const j = await run(
      'probe',
      `title: probe\nhypothesis:\n  probes:\n    - { name: a answers, http: "http://127.0.0.1:${portA}/", timeout: 150ms }\nguardrails:\n  criticalFailures: 1000\n  abortIf:\n    - { probe: a answers, failures: 3 }\nmethod:\n  - { fault: pause, target: a, duration: 30s }\n`,
    );
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /guardrail: probe "a answers" failed 3 times in a row/);
  });

  test('blast radius: more targets than maxTargets is refused before any fault', async () => {
    const j = await run('radius', 'title: radius\nguardrails: { maxTargets: 1 }\nmethod:\n  - { fault: pause, target: replicas, duration: 1s }\n');
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /blast radius: the method could touch 2 targets, more than guardrails.maxTargets \(1\)/);
    assert.equal(j.faults.length, 0);
  });

  test('a denied time window refuses the run before anything starts', async () => {
    const j = await run(
      'window',
      'title: window\nguardrails:\n  windows: { deny: [{ days: [sun, mon, tue, wed, thu, fri, sat] }] }\nmethod:\n  - { fault: kill, target: a }\n',
    );
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /time window: .* is in a denied time window/);
    assert.equal(j.faults.length, 0);
  });

  test('excluded and critical services are refused at validation, with the path', async () => {
    const file = join(dir, 'static.yaml');
    await writeFile(file, 'title: s\nguardrails: { exclude: [a] }\nmethod:\n  - { fault: kill, target: a }\n  - { fault: kill, target: replicas }\n');
    await assert.rejects(loadExperiment(file, { kinds }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, /method\[0\]\.target: service "a" is excluded by guardrails\.exclude/);
      return true;
    });
    await writeFile(file, 'title: s\nmethod:\n  - { fault: pause, target: front, duration: 1s }\n');
    await assert.rejects(loadExperiment(file, { kinds }), /marked critical/);
    await writeFile(file, 'title: s\nguardrails:\n  abortIf: [{ errorRate: { above: 5% } }]\nmethod:\n  - { fault: kill, target: a }\n');
    await assert.rejects(loadExperiment(file, { kinds }), /guardrails\.abortIf\[0\]: errorRate guardrails read the run's load figures: add a load block/);
    await writeFile(file, 'title: s\nload: { command: [k6, run, x.js], format: k6 }\nguardrails:\n  abortIf: [{ p95: { above: 300ms } }]\nmethod:\n  - { fault: kill, target: a }\n');
    await assert.rejects(loadExperiment(file, { kinds }), /p95 guardrails read the built-in load generator's live figures, and an external load tool reports only when it ends/);
  });

  test('p95 under load: a stall trips the guardrail while it lasts, promptly after the breach', async () => {
    const j = await run(
      'p95',
      `title: p95\nload: { url: "http://127.0.0.1:${portA}/", rate: 100, timeout: 20s }\nbaseline: 1s\nguardrails:\n  allowCritical: true\n  criticalFailures: 1000\n  abortIf:\n    - p95: { above: 300ms, window: 2s }\nmethod:\n  - { fault: pause, target: a, duration: 30s }\n`,
    );
    assert.equal(j.status, 'aborted', j.reasons.join('; '));
    assert.equal(j.exitCode, 3);
    assert.match(j.reasons[0]!, /^guardrail: p95 latency was [\d.]+(ms|s) over the last 2\.00s, above the guardrail's 300ms/);
    const fault = j.faults[0]!;
    assert.equal(fault.status, 'reverted');
    // The earliest breach: requests sent at the pause are 300 ms old 300 ms later.
    const afterBreach = fault.revertedT! - (fault.injectedT + 300);
    assert.ok(afterBreach < PROMPT_MS, `reverted ${afterBreach}ms after the earliest possible breach`);
    assert.ok(j.load && j.load.phases.some((p) => p.phase === 'baseline' && p.requests > 50), 'the load ran before the fault');
  });

  test('error rate under load: a crash with no restart trips the guardrail promptly', async () => {
    const port = await freePort();
    await writeFile(
      join(dir, 'sys-crash.yaml'),
      `probeInterval: 100ms\nservices:\n  b:\n    process: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(process.cwd(), 'test/fixtures/service.mjs'))}], env: { PORT: "${port}" } }\n    health: { http: "http://127.0.0.1:${port}/", timeout: 150ms }\n`,
    );
    const j = await run(
      'error-rate',
      `title: error rate\nsystem: ./sys-crash.yaml\nload: { url: "http://127.0.0.1:${port}/", rate: 100 }\nbaseline: 1s\nguardrails:\n  abortIf:\n    - errorRate: { above: 10%, window: 2s }\nmethod:\n  - { fault: kill, target: b }\n  - { wait: 30s }\n`,
    );
    assert.equal(j.status, 'aborted', j.reasons.join('; '));
    assert.match(j.reasons[0]!, /^guardrail: error rate was [\d.]+% over the last 2\.00s, above the guardrail's 10%/);
    const fault = j.faults[0]!;
    // At 100 req/s after 2 s of successes the rate passes 10% about 0.25 s after the crash.
    const method = j.phases.find((p) => p.phase === 'method')!;
    assert.ok(method.endT - fault.injectedT < 250 + PROMPT_MS, `the method was cut short ${method.endT - fault.injectedT}ms after the crash`);
  });
});
