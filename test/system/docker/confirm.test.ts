// A run whose targets are beyond this machine asks first; without a terminal it needs --yes.
// The engine here is the real local one, reached over TCP at 127.0.0.2 (a relay to its socket):
// an address that is not this machine's loopback name, so its containers count as remote.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../../src/journal/types.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { cleanup, docker, repoRoot, runContainer, skipReason, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'docker', 'index.js'));
const skip = skipUnlessRequired(skipReason() ?? (built ? undefined : 'needs the build (npm run build)'), import.meta.url);

describe('confirmation before touching a remote engine', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let relay: Server;
  let container: string;

  before(async () => {
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-docker-confirm-'));
    relay = createServer((client) => {
      const engine = connect('/var/run/docker.sock');
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.2', resolve));
    const port = (relay.address() as { port: number }).port;
    container = runContainer('confirm');
    await waitFor('running', () => docker('inspect', '--format', '{{.State.Running}}', container) === 'true');
    writeFileSync(join(dir, 'faultline.yaml'), `services:\n  web: { container: ${container}, dockerHost: "tcp://127.0.0.2:${port}" }\n`);
    writeFileSync(join(dir, 'pause.yaml'), 'title: pause a remote container\nmethod:\n  - { fault: container-pause, target: web, duration: 500ms }\n');
  });
  after(async () => {
    relay?.close();
    cleanup();
    await cleanupDir?.();
  });

  test('without a terminal and without --yes: nothing is touched, the run is aborted and says to pass --yes', async () => {
    const res = await runCli(['run', 'pause.yaml', '-r', 'out-no'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') } });
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(res.stderr, /this run targets systems beyond this machine:\n {2}- web .*\nstdin is not a terminal, so it cannot ask: pass --yes to proceed/);
    const journal = JSON.parse(readFileSync(join(dir, 'out-no', 'journal.json'), 'utf8')) as Journal;
    assert.equal(journal.faults.length, 0, 'no fault was injected');
    assert.match(journal.reasons.join(' '), /not confirmed: the method targets web/);
  });

  test('with --yes: the fault is applied and reverted', async () => {
    const res = await runCli(['run', 'pause.yaml', '-r', 'out-yes', '--yes'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') } });
    const journal = JSON.parse(readFileSync(join(dir, 'out-yes', 'journal.json'), 'utf8')) as Journal;
    assert.deepEqual(journal.faults.map((f) => [f.kind, f.status]), [['container-pause', 'reverted']], res.stdout + res.stderr);
    assert.equal(docker('inspect', '--format', '{{.State.Paused}}', container), 'false');
  });
});
