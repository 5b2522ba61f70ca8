/** The published Toxiproxy client (toxiproxy-node-client) works unchanged against faultline's proxy server. */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Toxiproxy, ToxiproxyError, type ICreateToxicBody, type Latency } from 'toxiproxy-node-client';
import { startProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { Cleanup, dial, portOf, tcpServer, type TcpServer } from './helpers.js';

async function roundTrip(s: Socket, text: string): Promise<number> {
  const start = performance.now();
  await new Promise<void>((resolve) => {
    s.once('data', () => resolve());
    s.write(text);
  });
  return performance.now() - start;
}

describe('toxiproxy-node-client against faultline proxy', { timeout: 30_000 }, () => {
  const cleanup = new Cleanup();
  let server: ProxyServer;
  let echo: TcpServer;
  after(() => cleanup.run());
  before(async () => {
    echo = cleanup.add(await tcpServer(), (s) => s.close());
    server = cleanup.add(await startProxyServer({ listen: '127.0.0.1:0' }), (s) => s.close());
  });

  it('round trip: version, create, populate, get, add/update/remove toxics, disable, reset, remove', async () => {
    const toxiproxy = new Toxiproxy(server.url);
    assert.match(await toxiproxy.getVersion(), /"version"/);

    const proxy = await toxiproxy.createProxy({ name: 'redis', listen: 'localhost:0', upstream: echo.address });
    assert.equal(proxy.name, 'redis');
    assert.equal(proxy.enabled, true);
    assert.notEqual(portOf(proxy.listen), 0);

    const populated = await toxiproxy.populate([
      { name: 'redis', listen: proxy.listen, upstream: echo.address },
      { name: 'mysql', listen: '127.0.0.1:0', upstream: echo.address },
    ]);
    assert.deepEqual(Object.keys(populated).sort(), ['mysql', 'redis']);
    assert.deepEqual(Object.keys(await toxiproxy.getAll()).sort(), ['mysql', 'redis']);

    const fetched = await toxiproxy.get('redis');
    assert.equal(fetched.listen, proxy.listen);

    const body: ICreateToxicBody<Latency> = { name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } };
    const toxic = await fetched.addToxic(body);
    assert.deepEqual(toxic.toJson(), { attributes: { latency: 200, jitter: 0 }, name: 'slow', stream: 'downstream', toxicity: 1, type: 'latency' });

    const s = cleanup.add(await dial(portOf(proxy.listen)), (x) => x.destroy());
    assert.ok((await roundTrip(s, 'a')) >= 195, 'the toxic added through the client is in effect');

    const same = await fetched.getToxic('slow');
    assert.equal((same.attributes as Latency).latency, 200);
    const updated = await same.update({ ...body, attributes: { latency: 0, jitter: 0 } });
    assert.equal((updated.attributes as Latency).latency, 0);
    let fastest = Infinity;
    for (const text of ['b', 'c', 'd']) fastest = Math.min(fastest, await roundTrip(s, text));
    assert.ok(fastest < 195, `updated to 0 ms, the latency no longer applies (fastest of 3: ${fastest} ms)`);
    await updated.remove();
    await assert.rejects(fetched.getToxic('slow'), ToxiproxyError);

    const off = await fetched.update({ enabled: false, listen: fetched.listen, upstream: fetched.upstream });
    assert.equal(off.enabled, false);
    await toxiproxy.reset();
    assert.equal((await toxiproxy.get('redis')).enabled, true);

    await (await toxiproxy.get('mysql')).remove();
    await (await toxiproxy.get('redis')).remove();
    assert.deepEqual(await toxiproxy.getAll(), {});
    await assert.rejects(toxiproxy.get('redis'), /404/);
  });

  it('a type Toxiproxy does not know (one of faultline\'s additions) goes through the same client', async () => {
    const toxiproxy = new Toxiproxy(server.url);
    const proxy = await toxiproxy.createProxy({ name: 'web', listen: '127.0.0.1:0', upstream: echo.address });
    const toxic = await proxy.addToxic({ name: 'errors', type: 'http_error' as 'latency', stream: 'upstream', toxicity: 0.5, attributes: { status: 503 } as unknown as Latency });
    assert.equal(toxic.type, 'http_error');
    assert.equal(toxic.toxicity, 0.5);
    await proxy.remove();
  });
});
