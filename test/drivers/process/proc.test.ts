import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import {
  ancestorsOf,
  findByCommandLine,
  isAlive,
  processState,
  readCmdline,
  readCwd,
  readEnviron,
  readParentPid,
  readStartTicks,
  sameProcess,
  selfAndAncestors,
} from '../../../src/util/proc.js';
import { HANG_GUARD_MS, Pids, fixture, spawnSleeper, tempDir, waitUntil } from './helpers.js';

const pids = new Pids();
const tmp = tempDir();
after(() => {
  pids.killAll();
  tmp.remove();
});

describe('proc', { timeout: HANG_GUARD_MS }, () => {
  it('reads start ticks that identify a process', () => {
    const ticks = readStartTicks(process.pid);
    assert.equal(typeof ticks, 'number');
    assert.equal(readStartTicks(process.pid), ticks);
    assert.ok(sameProcess(process.pid, ticks!));
    assert.ok(!sameProcess(process.pid, ticks! + 1));
    assert.equal(readStartTicks(0), undefined);
    assert.equal(readStartTicks(-1), undefined);
  });

  it('reads state, parent and ancestors', () => {
    assert.match(processState(process.pid)!, /^[RS]$/);
    assert.equal(readParentPid(process.pid), process.ppid);
    assert.equal(ancestorsOf(process.pid)[0], process.ppid);
    assert.ok(selfAndAncestors().has(process.pid) && selfAndAncestors().has(process.ppid));
  });

  it('treats a zombie as dead', async () => {
    // sh forks `sleep 0`, then execs `sleep 5`, which never reaps it: a zombie until sleep 5 ends.
    const sh = spawn('/bin/sh', ['-c', 'sleep 0 & exec sleep 5'], { stdio: 'ignore' });
    pids.add(sh.pid);
    let zombie: number | undefined;
    await waitUntil('a zombie child', () => {
      zombie = readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .find((p) => readParentPid(p) === sh.pid && processState(p) === 'Z');
      return zombie !== undefined;
    });
    assert.ok(isAlive(sh.pid!));
    assert.ok(!isAlive(zombie!));
    assert.ok(!isAlive(0) && !isAlive(-1));
  });

  it('reads cmdline, cwd and environment', async () => {
    const child = await spawnSleeper(pids, 'proc-read-marker', { cwd: tmp.dir, env: { FAULTLINE_TEST: 'a=b', PATH: process.env.PATH } });
    assert.deepEqual(readCmdline(child.pid!), [process.execPath, fixture('sleeper.mjs'), 'proc-read-marker']);
    assert.equal(readCwd(child.pid!), tmp.dir);
    assert.equal(readEnviron(child.pid!).FAULTLINE_TEST, 'a=b');
    assert.throws(() => readCmdline(2 ** 22 + 1));
  });

  it('finds processes by command line, minus the excluded', async () => {
    const marker = `proc-find-marker-${process.pid}`; // unique even when test runs overlap
    const a = await spawnSleeper(pids, marker);
    const b = await spawnSleeper(pids, marker);
    const found = findByCommandLine(new RegExp(marker, 'g'), new Set());
    assert.deepEqual(found.sort(), [a.pid!, b.pid!].sort());
    assert.deepEqual(findByCommandLine(new RegExp(marker), new Set([a.pid!])), [b.pid!]);
    // This test process's own command line matches its file name; the exclusion keeps it out.
    assert.ok(!findByCommandLine(/proc\.test/, selfAndAncestors()).includes(process.pid));
  });
});
