// The ledger stays small: closed faults are compacted away under the lock, open ones and lines
// nobody can read are kept, a torn tail is cut — and a writer in another process loses nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ledger, compactLedger, ledgerPath, readLedger, readLedgerContents } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { recoverOpenFaults } from '../../src/safety/recover.js';
import { removeDir, tempDir } from './helpers.js';

const intent = (runId: string, faultId: string) => ({ runId, faultId, kind: 'marker', driver: 'test', service: 'api', target: 'api', revertInfo: { faultId } });

describe('ledger compaction', () => {
  let root: string;
  let n = 0;
  const newStateDir = () => join(root, `state-${++n}`);
  before(async () => {
    root = await tempDir();
  });
  after(() => removeDir(root));

  it('keeps only open faults, and cuts a torn tail', async () => {
    const stateDir = newStateDir();
    const ledger = await Ledger.open(stateDir);
    for (let i = 0; i < 300; i++) {
      await ledger.intent(intent('old', `f${i}`));
      await ledger.applied({ runId: 'old', faultId: `f${i}` });
      await ledger.reverted({ runId: 'old', faultId: `f${i}`, by: 'run' });
    }
    await ledger.intent(intent('crashed', 'open'));
    await ledger.revertFailed({ runId: 'crashed', faultId: 'open', error: 'busy' });
    await ledger.close();
    await appendFile(ledgerPath(stateDir), '{"type":"intent","runId":"x","fau'); // a crash mid-write
    const before = (await stat(ledgerPath(stateDir))).size;

    const dropped = await compactLedger(stateDir);
    assert.equal(dropped, 901, '900 closed lines and the torn tail');
    const text = await readFile(ledgerPath(stateDir), 'utf8');
    assert.ok(text.length < before / 100, `${text.length} bytes left of ${before}`);
    const contents = await readLedgerContents(ledgerPath(stateDir));
    assert.deepEqual(
      contents.entries.map((e) => [e.runId, e.faultId, e.type]),
      [
        ['crashed', 'open', 'intent'],
        ['crashed', 'open', 'revert-failed'],
      ],
    );
    assert.deepEqual(contents.unreadable, []);
    assert.equal(contents.torn, undefined);
    assert.deepEqual(
      openFaults(contents.entries).map((f) => [f.faultId, f.lastError]),
      [['open', 'busy']],
    );
    assert.equal(await compactLedger(stateDir), 0, 'a second compaction has nothing to drop');
  });

  it('leaves a ledger with a line nobody can read exactly as it is', async () => {
    const stateDir = newStateDir();
    const ledger = await Ledger.open(stateDir);
    await ledger.intent(intent('old', 'f1'));
    await ledger.reverted({ runId: 'old', faultId: 'f1', by: 'run' });
    await ledger.close();
    await appendFile(ledgerPath(stateDir), 'this line was edited by hand\n');
    const before = await readFile(ledgerPath(stateDir), 'utf8');
    assert.equal(await compactLedger(stateDir), 0);
    assert.equal(await readFile(ledgerPath(stateDir), 'utf8'), before);
    assert.deepEqual(
      (await readLedgerContents(ledgerPath(stateDir))).unreadable.map((s) => [s.line, s.text]),
      [[3, 'this line was edited by hand']],
    );
  });

  it('a recover compacts what it closed: the ledger does not grow run after run', async () => {
    const stateDir = newStateDir();
    const ledger = await Ledger.open(stateDir);
    for (let i = 0; i < 50; i++) await ledger.intent(intent('crashed', `f${i}`));
    await ledger.close();
    const kinds = { marker: { ...(await import('./helpers.js')).markerKind(), revert: async () => undefined } };
    const result = await recoverOpenFaults({ stateDir, kinds, by: 'recover', log: () => {} });
    assert.equal(result.reverted.length, 50);
    assert.equal(await readFile(ledgerPath(stateDir), 'utf8'), '');
  });

  it('loses no line that another process appends while it compacts', async () => {
    const stateDir = newStateDir();
    const ledger = await Ledger.open(stateDir);
    for (let i = 0; i < 100; i++) {
      await ledger.intent(intent('old', `f${i}`));
      await ledger.reverted({ runId: 'old', faultId: `f${i}`, by: 'run' });
    }
    const script = fileURLToPath(new URL('./fixtures/append-many.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, stateDir, 'writer', '150'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let finished = false;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => ((finished = true), resolve(code))));
    // Compact, and close more faults of our own, for as long as the other process writes.
    let i = 100;
    while (!finished) {
      await ledger.intent(intent('old', `f${i}`));
      await ledger.reverted({ runId: 'old', faultId: `f${i++}`, by: 'run' });
      await compactLedger(stateDir);
    }
    assert.equal(await exited, 0);
    await ledger.close();
    await compactLedger(stateDir);
    const entries = await readLedger(ledgerPath(stateDir));
    assert.deepEqual(
      entries.map((e) => e.faultId),
      Array.from({ length: 150 }, (_, k) => `f${k}`),
    );
    assert.ok(entries.every((e) => e.runId === 'writer' && e.type === 'intent'));
  });
});
