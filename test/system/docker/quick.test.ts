// The quick commands on Docker services, as a new user runs them: a Compose project started with
// `-p` under a name that is not its directory's, in a directory with only its Compose file (no
// faultline.yaml): `kill` of a `restart: always` service reports what brought it back, `kill` of
// one without a restart policy reports "did not recover" (exit 1) and names the policy; `pause`,
// `restart`, `random`; `kill --load` records three windows and judges --slo. Then a one-node Swarm
// service of 2 replicas, where `kill` measures the task's replacement.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { QuickResult } from '../../../src/cli/quick-result.js';
import type { Journal } from '../../../src/journal/types.js';
import { freePort, runCli, tempDir } from '../../helpers/cli.js';
import { IMAGE, docker, dockerTry, repoRoot, skipReason, uniqueName, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'cli', 'quick-result.js'));
const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const base = skipReason() ?? (!compose ? 'needs docker-compose (apt-get install docker-compose; scripts/ci/docker.sh does)' : built ? undefined : 'needs the build (npm run build)');
const skip = skipUnlessRequired(base, import.meta.url);

type Result = QuickResult & { status: string; exitCode: number; faults: { kind: string; status: string; details?: Record<string, unknown> }[] };

const COMPOSE = (port: number) => `version: "2.4"
services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", "echo web ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    restart: always
    ports:
      - "127.0.0.1:${port}:8080"
  worker:
    image: ${IMAGE}
    command: ["sh", "-c", "echo worker > /www/index.html && exec httpd -f -p 8080 -h /www"]
`;

