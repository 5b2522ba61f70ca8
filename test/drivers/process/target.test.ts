import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isTargetError } from '../../../src/errors/index.js';
import { readStartTicks } from '../../../src/util/proc.js';
import { resolveProcessTargets } from '../../../src/drivers/process/target.js';
import type { ProcessController } from '../../../src/drivers/process/types.js';
import { HANG_GUARD_MS, Pids, spawnSleeper, spec, tempDir } from './helpers.js';

const pids = new Pids();
const tmp = tempDir();
after(() => {
  pids.killAll();
  tmp.remove();
});

const base = { baseDir: tmp.dir };
const targetError = (pattern: RegExp) => (err: Error) => isTargetError(err) && pattern.test(err.message);

describe('resolveProcessTargets', { timeout: HANG_GUARD_MS }, () => {
  it('resolves a supervised service to its current process, with its controller', async () => {
    const controller: ProcessController = { restart: async () => ({ pid: 1 }) };
    const supervisor = { current: (s: string) => (s === 'api' ? { pid: 4242, startTicks: 7 } : undefined) };
    const [t] = await resolveProcessTargets('api', { process: spec('x') }, { ...base, supervisor, controller });
    assert.deepEqual({ ...t, controller: undefined }, { service: 'api', label: 'api (pid 4242)', pid: 4242, startTicks: 7, controller: undefined });
    assert.equal(t!.controller, controller);
    // An async lookup (the `up` client) works the same.
    const asyncLookup = { current: async () => ({ pid: 5, startTicks: 6 }) };
    assert.equal((await resolveProcessTargets('api', { process: spec('x') }, { ...base, supervisor: asyncLookup }))[0]!.pid, 5);
  });

  it('says how to start a supervised service that is not running', async () => {
    const message = /^service api is not running \(start it with faultline up, or run an experiment\)$/;
    await assert.rejects(resolveProcessTargets('api', { process: spec('x') }, base), targetError(message));
    await assert.rejects(resolveProcessTargets('api', { process: spec('x') }, { ...base, supervisor: { current: () => undefined } }), targetError(message));
  });

  it('attaches by pid', async () => {
    const child = await spawnSleeper(pids, 'attach-pid');
    const [t] = await resolveProcessTargets('db', { pid: child.pid! }, base);
    assert.deepEqual(t, { service: 'db', label: `db (pid ${child.pid})`, pid: child.pid, startTicks: readStartTicks(child.pid!) });
    await assert.rejects(resolveProcessTargets('db', { pid: 2 ** 22 + 7 }, base), targetError(/pid 4194311 \(from the pid in the system file\) is not running/));
  });

  it('attaches by pid file, relative to the base dir', async () => {
    const child = await spawnSleeper(pids, 'attach-pidfile');
    writeFileSync(join(tmp.dir, 'db.pid'), `${child.pid}\n`);
    writeFileSync(join(tmp.dir, 'bad.pid'), 'hello');
    const [t] = await resolveProcessTargets('db', { pidFile: 'db.pid' }, base);
    assert.equal(t!.pid, child.pid);
    await assert.rejects(resolveProcessTargets('db', { pidFile: 'missing.pid' }, base), targetError(/cannot read pid file .*missing\.pid/));
    await assert.rejects(resolveProcessTargets('db', { pidFile: 'bad.pid' }, base), targetError(/does not hold a pid \(got "hello"\)/));
  });

  it('attaches by command line match, never to faultline itself', async () => {
    const marker = `attach-match-${process.pid}`; // unique even when test runs overlap
    const a = await spawnSleeper(pids, marker);
    const b = await spawnSleeper(pids, marker);
    const targets = await resolveProcessTargets('worker', { match: `${marker}$` }, base);
    assert.deepEqual(targets.map((t) => t.pid).sort(), [a.pid, b.pid].sort());
    assert.ok(targets.every((t) => t.label === `worker (pid ${t.pid})`));
    // This test process's command line names its own file: it and its parents are excluded.
    const self = await resolveProcessTargets('self', { match: 'target\\.test\\.ts' }, base).catch(() => []); // other runs may match
    assert.ok(!self.some((t) => t.pid === process.pid || t.pid === process.ppid));
    await assert.rejects(resolveProcessTargets('none', { match: 'no-such-process-5e1d' }, base), targetError(/no running process matches/));
  });

  it('rejects a service with no process target', async () => {
    await assert.rejects(resolveProcessTargets('web', {}, base), targetError(/needs process, pid, pidFile or match/));
  });
});
