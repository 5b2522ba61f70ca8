// `faultline stop` reverts only what it stopped or what is dead: a run that starts during its
// grace period keeps its faults and goes on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { emergencyStop } from '../../src/safety/emergency-stop.js';
import { listActiveRuns } from '../../src/safety/active-runs.js';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { isPidAlive } from '../../src/safety/pid.js';
import { killQuietly, markerKind, removeDir, startFakeRun, tempDir } from './helpers.js';

describe('emergencyStop and a run that starts during its grace period', () => {
  let root: string;
  const children: ChildProcess[] = [];
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    children.forEach(killQuietly);
    await removeDir(root);
  });

  it('leaves the newcomer and its fault alone', async () => {
    const stateDir = join(root, 'state');
    const file = (name: string) => join(root, name);
    const stubborn = await startFakeRun({ stateDir, runId: 'stubborn', mode: 'stubborn', outFile: file('stubborn.out'), markerFile: file('stubborn.marker') });
    children.push(stubborn);

    const stopping = emergencyStop({ stateDir, kinds: { marker: markerKind() }, log: () => {}, graceMs: 120_000 });
    // While the stop waits for the stubborn run, another run starts and applies its fault…
    const newcomer = await startFakeRun({ stateDir, runId: 'newcomer', mode: 'cooperative', outFile: file('newcomer.out'), markerFile: file('newcomer.marker') });
    children.push(newcomer);
    // …and only then does the stubborn run end (killed: it ignores the stop), so the stop goes on to revert.
    stubborn.kill('SIGKILL');
    const result = await stopping;

    assert.deepEqual(
      result.stopped.map((r) => r.runId),
      ['stubborn'],
    );
    assert.deepEqual(
      result.reverted.map((f) => f.runId),
      ['stubborn'],
    );
    assert.deepEqual(
      result.live.map((f) => f.runId),
      ['newcomer'],
      'the newcomer is alive: its fault is its own',
    );
    assert.equal(existsSync(file('stubborn.marker')), false);
    assert.equal(existsSync(file('newcomer.marker')), true, "the newcomer's fault is still in effect, as it believes");
    assert.ok(isPidAlive(newcomer.pid!));
    assert.deepEqual(
      openFaults(await readLedger(ledgerPath(stateDir))).map((f) => f.runId),
      ['newcomer'],
    );
    assert.deepEqual(
      (await listActiveRuns(stateDir)).active.map((r) => r.runId),
      ['newcomer'],
    );
  });
});
