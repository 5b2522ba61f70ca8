// `faultline run` (the built CLI) against the example Compose project (examples/compose), brought
// up with docker-compose v1 under a project name of its own: a crashed backend replica comes back
// by its restart policy and the run measures it (restart count, time to restart and to healthy,
// time to recover); a partition at the Engine's level; a CPU/memory squeeze plus packet loss inside
// the containers' network namespaces (the linux driver through the containers' pids); the
// Engine's `docker kill` semantics (no restart: the run deviates); process faults refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../../src/journal/types.js';
import { freePort, runCli, tempDir } from '../../helpers/cli.js';
import { docker, repoRoot, skipReason, snapshotNoAddress, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'docker', 'index.js'));
const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessRequired(skipReason() ?? (!compose ? 'needs docker-compose (apt-get install docker-compose; scripts/ci/docker.sh does)' : built ? undefined : 'needs the build (npm run build)'), import.meta.url);

describe('faultline run against a Compose project', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let project: string;
  let env: Record<string, string>;
  const composeCmd = (...args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', project, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const containers = (service: string) => docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}').split('\n').filter(Boolean).sort();
  const run = async (file: string) => {
    const report = join(dir, `out-${file.replace(/\.yaml$/, '')}`);
    const res = await runCli(['run', file, '--report-dir', report], { cwd: dir, env, timeoutMs: 120_000 });
    const journal = existsSync(join(report, 'journal.json')) ? (JSON.parse(readFileSync(join(report, 'journal.json'), 'utf8')) as Journal) : undefined;
    return { ...res, journal };
  };

  before(async () => {
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-compose-'));
    cpSync(join(repoRoot, 'examples', 'compose'), dir, { recursive: true });
    // The project is named after the directory, as docker-compose does when -p is not given; the
    // system file finds it the same way (no compose.project needed).
    project = dir.split('/').at(-1)!.toLowerCase().replace(/[^-_a-z0-9]/g, '');
    const port = await freePort();
    env = { GATEWAY_PORT: String(port), FAULTLINE_STATE_DIR: join(dir, '.state') };
    // The gateway's CGI forks sh and nc for every request: on a loaded CI host (load average 20–40
    // on 2 cores seen) one can take over the default 1 s probe timeout, and the gateway then looks
    // down while it is up (a steady state that fails injects nothing; a late timeout right after
    // recovery reads as a relapse). Its probes and health check get 5 s here; what the tests
    // measure is unchanged.
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(join(dir, f), 'utf8').replaceAll('18461', String(port));
      writeFileSync(join(dir, f), text.replace(/^( +)http: http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/api.*\n/gm, (line, indent: string) => `${line}${indent}timeout: 5s\n`));
    }
    // The gateway starts 1 s late (then execs httpd as PID 1, as in the example). Without that, the
    // outage of the rollback test's `docker restart` is only the ~150 ms between the kill and the new
    // httpd listening, which the 250 ms probes missed on CI: the run then had nothing to wait for and
    // the test nothing to check. One second is four probes at least.
    const composeFile = join(dir, 'docker-compose.yml');
    const gatewayCommand = 'command: ["httpd", "-f", "-p", "8080", "-h", "/www"]';
    assert.ok(readFileSync(composeFile, 'utf8').includes(gatewayCommand), 'the example\'s gateway command is as this test expects');
    writeFileSync(composeFile, readFileSync(composeFile, 'utf8').replace(gatewayCommand, 'command: ["sh", "-c", "sleep 1 && exec httpd -f -p 8080 -h /www"]'));
    composeCmd('up', '-d');
    await waitFor('every container healthy', () => /^(.*\(healthy\)\n?){3}$/.test(docker('ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Status}}') + '\n'), 60_000, 200);
  });
  after(async () => {
    if (project) spawnSync('docker-compose', ['-p', project, 'down', '-v', '-t', '1'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
    await cleanupDir?.();
  });

  test('kill-backend.yaml: one replica crashes, the restart policy brings it back; the journal measures it', async () => {
    const res = await run('kill-backend.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const j = res.journal!;
    assert.equal(j.status, 'held');
    const [fault] = j.faults;
    assert.equal(fault!.kind, 'container-kill');
    assert.equal((fault!.details!.containers as string[]).length, 1, 'replicas: 1 kills one of the two');
    const killed = (fault!.details!.containers as string[])[0]!;
    assert.ok(containers('backend').includes(killed));
    const backend = j.recovery.find((r) => r.service === 'backend')!;
    assert.equal(backend.restarts, 1);
    assert.ok(backend.timeToRestartMs! > 0 && backend.timeToRestartMs! < 15_000, `time to restart ${backend.timeToRestartMs}`);
    assert.ok(backend.timeToReadyMs! >= backend.timeToRestartMs!, `time to ready ${backend.timeToReadyMs}`);
    assert.ok(backend.impacted && backend.timeToRecoverMs !== null && backend.met === true);
    const exit = j.serviceEvents.find((e) => e.type === 'exit' && e.service === 'backend')!;
    assert.equal(exit.code, 137);
    assert.equal(exit.container, killed);
    assert.ok(j.serviceEvents.some((e) => e.type === 'spawn' && e.restart && e.container === killed && typeof e.pid === 'number'));
    // backend had no health block: it was watched through the engine
    assert.ok(j.timeSeries.some((s) => s.series === 'service:backend' && !s.ok), 'the engine-watched backend was seen unhealthy');
    assert.equal(docker('inspect', '--format', '{{.RestartCount}}', killed), '1');
  });

  test('partition-backend.yaml: every replica off the network, then back with its aliases', async () => {
    const before = containers('backend').map(snapshotNoAddress);
    const res = await run('partition-backend.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const gateway = res.journal!.recovery.find((r) => r.service === 'gateway')!;
    assert.ok(gateway.impacted, 'the gateway failed while its backends were unreachable');
    assert.equal(gateway.met, true);
    assert.deepEqual(containers('backend').map(snapshotNoAddress), before);
  });

  test('squeeze-backend.yaml: container-limit and net-loss (linux driver, in the containers\' namespaces) applied and removed', async () => {
    const [first] = containers('backend');
    const pid = docker('inspect', '--format', '{{.State.Pid}}', first!);
    const rules = () => spawnSync('nsenter', ['-t', pid, '-n', 'nft', 'list', 'ruleset'], { encoding: 'utf8' }).stdout;
    const cleanRules = rules();
    const res = await run('squeeze-backend.yaml');
    assert.equal(res.code, 0, `${res.journal?.reasons.join('; ')}\n${res.stdout}${res.stderr}`);
    const kinds = res.journal!.faults.map((f) => `${f.kind}:${f.status}`).sort();
    assert.deepEqual(kinds, ['container-limit:reverted', 'net-loss:reverted']);
    assert.match(res.journal!.faults.find((f) => f.kind === 'net-loss')!.target, /pid/);
    assert.equal(rules(), cleanRules, 'no rule left in the container\'s namespace');
    assert.equal(docker('inspect', '--format', '{{.HostConfig.CpuQuota}} {{.HostConfig.Memory}}', first!), '-1 9007199254740992');
  });

  test('container-kill method engine is `docker kill`: the restart policy does not fire, the run deviates', async () => {
    writeFileSync(
      join(dir, 'engine-kill.yaml'),
      'title: docker kill is a manual stop\nmethod:\n  - { fault: container-kill, target: backend, method: engine, replicas: 1 }\nrecovery: { within: 3s, services: [backend] }\n',
    );
    const restartsBefore = new Map(containers('backend').map((c) => [c, docker('inspect', '--format', '{{.RestartCount}}', c)]));
    const res = await run('engine-kill.yaml');
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const backend = res.journal!.recovery.find((r) => r.service === 'backend')!;
    assert.equal(backend.restarts, 0);
    assert.equal(backend.met, false);
    const killed = (res.journal!.faults[0]!.details!.containers as string[])[0]!;
    assert.equal(docker('inspect', '--format', '{{.State.Status}} {{.RestartCount}}', killed), `exited ${restartsBefore.get(killed)}`);
    composeCmd('up', '-d');
    await waitFor('backend back', () => docker('inspect', '--format', '{{.State.Health.Status}}', killed) === 'healthy', 30_000, 200);
  });

  test('a rollback `restart:` of a compose service goes through docker restart', async () => {
    const [gateway] = containers('gateway');
    const startedBefore = docker('inspect', '--format', '{{.State.StartedAt}}', gateway!);
    // The gateway is busybox httpd as PID 1, which ignores SIGTERM: docker restart waits out its
    // 10 s stop timeout and then kills it, so the gateway is down again ~10 s after the fault ended,
    // while the rollback runs. The run must wait for that outage to end (not stop at the healthy
    // spell before it) and the budget must cover it: 10 s + start + 3 probes.
    writeFileSync(join(dir, 'rollback.yaml'), 'title: rollback restarts a container\nmethod:\n  - { fault: container-pause, target: gateway, duration: 1s }\nrollbacks:\n  - restart: gateway\nrecovery: { within: 30s }\n');
    const res = await run('rollback.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const [rollback] = res.journal!.rollbacks;
    assert.equal(rollback!.ok, true, rollback!.output);
    assert.equal(rollback!.output, `restarted gateway (1 container: ${gateway})`);
    assert.notEqual(docker('inspect', '--format', '{{.State.StartedAt}}', gateway!), startedBefore);
    const recovery = res.journal!.recovery.find((r) => r.service === 'gateway')!;
    assert.ok(recovery.impacted && recovery.met === true && recovery.timeToRecoverMs! >= 10_000, `the restart's outage is part of the recovery: ${JSON.stringify(recovery)}`);
  });

  test('process faults on a Docker service are refused before anything runs (exit 2), pointing to container-*', async () => {
    writeFileSync(join(dir, 'wrong-kind.yaml'), 'title: wrong kind\nmethod:\n  - { fault: kill, target: backend }\n');
    const res = await runCli(['run', 'wrong-kind.yaml'], { cwd: dir, env });
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr + res.stdout, /wrong-kind\.yaml.*method.*0.*target/s);
    assert.match(res.stderr + res.stdout, /service "backend" is a Docker service \(compose\): use the container-\* faults instead/);
  });
});
