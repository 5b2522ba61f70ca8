// SIGKILL of `faultline run` while it holds a container pause, a network disconnect and a limit:
// the reaper puts every container back as it was within seconds (paused no more, on its network
// with its address and aliases, its own limits), and `faultline recover` then finds nothing.
// With --no-reaper the faults stay until `faultline recover`, which undoes them.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ledgerPath, readLedger } from '../../../src/safety/ledger.js';
import { openFaults } from '../../../src/safety/open-faults.js';
import { runCli, startCli, tempDir } from '../../helpers/cli.js';
import { cleanup, createNetwork, docker, repoRoot, runContainer, skipReason, snapshot, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'docker', 'index.js'));
const skip = skipUnlessRequired(skipReason() ?? (built ? undefined : 'needs the build (npm run build)'), import.meta.url);

describe('kill -9 of faultline holding docker faults', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let names: { frozen: string; cut: string; squeezed: string };
  let clean: Record<string, string>;

  before(async () => {
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-docker-kill-'));
    const octet = 1 + Math.floor(Math.random() * 250);
    const net = createNetwork('km', ['--subnet', `10.251.${octet}.0/24`]);
    names = {
      frozen: runContainer('km-frozen'),
      cut: runContainer('km-cut', ['--network', net, '--ip', `10.251.${octet}.9`, '--network-alias', 'cut']),
      squeezed: runContainer('km-squeezed', ['--cpus', '1', '--memory', '256m']),
    };
    await waitFor('running', () => Object.values(names).every((n) => docker('inspect', '--format', '{{.State.Running}}', n) === 'true'));
    clean = Object.fromEntries(Object.values(names).map((n) => [n, snapshot(n)]));
    writeFileSync(join(dir, 'faultline.yaml'), `services:\n  frozen: { container: ${names.frozen} }\n  cut: { container: ${names.cut} }\n  squeezed: { container: ${names.squeezed} }\n`);
    writeFileSync(
      join(dir, 'chaos.yaml'),
      `title: hold docker faults
method:
  - parallel:
      - { fault: container-pause, target: frozen, duration: 60s }
      - { fault: container-disconnect, target: cut, duration: 60s }
      - { fault: container-limit, target: squeezed, duration: 60s, cpus: 0.3, memory: 48m }
`,
    );
  });
  after(async () => {
    cleanup();
    await cleanupDir?.();
  });

  const held = () =>
    docker('inspect', '--format', '{{.State.Paused}}', names.frozen) === 'true' &&
    !snapshot(names.cut).includes('nets=flt') &&
    docker('inspect', '--format', '{{.HostConfig.NanoCpus}}', names.squeezed) === '300000000';
  const anyHeld = () => docker('inspect', '--format', '{{.State.Paused}}', names.frozen) === 'true' || !snapshot(names.cut).includes('nets=flt') || docker('inspect', '--format', '{{.HostConfig.NanoCpus}}', names.squeezed) !== '1000000000';
  const restored = () => Object.entries(clean).every(([n, s]) => snapshot(n) === s);

  const delays = [0, 200, 1200].map((d) => d + Math.floor(Math.random() * 150));
  for (const [i, extra] of delays.entries()) {
    test(`SIGKILL ${extra} ms after the faults ${i === 0 ? 'start' : 'hold'}: the reaper restores every container, recover finds nothing (round ${i + 1})`, async () => {
      const env = { FAULTLINE_STATE_DIR: join(dir, `.state-${i}`) };
      const run = startCli(['run', 'chaos.yaml'], { cwd: dir, env, timeoutMs: 90_000 });
      if (i === 0) await waitFor(`the first fault (output: ${run.output()})`, anyHeld, 20_000, 5);
      else await waitFor(`the faults to hold (output: ${run.output()})`, held, 20_000);
      await new Promise((r) => setTimeout(r, extra));
      run.child.kill('SIGKILL');
      await run.done;
      await waitFor(`containers as before (now: ${Object.keys(clean).map(snapshot).join(' | ')})`, restored, 10_000);
      await waitFor('the ledger to show nothing open', async () => openFaults(await readLedger(ledgerPath(env.FAULTLINE_STATE_DIR))).length === 0, 5000);
      const recover = await runCli(['recover'], { cwd: dir, env });
      assert.equal(recover.code, 0, recover.stderr);
      assert.match(recover.stdout, /nothing to recover/);
    });
  }

  test('with --no-reaper the faults outlive faultline; `faultline recover` unpauses, reconnects and restores the limits', async () => {
    const env = { FAULTLINE_STATE_DIR: join(dir, '.state-noreaper') };
    const run = startCli(['run', 'chaos.yaml', '--no-reaper'], { cwd: dir, env, timeoutMs: 90_000 });
    await waitFor(`the faults to hold (output: ${run.output()})`, held, 20_000);
    run.child.kill('SIGKILL');
    await run.done;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(held(), 'nothing reverted them');
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.equal(recover.code, 0, recover.stdout + recover.stderr);
    assert.match(recover.stdout, /container-pause/);
    assert.ok(restored(), Object.keys(clean).map(snapshot).join(' | '));
    const again = await runCli(['recover'], { cwd: dir, env });
    assert.match(again.stdout, /nothing to recover/);
  });
});
