// `faultline dashboard` on real process services under `faultline up`: one frame (--once) and one
// snapshot (--json) show them running and healthy with their pids and memory; a pause run shows
// as an open fault, a run in progress and a paused service; and a live dashboard (not on a
// terminal: frames one after another) shows the restart of a killed service with a restart policy
// and the exit of one without.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Snapshot, ServiceView } from '../../src/dashboard/types.js';
import { freePort, repoRoot, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { pidOn } from '../helpers/processes.js';
import { STARTUP_MS } from '../helpers/wait.js';

const fixture = join(repoRoot, 'test/fixtures/service.mjs');
let dir: string;
let cleanup: () => Promise<void>;
let up: ReturnType<typeof startCli>;
const ports = { api: 0, worker: 0 };
const env = () => ({ FAULTLINE_STATE_DIR: join(dir, '.state') });


async function snapshot(): Promise<Snapshot> {
  const res = await runCli(['dashboard', '--json'], { cwd: dir, env: env() });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  return JSON.parse(res.stdout) as Snapshot;
}

const service = (s: Snapshot, name: string): ServiceView => s.services.find((x) => x.name === name) ?? assert.fail(`no service ${name} in ${JSON.stringify(s)}`);
/** The rows of the last complete frame of a live dashboard's output (each frame starts with its header). */
function lastFrame(output: string): string[] {
  const frames = output.split(/^(?=faultline dashboard · )/m).filter((f) => f.endsWith('\n\n'));
  return (frames.at(-1) ?? '').split('\n');
}
const row = (lines: string[], name: string) => lines.find((l) => l.startsWith(`${name} `));

const svc = (port: number, policy: string) => `    process:
      command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture)}]
      env: { PORT: "${port}" }
      restart: { policy: ${policy}, delay: 100ms }
      stopTimeout: 1s
    health: { http: "http://127.0.0.1:${port}/", timeout: 1s }
`;

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  ports.api = await freePort();
  ports.worker = await freePort();
  await writeFile(join(dir, 'faultline.yaml'), `name: shop\nservices:\n  api:\n${svc(ports.api, 'always')}  worker:\n${svc(ports.worker, 'never')}`);
  up = startCli(['up'], { cwd: dir, env: env() });
  await waitFor(async () => (await pidOn(ports.api)) && (await pidOn(ports.worker)), { what: 'faultline up to start api and worker', timeoutMs: STARTUP_MS });
});
after(async () => {
  up.child.kill('SIGTERM');
  await up.done;
  await cleanup();
});

test('--once prints one frame: both services running and healthy, no faults, no runs', async () => {
  const res = await runCli(['dashboard', '--once'], { cwd: dir, env: env() });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const lines = res.stdout.split('\n');
  assert.match(lines[0]!, new RegExp(`^faultline dashboard · shop · \\d\\d:\\d\\d:\\d\\d UTC · 2 service\\(s\\) · faultline up pid ${up.child.pid}$`));
  assert.match(row(lines, 'api') ?? '', new RegExp(`^api\\s+process\\s+running\\s+healthy\\s+\\S+ms\\s+0 \\(0\\)\\s+\\d+\\.\\d%\\s+\\d+\\.\\dMiB\\s+pid ${await pidOn(ports.api)}$`));
  assert.match(row(lines, 'worker') ?? '', /^worker\s+process\s+running\s+healthy\s/);
  assert.ok(lines.includes('OPEN FAULTS  none') && lines.includes('RUNS IN PROGRESS  none'), res.stdout);
  assert.ok(!res.stdout.includes('\x1b'), 'no escape codes when not on a terminal');
});

test('--json prints one snapshot with each service\'s state, health, pids, CPU and memory', async () => {
  const s = await snapshot();
  assert.equal(s.system.name, 'shop');
  assert.equal(s.up?.pid, up.child.pid);
  assert.deepEqual([s.openFaults, s.runs], [[], []]);
  for (const name of ['api', 'worker'] as const) {
    const v = service(s, name);
    assert.equal(v.kind, 'process');
    assert.equal(v.state, 'running');
    assert.equal(v.health.status, 'healthy', v.health.observed);
    assert.deepEqual(v.restarts, { sinceStart: 0, total: 0 });
    assert.ok(v.pids.includes((await pidOn(ports[name]))!), `${name}: pids ${v.pids}`);
    assert.ok(v.memoryBytes! > 10 * 1024 * 1024, `${name}: a node process uses more than 10 MiB, got ${v.memoryBytes}`);
    assert.equal(typeof v.cpuPercent, 'number');
  }
});