describe('quick commands on a Compose project (no faultline.yaml)', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let project: string;
  let port: number;
  let env: Record<string, string>;
  const cli = async (...args: string[]) => {
    const res = await runCli([...args, '--yes'], { cwd: dir, env, timeoutMs: 120_000 });
    const json = args.includes('--json') && res.stdout.trim().startsWith('{') ? (JSON.parse(res.stdout) as Result) : undefined;
    return { ...res, json, all: `${res.stdout}\n${res.stderr}` };
  };
  const state = (service: string) => docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.State}}');
  const status = (service: string) => docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Status}}');

  before(async () => {
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-quick-dir-'));
    project = uniqueName('quick').replace(/[^a-z0-9_-]/g, '');
    port = await freePort();
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE(port));
    env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
    const up = spawnSync('docker-compose', ['-p', project, 'up', '-d'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(up.status, 0, up.stderr);
    await waitFor('web answering', async () => (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok).catch(() => false)) || undefined, 30_000, 200);
    // And worker running and past its image's HEALTHCHECK (1 s interval): `up -d` returns before
    // either, and the engine check counts a container whose check is still starting as not
    // healthy (seen twice: health found 0/1 of worker running and healthy).
    await waitFor('worker running', () => (state('worker') === 'running' ? true : undefined), 30_000, 200);
    await waitFor('worker healthy', () => (/\(healthy\)/.test(status('worker')) ? true : undefined), 30_000, 200);
  });
  after(async () => {
    if (project) spawnSync('docker-compose', ['-p', project, 'down', '-v', '-t', '1'], { cwd: dir, stdio: 'ignore', timeout: 120_000 });
    await cleanupDir?.();
  });

  test('health: every service of the Compose file, a Docker service with what the engine check saw', async () => {
    const res = await runCli(['health'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, new RegExp(`worker +healthy +[\\d.]+ms +exit 0 in \\d+ms — 1/1 containers of ${project}/worker running and healthy`));
    assert.match(res.stdout, /web +healthy +[\d.]+ms +status 200 in/);
  });

  test('kill of a restart: always service: the project of the running containers, a crash, the restart policy named and measured', async () => {
    const res = await cli('kill', 'web', '--json');
    assert.equal(res.code, 0, res.all);
    assert.match(res.stderr, new RegExp(`using docker-compose\\.yml: compose project ${project} \\(its containers are running`));
    const r = res.json!;
    assert.equal(r.service, 'web');
    assert.equal(r.kind, 'compose');
    assert.equal(r.faults[0]!.kind, 'container-kill');
    assert.equal(r.faults[0]!.details!.method, 'crash');
    assert.deepEqual(r.supervisor && { by: r.supervisor.by, policy: r.supervisor.policy, restarted: r.supervisor.restarted }, { by: 'restart-policy', policy: 'always', restarted: true });
    assert.ok(r.supervisor!.timeToRestartMs! > 0, JSON.stringify(r.supervisor));
    assert.equal(r.restarts, 1);
    assert.ok(r.timeToRecoverMs !== null && r.timeToRecoverMs >= r.supervisor!.timeToRestartMs! - 50, `healthy (${r.timeToRecoverMs}ms) no sooner than running again (${r.supervisor!.timeToRestartMs}ms)`);
    assert.match(res.stderr, /web: restart policy always: restarted after [\d.]+m?s; healthy again/);
  });

  test('kill of a service without a restart policy: did not recover, exit 1, and the policy named', async () => {
    const res = await cli('kill', 'worker', '--timeout', '3s');
    assert.equal(res.code, 1, res.all);
    assert.match(res.stdout, /worker: restart policy "no": nothing restarts a container that crashed under it; not healthy again in time\. Give it restart: always/);
    assert.match(res.stdout, /worker +impact after .*did not recover/);
    assert.equal(state('worker'), 'exited');
    const start = spawnSync('docker-compose', ['-p', project, 'start', 'worker'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(start.status, 0, start.stderr);
  });

  test('pause, restart and random on Compose services', async () => {
    const pause = await cli('pause', 'web', '--for', '2s', '--json');
    assert.equal(pause.code, 0, pause.all);
    assert.equal(pause.json!.faults[0]!.kind, 'container-pause');
    assert.equal(pause.json!.faults[0]!.status, 'reverted');
    // Seen while it held: the impact falls inside the 2 s window (a probe fails on the paused container).
    assert.ok(pause.json!.timeToImpactMs !== null && pause.json!.timeToImpactMs < 2000, JSON.stringify(pause.json));
    assert.equal(state('web'), 'running');

    const restart = await cli('restart', 'web', '--json');
    assert.equal(restart.code, 0, restart.all);
    assert.equal(restart.json!.faults[0]!.kind, 'container-restart');
    assert.equal(restart.json!.supervisor, undefined, 'a restart brings the service back itself');

    await waitFor('worker running', () => state('worker') === 'running' || undefined, 30_000, 200);
    const random = await cli('random', '--exclude', 'worker', '--seed', '7', '--json');
    assert.equal(random.code, 0, random.all);
    assert.equal(random.json!.service, 'web');
    assert.equal(random.json!.faults[0]!.kind, 'container-kill');
    const both = await cli('random', '--seed', '7', '--json', '--timeout', '3s');
    assert.ok(['web', 'worker'].includes(both.json!.service), both.all);
    assert.match(both.stderr, /kill a random service \(web, worker\)/);
    if (both.json!.service === 'worker') spawnSync('docker-compose', ['-p', project, 'start', 'worker'], { cwd: dir, timeout: 60_000 });
  });

  test('kill --load: baseline, fault and recovery windows of --for, availability during the fault, and a failed --slo exits 1', async () => {
    const res = await cli('kill', 'web', '--load', `http://127.0.0.1:${port}/`, '--rate', '40/s', '--for', '2s', '--slo', 'p99<1h,rps>100000/s', '--json', '--report-dir', 'out');
    assert.equal(res.code, 1, res.all);
    const r = res.json!;
    assert.deepEqual(r.load!.map((p) => p.phase), ['baseline', 'chaos', 'recovery']);
    for (const p of r.load!) assert.ok(p.requests >= 40, `${p.phase}: ${p.requests} requests in a 2 s window at 40/s`);
    assert.equal(r.load![0]!.errors, 0, 'the baseline is clean');
    assert.equal(typeof r.availabilityDuringFault, 'number');
    assert.deepEqual(r.slo!.verdicts.map((v) => [v.name, v.ok]), [['p99<1h', true], ['rps>100000/s', false]]);
    assert.equal(r.slo!.ok, false);
    assert.equal(r.supervisor!.restarted, true, 'the kill itself recovered: the SLO is what failed');
    assert.match(res.stderr, /SLO FAILED: p99<1h ok .* · rps>100000\/s failed/);
    assert.match(res.stderr, /availability during the fault: [\d.]+%/);
    // The same figures in the journal and the reports.
    const journal = JSON.parse(readFileSync(join(dir, 'out', 'journal.json'), 'utf8')) as Journal;
    assert.deepEqual(journal.load!.phases.map((p) => [p.phase, p.requests, p.errors]), r.load!.map((p) => [p.phase, p.requests, p.errors]));
    assert.deepEqual(journal.verdicts.filter((v) => v.kind === 'slo').map((v) => v.ok), [true, false]);
    const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    assert.match(md, /❌ \| SLO: rps&gt;100000\/s \|/);
    assert.match(md, new RegExp(`\\| chaos \\| ${r.load![1]!.requests} \\|`));
    assert.ok(existsSync(join(dir, 'out', 'report.html')) && existsSync(join(dir, 'out', 'junit.xml')));
  });
});

// A one-node swarm, as test/system/docker/swarm.test.ts makes it (left active afterwards).
describe('quick kill on a Swarm service', { skip, concurrency: 1 }, () => {
  let service: string;
  let dir: string;
  let cleanupDir: () => Promise<void>;

  before(async () => {
    if (dockerTry('info', '--format', '{{.Swarm.LocalNodeState}}').out !== 'active') {
      const init = dockerTry('swarm', 'init', '--advertise-addr', '127.0.0.1');
      assert.equal(init.code, 0, `docker swarm init: ${init.out}`);
    }
    service = uniqueName('qsw');
    docker('service', 'create', '-d', '--no-resolve-image', '--name', service, '--replicas', '2', '--restart-delay', '500ms', '--stop-grace-period', '1s', IMAGE);
    await waitFor('2/2 tasks running', () => docker('service', 'ls', '--filter', `name=${service}`, '--format', '{{.Replicas}}') === '2/2' || undefined, 60_000, 200);
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-quick-swarm-'));
    writeFileSync(join(dir, 'faultline.yaml'), `services:\n  tasks:\n    swarm: { service: ${service} }\n`);
  });
  after(async () => {
    if (service) dockerTry('service', 'rm', service);
    await waitFor('the tasks to be gone', () => dockerTry('ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`).out === '' || undefined, 20_000, 200).catch(() => undefined);
    await cleanupDir?.();
  });

  test('kill: one task dies, Swarm replaces it; the new task\'s id, its time to running, and the time until 2/2 and healthy', async () => {
    const res = await runCli(['kill', 'tasks', '--json', '--yes'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') }, timeoutMs: 90_000 });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const r = JSON.parse(res.stdout) as Result;
    const killed = r.faults[0]!.details!.containers as string[];
    assert.equal(killed.length, 1, 'one task of the two');
    assert.equal(r.supervisor!.by, 'swarm');
    assert.equal(r.supervisor!.restarted, true);
    assert.match(r.supervisor!.replacement!.taskId ?? '', /^[a-z0-9]{25}$/);
    assert.notEqual(r.supervisor!.replacement!.container, killed[0]);
    const running = docker('ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.Label "com.docker.swarm.task.id"}}').split('\n');
    assert.ok(running.includes(r.supervisor!.replacement!.taskId!), `the new task ${r.supervisor!.replacement!.taskId} runs: ${running.join(', ')}`);
    assert.ok(r.supervisor!.timeToRestartMs! > 0);
    assert.ok(r.timeToRecoverMs !== null && r.timeToRecoverMs >= r.supervisor!.timeToRestartMs! - 50, JSON.stringify(r));
    assert.match(res.stderr, /tasks: Swarm replaced the task with task [a-z0-9]{25}, running after [\d.]+m?s; all replicas running and healthy/);
  });
});
