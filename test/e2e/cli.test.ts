import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, repoRoot, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, isAlive, killHard, startServer } from '../helpers/processes.js';
import { STARTUP_MS } from '../helpers/wait.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

describe('faultline validate / schema / help', () => {
  let dir: string;
  before(async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    dir = t.path;
    await writeFile(join(dir, 'faultline.yaml'), 'services:\n  api:\n    process: { command: "true" }\n');
    await writeFile(join(dir, 'good.yaml'), 'title: g\nmethod:\n  - fault: kill\n    target: api\n');
    await writeFile(join(dir, 'bad.yaml'), 'title: b\nmethod:\n  - fault: explode\n    target: api\n');
  });

  test('validate: ok files exit 0, any invalid file exits 2 with file:line and path', async () => {
    const ok = await runCli(['validate', 'good.yaml', 'faultline.yaml'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ok {3}good\.yaml \(experiment\)/);
    assert.match(ok.stdout, /ok {3}faultline\.yaml \(system\)/);
    const bad = await runCli(['validate', 'good.yaml', 'bad.yaml'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:3:\d+ at method\[0\]\.fault: unknown fault kind "explode"/);
  });

  test('run with an invalid experiment exits 2 and creates no state', async () => {
    const res = await runCli(['run', 'bad.yaml'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.never') } });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /E_INVALID/);
    assert.equal(existsSync(join(dir, '.never')), false);
  });

  test('run --dry-run prints the plan and touches nothing', async () => {
    await writeFile(
      join(dir, 'plan.yaml'),
      'title: plan\nmethod:\n  - wait: 1s\n  - parallel:\n      - { fault: pause, target: api, duration: 10s }\n      - { fault: kill, target: { random: [api] }, signal: SIGTERM }\nrecovery: { within: 5s }\n',
    );
    const res = await runCli(['run', 'plan.yaml', '--dry-run'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.dry') } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /dry run: nothing is started, injected or written/);
    assert.match(res.stdout, /- wait 1\.00s/);
    assert.match(res.stdout, /- pause → api \(the process this run starts\) for 10\.0s, then reverted \[process driver\]/);
    assert.match(res.stdout, /- kill \{"signal":"SIGTERM"\} → one of: api \(the process this run starts\) \(single action\)/);
    assert.match(res.stdout, /recovery: within 5\.00s, 3 consecutive healthy probes/);
    assert.match(res.stdout, /revert: SIGCONT to the same process/);
    assert.match(res.stdout, /guardrails:\n {4}max duration 10m; at most 10 targets/);
    assert.equal(existsSync(join(dir, '.dry')), false);
  });

  test('schema prints a JSON Schema with the fault kinds', async () => {
    const res = await runCli(['schema'], { cwd: dir });
    assert.equal(res.code, 0);
    const schema = JSON.parse(res.stdout) as { properties: Record<string, unknown> };
    assert.ok(schema.properties.method && schema.properties.hypothesis && schema.properties.recovery);
    for (const kind of ['kill', 'pause', 'restart']) assert.match(res.stdout, new RegExp(`"const": "${kind}"`));
    const sys = JSON.parse((await runCli(['schema', 'system'], { cwd: dir })).stdout) as { properties: Record<string, unknown> };
    assert.ok(sys.properties.services);
  });

  test('--help explains each command; unknown commands exit 2', async () => {
    const help = await runCli(['run', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:/);
    assert.match(help.stdout, /--report-dir/);
    const unknown = await runCli(['explode'], { cwd: dir });
    assert.equal(unknown.code, 2);
  });

  test('a quick command on a process service that nothing runs exits 2 and says how to start it', async () => {
    const res = await runCli(['kill', 'api'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.quick') } });
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr, /service api is not running under faultline up .*start it with `faultline up`/);
  });

  test('quick commands without a system file say so', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const res = await runCli(['kill', 'api'], { cwd: t.path });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /faultline\.yaml does not exist here/);
  });
});

describe('faultline up, health, kill, restart, pause, random, down', () => {
  let dir: string;
  let port: number;
  let env: Record<string, string>;
  let up: ReturnType<typeof startCli>;
  let watchOnly: ReturnType<typeof startServer>;
  let watchPort: number;

  before(async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    dir = t.path;
    port = await freePort();
    watchPort = await freePort();
    watchOnly = startServer(watchPort);
    env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
    await writeFile(
      join(dir, 'faultline.yaml'),
      `services:
  api:
    process:
      command: ["${process.execPath}", "${join(repoRoot, 'test/fixtures/service.mjs')}"]
      env: { PORT: "${port}", WARMUP_MS: "200" }
      restart: { policy: always, delay: 300ms }
    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }
  web:
    endpoint: http://127.0.0.1:${watchPort}/
    health: { http: "http://127.0.0.1:${watchPort}/" }
`,
    );
    up = startCli(['up'], { cwd: dir, env });
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'faultline up to start api', timeoutMs: STARTUP_MS });
  });
  after(async () => {
    up.child.kill('SIGKILL');
    killHard(watchOnly.pid);
  });

  test('health prints a table and exits 0 when all are healthy', async () => {
    const res = await runCli(['health'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /SERVICE +STATUS +LATENCY/);
    assert.match(res.stdout, /api +healthy/);
    assert.match(res.stdout, /web +healthy/);
    const json = JSON.parse((await runCli(['health', '--json'], { cwd: dir, env })).stdout) as { services: { service: string; status: string }[] };
    assert.deepEqual(json.services.map((s) => s.status), ['healthy', 'healthy']);
  });

  test('kill waits for recovery and reports timeToRecoverMs as in the journal', async () => {
    const res = await runCli(['kill', 'api', '--json'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as { service: string; timeToRecoverMs: number; timeToImpactMs: number; recovery: { restarts: number }[]; status: string };
    assert.equal(out.service, 'api');
    assert.equal(out.status, 'held');
    assert.ok(out.timeToRecoverMs >= 500, `restart delay 300ms + warm-up 200ms, got ${out.timeToRecoverMs}`);
    assert.ok(out.timeToImpactMs >= 0);
    assert.equal(out.recovery[0]!.restarts, 1);
  });

  test('restart and pause act through the up daemon and measure recovery', async () => {
    const restart = await runCli(['restart', 'api', '--json'], { cwd: dir, env });
    assert.equal(restart.code, 0, restart.stderr);
    const r = JSON.parse(restart.stdout) as { faults: { details: { pid: number } }[]; timeToRecoverMs: number };
    assert.ok(r.timeToRecoverMs >= 200, `warm-up 200ms, got ${r.timeToRecoverMs}`);
    const pause = await runCli(['pause', 'api', '--for', '1s', '--json'], { cwd: dir, env });
    assert.equal(pause.code, 0, pause.stderr);
    const p = JSON.parse(pause.stdout) as { faults: { status: string; durationMs: number }[]; timeToImpactMs: number };
    assert.equal(p.faults[0]!.status, 'reverted');
    assert.equal(p.faults[0]!.durationMs, 1000);
    assert.ok(p.timeToImpactMs < 1000);
  });

  test('random never picks a watch-only or excluded service; bad flags exit 2', async () => {
    const res = await runCli(['random', '--json'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stderr);
    assert.equal((JSON.parse(res.stdout) as { service: string }).service, 'api');
    const none = await runCli(['random', '--exclude', 'api'], { cwd: dir, env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no service to choose from/);
    // A watch-only endpoint has nothing to kill: random leaves it out rather than failing on it.
    const watchDir = join(dir, 'watch-only');
    await mkdir(watchDir, { recursive: true });
    await writeFile(join(watchDir, 'faultline.yaml'), 'services:\n  web:\n    endpoint: 127.0.0.1:9\n  db:\n    container: shop-db-1\n    critical: true\n');
    const watchOnly = await runCli(['random'], { cwd: watchDir, env });
    assert.equal(watchOnly.code, 2, watchOnly.stderr);
    assert.match(watchOnly.stderr, /no service to choose from: every service is excluded, critical or watch-only/);
    const badFor = await runCli(['pause', 'api', '--for', 'a while'], { cwd: dir, env });
    assert.equal(badFor.code, 2);
    assert.match(badFor.stderr, /--for: expected a duration/);
    const unknown = await runCli(['kill', 'apu'], { cwd: dir, env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /did you mean "api"/);
  });

  test('down stops the up daemon and its services', async () => {
    const pid = up.child.pid!;
    const res = await runCli(['down'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stderr);
    await up.done;
    await waitFor(async () => !(await httpOk(`http://127.0.0.1:${port}/`)), { what: 'api to stop' });
    assert.equal(isAlive(pid), false);
  });
});
