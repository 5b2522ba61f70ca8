/**
 * The proxy driver: a fleet started from system-file declarations, target resolution, and every
 * fault kind injected and reverted from its plain-JSON undo — in this process, in a fresh one, and
 * through a proxy API server whose toxics expire when the heartbeat stops (kill -9).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProxyDriver, ProxyFleet, proxyFaults, latencyFault, httpErrorFault, partitionFault } from '../../../src/drivers/proxy/index.js';
import { isTargetError } from '../../../src/errors/index.js';
import type { FaultContext, FaultKind, RevertInfo } from '../../../src/faults/types.js';
import { startProxyServer } from '../../../src/proxy/index.js';
import { Cleanup, collect, dial, httpServer, portOf, tcpServer } from '../../proxy/helpers.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ctx = (runId = 'run-test'): FaultContext => ({ signal: new AbortController().signal, runId, log: () => undefined });
// Toxics' TTL in the heartbeat test: long enough that a busy machine's event-loop stalls do not
// make a heartbeat late (it beats every TTL/3), short enough to watch one expire.
const TTL = 1000;
const plain = (info: RevertInfo): RevertInfo => JSON.parse(JSON.stringify(info)) as RevertInfo;

async function roundTrip(s: Socket, text: string): Promise<number> {
  const start = performance.now();
  await new Promise<void>((resolve) => {
    s.once('data', () => resolve());
    s.write(text);
  });
  return performance.now() - start;
}

/** Runs a script in a fresh node process (with tsx), from the repo root. */
function runNode(code: string): Promise<{ code: number | null; out: string; pid: number; kill(): void }> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string; pid: number; kill(): void }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, pid: child.pid!, kill: () => child.kill('SIGKILL') })),
  );
  return Object.assign(done, { child });
}

