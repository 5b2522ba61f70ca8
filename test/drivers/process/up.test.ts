import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isTargetError } from '../../../src/errors/index.js';
import { isAlive } from '../../../src/util/proc.js';
import { restartFault } from '../../../src/drivers/process/restart.js';
import { ProcessSupervisor } from '../../../src/drivers/process/supervisor.js';
import { resolveProcessTargets } from '../../../src/drivers/process/target.js';
import { UpClient } from '../../../src/drivers/process/up-client.js';
import { startUpServer, type UpServer } from '../../../src/drivers/process/up-server.js';
import { readUpState, upStatePath } from '../../../src/drivers/process/up-state.js';
import { HANG_GUARD_MS, ctx, fixture, node, spec, tempDir } from './helpers.js';

const tmp = tempDir();
const stateDir = join(tmp.dir, '.faultline');
const supervisor = new ProcessSupervisor();
let server: UpServer | undefined;
after(async () => {
  await server?.close();
  await supervisor.stopAll();
  tmp.remove();
});

describe('faultline up control server', { timeout: HANG_GUARD_MS }, () => {
  it('publishes up.json and answers a client', async () => {
    const started = await supervisor.start('api', spec([node, fixture('sleeper.mjs')]), { baseDir: tmp.dir, logDir: join(stateDir, 'logs') });
    server = await startUpServer({ supervisor, stateDir });

    const state = await readUpState(stateDir);
    assert.ok(state);
    assert.deepEqual([state.pid, state.port, state.services], [process.pid, server.port, ['api']]);
    assert.equal(statSync(upStatePath(stateDir)).mode & 0o777, 0o600);

    const client = (await UpClient.connect(stateDir))!;
    assert.deepEqual(await client.current('api'), started);
    assert.equal(await client.current('nope'), undefined);
    const services = await client.services();
    assert.deepEqual([services.api!.pid, services.api!.restarts, services.api!.events.map((e) => e.type)], [started.pid, 0, ['spawn']]);

    // Targets resolved through the daemon restart through it too.
    const [target] = await resolveProcessTargets('api', { process: spec('x') }, { baseDir: tmp.dir, supervisor: client, controller: client });
    const result = await restartFault.inject(target!, restartFault.params.parse({}), ctx());
    assert.equal(result.details!.oldPid, started.pid);
    assert.equal(result.details!.newPid, supervisor.pid('api'));
    assert.ok(!isAlive(started.pid));
    assert.deepEqual(await client.restart('api').then((r) => r.pid === supervisor.pid('api')), true);
  });

  it('rejects unknown services and wrong tokens', async () => {
    const state = (await readUpState(stateDir))!;
    await assert.rejects(new UpClient(state).restart('nope'), (err: Error) => isTargetError(err) && /404 service nope is not supervised/.test(err.message));
    await assert.rejects(new UpClient({ ...state, token: 'wrong' }).services(), /401/);
    await assert.rejects(new UpClient({ ...state, port: 1 }, { timeoutMs: 500 }).services(), (err: Error) => isTargetError(err) && /GET \/services failed/.test(err.message));
  });

  it('shuts down: stops the services and removes up.json', async () => {
    const pid = supervisor.pid('api')!;
    await (await UpClient.connect(stateDir))!.shutdown();
    await server!.closed;
    assert.ok(!isAlive(pid));
    assert.ok(!existsSync(upStatePath(stateDir)));
    assert.equal(await readUpState(stateDir), undefined);
    assert.equal(await UpClient.connect(stateDir), undefined);
  });

  it('ignores an up.json whose process is gone', async () => {
    writeFileSync(upStatePath(stateDir), JSON.stringify({ pid: 2 ** 22 + 3, port: 1234, token: 't', startedAt: '', services: ['api'] }));
    assert.equal(await readUpState(stateDir), undefined);
    writeFileSync(upStatePath(stateDir), 'not json');
    assert.equal(await readUpState(stateDir), undefined);
  });
});
