import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { FaultContext, FaultKind } from '../../src/faults/types.js';
import { isRevertError } from '../../src/errors/index.js';
import { Ledger, ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { recoverOpenFaults, revertErrorFor } from '../../src/safety/recover.js';
import { processState } from '../../src/safety/pid.js';
import { readAudit } from '../../src/safety/audit.js';
import { brokenKind, killQuietly, markerKind, removeDir, sigstopKind, spawnIdle, tempDir, until } from './helpers.js';

const ctx: FaultContext = { signal: new AbortController().signal, runId: 'r1', log: () => {} };

/** What a run does up to the point it crashes: intent (fsync'd), inject, applied — and never reverts. */
async function injectAndCrash(stateDir: string, kind: FaultKind<{ file: string }>, runId: string, faultId: string, file: string, opts: { apply?: boolean } = {}) {
  const target = { service: 'api', label: `api (${faultId})` };
  const ledger = await Ledger.open(stateDir);
  await ledger.intent({ runId, faultId, kind: kind.name, driver: kind.driver, service: 'api', target: target.label, revertInfo: kind.plan(target, { file }) });
  await kind.inject(target, { file }, { ...ctx, runId });
  if (opts.apply !== false) await ledger.applied({ runId, faultId });
  await ledger.close();
}

describe('recoverOpenFaults', () => {
  let root: string;
  let n = 0;
  const children: ChildProcess[] = [];
  const newStateDir = () => join(root, `state-${++n}`);
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    children.forEach(killQuietly);
    await removeDir(root);
  });

  it('reverts every open fault after a crash, last in first out, and a second call has nothing to do', async () => {
    const stateDir = newStateDir();
    const calls: string[] = [];
    const kinds = { marker: markerKind('marker', calls) };
    const files = ['a', 'b', 'c'].map((f) => join(root, `${n}-${f}`));
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f1', files[0]!);
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f2', files[1]!);
    // Crash between inject and `applied`: the fault is in effect but never marked applied.
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f3', files[2]!, { apply: false });
    assert.ok(files.every((f) => existsSync(f)));

    const logs: string[] = [];
    const result = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: (m) => logs.push(m) });
    assert.deepEqual(
      result.reverted.map((f) => f.faultId),
      ['f3', 'f2', 'f1'],
    );
    assert.deepEqual(calls, [files[2], files[1], files[0]]);
    assert.equal(result.failed.length + result.unknownKind.length + result.skipped.length, 0);
    assert.ok(files.every((f) => !existsSync(f)));
    assert.equal(revertErrorFor(result, stateDir), undefined);

    // Every fault closed: the ledger is compacted to nothing, and the audit trail has each revert.
    assert.deepEqual(await readLedger(ledgerPath(stateDir)), []);
    const audited = (await readAudit(stateDir)).filter((e) => e.event === 'fault-reverted');
    assert.deepEqual(
      audited.map((e) => [e.what, e.outcome]),
      ['f3', 'f2', 'f1'].map((f) => [`marker on api (${f})`, 'reverted by recover']),
    );

    const again = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: () => {} });
    assert.deepEqual(again, { reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: [], ledger: ledgerPath(stateDir) });
    assert.equal(calls.length, 3);
  });

  it('does nothing and creates nothing when there is no ledger', async () => {
    const stateDir = newStateDir();
    const result = await recoverOpenFaults({ stateDir, kinds: {}, by: 'recover', log: () => {} });
    assert.deepEqual(result, { reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: [], ledger: ledgerPath(stateDir) });
    assert.equal(existsSync(stateDir), false);
  });

  it('records a failed revert, carries on with the others, and retries it next time', async () => {
    const stateDir = newStateDir();
    const files = ['a', 'b', 'c'].map((f) => join(root, `${n}-${f}`));
    const good = markerKind('marker');
    await injectAndCrash(stateDir, good, 'r1', 'f1', files[0]!);
    await injectAndCrash(stateDir, brokenKind('broken'), 'r1', 'f2', files[1]!);
    await injectAndCrash(stateDir, good, 'r1', 'f3', files[2]!);

    const result = await recoverOpenFaults({ stateDir, kinds: { marker: good, broken: brokenKind('broken') }, by: 'recover', log: () => {} });
    assert.deepEqual(
      result.reverted.map((f) => f.faultId),
      ['f3', 'f1'],
    );
    assert.deepEqual(
      result.failed.map((f) => [f.fault.faultId, f.error]),
      [['f2', 'the undo is broken']],
    );
    assert.ok(existsSync(files[1]!) && !existsSync(files[0]!) && !existsSync(files[2]!));

    const err = revertErrorFor(result, stateDir);
    assert.ok(isRevertError(err));
    assert.equal(err.code, 'E_REVERT');
    assert.match(err.message, /broken on api \(f2\) \(f2\): the undo is broken/);
    assert.match(err.message, /faultline recover/);

    const stillOpen = openFaults(await readLedger(ledgerPath(stateDir)));
    assert.deepEqual(
      stillOpen.map((f) => [f.faultId, f.lastError]),
      [['f2', 'the undo is broken']],
    );

    // Someone fixes the cause: the next recover reverts it with a working kind.
    const retry = await recoverOpenFaults({ stateDir, kinds: { broken: markerKind('broken') }, by: 'recover', log: () => {} });
    assert.deepEqual(
      retry.reverted.map((f) => f.faultId),
      ['f2'],
    );
    assert.equal(existsSync(files[1]!), false);
  });

  it('reports faults of unknown kinds and leaves them open', async () => {
    const stateDir = newStateDir();
    const file = join(root, `${n}-x`);
    await injectAndCrash(stateDir, markerKind('from-a-plugin'), 'r1', 'f1', file);
    const logs: string[] = [];
    const result = await recoverOpenFaults({ stateDir, kinds: { marker: markerKind() }, by: 'recover', log: (m) => logs.push(m) });
    assert.deepEqual(
      result.unknownKind.map((f) => f.kind),
      ['from-a-plugin'],
    );
    assert.match(logs.join('\n'), /no fault kind "from-a-plugin"/);
    assert.equal(openFaults(await readLedger(ledgerPath(stateDir))).length, 1);
    assert.match(revertErrorFor(result, stateDir)!.message, /no fault kind/);
  });

  it('recovers only the given run', async () => {
    const stateDir = newStateDir();
    const kinds = { marker: markerKind() };
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f1', join(root, `${n}-1`));
    await injectAndCrash(stateDir, kinds.marker, 'r2', 'f1', join(root, `${n}-2`));
    const result = await recoverOpenFaults({ stateDir, kinds, runId: 'r2', by: 'run', log: () => {} });
    assert.deepEqual(
      result.reverted.map((f) => f.runId),
      ['r2'],
    );
    assert.deepEqual(
      openFaults(await readLedger(ledgerPath(stateDir))).map((f) => f.runId),
      ['r1'],
    );
  });

  it('leaves faults open, as skipped, once the signal is aborted', async () => {
    const stateDir = newStateDir();
    const kinds = { marker: markerKind() };
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f1', join(root, `${n}-1`));
    const result = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: () => {}, signal: AbortSignal.abort() });
    assert.deepEqual(
      result.skipped.map((f) => f.faultId),
      ['f1'],
    );
    assert.equal(openFaults(await readLedger(ledgerPath(stateDir))).length, 1);
  });

  it('still reverts when the ledger cannot be written, and a later recover re-reverts harmlessly', async (t) => {
    const stateDir = newStateDir();
    const file = join(root, `${n}-x`);
    const kinds = { marker: markerKind() };
    await injectAndCrash(stateDir, kinds.marker, 'r1', 'f1', file);
    // An immutable ledger (chattr +i) refuses writes even to root, like a read-only disk would.
    if (spawnSync('chattr', ['+i', ledgerPath(stateDir)]).status !== 0) return t.skip('needs chattr +i (root, ext4) to make the ledger unwritable');
    let result;
    const logs: string[] = [];
    try {
      result = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: (m) => logs.push(m) });
    } finally {
      spawnSync('chattr', ['-i', ledgerPath(stateDir)]);
    }
    assert.deepEqual(
      result.reverted.map((f) => f.faultId),
      ['f1'],
    );
    assert.equal(existsSync(file), false);
    assert.match(logs.join('\n'), /cannot write the fault ledger .*reverting without recording/);
    const again = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: () => {} });
    assert.equal(again.reverted.length, 1);
  });

  it('thaws a real process frozen with SIGSTOP by a run that crashed', async () => {
    const stateDir = newStateDir();
    const child = spawnIdle();
    children.push(child);
    const pid = child.pid!;
    const target = { service: 'worker', label: `worker (pid ${pid})`, pid };

    const ledger = await Ledger.open(stateDir);
    await ledger.intent({ runId: 'r1', faultId: 'freeze', kind: 'sigstop', driver: 'process', service: 'worker', target: target.label, revertInfo: sigstopKind.plan(target, {}) });
    await sigstopKind.inject(target, {}, ctx);
    await ledger.applied({ runId: 'r1', faultId: 'freeze', details: { pid } });
    await ledger.close(); // the run "crashes" here: no revert
    await until(() => processState(pid) === 'T', undefined, 'the process to be stopped');

    const result = await recoverOpenFaults({ stateDir, kinds: { sigstop: sigstopKind }, by: 'recover', log: () => {} });
    assert.deepEqual(
      result.reverted.map((f) => f.revertInfo),
      [{ pid }],
    );
    await until(() => processState(pid) !== 'T', undefined, 'the process to be continued');
    assert.notEqual(processState(pid), 'T');
  });
});
