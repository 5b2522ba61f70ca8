// Figures the runner reports against real processes whose truth is known by construction:
// the impact rule shared by recovery and cascades, per-service health intervals in the recovery
// wait, recovery after an abort, and the health of the services in scope before the method.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import type { Journal } from '../../src/journal/types.js';
import type { Reporter } from '../../src/reporters/types.js';
import { freePort, repoRoot, tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const service = join(repoRoot, 'test/fixtures/service.mjs');
const dependent = join(repoRoot, 'test/fixtures/dependent-service.mjs');
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function runIn(system: string, experiment: string, options: { signal?: AbortSignal; reporters?: Reporter[] } = {}): Promise<{ journal: Journal }> {
  const { path: dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  await writeFile(join(dir, 'faultline.yaml'), system);
  await writeFile(join(dir, 'e.yaml'), experiment);
  const journal = await runExperiment(await loadExperiment(join(dir, 'e.yaml'), { kinds }), { kinds, stateDir: join(dir, '.state'), reporters: options.reporters ?? [], ...options });
  return { journal };
}

const node = (script: string, env: Record<string, string>) => `["${process.execPath}", "${script}"]\n      env: ${JSON.stringify(env)}`;

test('impact: a health probe in flight when its dependency is killed is the only failure; recovery and cascade both count it', async () => {
  const [db, api] = [await freePort(), await freePort()];
  const { journal: j } = await runIn(
    `probeInterval: 100ms
services:
  db:
    process:
      command: ${node(dependent, { ROLE: 'db', PORT: String(db) })}
  api:
    dependsOn: [db]
    process:
      command: ${node(dependent, { ROLE: 'api', PORT: String(api), DB_PORT: String(db), HOLD_MS: '1000' })}
    health: { http: "http://127.0.0.1:${api}/", timeout: 3s }
`,
    `title: in flight\nmethod:\n  - wait: 1500ms\n  - { fault: kill, target: db }\nrecovery: { within: 10s, sustained: 2 }\n`,
  );
  assert.equal(j.status, 'held', j.reasons.join('; '));
  const failed = j.timeSeries.filter((s) => s.series === 'service:api' && !s.ok);
  assert.equal(failed.length, 1, `by construction only the probe held across the kill fails: ${JSON.stringify(failed)}`);
  assert.match(failed[0]!.observed, /503/);
  const kill = j.faults[0]!;
  const rec = j.recovery.find((r) => r.service === 'api')!;
  const step = j.analysis!.cascades[0]!.steps.find((s) => s.service === 'api');
  assert.ok(step, `api is a cascade step: ${JSON.stringify(j.analysis!.cascades)}`);
  assert.equal(rec.impacted, true, 'a cascade step is an impacted service (one rule)');
  assert.equal(rec.failedProbes, 1);
  if (failed[0]!.t < kill.injectedT) assert.equal(rec.timeToImpactMs, 0, 'a probe in flight at the fault is impact at offset 0');
  assert.equal(rec.impactT, Math.max(failed[0]!.t, kill.injectedT));
});

test('recovery wait: a service probed every 2 s that recovers late in `within` is measured as recovered', async () => {
  const port = await freePort();
  const scratch = await tempDir();
  cleanups.push(scratch.cleanup);
  const readyFile = join(scratch.path, 'ready.log');
  const { journal: j } = await runIn(
    `probeInterval: 100ms
services:
  api:
    process:
      command: ${node(service, { PORT: String(port), READY_FILE: readyFile })}
      restart: { policy: always, delay: 4s }
    health: { http: "http://127.0.0.1:${port}/", timeout: 500ms, interval: 2s }
`,
    `title: slow probe\nmethod:\n  - { fault: kill, target: api }\nrecovery: { within: 7s, sustained: 3 }\n`,
  );
  const rec = j.recovery[0]!;
  const readies = (await readFile(readyFile, 'utf8')).trim().split('\n').map((l) => Number(l.split(' ')[1]));
  assert.equal(readies.length, 2, 'started once, restarted once');
  const realMs = readies[1]! - Date.parse(j.faults[0]!.injectedAt);
  assert.ok(realMs >= 4000, `down for the 4 s restart delay, got ${realMs}ms`);
  assert.notEqual(rec.timeToRecoverMs, null, `3 probes 2 s apart after a recovery at ${realMs}ms need more than within + 3 × 100ms: ${JSON.stringify(rec)}`);
  assert.ok(rec.timeToRecoverMs! >= realMs - 50 && rec.timeToRecoverMs! <= realMs + 2200, `measured ${rec.timeToRecoverMs}ms vs real ${realMs}ms (interval 2 s)`);
  assert.equal(rec.met, rec.timeToRecoverMs! <= 7000);
});

test('abort: a service healthy right after the revert is measured as recovered; one not seen recovering is "not measured", never "did not recover"', async () => {
  const [a, b] = [await freePort(), await freePort()];
  const controller = new AbortController();
  const reporter: Reporter = { name: 'stop', onFaultInjected: (f) => void (f.kind === 'pause' && setTimeout(() => controller.abort(new Error('faultline stop')), 600)) };
  const svc = (port: number, policy: string) => `
    process:
      command: ${node(service, { PORT: String(port) })}
      restart: { policy: ${policy} }
    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }`;
  const { journal: j } = await runIn(
    `probeInterval: 100ms\nservices:\n  a:${svc(a, 'always')}\n  b:${svc(b, 'never')}\n`,
    `title: stopped\nmethod:\n  - { fault: kill, target: b }\n  - { fault: pause, target: a, duration: 1m }\nrecovery: { within: 1m, sustained: 2 }\n`,
    { signal: controller.signal, reporters: [reporter] },
  );
  assert.equal(j.status, 'aborted', j.reasons.join('; '));
  assert.deepEqual(j.reasons, ['faultline stop']);
  const [ra, rb] = [j.recovery.find((r) => r.service === 'a')!, j.recovery.find((r) => r.service === 'b')!];
  assert.equal(ra.impacted, true, 'paused for 600 ms with 200 ms probes');
  assert.notEqual(ra.timeToRecoverMs, null, `a answers as soon as it is resumed: ${JSON.stringify(ra)}`);
  assert.ok(ra.timeToRecoverMs! <= 5000, 'seen within the bounded watch after the abort');
  assert.equal(ra.notMeasured, undefined);
  assert.equal(rb.impacted, true);
  assert.equal(rb.timeToRecoverMs, null);
  assert.equal(rb.notMeasured, 'aborted', 'the watch after the abort is shorter than `within`: no claim either way');
  assert.equal(rb.met, undefined);
  const checks = j.verdicts.filter((v) => v.kind === 'recovery');
  assert.ok(checks.every((c) => !/did not recover/.test(c.observed)), JSON.stringify(checks));
  assert.match(checks.find((c) => c.name.startsWith('b '))!.observed, /not measured/);
  assert.notEqual(j.analysis!.score.recovery.score, 0, `an unmeasured recovery is not scored as a failure: ${JSON.stringify(j.analysis!.score.recovery)} ${JSON.stringify(j.analysis!.services)}`);
});

test('steady state before: a run with no hypothesis probes injects nothing while a service in scope is down, and says which', async () => {
  const [api, down] = [await freePort(), await freePort()];
  const { journal: j } = await runIn(
    `services:
  api:
    process:
      command: ${node(service, { PORT: String(api) })}
    health: { http: "http://127.0.0.1:${api}/", timeout: 300ms }
  store:
    endpoint: http://127.0.0.1:${down}/
    health: { http: "http://127.0.0.1:${down}/", timeout: 300ms }
`,
    `title: store is down\nmethod:\n  - { fault: kill, target: api }\n`,
  );
  assert.equal(j.faults.length, 0, 'nothing injected');
  assert.equal(j.status, 'deviated');
  assert.equal(j.exitCode, 1);
  const store = j.steadyState.before.find((c) => c.name === 'store is healthy')!;
  assert.equal(store.ok, false);
  assert.equal(j.steadyState.before.find((c) => c.name === 'api is healthy')!.ok, true);
  assert.match(j.reasons.join('\n'), /steady state did not hold before the method, so no fault was injected/);
  assert.match(j.reasons.join('\n'), /store is healthy: observed .*(refused|ECONNREFUSED)/i);
});
