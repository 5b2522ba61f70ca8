// `faultline dashboard --json` on the engine's states (a compose service's replicas, paused,
// OOM-killed, missing, a memory limit), and in a real pseudo-terminal (a tmux pane of 120×30),
// watching a real container with a restart policy. The captured screen shows the service running
// and healthy; after the container's main process is killed (as the kernel's OOM killer or a crash
// would, so the policy restarts it) the same screen shows the restart; a resize redraws it to the
// new size; q gives the terminal back (main screen) and exits 0.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Snapshot } from '../../../src/dashboard/types.js';
import { runCli } from '../../helpers/cli.js';
import { skipUnlessRequired } from '../require.js';
import { BUSYBOX, cleanup, docker, repoRoot, runContainer, skipReason, state, uniqueName, waitFor } from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessRequired(skipReason(), import.meta.url);
const ttySkip = skip ?? skipUnlessRequired(hasTmux ? undefined : 'needs tmux for a real pseudo-terminal (apt-get install tmux; scripts/ci/system-tests.sh installs it)', import.meta.url);

// A tmux server of its own (-S, a socket in the test's directory): no other session, and no
// environment but the one given here.
let socket = '';
const session = 'dash';
const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
/** The visible screen, as text (-e: with its colour codes). */
const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('faultline dashboard in a terminal', { skip: ttySkip, concurrency: 1 }, () => {
  let dir: string;
  let container: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-dash-'));
    socket = join(dir, 'tmux.sock');
    container = runContainer('dash', ['--restart', 'always']);
    await waitFor('the container to be healthy', () => state(container).health === 'healthy', 30_000);
    writeFileSync(join(dir, 'faultline.yaml'), `name: tmux-shop\nservices:\n  web:\n    container: ${container}\n`);
    // The pane stays after the dashboard exits, showing its exit code on the main screen.
    const cmd = `cd ${quote(dir)} && env -u NO_COLOR FAULTLINE_STATE_DIR=${quote(join(dir, '.state'))} ${quote(process.execPath)} ${quote(join(repoRoot, 'bin/faultline.js'))} dashboard; echo "dashboard exited $?"; sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', cmd);
  });
  after(() => {
    if (socket) spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const webRow = () => screen().split('\n').find((l) => l.startsWith('web ')) ?? '';

  test('the screen shows the container running and healthy, in colour, sized to the pane', async () => {
    await waitFor('a frame with web running and healthy', () => /^web\s+container\s+running\s+healthy\s+\S+ms\s+0 \(0\)\s+\d+\.\d%\s+\S+B\s+/.test(webRow()), 30_000);
    const lines = screen().split('\n');
    assert.match(lines[0]!, /^faultline dashboard · tmux-shop · \d\d:\d\d:\d\d UTC · 1 service\(s\) · no faultline up$/);
    assert.match(lines[2]!, /^SERVICE\s+KIND\s+STATE\s+HEALTH\s+LATENCY\s+RESTARTS\s+CPU\s+MEM\s+DETAIL$/);
    assert.ok(webRow().endsWith(container), webRow());
    assert.ok(lines.includes('OPEN FAULTS  none') && lines.includes('RUNS IN PROGRESS  none'), lines.join('\n'));
    for (const line of lines) assert.ok(line.length <= 120, `wider than the pane: ${line}`);
    assert.ok(screen(true).includes('\x1b[32mrunning'), 'running in green on a terminal');
  });

  test('after the main process is killed the screen shows the restart', async (t) => {
    const old = state(container);
    process.kill(old.pid, 'SIGKILL');
    const seen = new Set<string>();
    await waitFor(
      'a frame with web restarted once (since start 1, the engine\'s RestartCount 1), running and healthy',
      () => {
        const row = webRow();
        seen.add(row.split(/\s{2,}/)[2] ?? '');
        return /^web\s+container\s+running\s+healthy\s+\S+\s+1 \(1\)\s/.test(row);
      },
      30_000,
      100,
    );
    assert.equal(state(container).restartCount, 1);
    assert.notEqual(state(container).pid, old.pid);
    t.diagnostic(`states seen on screen after the kill: ${[...seen].join(', ')}`);
  });

  test('a resize redraws the frame to the new size', async () => {
    tmux('resize-window', '-t', session, '-x', '50', '-y', '6');
    await waitFor('a frame cut to 50×6', () => {
      const lines = screen().trimEnd().split('\n');
      return lines.length === 6 && lines.every((l) => l.length <= 50) && /^web\s+container\s+running\s.*…$/.test(lines[3] ?? '') && /^… \d+ more line\(s\)/.test(lines[5] ?? '');
    }, 15_000);
    tmux('resize-window', '-t', session, '-x', '120', '-y', '30');
  });

  test('q quits: the main screen is back and the exit code is 0', async () => {
    tmux('send-keys', '-t', session, 'q');
    await waitFor('the dashboard to exit', () => screen().includes('dashboard exited'), 15_000);
    const text = screen();
    assert.match(text, /^dashboard exited 0$/m);
    assert.ok(!text.includes('faultline dashboard ·'), `the alternate screen is gone:\n${text}`);
  });
});

describe('faultline dashboard --json on the engine\'s states', { skip, concurrency: 1 }, () => {
  let dir: string;
  after(() => {
    cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('replicas of a compose service, paused, OOM-killed, missing, and a memory limit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-dash-'));
    const project = uniqueName('proj');
    // What docker-compose puts on a service's containers: the labels are how faultline finds them.
    const compose = ['--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.service=web', '--label', 'com.docker.compose.oneoff=False'];
    const replicas = [runContainer('web1', compose), runContainer('web2', compose)];
    const paused = runContainer('paused');
    const limited = runContainer('limited', ['--memory', '64m']);
    // tail keeps all of /dev/zero (no line ends) in memory; as the only process it is the one the
    // OOM killer ends (with a shell and a pipe it could pick another, and the container ran on).
    const oom = runContainer('oom', ['--memory', '16m', '--memory-swap', '16m'], BUSYBOX, ['tail', '/dev/zero']);
    docker('pause', paused);
    // The dashboard must see it exited, not only marked as OOM-killed: wait for both.
    await waitFor('the OOM kill and the exit', () => {
      const st = state(oom);
      return st.oom && !st.running;
    }, 30_000);
    docker('stop', '-t', '0', replicas[1]!);
    const missing = uniqueName('never-created');
    writeFileSync(
      join(dir, 'faultline.yaml'),
      `services:\n  web: { compose: { service: web, project: ${project} } }\n  paused: { container: ${paused} }\n  limited: { container: ${limited} }\n  oom: { container: ${oom} }\n  gone: { container: ${missing} }\n`,
    );
    const res = await runCli(['dashboard', '--json'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') } });
    assert.equal(res.code, 0, res.stderr);
    const s = JSON.parse(res.stdout) as Snapshot;
    const by = Object.fromEntries(s.services.map((v) => [v.name, v]));
    const seen = (name: string) => `${name} as the dashboard saw it: ${JSON.stringify(by[name])}`;
    assert.deepEqual([by.web!.kind, by.web!.state, by.web!.replicas], ['compose', 'degraded', { running: 1, desired: 2 }], seen('web'));
    assert.deepEqual(by.web!.containers.map((c) => [c.name, c.state]).sort(), replicas.map((n, i) => [n, i === 0 ? 'running' : 'exited']).sort(), seen('web'));
    assert.equal(by.web!.health.status, 'unhealthy', seen('web'));
    assert.deepEqual([by.paused!.state, by.paused!.health.status], ['paused', 'unhealthy'], seen('paused'));
    assert.deepEqual([by.oom!.state, by.oom!.containers[0]?.exitCode], ['OOM-killed', 137], seen('oom'));
    assert.deepEqual([by.gone!.state, by.gone!.detail], ['missing', `no container ${missing}`], seen('gone'));
    assert.equal(by.limited!.state, 'running', seen('limited'));
    assert.equal(by.limited!.memoryLimitBytes, 64 * 1024 * 1024, seen('limited'));
    assert.ok(by.limited!.memoryBytes! > 0 && by.limited!.memoryBytes! < 64 * 1024 * 1024, seen('limited'));
    assert.equal(typeof by.limited!.cpuPercent, 'number', `one stats call gives a CPU rate; ${seen('limited')}`);
  });
});
