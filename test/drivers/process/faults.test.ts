import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { isTargetError } from '../../../src/errors/index.js';
import { processFaults, killFault, pauseFault, restartFault } from '../../../src/drivers/process/index.js';
import { isAlive, processState, readCmdline, readCwd, readEnviron, readStartTicks } from '../../../src/util/proc.js';
import type { ProcessTarget } from '../../../src/drivers/process/types.js';
import type { RevertInfo } from '../../../src/faults/types.js';
import { HANG_GUARD_MS, Pids, ctx, fixture, spawnSleeper, tempDir, waitUntil } from './helpers.js';

const pids = new Pids();
const tmp = tempDir();
after(() => {
  pids.killAll();
  tmp.remove();
});

function targetOf(pid: number): ProcessTarget {
  return { service: 'svc', label: `svc (pid ${pid})`, pid, startTicks: readStartTicks(pid)! };
}

describe('process faults', { timeout: HANG_GUARD_MS }, () => {
  it('registers kill, pause and restart for the process driver', () => {
    assert.deepEqual(Object.keys(processFaults), ['kill', 'pause', 'restart']);
    for (const [name, kind] of Object.entries(processFaults)) assert.deepEqual([kind.name, kind.driver], [name, 'process']);
  });

  it('kill parses signal names strictly', () => {
    assert.deepEqual(killFault.params.parse({}), { signal: 'SIGKILL' });
    assert.deepEqual(killFault.params.parse({ signal: 'term' }), { signal: 'SIGTERM' });
    assert.throws(() => killFault.params.parse({ signal: 'SIGNOPE' }), /expected a signal name/);
    assert.throws(() => killFault.params.parse({ sig: 'SIGTERM' }));
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`kill sends ${signal}`, async () => {
      const child = await spawnSleeper(pids, 'kill-me');
      const target = targetOf(child.pid!);
      const params = killFault.params.parse({ signal });
      assert.deepEqual(killFault.plan(target, params), { pid: child.pid, startTicks: target.startTicks, signal });
      const exited = once(child, 'exit');
      const result = await killFault.inject(target, params, ctx());
      assert.deepEqual(result.details, { pid: child.pid, signal });
      assert.deepEqual(await exited, [null, signal]);
      await killFault.revert(killFault.plan(target, params), ctx()); // nothing to undo, and safe
    });
  }

  it('kill refuses a pid that names another process now', async () => {
    const child = await spawnSleeper(pids, 'not-me');
    const target = { ...targetOf(child.pid!), startTicks: targetOf(child.pid!).startTicks + 1 };
    await assert.rejects(killFault.inject(target, { signal: 'SIGKILL' }, ctx()), (err: Error) => isTargetError(err) && /no longer running/.test(err.message));
    assert.ok(isAlive(child.pid!));
  });

  it('pause stops the process and revert resumes it, idempotently', async () => {
    const child = await spawnSleeper(pids, 'pause-me');
    const target = targetOf(child.pid!);
    const info = pauseFault.plan(target, {});
    await pauseFault.inject(target, {}, ctx());
    await waitUntil('state T', () => processState(child.pid!) === 'T');
    await pauseFault.revert(info, ctx());
    await waitUntil('state not T', () => processState(child.pid!) !== 'T');
    await pauseFault.revert(info, ctx());
    assert.notEqual(processState(child.pid!), 'T');
  });

  it('pause reverts from the plain ledger JSON alone', async () => {
    const child = await spawnSleeper(pids, 'pause-ledger');
    const target = targetOf(child.pid!);
    const ledgerLine = JSON.stringify(pauseFault.plan(target, {}));
    await pauseFault.inject(target, {}, ctx());
    await waitUntil('state T', () => processState(child.pid!) === 'T');
    // As `faultline recover` would: nothing but the parsed JSON and a fresh context.
    await pauseFault.revert(JSON.parse(ledgerLine) as RevertInfo, ctx());
    await waitUntil('state not T', () => processState(child.pid!) !== 'T');
  });

  it('pause revert never signals a recycled pid, and is fine when the process is gone', async () => {
    const child = await spawnSleeper(pids, 'pause-recycled');
    process.kill(child.pid!, 'SIGSTOP');
    await waitUntil('state T', () => processState(child.pid!) === 'T');
    await pauseFault.revert({ pid: child.pid!, startTicks: readStartTicks(child.pid!)! + 1 }, ctx());
    await sleep(50);
    assert.equal(processState(child.pid!), 'T', 'a process with other start ticks was not touched');
    process.kill(child.pid!, 'SIGKILL');
    await once(child, 'exit');
    await pauseFault.revert({ pid: child.pid!, startTicks: 1 }, ctx());
    await assert.rejects(pauseFault.revert({ pid: 'x' }, ctx()), /no valid pid/);
  });

  it('restart goes through the controller when the process has one', async () => {
    const calls: string[] = [];
    const target: ProcessTarget = { service: 'api', label: 'api (pid 1234)', pid: 1234, startTicks: 5, controller: { restart: async (s) => (calls.push(s), { pid: 4321 }) } };
    const result = await restartFault.inject(target, restartFault.params.parse({}), ctx());
    assert.deepEqual(result.details, { oldPid: 1234, newPid: 4321 });
    assert.deepEqual(calls, ['api']);
  });

  it('restart respawns an attached process with the same argv, cwd, environment and log', async () => {
    const log = join(tmp.dir, 'attached.log');
    const fd = openSync(log, 'a');
    const child = await spawnSleeper(pids, 'restart-me', { cwd: tmp.dir, env: { PATH: process.env.PATH, SAY: 'hello', FAULTLINE_MARK: 'm1' }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const oldPid = child.pid!;
    const argv = readCmdline(oldPid);
    await waitUntil('the first line', () => readFileSync(log, 'utf8').includes('hello'));
    const result = await restartFault.inject(targetOf(oldPid), restartFault.params.parse({}), ctx());
    const newPid = pids.add(result.details!.newPid as number);
    assert.equal(result.details!.oldPid, oldPid);
    assert.ok(!isAlive(oldPid) && isAlive(newPid));
    assert.deepEqual(readCmdline(newPid), argv);
    assert.equal(readCwd(newPid), tmp.dir);
    assert.equal(readEnviron(newPid).FAULTLINE_MARK, 'm1');
    await waitUntil('the new process to log too', () => readFileSync(log, 'utf8').split('hello').length === 3);
  });

  it('restart escalates to SIGKILL after the timeout', async () => {
    const readyFile = join(tmp.dir, 'stubborn.ready');
    const child = await spawnSleeper(pids, 'restart-stubborn', { env: { PATH: process.env.PATH, IGNORE_TERM: '1', READY_FILE: readyFile } });
    await waitUntil('its SIGTERM handler', () => existsSync(readyFile));
    const exited = once(child, 'exit');
    const t0 = performance.now();
    const result = await restartFault.inject(targetOf(child.pid!), restartFault.params.parse({ timeout: '200ms' }), ctx());
    pids.add(result.details!.newPid as number);
    assert.ok(performance.now() - t0 >= 190);
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    assert.ok(isAlive(result.details!.newPid as number));
  });

  it('restart refuses a pid that names another process now', async () => {
    const child = await spawnSleeper(pids, 'restart-recycled');
    const target = targetOf(child.pid!);
    await assert.rejects(restartFault.inject({ ...target, startTicks: target.startTicks + 1 }, restartFault.params.parse({}), ctx()), /no longer running/);
    assert.ok(isAlive(child.pid!));
    assert.equal(readCmdline(child.pid!)[1], fixture('sleeper.mjs'));
  });
});
