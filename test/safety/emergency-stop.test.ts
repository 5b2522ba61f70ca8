import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { emergencyStop } from '../../src/safety/emergency-stop.js';
import { listActiveRuns, registerRun } from '../../src/safety/active-runs.js';
import { Ledger, ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { isPidAlive } from '../../src/safety/pid.js';
import { readAudit } from '../../src/safety/audit.js';
import { deadPid, killQuietly, markerKind, removeDir, startFakeRun, tempDir } from './helpers.js';

describe('emergencyStop', () => {
  let root: string;
  const children: ChildProcess[] = [];
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    children.forEach(killQuietly);
    await removeDir(root);
  });

  it('has nothing to do in an empty state dir', async () => {
    const result = await emergencyStop({ stateDir: join(root, 'empty'), kinds: {}, log: () => {}, graceMs: 100 });
    assert.deepEqual(result, { reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: [], ledger: ledgerPath(join(root, 'empty')), stopped: [], didNotExit: [], unkillable: [], stale: [] });
  });

  it('stops runs that listen, reverts under runs that do not, and cleans up after crashed ones', async () => {
    const stateDir = join(root, 'state');
    const file = (name: string) => join(root, name);
    const kinds = { marker: markerKind() };

    // A run that crashed earlier: registered, pid gone, its fault still open.
    await registerRun(stateDir, { runId: 'crashed', pid: await deadPid(), title: 'old', file: 'x.yaml', startedAt: new Date(0).toISOString() });
    const ledger = await Ledger.open(stateDir);
    await ledger.intent({ runId: 'crashed', faultId: 'f1', kind: 'marker', driver: 'test', service: 'db', target: 'db', revertInfo: { file: file('crashed.marker') } });
    await kinds.marker.inject({ service: 'db', label: 'db' }, { file: file('crashed.marker') }, { signal: AbortSignal.timeout(1000), runId: 'crashed', log: () => {} });
    await ledger.close();

    const [coop, stubborn] = await Promise.all([
      startFakeRun({ stateDir, runId: 'coop', mode: 'cooperative', outFile: file('coop.out'), markerFile: file('coop.marker') }),
      startFakeRun({ stateDir, runId: 'stubborn', mode: 'stubborn', outFile: file('stubborn.out'), markerFile: file('stubborn.marker') }),
    ]);
    children.push(coop, stubborn);
    assert.ok(['crashed', 'coop', 'stubborn'].every((r) => existsSync(file(`${r}.marker`))));

    const logs: string[] = [];
    const started = Date.now();
    const result = await emergencyStop({ stateDir, kinds, log: (m) => logs.push(m), graceMs: 1500, by: 'oncall', reason: 'customers see errors' });

    assert.deepEqual(
      result.stopped.map((r) => r.runId),
      ['coop'],
    );
    assert.deepEqual(
      result.didNotExit.map((r) => r.runId),
      ['stubborn'],
    );
    assert.deepEqual(
      result.stale.map((r) => r.runId),
      ['crashed'],
    );
    assert.ok(Date.now() - started >= 1400, 'waited the grace period for the stubborn run');
    // The cooperative run reverted its own fault; the stop reverted the rest, newest first.
    assert.deepEqual(
      result.reverted.map((f) => f.runId),
      ['stubborn', 'crashed'],
    );
    assert.equal(result.failed.length, 0);
    assert.ok(['crashed', 'coop', 'stubborn'].every((r) => !existsSync(file(`${r}.marker`))));

    // Nothing is open, so the ledger is compacted to nothing; the audit trail keeps who reverted what.
    assert.deepEqual(await readLedger(ledgerPath(stateDir)), []);
    const byRun = Object.fromEntries((await readAudit(stateDir)).flatMap((e) => (e.event === 'fault-reverted' ? [[e.runId, e.outcome]] : [])));
    assert.deepEqual(byRun, { stubborn: 'reverted by stop', crashed: 'reverted by stop' });

    const coopSaw = JSON.parse(await readFile(file('coop.out'), 'utf8')) as { stop: { by: string; reason: string } };
    assert.deepEqual([coopSaw.stop.by, coopSaw.stop.reason], ['oncall', 'customers see errors']);
    assert.deepEqual(JSON.parse(await readFile(file('stubborn.out'), 'utf8')), { ignored: true });
    // Its faults were reverted only once it could no longer act on them: it was killed first.
    assert.ok(!isPidAlive(stubborn.pid!));
    assert.deepEqual(result.unkillable, []);
    assert.match(logs.join('\n'), /stubborn .* did not exit within 1500 ms: killing it \(SIGKILL\)/);

    // The crashed and the killed run are forgotten: nothing of theirs is left open.
    const runs = await listActiveRuns(stateDir);
    assert.deepEqual(runs.active, []);
    assert.deepEqual(runs.stale, []);
  });
});
