// A fault whose injection fails part-way is undone at once — and the run tells the truth about
// that undo: `reverted` only when it worked; when it failed, the fault is `revert-failed`, the run
// exits 4 and says what may remain and how to retry; a working undo that the ledger could not
// record is not a failed revert.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { faultRegistry } from '../../src/drivers/index.js';
import type { FaultKind } from '../../src/faults/types.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { tempDir } from '../helpers/cli.js';

/**
 * A two-part fault on the file system: it creates a directory and a file in it, then fails on its
 * second part. Its undo removes the directory — `rmdir` (which fails while the file is in it: a
 * broken undo) or recursively (a working one). `lockLedger` makes the ledger immutable first, so
 * whatever the run writes next fails, as on a full or read-only disk.
 */
function halfKind(undo: 'rmdir' | 'recursive', lockLedger?: string): FaultKind<{ dir: string }> {
  return {
    name: 'half',
    driver: 'process',
    summary: 'applies half of itself, then fails',
    timing: 'held',
    params: z.object({ dir: z.string() }),
    plan: (_t, p) => ({ dir: p.dir }),
    async inject(_t, p) {
      await mkdir(p.dir, { recursive: true });
      await writeFile(join(p.dir, 'first-half'), 'applied\n');
      if (lockLedger && spawnSync('chattr', ['+i', lockLedger]).status !== 0) throw new Error('chattr failed');
      throw new Error('the second half was refused');
    },
    async revert(info) {
      const dir = String(info['dir']);
      if (undo === 'rmdir') await rmdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
      else await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('a failed injection and its undo', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let idle: ChildProcess;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    await writeFile(join(dir, 'api.pid'), String(idle.pid));
    await writeFile(join(dir, 'faultline.yaml'), 'services:\n  api:\n    pidFile: api.pid\n');
  });
  after(async () => {
    idle.kill('SIGKILL');
    await cleanup();
  });

  async function run(name: string, kind: FaultKind<{ dir: string }>, stateDir: string) {
    const kinds = { ...faultRegistry(), half: kind as FaultKind };
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, `title: ${name}\nmethod:\n  - { fault: half, target: api, duration: 1s, dir: "${join(dir, name)}" }\n`);
    const loaded = await loadExperiment(file, { kinds });
    return runExperiment(loaded, { kinds, stateDir, reporters: [], startServices: false });
  }

  test('an undo that fails: revert-failed, exit 4, what may remain and the command that retries it', async () => {
    const stateDir = join(dir, '.state-a');
    const j = await run('broken-undo', halfKind('rmdir'), stateDir);
    assert.equal(j.status, 'revert-failed');
    assert.equal(j.exitCode, 4);
    const [fault] = j.faults;
    assert.equal(fault!.status, 'revert-failed');
    assert.match(fault!.error!, /^injection failed: the second half was refused; undoing what it may have applied failed too: ENOTEMPTY/);
    assert.ok(existsSync(join(dir, 'broken-undo', 'first-half')), 'the half that was applied is still there');
    const reason = j.reasons.find((r) => r.startsWith('could not revert half on api'));
    assert.ok(reason, j.reasons.join('\n'));
    assert.match(reason, new RegExp(`it may still be in effect; retry with: faultline recover --run ${j.runId} --state-dir ${stateDir}`));

    // The ledger says the same: a failed revert, never `reverted`, so recover will retry it.
    const entries = (await readLedger(ledgerPath(stateDir))).filter((e) => e.faultId === fault!.id);
    assert.deepEqual(
      entries.map((e) => e.type),
      ['intent', 'revert-failed'],
    );
    assert.deepEqual(
      openFaults(entries).map((f) => f.faultId),
      [fault!.id],
    );
  });

  test('an undo that works but cannot be written down is not a failed revert', async (t) => {
    const stateDir = join(dir, '.state-b');
    await mkdir(stateDir, { recursive: true });
    const ledger = ledgerPath(stateDir);
    await writeFile(ledger, '');
    if (spawnSync('chattr', ['+i', ledger]).status !== 0) return t.skip('needs chattr +i (root, ext4) to make the ledger unwritable');
    spawnSync('chattr', ['-i', ledger]);
    let j;
    try {
      j = await run('unrecorded-undo', halfKind('recursive', ledger), stateDir);
    } finally {
      spawnSync('chattr', ['-i', ledger]);
    }
    assert.equal(j.status, 'aborted', j.reasons.join('\n'));
    assert.equal(j.exitCode, 3);
    const [fault] = j.faults;
    assert.equal(fault!.status, 'inject-failed');
    assert.equal(fault!.error, 'the second half was refused');
    assert.match(fault!.ledgerError!, /^reverted, but the ledger could not record it \(cannot write the fault ledger .*\): it still looks open there, and `faultline recover` will revert it again, harmlessly/);
    assert.equal(existsSync(join(dir, 'unrecorded-undo')), false, 'undone');
  });
});
