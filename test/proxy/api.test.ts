/** The HTTP API: Toxiproxy's routes, JSON shapes and status codes, errors that leave nothing half-applied, /metrics and the TTL heartbeat. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { Cleanup, collect, dial, portOf, tcpServer, waitFor, type TcpServer } from './helpers.js';

describe('proxy API', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup();
  let api: ProxyServer;
  let echo: TcpServer;
  after(() => cleanup.run());
  before(async () => {
    echo = cleanup.add(await tcpServer(), (s) => s.close());
    api = cleanup.add(await startProxyServer({ listen: '127.0.0.1:0' }), (s) => s.close());
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; text: string }> {
    const res = await fetch(api.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  it('GET /version', async () => {
    const r = await call('GET', '/version');
    assert.equal(r.status, 200);
    assert.match((r.json as { version: string }).version, /^2\.\d+\.\d+/);
  });

  it('creates, lists, shows, updates and deletes proxies with Toxiproxy shapes and codes', async () => {
    const created = await call('POST', '/proxies', { name: 'shop_db', listen: '127.0.0.1:0', upstream: echo.address });
    assert.equal(created.status, 201);
    const proxy = created.json as { name: string; listen: string; upstream: string; enabled: boolean; toxics: unknown[] };
    assert.deepEqual(Object.keys(proxy).sort(), ['enabled', 'listen', 'name', 'toxics', 'upstream']);
    assert.equal(proxy.enabled, true);
    assert.deepEqual(proxy.toxics, []);
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(portOf(proxy.listen), 0);

    assert.deepEqual(await call('POST', '/proxies', { name: 'shop_db', listen: '127.0.0.1:0', upstream: echo.address }), {
      status: 409,
      json: { error: 'proxy already exists', status: 409 },
      text: JSON.stringify({ error: 'proxy already exists', status: 409 }),
    });
    assert.deepEqual((await call('POST', '/proxies', { listen: '127.0.0.1:0', upstream: echo.address })).json, { error: 'missing required field: name', status: 400 });
    assert.deepEqual((await call('POST', '/proxies', { name: 'x', listen: '127.0.0.1:0' })).json, { error: 'missing required field: upstream', status: 400 });
    assert.equal((await call('POST', '/proxies', '{not json')).status, 400);

    const list = await call('GET', '/proxies');
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.json as object), ['shop_db']);
    assert.deepEqual((await call('GET', '/proxies/shop_db')).json, proxy);
    assert.deepEqual(await call('GET', '/proxies/nope').then((r) => [r.status, r.json]), [404, { error: 'proxy not found', status: 404 }]);

    const disabled = await call('POST', '/proxies/shop_db', { enabled: false });
    assert.equal(disabled.status, 200);
    assert.equal((disabled.json as { enabled: boolean }).enabled, false);
    await assert.rejects(dial(portOf(proxy.listen)));
    const patched = await call('PATCH', '/proxies/shop_db', { enabled: true });
    assert.equal((patched.json as { enabled: boolean }).enabled, true);

    assert.equal((await call('DELETE', '/proxies/shop_db')).status, 204);
    assert.equal((await call('DELETE', '/proxies/shop_db')).status, 404);
    assert.deepEqual((await call('GET', '/proxies')).json, {});
  });

  it('a listen address in use is a 500 with the system error, and no proxy is left behind', async () => {
    const taken = await call('POST', '/proxies', { name: 'first', listen: '127.0.0.1:0', upstream: echo.address });
    const listen = (taken.json as { listen: string }).listen;
    const r = await call('POST', '/proxies', { name: 'second', listen, upstream: echo.address });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: `listen tcp ${listen}: bind: address already in use`, status: 500 });
    assert.deepEqual(Object.keys((await call('GET', '/proxies')).json as object), ['first']);

    // populate: all or nothing
    const populate = await call('POST', '/populate', [
      { name: 'new_ok', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'new_bad', listen, upstream: echo.address },
    ]);
    assert.equal(populate.status, 500);
    assert.equal((populate.json as { status: number }).status, 500);
    assert.deepEqual(Object.keys((await call('GET', '/proxies')).json as object), ['first']);
    await call('DELETE', '/proxies/first');
  });

  it('POST /populate creates or replaces a list of proxies (201), keeping unchanged ones and their toxics', async () => {
    const one = await call('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    assert.equal(one.status, 201);
    const proxies = (one.json as { proxies: { name: string; listen: string; enabled: boolean }[] }).proxies;
    assert.deepEqual(
      proxies.map((p) => [p.name, p.enabled]),
      [
        ['a', true],
        ['b', false],
      ],
    );
    await call('POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 1 } });
    const again = await call('POST', '/populate', [{ name: 'a', listen: proxies[0]!.listen, upstream: echo.address }]);
    assert.equal(again.status, 201);
    assert.equal((await call('GET', '/proxies/a/toxics')).text.includes('latency_downstream'), true, 'an unchanged proxy keeps its toxics');
    assert.equal((await call('POST', '/populate', [{ name: 'x' }])).status, 400);
    assert.equal((await call('POST', '/populate', [{ name: 'x', upstream: echo.address }, { name: 'x', upstream: echo.address }])).status, 400);
    await call('DELETE', '/proxies/a');
    await call('DELETE', '/proxies/b');
  });

  it('toxics: create (200), list, show, update (merged), delete (204), with Toxiproxy errors', async () => {
    await call('POST', '/proxies', { name: 't', listen: '127.0.0.1:0', upstream: echo.address });
    const created = await call('POST', '/proxies/t/toxics', { type: 'latency', attributes: { latency: 100 } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.json, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });

    const errors: [unknown, number, string][] = [
      [{ type: 'no_such_toxic' }, 400, 'invalid toxic type'],
      [{ type: 'latency', stream: 'sideways' }, 400, 'stream was invalid, can be either upstream or downstream'],
      [{ type: 'latency' }, 409, 'toxic already exists'],
      [{ type: 'latency', name: 'bad', attributes: { latency: 'slow' } }, 400, 'bad request body'],
      [{ type: 'latency', name: 'bad', toxicity: 2 }, 400, 'bad request body'],
      ['[1,2', 400, 'bad request body'],
    ];
    for (const [body, status, message] of errors) {
      const r = await call('POST', '/proxies/t/toxics', body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal((r.json as { status: number }).status, status);
      assert.ok((r.json as { error: string }).error.startsWith(message), `${JSON.stringify(body)}: ${r.text}`);
    }
    assert.equal((await call('POST', '/proxies/none/toxics', { type: 'latency' })).status, 404);
    const list = await call('GET', '/proxies/t/toxics');
    assert.equal((list.json as unknown[]).length, 1, 'no failed request added anything');

    const updated = await call('POST', '/proxies/t/toxics/latency_downstream', { attributes: { jitter: 10 }, toxicity: 0.5 });
    assert.deepEqual(updated.json, { name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 100, jitter: 10 } });
    assert.deepEqual((await call('GET', '/proxies/t/toxics/latency_downstream')).json, updated.json);
    assert.deepEqual((await call('GET', '/proxies/t/toxics/nope')).json, { error: 'toxic not found', status: 404 });
    assert.equal((await call('POST', '/proxies/t/toxics/nope', {})).status, 404);
    assert.equal((await call('DELETE', '/proxies/t/toxics/latency_downstream')).status, 204);
    assert.equal((await call('DELETE', '/proxies/t/toxics/latency_downstream')).status, 404);

    await call('POST', '/proxies/t/toxics', { type: 'timeout', stream: 'upstream' });
    await call('POST', '/proxies/t', { enabled: false });
    assert.equal((await call('POST', '/reset')).status, 204);
    const after = (await call('GET', '/proxies/t')).json as { enabled: boolean; toxics: unknown[] };
    assert.equal(after.enabled, true);
    assert.deepEqual(after.toxics, []);
    await call('DELETE', '/proxies/t');
  });

  it('GET /metrics reports bytes, connections and active toxics', async () => {
    const p = (await call('POST', '/proxies', { name: 'm', listen: '127.0.0.1:0', upstream: echo.address })).json as { listen: string };
    await call('POST', '/proxies/m/toxics', { type: 'slicer', attributes: { average_size: 10 } });
    const s = await dial(portOf(p.listen));
    const rx = collect(s);
    s.end('metrics!');
    await rx.done;
    const r = await call('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.text, /^faultline_proxy_bytes_total\{proxy="m",.*direction="upstream"\} 8$/m);
    assert.match(r.text, /^faultline_proxy_connections_total\{proxy="m".*\} 1$/m);
    assert.match(r.text, /^faultline_proxy_toxics_active\{proxy="m",type="slicer"\} 1$/m);
    await call('DELETE', '/proxies/m');
  });

  it('refuses browsers, unknown routes and wrong methods', async () => {
    assert.equal((await call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0' })).status, 403);
    assert.equal((await call('GET', '/nothing')).status, 404);
    assert.equal((await call('DELETE', '/version')).status, 405);
  });

  it("dead-man's switch: a toxic with a TTL expires without heartbeat and stays while it beats", async () => {
    await call('POST', '/proxies', { name: 'ttl', listen: '127.0.0.1:0', upstream: echo.address });
    const r = await call('POST', '/proxies/ttl/toxics', { name: 'beaten', type: 'latency', ttl: 400, owner: 'run-1' });
    assert.equal(r.status, 200);
    assert.equal((r.json as { ttl: number }).ttl, 400);
    await call('POST', '/proxies/ttl/toxics', { name: 'orphan', type: 'latency' }, { 'x-faultline-ttl': '300', 'x-faultline-owner': 'run-2' });
    for (let i = 0; i < 8; i++) {
      const beat = await call('POST', '/heartbeat', { owner: 'run-1' });
      assert.equal(beat.status, 200);
      await sleep(100);
    }
    const names = ((await call('GET', '/proxies/ttl/toxics')).json as { name: string }[]).map((t) => t.name);
    assert.deepEqual(names, ['beaten'], 'the one without heartbeat expired; the other stayed 800 ms on a 400 ms TTL');
    await waitFor(() => api.collection.get('ttl').toxics.length === 0, 5000, 'the other to expire once the heartbeat stops');
    await call('DELETE', '/proxies/ttl');
  });
});