// The suite's time limit only guards against a hang: child processes start slowly on a busy machine.
describe('proxy driver', { timeout: 300_000 }, () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  async function fleetWithEcho() {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const fleet = cleanup.add(
      await ProxyFleet.start([
        { service: 'api', name: 'db', listen: '127.0.0.1:0', upstream: echo.address },
        { service: 'api', name: 'cache', listen: '127.0.0.1:0', upstream: echo.address },
        { service: 'worker', name: 'db', listen: '127.0.0.1:0', upstream: echo.address },
      ]),
      (f) => f.close(),
    );
    return { echo, fleet };
  }

  it('resolves service.proxy, a bare dependency name (every link to it), and a service (all its links)', async () => {
    const { fleet } = await fleetWithEcho();
    assert.deepEqual(
      fleet.targets('api', 'db').map((t) => t.proxy),
      ['api.db'],
    );
    assert.deepEqual(
      fleet.targets('db').map((t) => t.proxy),
      ['api.db', 'worker.db'],
    );
    assert.deepEqual(
      fleet.targets('api').map((t) => t.proxy),
      ['api.db', 'api.cache'],
    );
    assert.throws(() => fleet.targets('api', 'queue'), (e) => isTargetError(e) && /no proxy api\.queue; the system declares: api\.db, api\.cache, worker\.db/.test(e.message));
    for (const p of fleet.proxies()) assert.notEqual(portOf(p.listen), 0);
  });

  it('a proxy that cannot listen fails the fleet, and none is left listening', async () => {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const busy = cleanup.add(await tcpServer(), (s) => s.close());
    await assert.rejects(
      ProxyFleet.start([
        { service: 'api', name: 'ok', listen: '127.0.0.1:0', upstream: echo.address },
        { service: 'api', name: 'db', listen: busy.address, upstream: echo.address },
      ]),
      (e) => isTargetError(e) && /service api: proxy db cannot listen on .*address already in use/.test(e.message),
    );
  });

  it('latency: plan is plain JSON; inject slows the link; revert from that JSON is idempotent', async () => {
    const { fleet } = await fleetWithEcho();
    const [target] = fleet.targets('api', 'db');
    // A latency no busy machine's scheduling delay comes near, so "fast" and "slowed" never overlap.
    const params = latencyFault.params.parse({ latency: '1s' });
    const info = plain(latencyFault.plan(target!, params));
    assert.deepEqual(Object.keys(info).sort(), ['fleet', 'pid', 'proxy', 'startTicks', 'toxics']);
    const s = cleanup.add(await dial(portOf(target!.listen)), (x) => x.destroy());
    const fast = (ms: number) => assert.ok(ms < 800, `round trip ${ms}ms without the toxic`);
    fast(await roundTrip(s, 'a'));
    const result = await latencyFault.inject(target!, params, ctx());
    assert.equal((result.details as { proxy: string }).proxy, 'api.db');
    assert.ok((await roundTrip(s, 'b')) >= 995, 'the open connection is slowed');
    await latencyFault.revert(info, ctx());
    fast(await roundTrip(s, 'c'));
    await latencyFault.revert(info, ctx());
    // Once the fleet is closed (the run ended), the toxics are gone with it: revert still succeeds.
    await fleet.close();
    await latencyFault.revert(info, ctx());
  });

  it('every fault kind adds its toxics and removes them on revert', async () => {
    const { fleet } = await fleetWithEcho();
    const collection = fleet.collection!;
    const expected: Record<string, string[]> = {
      latency: ['latency'],
      jitter: ['latency'],
      bandwidth: ['bandwidth'],
      loss: ['loss'],
      partition: ['loss'],
      'reset-peer': ['reset_peer'],
      timeout: ['timeout'],
      'http-error': ['http_error'],
      'http-delay': ['http_delay'],
    };
    assert.deepEqual(Object.keys(proxyFaults).sort(), Object.keys(expected).sort());
    for (const [name, kind] of Object.entries(proxyFaults) as [string, FaultKind][]) {
      assert.equal(kind.driver, 'proxy');
      assert.equal(kind.timing, 'held');
      const [target] = fleet.targets('worker', 'db');
      const params = kind.params.parse({});
      const info = plain(kind.plan(target!, params));
      await kind.inject(target!, params, ctx());
      assert.deepEqual(
        collection.get('worker.db').toxics.map((t) => t.type),
        expected[name],
        name,
      );
      await kind.revert(info, ctx());
      assert.deepEqual(collection.get('worker.db').toxics, [], `${name} reverted`);
    }
    const both = latencyFault.params.parse({ latency: 10, direction: 'both', probability: '50%' });
    const [target] = fleet.targets('api', 'cache');
    await latencyFault.inject(target!, both, ctx());
    assert.deepEqual(
      collection.get('api.cache').toxics.map((t) => [t.stream, t.toxicity]),
      [
        ['upstream', 0.5],
        ['downstream', 0.5],
      ],
    );
    await latencyFault.revert(plain(latencyFault.plan(target!, both)), ctx());
    assert.throws(() => latencyFault.params.parse({ latency: '200ms', foo: 1 }));
    assert.throws(() => latencyFault.params.parse({ probability: '150%' }));
  });

  it('http-error answers requests to the dependency; partition refuse resets connections', async () => {
    const web = cleanup.add(await httpServer((_req, res) => res.end('real')), (s) => s.close());
    const fleet = cleanup.add(await ProxyFleet.start([{ service: 'shop', name: 'payments', listen: '127.0.0.1:0', upstream: web.address }]), (f) => f.close());
    const [target] = fleet.targets('payments');
    const url = `http://${target!.listen}/pay`;
    const params = httpErrorFault.params.parse({ status: 502, probability: 1 });
    await httpErrorFault.inject(target!, params, ctx());
    const r = await fetch(url);
    assert.equal(r.status, 502);
    await r.text();
    await httpErrorFault.revert(plain(httpErrorFault.plan(target!, params)), ctx());
    assert.equal(await (await fetch(url)).text(), 'real');

    const refuse = partitionFault.params.parse({ mode: 'refuse' });
    await partitionFault.inject(target!, refuse, ctx());
    await assert.rejects(fetch(url, { headers: { connection: 'close' } }));
    await partitionFault.revert(plain(partitionFault.plan(target!, refuse)), ctx());
    assert.equal(await (await fetch(url)).text(), 'real');
  });

  it('a revert in another process: an in-process fleet still running elsewhere cannot be reached (error), a gone one is fine', async () => {
    const { fleet } = await fleetWithEcho();
    const [target] = fleet.targets('api', 'db');
    const params = latencyFault.params.parse({});
    const info = plain(latencyFault.plan(target!, params));
    await latencyFault.inject(target!, params, ctx());
    const script = (i: RevertInfo) =>
      `import { latencyFault } from './src/drivers/proxy/index.ts';
       try { await latencyFault.revert(${JSON.stringify(i)}, { signal: new AbortController().signal, runId: 'r', log() {} }); console.log('reverted'); }
       catch (e) { console.log('error: ' + e.message); }`;
    const alive = await runNode(script(info));
    assert.match(alive.out, /error: proxy api\.db runs inside faultline process \d+, which is still running/);
    const gone = await runNode(script({ ...info, pid: 999_999_99, fleet: 'gone' }));
    assert.match(gone.out, /reverted/);
    await latencyFault.revert(info, ctx());
  });

  it("through a proxy API server: toxics carry a TTL, a heartbeat keeps them, revert works from a fresh process, and they expire after kill -9", async () => {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const server = cleanup.add(await startProxyServer({ listen: '127.0.0.1:0' }), (s) => s.close());
    const decls = [{ service: 'api', name: 'db', listen: '127.0.0.1:0', upstream: echo.address }];
    const fleet = await ProxyFleet.attach(server.url, decls, { ttl: TTL });
    const [target] = fleet.targets('api', 'db');
    assert.equal(target!.host.kind, 'api');
    const params = latencyFault.params.parse({ latency: 300 });
    const info = plain(latencyFault.plan(target!, params));
    assert.deepEqual(Object.keys(info).sort(), ['api', 'proxy', 'toxics']);
    await latencyFault.inject(target!, params, ctx('run-api'));
    const toxic = server.collection.get('api.db').toxics[0]!;
    assert.equal(toxic.ttl, TTL);
    assert.equal(toxic.owner, 'run-api');
    await sleep(2.5 * TTL);
    assert.equal(server.collection.get('api.db').toxics.length, 1, 'the heartbeat kept it past its TTL');
    const s = cleanup.add(await dial(portOf(target!.listen)), (x) => x.destroy());
    assert.ok((await roundTrip(s, 'x')) >= 295);

    const fresh = await runNode(
      `import { latencyFault } from './src/drivers/proxy/index.ts';
       await latencyFault.revert(${JSON.stringify(info)}, { signal: new AbortController().signal, runId: 'run-api', log() {} });
       console.log('reverted');`,
    );
    assert.match(fresh.out, /reverted/);
    assert.equal(server.collection.get('api.db').toxics.length, 0);
    await latencyFault.revert(info, ctx('run-api')); // idempotent; stops this process's heartbeat

    // kill -9 of the process that injected: its toxic expires one TTL after the last heartbeat.
    const child = runNode(
      `import { ProxyFleet, latencyFault } from './src/drivers/proxy/index.ts';
       const fleet = await ProxyFleet.attach(${JSON.stringify(server.url)}, ${JSON.stringify(decls)}, { ttl: ${TTL} });
       const [t] = fleet.targets('api', 'db');
       await latencyFault.inject(t, latencyFault.params.parse({ latency: 300 }), { signal: new AbortController().signal, runId: 'run-doomed', log() {} });
       console.log('injected');
       setInterval(() => {}, 1000);`,
    );
    // A fresh node with tsx: slow to start on a busy machine.
    await waitFor(() => server.collection.get('api.db').toxics.length === 1, { what: 'the child to inject', timeoutMs: 90_000 });
    await sleep(2.5 * TTL);
    assert.equal(server.collection.get('api.db').toxics.length, 1, 'alive: its heartbeat keeps the toxic');
    child.child.kill('SIGKILL');
    await child;
    const killedAt = performance.now();
    await waitFor(() => server.collection.get('api.db').toxics.length === 0, { what: 'the toxic to expire', timeoutMs: 20_000 });
    // One TTL after the last heartbeat, with slack for a busy machine: not never, not at the end of a long wait.
    assert.ok(performance.now() - killedAt < TTL + 5000, `expired ${performance.now() - killedAt}ms after the kill`);
    await fleet.close();
  });

  it('ProxyDriver: validates references, starts the declared proxies for a run, resolves, stops', async () => {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const system = {
      services: {
        api: { proxies: [{ name: 'db', listen: '127.0.0.1:0', upstream: echo.address }] },
        db: { endpoint: echo.address, proxies: [] },
      },
    };
    const driver = new ProxyDriver({});
    assert.equal(driver.checkTarget({ service: 'api', sub: 'db', config: {} }, system), undefined);
    assert.equal(driver.checkTarget({ service: 'db', config: {} }, system), undefined);
    assert.match(driver.checkTarget({ service: 'api', sub: 'cache', config: {} }, system) ?? '', /service "api" has no proxy "cache"; it declares: db/);
    assert.match(driver.checkTarget({ service: 'queue', config: {} }, system) ?? '', /neither a proxy name nor a service with proxies/);
    await driver.start(system, { baseDir: ROOT, stateDir: ROOT, log: () => undefined });
    cleanup.add(driver, (d) => d.stop());
    const targets = await driver.resolve({ service: 'db', config: {} });
    assert.deepEqual(
      targets.map((t) => t.proxy),
      ['api.db'],
    );
    const s = await dial(portOf(targets[0]!.listen));
    const rx = collect(s);
    s.end('through the run proxy');
    assert.equal((await rx.done).data.toString(), 'through the run proxy');
    await driver.stop();
    await assert.rejects(driver.resolve({ service: 'db', config: {} }), isTargetError);
  });
});
