// The runner against real processes: method shapes, verdicts, rollbacks, aborts.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import type { Journal } from '../../src/journal/types.js';
import type { Reporter } from '../../src/reporters/types.js';
import { freePort, repoRoot, tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const service = join(repoRoot, 'test/fixtures/service.mjs');

let dir: string;
let cleanup: () => Promise<void>;
let ports: { a: number; b: number };

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  ports = { a: await freePort(), b: await freePort() };
  const svc = (port: number, policy: string) => `
    process:
      command: ["${process.execPath}", "${service}"]
      env: { PORT: "${port}" }
      restart: { policy: ${policy}, delay: 200ms }
    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }`;
  await writeFile(join(dir, 'faultline.yaml'), `probeInterval: 100ms\nservices:\n  a:${svc(ports.a, 'always')}\n  b:${svc(ports.b, 'never')}\n    dependsOn: [a]\n`);
});
after(() => cleanup());

async function run(name: string, yaml: string, options: { signal?: AbortSignal; seed?: number; reporters?: Reporter[] } = {}): Promise<Journal> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  const loaded = await loadExperiment(file, { kinds });
  return runExperiment(loaded, { kinds, stateDir: join(dir, '.state'), reporters: options.reporters ?? [], ...options });
}

describe('runner', () => {
  test('parallel pauses with a throughout probe: the probe fails while faults are active, so the run deviates', async () => {
    const j = await run(
      'parallel',
      `title: parallel
hypothesis:
  probes:
    - { name: a answers, http: "http://127.0.0.1:${ports.a}/", timeout: 150ms, throughout: true }
method:
  - parallel:
      - { fault: pause, target: a, duration: 600ms }
      - { fault: pause, target: b, duration: 300ms }
recovery: { within: 3s, sustained: 2 }
`,
    );
    assert.equal(j.status, 'deviated');
    assert.equal(j.exitCode, 1);
    assert.equal(j.faults.length, 2);
    assert.ok(j.faults.every((f) => f.status === 'reverted'));
    const [fa, fb] = [j.faults.find((f) => f.service === 'a')!, j.faults.find((f) => f.service === 'b')!];
    // Together, each for its own duration: in sequence, b would start only after a's 600ms.
    assert.ok(Math.abs(fa.injectedT - fb.injectedT) < 500, `injected together (${fa.injectedT}, ${fb.injectedT})`);
    const [heldA, heldB] = [fa.revertedT! - fa.injectedT, fb.revertedT! - fb.injectedT];
    assert.ok(heldA >= 600 && heldB >= 300 && heldB < heldA, `held a ${heldA}ms, b ${heldB}ms`);
    const throughout = j.verdicts.find((v) => v.kind === 'throughout')!;
    assert.equal(throughout.ok, false);
    assert.match(throughout.observed, /probes failed during the method and recovery/);
    assert.ok(j.verdicts.filter((v) => v.kind === 'recovery').every((v) => v.ok), JSON.stringify(j.verdicts));
    assert.ok(j.recovery.every((r) => r.impacted));
  });

  test('sequence, wait and a seeded random choice: the choice is repeatable and recorded', async () => {
    const yaml = `title: random
seed: 7
method:
  - sequence:
      - wait: 100ms
      - random:
          - { name: pause a, fault: pause, target: a, duration: 200ms }
          - { name: pause b, fault: pause, target: b, duration: 200ms }
      - { fault: pause, target: { random: [a, b] }, duration: 100ms }
`;
    const first = await run('random1', yaml);
    const second = await run('random2', yaml);
    assert.equal(first.seed, 7);
    assert.deepEqual(
      first.faults.map((f) => [f.step ?? '', f.service]),
      second.faults.map((f) => [f.step ?? '', f.service]),
    );
    assert.equal(first.faults.length, 2);
    assert.ok(first.faults[0]!.injectedT >= 100, 'the wait came first');
    const other = await run('random3', yaml.replace('seed: 7', 'seed: 8'));
    assert.equal(other.seed, 8);
  });

  test('a service that does not come back misses its recovery expectation: deviated', async () => {
    const j = await run('norestart', `title: b stays down\nmethod:\n  - { fault: kill, target: b }\nrecovery: { within: 800ms, sustained: 2, services: [b] }\n`);
    assert.equal(j.status, 'deviated');
    assert.equal(j.exitCode, 1);
    const b = j.recovery.find((r) => r.service === 'b')!;
    assert.equal(b.impacted, true);
    assert.equal(b.timeToRecoverMs, null);
    assert.equal(b.met, false);
    const check = j.verdicts.find((v) => v.kind === 'recovery')!;
    assert.equal(check.ok, false);
    assert.match(check.observed, /did not recover/);
    assert.match(j.reasons.join(' '), /b recovers within 800ms: observed did not recover/);
  });

  test('a second kill of a service that never came back is skipped, not an abort: the run deviates and says why', async () => {
    const j = await run('killtwice', `title: b twice\nmethod:\n  - { fault: kill, target: b }\n  - { wait: 300ms }\n  - { fault: kill, target: b }\n  - { fault: kill, target: a }\n`);
    assert.equal(j.status, 'deviated', j.reasons.join('; '));
    assert.equal(j.exitCode, 1);
    assert.deepEqual(j.faults.map((f) => f.service), ['b', 'a'], 'the method went on after the skipped step');
    assert.match(j.reasons.join('\n'), /step "kill b" skipped: b is not there to fault \(.+\); it did not come back from an earlier fault of this run/);
  });

  test('a rollback that restarts the service is part of the run: it recovers, the rollback is recorded', async () => {
    const j = await run('rollback', `title: b restarted by rollback\nmethod:\n  - { fault: kill, target: b }\nrollbacks:\n  - restart: b\nrecovery: { within: 3s, sustained: 2, services: [b] }\n`);
    assert.equal(j.rollbacks.length, 1);
    assert.equal(j.rollbacks[0]!.ok, true, JSON.stringify(j.rollbacks));
    assert.match(j.rollbacks[0]!.output, /restarted b/);
    assert.equal(j.status, 'held', JSON.stringify(j.verdicts));
    assert.equal(j.recovery.find((r) => r.service === 'b')!.restarts, 0, 'a requested restart is not a crash restart');
  });

  test('when the steady state does not hold before, no fault is injected', async () => {
    const j = await run(
      'notsteady',
      `title: not steady\nhypothesis:\n  probes:\n    - { name: closed port answers, tcp: "127.0.0.1:1" }\nmethod:\n  - { fault: kill, target: a }\n`,
    );
    assert.equal(j.status, 'deviated');
    assert.equal(j.faults.length, 0);
    assert.match(j.reasons.join(' '), /steady state did not hold before the method/);
    assert.equal(j.steadyState.before[0]!.ok, false);
  });

  test('an abort during a held fault reverts it at once, runs rollbacks, and ends as aborted', async () => {
    const controller = new AbortController();
    const marker = join(dir, 'rollback-ran');
    const reporter: Reporter = { name: 'abort-on-inject', onFaultInjected: () => setTimeout(() => controller.abort(new Error('test abort')), 200) };
    const started = Date.now();
    const j = await run(
      'abort',
      `title: abort\nmethod:\n  - { fault: pause, target: a, duration: 30s }\nrollbacks:\n  - command: "echo done > ${marker}"\n`,
      { signal: controller.signal, reporters: [reporter] },
    );
    assert.ok(Date.now() - started < 15_000, 'long before the 30 s fault would end');
    assert.equal(j.status, 'aborted');
    assert.equal(j.exitCode, 3);
    assert.deepEqual(j.reasons, ['test abort']);
    assert.equal(j.faults[0]!.status, 'reverted');
    assert.ok(j.faults[0]!.revertedT! - j.faults[0]!.injectedT < 5000, 'reverted at the abort, not at the end of its 30 s');
    assert.equal((await readFile(marker, 'utf8')).trim(), 'done');
  });

  test('the max duration aborts a run that goes on too long', async () => {
    // The maximum covers the whole run, service start-up included: generous, so a loaded machine still reaches the fault.
    const j = await run('maxdur', `title: too long\nmaxDuration: 5s\nmethod:\n  - { fault: pause, target: a, duration: 1m }\n`);
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /maximum duration of 5000ms/);
    assert.equal(j.faults.length, 1, JSON.stringify(j.phases));
    assert.equal(j.faults[0]!.status, 'reverted');
  });

  test('a service that never becomes ready aborts in preflight with its log', async () => {
    const bad = join(dir, 'bad-system.yaml');
    await writeFile(bad, `services:\n  broken:\n    process: { command: "echo starting up; exit 3", readyTimeout: 2s }\n    health: { tcp: "127.0.0.1:1" }\n`);
    const file = join(dir, 'preflight.yaml');
    await writeFile(file, `title: preflight\nsystem: ./bad-system.yaml\nmethod:\n  - { fault: kill, target: broken }\n`);
    const loaded = await loadExperiment(file, { kinds });
    const j = await runExperiment(loaded, { kinds, stateDir: join(dir, '.state'), reporters: [] });
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /preflight: .*broken/);
    assert.equal(j.faults.length, 0);
  });
});

