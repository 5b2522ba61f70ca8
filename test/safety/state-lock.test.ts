// The state directory's lock: two recoveries never revert the same fault, a dead holder's lock is
// taken over, a live (even frozen) holder is waited for, and code inside the lock re-enters it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger } from '../../src/safety/ledger.js';
import { lockPath, readLockHolder, withStateLock } from '../../src/safety/state-lock.js';
import { deadPid, killQuietly, markerKind, removeDir, startFixture, tempDir } from './helpers.js';

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('the state directory lock', () => {
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

  it('two recoveries started together revert each fault once: the second finds them closed', async () => {
    const stateDir = newStateDir();
    const marker = markerKind();
    const ledger = await Ledger.open(stateDir);
    const files = ['a', 'b', 'c'].map((f) => join(root, `${n}-${f}`));
    for (const [i, file] of files.entries()) {
      await ledger.intent({ runId: 'crashed', faultId: `f${i}`, kind: 'marker', driver: 'test', service: 'api', target: 'api', revertInfo: { file } });
      await marker.inject({ service: 'api', label: 'api' }, { file }, { signal: new AbortController().signal, runId: 'crashed', log: () => {} });
    }
    await ledger.close();

    const go = join(root, `${n}-go`);
    const calls = join(root, `${n}-calls`);
    const recoveries = await Promise.all([1, 2].map(() => startFixture('recover-once.ts', [stateDir, go, calls], 'ready')));
    children.push(...recoveries.map((r) => r.child));
    await writeFile(go, '');
    await Promise.all(recoveries.map((r) => exited(r.child)));

    const reverted = recoveries.map((r) => (JSON.parse(r.output().split('\n')[1]!) as { reverted: string[] }).reverted);
    // Between them, every fault exactly once — and one of them did all of it (the other waited for the lock, then found nothing).
    assert.deepEqual(reverted.flat().sort(), ['f0', 'f1', 'f2']);
    assert.ok(reverted.some((r) => r.length === 0), `both reverted something: ${JSON.stringify(reverted)}`);
    const revertCalls = (await readFile(calls, 'utf8')).trim().split('\n');
    assert.equal(revertCalls.length, 3, `revert was called ${revertCalls.length} times:\n${revertCalls.join('\n')}`);
    assert.ok(files.every((f) => !existsSync(f)));
    assert.equal(existsSync(lockPath(stateDir)), false, 'the lock is released');
  });

  it('takes over a lock whose holder died (kill -9), and only that one', async () => {
    const stateDir = newStateDir();
    const holder = await startFixture('hold-lock.ts', [stateDir], 'locked');
    children.push(holder.child);
    const held = await readLockHolder(stateDir);
    assert.equal(held?.pid, holder.child.pid);
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    let ran = false;
    await withStateLock(stateDir, 'test', async () => {
      ran = true;
      assert.equal((await readLockHolder(stateDir))?.pid, process.pid);
    }, { timeoutMs: 5000 });
    assert.ok(ran);
    assert.equal(existsSync(lockPath(stateDir)), false);

    // A lock file naming a pid that is gone, written by hand: stale as well.
    await writeFile(lockPath(stateDir), JSON.stringify({ pid: await deadPid(), nonce: 'x', purpose: 'old', since: '' }));
    await withStateLock(stateDir, 'test', async () => undefined, { timeoutMs: 5000 });
  });

  it('waits for a live holder — even a frozen one — and names it when it gives up', async () => {
    const stateDir = newStateDir();
    const holder = await startFixture('hold-lock.ts', [stateDir], 'locked');
    children.push(holder.child);
    holder.child.kill('SIGSTOP'); // frozen: time alone must not break its lock
    try {
      const waits: unknown[] = [];
      await assert.rejects(
        withStateLock(stateDir, 'test', async () => assert.fail('must not run while another process holds the lock'), { timeoutMs: 600, onWait: (h) => waits.push(h) }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'E_STATE_LOCKED');
          assert.match(err.message, new RegExp(`locked by pid ${holder.child.pid} \\(test: holding the lock, since .*\\): still held after 1 s`));
          return true;
        },
      );
      assert.equal(waits.length, 1);
    } finally {
      holder.child.kill('SIGCONT');
    }
    // Once it lets go, the next holder gets in.
    let gotIt = false;
    const waiting = withStateLock(stateDir, 'test', async () => {
      gotIt = true;
    }, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(gotIt, false, 'still held');
    holder.child.stdin!.end();
    await waiting;
    assert.ok(gotIt);
  });

  it('queues holders within one process and lets code inside the lock re-enter it', async () => {
    const stateDir = newStateDir();
    const order: string[] = [];
    const a = withStateLock(stateDir, 'a', async () => {
      order.push('a in');
      await withStateLock(stateDir, 'a again', async () => order.push('a re-entered'));
      await new Promise((r) => setTimeout(r, 50));
      order.push('a out');
    });
    const b = withStateLock(stateDir, 'b', async () => {
      order.push('b');
    });
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a in', 'a re-entered', 'a out', 'b']);
  });
});
