// The quick commands (`partition`, `loss`, `bandwidth`, `limit`, `stress`) through the real CLI
// code: a host:port target with no system file, services from a system file, the --json result,
// and the preflight's exit 2 for a user that cannot run the fault.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { processesWithToken } from '../../../src/drivers/linux/resources/stress.js';
import { freePort, tempDir, waitFor } from '../../helpers/cli.js';
import { client, fixtures, lockHostNetwork, makeNetnsPair, netSnapshot, procCgroup, repoRoot, sh, skipUnless, startNetServer, startNode, type LineChild, type NetnsPair } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipUnless('ip', 'nft', 'tc', 'nsenter'), import.meta.url);
const cli = join(fixtures, 'linux-cli.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function faultline(args: string[], cwd: string, options: { uid?: number } = {}): { done: Promise<Result> } {
  // tsx resolved from the repo: the command runs in a temp dir.
  const argv = [process.execPath, '--import', pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, cli, ...args];
  const [cmd, rest] = options.uid !== undefined ? ['setpriv', [`--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', ...argv]] : [argv[0]!, argv.slice(1)];
  const child = spawn(cmd, rest, { cwd, env: { ...process.env, NO_COLOR: '1', FAULTLINE_STATE_DIR: join(cwd, '.state') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

describe('linux quick commands', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pair: NetnsPair;
  let remote: LineChild;
  let local: LineChild;
  let localPort: number;
  let unlock: () => void = () => undefined;

  before(async () => {
    unlock = await lockHostNetwork();
    ({ path: dir, cleanup } = await tempDir());
    spawnSync('chmod', ['755', dir]);
    pair = makeNetnsPair();
    remote = await startNetServer(pair.a, 7101);
    localPort = await freePort();
    local = await startNetServer(undefined, localPort, '127.0.0.1');
    writeFileSync(join(dir, 'srv.pid'), String(remote.pid));
    writeFileSync(join(dir, 'faultline.yaml'), 'services:\n  srv:\n    pidFile: srv.pid\n    ports: [7101]\n');
  });
  after(async () => {
    remote?.stop();
    local?.stop();
    pair?.destroy();
    unlock();
    await cleanup?.();
  });

  test('faultline partition 127.0.0.1:PORT --for 3s --json: no system file; cut while it holds; healthy again; host ruleset as before', async () => {
    const clean = netSnapshot();
    const run = faultline(['partition', `127.0.0.1:${localPort}`, '--for', '3s', '--json', '--timeout', '10s'], dir);
    await waitFor(() => sh('nft', ['list', 'ruleset']).includes('faultline_'), { what: 'the partition', timeoutMs: 15_000 });
    const during = await client<{ result: string }>(undefined, 'connect', '127.0.0.1', localPort, 400);
    const res = await run.done;
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as { status: string; faults: { kind: string; status: string; target: string }[]; timeToRecoverMs: number | null };
    assert.equal(out.faults[0]?.kind, 'net-partition');
    assert.equal(out.faults[0]?.status, 'reverted');
    assert.match(out.faults[0]!.target, new RegExp(`127\\.0\\.0\\.1:${localPort}`));
    assert.equal(typeof out.timeToRecoverMs, 'number');
    assert.equal(netSnapshot(), clean);
    assert.equal(during.result, 'timeout');
  });

  test('faultline loss and bandwidth on a service in its own network namespace (--system)', async () => {
    const clean = netSnapshot(pair.a);
    for (const args of [['loss', 'srv', '--percent', '30', '--for', '500ms'], ['bandwidth', 'srv', '--rate', '1mbit', '--for', '500ms']]) {
      const res = await faultline([...args, '--system', 'faultline.yaml'], dir).done;
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}${res.stdout}`);
      assert.equal(netSnapshot(pair.a), clean, args.join(' '));
    }
    assert.equal((await client<{ result: string }>(pair.b, 'connect', pair.addrA, 7101, 2000)).result, 'connected');
  });

  test('faultline limit --cpu --memory and faultline stress --cpu on a service: applied, then everything restored', async () => {
    const busy = startNode(['-e', 'console.log("ready"); for (;;) {}']);
    try {
      await busy.waitLine(/ready/);
      writeFileSync(join(dir, 'busy.pid'), String(busy.pid));
      writeFileSync(join(dir, 'busy.yaml'), 'services:\n  busy:\n    pidFile: busy.pid\n');
      const before = procCgroup(busy.pid);
      const limit = await faultline(['limit', 'busy', '--cpu', '0.2', '--memory', '256m', '--for', '800ms', '--system', 'busy.yaml', '--json'], dir).done;
      assert.equal(limit.code, 0, limit.stderr);
      assert.equal((JSON.parse(limit.stdout) as { faults: { kind: string }[] }).faults[0]?.kind, 'resource-limit');
      assert.equal(procCgroup(busy.pid), before);
      const stress = await faultline(['stress', 'busy', '--cpu', '1', '--engine', 'builtin', '--for', '800ms', '--system', 'busy.yaml', '--json'], dir).done;
      assert.equal(stress.code, 0, stress.stderr);
      const token = (JSON.parse(stress.stdout) as { faults: { details: { token: string } }[] }).faults[0]!.details.token;
      assert.match(token, /^fl-/);
      assert.deepEqual(processesWithToken(token), []);
    } finally {
      busy.stop();
    }
  });

  test('a user without root gets exit 2 and a clear reason, before anything is applied', async () => {
    const clean = netSnapshot();
    const res = await faultline(['partition', `127.0.0.1:${localPort}`, '--for', '1s'], dir, { uid: 65534 }).done;
    assert.equal(res.code, 2, res.stderr + res.stdout);
    assert.match(res.stderr, /net-partition cannot run on this host: needs root \(or CAP_NET_ADMIN\); faultline runs as uid 65534/);
    assert.match(res.stderr, /E_HOST_REQUIREMENT/);
    assert.equal(netSnapshot(), clean);
  });

  test('bad flags are exit 2 with the parameter named', async () => {
    const res = await faultline(['loss', `127.0.0.1:${localPort}`, '--percent', '250', '--for', '1s'], dir).done;
    assert.equal(res.code, 2);
    assert.match(res.stderr, /net-loss: percent: expected a percentage above 0 and at most 100/);
    const res2 = await faultline(['limit', 'srv', '--for', '1s', '--system', 'faultline.yaml'], dir).done;
    assert.equal(res2.code, 2);
    assert.match(res2.stderr, /give --cpu, --memory or both/);
  });
});
