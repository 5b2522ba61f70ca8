// SIGKILL of `faultline run` while it holds a partition (nft table in the target's network
// namespace) and a CPU limit (the target moved into a faultline cgroup): once the reaper has run,
// nothing is left — ruleset and cgroups as before — and `faultline recover` finds nothing.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ledgerPath, readLedger } from '../../../src/safety/ledger.js';
import { openFaults } from '../../../src/safety/open-faults.js';
import { runCli, startCli, tempDir, waitFor } from '../../helpers/cli.js';
import { client, inNs, makeNetnsPair, netSnapshot, primeIptables, procCgroup, repoRoot, skipUnless, startNetServer, type LineChild, type NetnsPair } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'linux', 'index.js'));
const skip = skipUnlessRequired(skipUnless('ip', 'nft', 'nsenter') ?? (built ? undefined : 'needs the build with the linux driver (npm run build; npm test builds first)'), import.meta.url);
const PORT = 7101;

describe('kill -9 of faultline holding linux faults', { skip, concurrency: 1 }, () => {
  let pair: NetnsPair;
  let server: LineChild;
  let dir: string;
  let cleanup: () => Promise<void>;
  let clean: string;
  let cgroupBefore: string;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    pair = makeNetnsPair();
    server = await startNetServer(pair.a, PORT);
    primeIptables(pair.a);
    clean = netSnapshot(pair.a);
    cgroupBefore = procCgroup(server.pid);
    writeFileSync(join(dir, 'srv.pid'), String(server.pid));
    writeFileSync(join(dir, 'faultline.yaml'), `services:\n  srv:\n    pidFile: srv.pid\n    ports: [${PORT}]\n`);
    writeFileSync(
      join(dir, 'chaos.yaml'),
      `title: hold linux faults
method:
  - parallel:
      - { fault: net-partition, target: srv, duration: 60s }
      - { fault: cpu-limit, target: srv, duration: 60s, cpus: 0.3 }
      - { fault: memory-limit, target: srv, duration: 60s, memory: 512m }
`,
    );
  });
  after(async () => {
    server?.stop();
    pair?.destroy();
    await cleanup?.();
  });

  const held = () => inNs(pair.a, 'nft', ['list', 'ruleset']).includes('faultline_') && /faultline-/.test(procCgroup(server.pid));
  const restored = () => netSnapshot(pair.a) === clean && procCgroup(server.pid) === cgroupBefore;

  // Killed at random moments: while injecting (half applied), and while holding.
  const delays = [0, 150, 600, 1500].map((d) => d + Math.floor(Math.random() * 150));
  for (const [i, extra] of delays.entries()) {
    test(`SIGKILL ${extra} ms after the faults hold${i === 0 ? ' (or while they are being applied)' : ''}: the reaper restores everything, recover finds nothing (round ${i + 1})`, async () => {
      const env = { FAULTLINE_STATE_DIR: join(dir, `.state-${i}`) };
      const run = startCli(['run', 'chaos.yaml'], { cwd: dir, env, timeoutMs: 90_000 });
      if (i === 0) await waitFor(() => inNs(pair.a, 'nft', ['list', 'ruleset']).includes('faultline_') || /faultline-/.test(procCgroup(server.pid)), { what: 'the first fault', timeoutMs: 20_000, intervalMs: 5 });
      else await waitFor(held, { what: `the faults to hold (output: ${run.output()})`, timeoutMs: 20_000 });
      if (i > 0) assert.notEqual((await client<{ result: string }>(pair.b, 'connect', pair.addrA, PORT, 300)).result, 'connected');
      await new Promise((r) => setTimeout(r, extra));
      run.child.kill('SIGKILL');
      await run.done;
      await waitFor(restored, { what: 'ruleset and cgroups as before', timeoutMs: 10_000 });
      assert.equal((await client<{ result: string }>(pair.b, 'connect', pair.addrA, PORT, 2000)).result, 'connected');
      await waitFor(async () => openFaults(await readLedger(ledgerPath(env.FAULTLINE_STATE_DIR))).length === 0, { what: 'the ledger to show nothing open', timeoutMs: 5000 });
      const recover = await runCli(['recover'], { cwd: dir, env });
      assert.equal(recover.code, 0, recover.stderr);
      assert.match(recover.stdout, /nothing to recover/);
    });
  }
});
