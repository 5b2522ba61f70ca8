import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { isTargetError } from '../../../src/errors/index.js';
import { isAlive, readCmdline } from '../../../src/util/proc.js';
import { ProcessSupervisor, type SupervisorEvent } from '../../../src/drivers/process/supervisor.js';
import { HANG_GUARD_MS, fixture, node, readNumber, spec, tempDir, waitUntil } from './helpers.js';

const tmp = tempDir();
const supervisors: ProcessSupervisor[] = [];
const logDir = join(tmp.dir, 'logs');
const opts = { baseDir: tmp.dir, logDir };

function supervisor(): ProcessSupervisor {
  const s = new ProcessSupervisor();
  supervisors.push(s);
  return s;
}

after(async () => {
  await Promise.all(supervisors.map((s) => s.stopAll()));
  tmp.remove();
});

const types = (events: SupervisorEvent[]) => events.map((e) => e.type);

describe('ProcessSupervisor', { timeout: HANG_GUARD_MS }, () => {
  it('starts a service and waits until it is ready', async () => {
    const sup = supervisor();
    const portFile = join(tmp.dir, 'web.port');
    const isReady = async () => {
      const port = readNumber(portFile);
      return port !== undefined && (await fetch(`http://127.0.0.1:${port}/`)).ok;
    };
    // A string command: the shell execs node, so the pid is node's.
    const started = await sup.start('web', spec(`${node} ${fixture('http-server.mjs')} ${portFile}`, { env: { X: '1' } }), { ...opts, isReady });
    assert.equal(sup.pid('web'), started.pid);
    assert.deepEqual(sup.current('web'), started);
    assert.equal(readCmdline(started.pid)[0], node);
    assert.deepEqual(types(sup.events('web')), ['spawn', 'ready']);
    assert.ok(existsSync(join(logDir, 'web.log')));
    assert.deepEqual(sup.services(), ['web']);
    await sup.stop('web');
    assert.ok(!isAlive(started.pid));
    assert.equal(sup.current('web'), undefined);
  });

  it('restarts a crashed service after the delay', async () => {
    const sup = supervisor();
    const seen: SupervisorEvent[] = [];
    sup.onEvent((e) => seen.push(e));
    const { pid } = await sup.start('crashy', spec([node, fixture('sleeper.mjs')], { restart: { policy: 'on-failure', delay: 300 } }), opts);
    process.kill(pid, 'SIGKILL');
    await waitUntil('the restart', () => sup.events('crashy').some((e) => e.type === 'spawn' && e.restart));
    const [, exit, scheduled, respawn] = sup.events('crashy');
    assert.deepEqual(types(sup.events('crashy')), ['spawn', 'exit', 'restart-scheduled', 'spawn']);
    assert.equal(exit!.signal, 'SIGKILL');
    assert.equal(exit!.pid, pid);
    assert.deepEqual([scheduled!.attempt, scheduled!.delay], [1, 300]);
    assert.deepEqual([respawn!.restart, respawn!.attempt], [true, 1]);
    assert.ok(respawn!.mono - exit!.mono >= 295, `respawned ${respawn!.mono - exit!.mono} ms after the exit`);
    assert.ok(respawn!.wallTime - exit!.wallTime >= 290);
    assert.notEqual(sup.pid('crashy'), pid);
    assert.equal(sup.status('crashy')!.restarts, 1);
    assert.deepEqual(seen, sup.events('crashy'));
  });

  it('honours never, on-failure and maxRestarts', async () => {
    const sup = supervisor();
    const exitWith = (code: number) => [node, fixture('exit-with.mjs'), String(code)];
    await sup.start('never', spec(exitWith(1), { restart: { policy: 'never', delay: 20 } }), opts);
    await sup.start('clean', spec(exitWith(0), { restart: { policy: 'on-failure', delay: 20 } }), opts);
    await sup.start('failing', spec(exitWith(3), { restart: { policy: 'on-failure', delay: 20, maxRestarts: 2 } }), opts);
    await sup.start('always', spec(exitWith(0), { restart: { policy: 'always', delay: 20, maxRestarts: 1 } }), opts);
    const spawns = (s: string) => sup.events(s).filter((e) => e.type === 'spawn').length;
    await waitUntil('failing to give up', () => spawns('failing') === 3 && sup.events('failing').filter((e) => e.type === 'exit').length === 3);
    await waitUntil('always to give up', () => sup.events('always').filter((e) => e.type === 'exit').length === 2);
    await sleep(150); // room for a restart that should not happen
    assert.deepEqual([spawns('never'), spawns('clean'), spawns('failing'), spawns('always')], [1, 1, 3, 2]);
    assert.equal(sup.status('failing')!.restarts, 2);
    assert.equal(sup.events('failing').at(-1)!.code, 3);
    assert.match(readFileSync(join(logDir, 'failing.log'), 'utf8'), /maxRestarts/);
  });

  it('restart() replaces the process, escalating to SIGKILL', async () => {
    const sup = supervisor();
    const readyFile = join(tmp.dir, 'stubborn.ready');
    const { pid } = await sup.start('stubborn', spec([node, fixture('sleeper.mjs')], { env: { IGNORE_TERM: '1', READY_FILE: readyFile }, stopTimeout: 300, restart: { policy: 'always', delay: 10 } }), opts);
    await waitUntil('its SIGTERM handler', () => readNumber(readyFile) === pid);
    const t0 = performance.now();
    const { pid: newPid } = await sup.restart('stubborn');
    assert.ok(performance.now() - t0 >= 290, 'waited stopTimeout before SIGKILL');
    assert.notEqual(newPid, pid);
    assert.ok(!isAlive(pid) && isAlive(newPid));
    assert.equal(sup.pid('stubborn'), newPid);
    const last = sup.events('stubborn').at(-1)!;
    assert.deepEqual([last.type, last.requested, last.restart], ['spawn', true, undefined]);
    assert.equal(sup.status('stubborn')!.restarts, 0, 'a requested restart is not a policy restart');
    assert.ok(!types(sup.events('stubborn')).includes('restart-scheduled'));
  });

  it('stopAll kills grandchildren, and a dead leader takes its group with it', async () => {
    const sup = supervisor();
    const fileA = join(tmp.dir, 'a.pid');
    const fileB = join(tmp.dir, 'b.pid');
    const a = await sup.start('a', spec(`${node} ${fixture('parent-of.mjs')} ${fileA}`), opts);
    await sup.start('b', spec([node, fixture('parent-of.mjs'), fileB], { restart: { policy: 'never', delay: 0 } }), opts);
    await waitUntil('grandchildren', () => readNumber(fileA) !== undefined && readNumber(fileB) !== undefined);
    const [ga, gb] = [readNumber(fileA)!, readNumber(fileB)!];
    assert.ok(isAlive(ga) && isAlive(gb));

    process.kill(a.pid, 'SIGKILL');
    await waitUntil('a grandchild to die with its leader', () => !isAlive(ga));

    await sup.stopAll();
    await waitUntil('b grandchild to die', () => !isAlive(gb));
    assert.equal(sup.current('b'), undefined);
  });

  it('rejects with the log tail when the service never becomes ready', async () => {
    const sup = supervisor();
    const started = sup.start('slow', spec([node, fixture('sleeper.mjs')], { env: { SAY: 'hello from slow' }, readyTimeout: 1500 }), {
      ...opts,
      isReady: async () => false,
    });
    await assert.rejects(started, (err: Error) => {
      assert.ok(isTargetError(err));
      assert.match(err.message, /service slow was not ready within 1.50s/);
      assert.match(err.message, /slow\.log/);
      assert.match(err.message, /hello from slow/);
      return true;
    });
    assert.equal(sup.current('slow'), undefined, 'stopped again');
  });

  it('rejects at once when the service exits before it is ready', async () => {
    const sup = supervisor();
    const t0 = performance.now();
    // At once: not at the end of its readiness timeout (a minute here).
    await assert.rejects(sup.start('dies', spec([node, fixture('exit-with.mjs'), '2'], { readyTimeout: 60_000 }), { ...opts, isReady: async () => false }), /exited before it became ready[\s\S]*exiting with 2/);
    assert.ok(performance.now() - t0 < 10_000, `took ${performance.now() - t0}ms`);
  });

  it('reports a command that cannot be started', async () => {
    const sup = supervisor();
    await assert.rejects(sup.start('nope', spec(['/no/such/program']), opts), (err: Error) => isTargetError(err) && /could not start \/no\/such\/program/.test(err.message));
  });
});