test('a pause run shows as an open fault, a run in progress and a paused service', async () => {
  const pause = startCli(['pause', 'api', '--for', '30s'], { cwd: dir, env: env() });
  try {
    const s = await waitFor(async () => {
      const snap = await snapshot();
      return snap.openFaults.length > 0 && service(snap, 'api').state === 'paused' ? snap : undefined;
    }, { what: 'the dashboard to show the pause', timeoutMs: STARTUP_MS, intervalMs: 200 });
    assert.equal(s.runs.length, 1);
    assert.equal(s.runs[0]!.pid, pause.child.pid);
    assert.equal(s.runs[0]!.title, 'pause api for 30s');
    assert.deepEqual(
      s.openFaults.map((f) => [f.kind, f.service, f.runId, f.runAlive, f.applied]),
      [['pause', 'api', s.runs[0]!.runId, true, true]],
    );
    assert.equal(service(s, 'worker').state, 'running');
  } finally {
    pause.child.kill('SIGTERM'); // the run reverts its pause and ends
    await pause.done;
  }
  const later = await snapshot();
  assert.deepEqual([later.openFaults, later.runs, service(later, 'api').state], [[], [], 'running']);
});

test('a live dashboard shows a killed service restart and a killed service without a policy exit', async () => {
  const live = startCli(['dashboard', '--interval', '200ms'], { cwd: dir, env: env() });
  try {
    await waitFor(() => /^api\s+process\s+running\s+healthy\s+\S+\s+0 \(0\)/m.test(lastFrame(live.output()).join('\n')), { what: 'a first frame with api running', timeoutMs: STARTUP_MS });
    const apiPid = (await pidOn(ports.api))!;
    process.kill(apiPid, 'SIGKILL');
    process.kill((await pidOn(ports.worker))!, 'SIGKILL');
    const frame = await waitFor(
      () => {
        const lines = lastFrame(live.output());
        const api = row(lines, 'api') ?? '';
        const done = /^api\s+process\s+running\s+healthy\s+\S+\s+1 \(1\)\s/.test(api) && !api.endsWith(`pid ${apiPid}`) && /^worker\s+process\s+exited\s+unhealthy\s/.test(row(lines, 'worker') ?? '');
        if (!done) throw new Error(`the last frame:\n${lines.join('\n')}`);
        return lines;
      },
      // Health comes from the latest finished check: a frame may show the exit before the failed check.
      { what: 'a frame with api restarted once and worker exited and unhealthy', timeoutMs: 20_000 },
    );
    assert.match(row(frame, 'worker')!, /^worker\s+process\s+exited\s+unhealthy\s+.*killed by SIGKILL$/);
  } finally {
    live.child.kill('SIGTERM');
  }
  const res = await live.done;
  assert.equal(res.code, 0, `SIGTERM ends the dashboard normally: ${res.stderr}`);
  const s = await snapshot();
  assert.deepEqual([service(s, 'api').state, service(s, 'api').restarts.total, service(s, 'worker').state], ['running', 1, 'exited']);
});

test('a process service a run started (no faultline up) shows as running, started by that run', async () => {
  const port = await freePort();
  await writeFile(join(dir, 'run.yaml'), `services:\n  solo:\n${svc(port, 'never')}`);
  await writeFile(join(dir, 'hold.yaml'), 'title: hold\nmethod:\n  - { wait: 60s }\n');
  const runEnv = { FAULTLINE_STATE_DIR: join(dir, '.state-run') };
  const run = startCli(['run', 'hold.yaml', '--system', 'run.yaml', '-r', 'out-hold'], { cwd: dir, env: runEnv });
  try {
    const s = await waitFor(
      async () => {
        const res = await runCli(['dashboard', '--json', '--system', 'run.yaml'], { cwd: dir, env: runEnv });
        const snap = JSON.parse(res.stdout) as Snapshot;
        return snap.runs.length === 1 && service(snap, 'solo').state === 'running' ? snap : undefined;
      },
      { what: 'the dashboard to show the run and its service', timeoutMs: STARTUP_MS, intervalMs: 200 },
    );
    const solo = service(s, 'solo');
    const pid = (await pidOn(port))!;
    assert.ok(solo.pids.includes(pid), `pids ${solo.pids}, the service answers as ${pid}`);
    assert.match(solo.detail, new RegExp(`^pid \\d+, started by run ${s.runs[0]!.runId}$`));
    assert.deepEqual(s.runs[0]!.services, ['solo']);
    assert.deepEqual(s.openFaults, [], 'the record of a started process is no fault');
    const once = await runCli(['dashboard', '--once', '--system', 'run.yaml'], { cwd: dir, env: runEnv });
    assert.ok(once.stdout.includes(` "hold" · ${join(dir, 'hold.yaml')} · pid ${run.child.pid} · `) && /· started solo$/m.test(once.stdout), once.stdout);
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
  }
});

test('bad input exits 2 and says what was expected', async () => {
  const interval = await runCli(['dashboard', '--interval', 'soon'], { cwd: dir, env: env() });
  assert.equal(interval.code, 2);
  assert.match(interval.stderr, /--interval: expected a duration such as 500ms, 10s or 1m, got "soon"/);
  const tiny = await runCli(['dashboard', '--interval', '10ms'], { cwd: dir, env: env() });
  assert.equal(tiny.code, 2);
  assert.match(tiny.stderr, /--interval: expected at least 100ms/);
  const missing = await runCli(['dashboard', '--once', '--system', 'nope.yaml'], { cwd: dir, env: env() });
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /nope\.yaml/);
});
