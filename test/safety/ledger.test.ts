import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger, ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import type { SkippedLine } from '../../src/safety/ledger.js';
import { removeDir, tempDir } from './helpers.js';

const intent = (runId: string, faultId: string, kind = 'marker') => ({
  runId,
  faultId,
  kind,
  driver: 'test',
  service: 'api',
  target: `api (${faultId})`,
  revertInfo: { file: `/tmp/${faultId}`, nested: { list: [1, 'two', null] } },
});

describe('Ledger', () => {
  let root: string;
  let n = 0;
  const stateDir = () => join(root, `state-${++n}`);
  before(async () => {
    root = await tempDir();
  });
  after(() => removeDir(root));

  it('reads a missing ledger as empty', async () => {
    assert.deepEqual(await readLedger(join(root, 'nope', 'ledger.jsonl')), []);
  });

  it('writes one JSON line per entry, on disk once the promise resolves', async () => {
    const dir = stateDir();
    const ledger = await Ledger.open(dir);
    assert.equal(ledger.path, ledgerPath(dir));
    await ledger.intent(intent('r1', 'f1'));
    // Durable before the fault is applied: the line is already in the file.
    assert.match(await readFile(ledger.path, 'utf8'), /^\{"type":"intent".*\n$/);
    await ledger.applied({ runId: 'r1', faultId: 'f1', details: { pid: 42 } });
    await ledger.revertFailed({ runId: 'r1', faultId: 'f1', error: 'multi\nline' });
    await ledger.reverted({ runId: 'r1', faultId: 'f1', by: 'run' });
    await ledger.close();

    const lines = (await readFile(ledger.path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 4);
    const entries = await readLedger(ledger.path);
    assert.deepEqual(
      entries.map((e) => e.type),
      ['intent', 'applied', 'revert-failed', 'reverted'],
    );
    const first = entries[0]!;
    assert.ok(first.type === 'intent');
    assert.deepEqual(first.revertInfo, intent('r1', 'f1').revertInfo);
    assert.ok(!Number.isNaN(Date.parse(first.at)));
  });

  it('never interleaves lines, even with two writers appending concurrently', async () => {
    const dir = stateDir();
    const [a, b] = await Promise.all([Ledger.open(dir), Ledger.open(dir)]);
    const big = 'x'.repeat(8000); // bigger than a pipe buffer: atomicity must not depend on size
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => [
        a.intent({ ...intent('ra', `f${i}`), revertInfo: { big, i } }),
        b.intent({ ...intent('rb', `f${i}`), revertInfo: { big, i } }),
      ]).flat(),
    );
    await Promise.all([a.close(), b.close()]);
    const skipped: SkippedLine[] = [];
    const entries = await readLedger(ledgerPath(dir), (s) => skipped.push(s));
    assert.equal(skipped.length, 0);
    assert.equal(entries.length, 200);
    // Within one writer, order is kept by the promise chain.
    const order = entries.filter((e) => e.runId === 'ra').map((e) => e.faultId);
    assert.deepEqual(order, Array.from({ length: 100 }, (_, i) => `f${i}`));
  });

  it('tolerates a torn last line, and the next writer starts on a fresh line', async () => {
    const dir = stateDir();
    const ledger = await Ledger.open(dir);
    await ledger.intent(intent('r1', 'f1'));
    await ledger.close();
    await appendFile(ledgerPath(dir), '{"type":"intent","runId":"r1","faultId":"f2","ki'); // crash mid-write

    const skipped: SkippedLine[] = [];
    const entries = await readLedger(ledgerPath(dir), (s) => skipped.push(s));
    assert.deepEqual(
      entries.map((e) => e.faultId),
      ['f1'],
    );
    assert.deepEqual(
      skipped.map((s) => s.line),
      [2],
    );

    const again = await Ledger.open(dir);
    await again.reverted({ runId: 'r1', faultId: 'f1', by: 'recover' });
    await again.close();
    const reread = await readLedger(ledgerPath(dir));
    assert.deepEqual(
      reread.map((e) => e.type),
      ['intent', 'reverted'],
    );
  });

  it('skips lines that are JSON but not ledger entries', async () => {
    const dir = stateDir();
    const ledger = await Ledger.open(dir);
    await ledger.close();
    await writeFile(ledgerPath(dir), '{"type":"intent","runId":"r"}\n[1,2]\n\n{"type":"reverted","runId":"r","faultId":"f","at":"x","by":"someone"}\n');
    const skipped: SkippedLine[] = [];
    assert.deepEqual(await readLedger(ledgerPath(dir), (s) => skipped.push(s)), []);
    assert.deepEqual(
      skipped.map((s) => s.line),
      [1, 2, 4],
    );
  });

  it('rejects appends after close with E_LEDGER', async () => {
    const ledger = await Ledger.open(stateDir());
    await ledger.close();
    await ledger.close(); // idempotent
    await assert.rejects(ledger.applied({ runId: 'r', faultId: 'f' }), { code: 'E_LEDGER' });
  });
});

describe('openFaults', () => {
  const at = '2026-01-01T00:00:00.000Z';
  it('lists intents without a revert, newest first, including intents never applied', () => {
    const open = openFaults([
      { type: 'intent', at, ...intent('r1', 'f1') },
      { type: 'applied', at, runId: 'r1', faultId: 'f1' },
      { type: 'intent', at, ...intent('r1', 'f2') },
      { type: 'applied', at, runId: 'r1', faultId: 'f2' },
      { type: 'reverted', at, runId: 'r1', faultId: 'f2', by: 'run' },
      { type: 'intent', at, ...intent('r1', 'f3') }, // crashed before `applied`
      { type: 'intent', at, ...intent('r2', 'f1') }, // same fault id in another run
      { type: 'revert-failed', at, runId: 'r2', faultId: 'f1', error: 'nope' },
    ]);
    assert.deepEqual(
      open.map((f) => [f.runId, f.faultId, f.applied, f.lastError]),
      [
        ['r2', 'f1', false, 'nope'],
        ['r1', 'f3', false, undefined],
        ['r1', 'f1', true, undefined],
      ],
    );
  });

  it('filters by run', () => {
    const open = openFaults(
      [
        { type: 'intent', at, ...intent('r1', 'f1') },
        { type: 'intent', at, ...intent('r2', 'f1') },
      ],
      'r2',
    );
    assert.deepEqual(
      open.map((f) => f.runId),
      ['r2'],
    );
  });

  it('ignores applied/reverted lines for faults it never saw an intent for', () => {
    assert.deepEqual(
      openFaults([
        { type: 'applied', at, runId: 'r', faultId: 'f' },
        { type: 'reverted', at, runId: 'r', faultId: 'f', by: 'run' },
      ]),
      [],
    );
  });
});