test('a process service that something else already serves is refused in preflight', async () => {
  const { path: d, cleanup: c } = await tempDir();
  const { startServer, killHard, httpOk } = await import('../helpers/processes.js');
  const { waitFor } = await import('../helpers/cli.js');
  const port = await freePort();
  const other = startServer(port);
  try {
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'other server' });
    await writeFile(join(d, 'faultline.yaml'), `services:\n  api:\n    process: { command: "sleep 30" }\n    health: { http: "http://127.0.0.1:${port}/" }\n`);
    await writeFile(join(d, 'e.yaml'), 'title: x\nmethod:\n  - { fault: kill, target: api }\n');
    const loaded = await loadExperiment(join(d, 'e.yaml'), { kinds });
    const j = await runExperiment(loaded, { kinds, stateDir: join(d, '.state'), reporters: [] });
    assert.equal(j.status, 'aborted');
    assert.match(j.reasons[0]!, /api is already running/);
    assert.equal(j.faults.length, 0);
  } finally {
    killHard(other.pid);
    await c();
  }
});

test('a throughout probe is judged until recovery, so it catches the outage a single kill causes', async () => {
  const { path: d, cleanup: c } = await tempDir();
  try {
    const port = await freePort();
    await writeFile(
      join(d, 'faultline.yaml'),
      `probeInterval: 100ms\nservices:\n  api:\n    process:\n      command: ["${process.execPath}", "${service}"]\n      env: { PORT: "${port}", WARMUP_MS: "300" }\n      restart: { policy: always, delay: 300ms }\n    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }\n`,
    );
    await writeFile(
      join(d, 'e.yaml'),
      `title: x\nhypothesis:\n  probes:\n    - { name: api answers, http: "http://127.0.0.1:${port}/", timeout: 200ms, throughout: true }\nmethod:\n  - { fault: kill, target: api }\nrecovery: { within: 5s, sustained: 2 }\n`,
    );
    const j = await runExperiment(await loadExperiment(join(d, 'e.yaml'), { kinds }), { kinds, stateDir: join(d, '.state'), reporters: [] });
    const throughout = j.verdicts.find((v) => v.kind === 'throughout')!;
    assert.equal(throughout.ok, false);
    assert.match(throughout.observed, /\d+ of \d+ probes failed during the method and recovery/);
    assert.equal(j.status, 'deviated');
    assert.equal(j.recovery[0]!.met, true, 'the service itself recovered in time');
  } finally {
    await c();
  }
});

test('an experiment with load: the journal has per-phase load figures and SLO verdicts', async () => {
  const { path: d, cleanup: c } = await tempDir();
  try {
    const port = await freePort();
    await writeFile(
      join(d, 'faultline.yaml'),
      `probeInterval: 100ms\nservices:\n  api:\n    process:\n      command: ["${process.execPath}", "${service}"]\n      env: { PORT: "${port}" }\n      restart: { policy: always, delay: 300ms }\n    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }\n`,
    );
    await writeFile(
      join(d, 'e.yaml'),
      `title: load\nbaseline: 1s\nload:\n  url: http://127.0.0.1:${port}/\n  rate: 100/s\nslos:\n  - { metric: errorRate, max: 1% }\n  - { metric: throughput, min: 50/s, phase: baseline }\nmethod:\n  - { fault: kill, target: api }\n  - wait: 1s\nrecovery: { within: 5s, sustained: 2 }\n`,
    );
    const j = await runExperiment(await loadExperiment(join(d, 'e.yaml'), { kinds }), { kinds, stateDir: join(d, '.state'), reporters: [] });
    assert.ok(j.load, 'journal.load is present');
    const phases = Object.fromEntries(j.load.phases.map((p) => [p.phase, p]));
    assert.ok(phases.baseline!.requests > 50, JSON.stringify(phases.baseline));
    // A busy machine may drop a request or two before the fault; the kill must show far more.
    assert.ok(phases.baseline!.errors <= phases.baseline!.requests * 0.05, JSON.stringify(phases.baseline));
    assert.ok(phases.chaos!.errors > phases.baseline!.errors, 'the kill shows as errors under load');
    const slos = j.verdicts.filter((v) => v.kind === 'slo');
    assert.equal(slos.length, 2);
    assert.equal(slos.find((v) => /errorRate|error rate/i.test(v.expected))!.ok, false, JSON.stringify(slos));
    assert.equal(slos.find((v) => /throughput/i.test(v.expected))!.ok, true, JSON.stringify(slos));
    assert.equal(j.status, 'deviated');
    assert.ok(j.analysis, 'the analysis is in the journal');
    assert.ok(j.system?.services.api);
  } finally {
    await c();
  }
});
