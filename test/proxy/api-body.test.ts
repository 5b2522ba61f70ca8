/**
 * The API answers an oversized or malformed request body with 413/400 and `Connection: close`, and
 * a keep-alive client's next request works. Before, an oversized body was answered 400 with
 * keep-alive and the connection was then torn down under the client: its next request on the
 * kept-alive socket failed with ECONNRESET.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { startProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { Cleanup, collect, dial } from './helpers.js';

interface Reply {
  status: number;
  connection: string | undefined;
  json: unknown;
}

const MiB = 1024 * 1024;

/** One request through a node:http keep-alive agent; `chunks` are written one by one (no Content-Length unless given in `headers`: chunked). */
function nodeRequest(agent: Agent, url: string, method: string, path: string, chunks: (string | Buffer)[] = [], headers: Record<string, string | number> = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, json: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('proxy API: oversized and malformed bodies on kept-alive connections', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup();
  let api: ProxyServer;
  after(() => cleanup.run());
  before(async () => {
    api = cleanup.add(await startProxyServer({ listen: '127.0.0.1:0' }), (s) => s.close());
  });

  /** A node:http agent with one kept-alive socket: the next request reuses the last one's connection unless it was closed. */
  function agent(): Agent {
    return cleanup.add(new Agent({ keepAlive: true, maxSockets: 1 }), (a) => a.destroy());
  }

  async function versionOk(a: Agent): Promise<void> {
    const r = await nodeRequest(a, api.url, 'GET', '/version');
    assert.equal(r.status, 200);
    assert.equal(r.connection, 'keep-alive');
  }

  it('a body over 1 MiB with a Content-Length: 413, Connection: close, and the next request on the agent works', async () => {
    const a = agent();
    await versionOk(a);
    const body = Buffer.alloc(3 * MiB, 0x20);
    const r = await nodeRequest(a, api.url, 'POST', '/proxies', [body], { 'content-length': body.length, 'content-type': 'application/json' });
    assert.deepEqual(r, { status: 413, connection: 'close', json: { error: 'request body too large: the limit is 1048576 bytes (1 MiB)', status: 413 } });
    await versionOk(a);
  });

  it('a chunked body that grows past 1 MiB: the same', async () => {
    const a = agent();
    await versionOk(a);
    const r = await nodeRequest(a, api.url, 'POST', '/proxies', Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 0x20)));
    assert.equal(r.status, 413);
    assert.equal(r.connection, 'close');
    await versionOk(a);
  });

  it('a declared Content-Length far past the limit is answered before the body is sent', async () => {
    const a = agent();
    const u = new URL(api.url);
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/proxies', method: 'POST', agent: a, headers: { 'content-length': 1024 * MiB } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, json: JSON.parse(text) }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
      req.write(Buffer.alloc(64 * 1024, 0x20)); // and never the rest: the answer must not wait for it
    });
    assert.equal(r.status, 413);
    assert.equal(r.connection, 'close');
    await versionOk(a);
  });

  it('a body that is not JSON: 400, Connection: close, and the next request works', async () => {
    const a = agent();
    await versionOk(a);
    const r = await nodeRequest(a, api.url, 'POST', '/proxies', ['{"name": "x", '], { 'content-type': 'application/json' });
    assert.equal(r.status, 400);
    assert.equal(r.connection, 'close');
    assert.match((r.json as { error: string }).error, /^bad request body: /);
    await versionOk(a);
  });

  it('a valid JSON body the API refuses (a missing field) keeps the connection alive', async () => {
    const a = agent();
    const r = await nodeRequest(a, api.url, 'POST', '/proxies', ['{"upstream": "127.0.0.1:1"}']);
    assert.deepEqual(r, { status: 400, connection: 'keep-alive', json: { error: 'missing required field: name', status: 400 } });
    await versionOk(a);
  });

  it('undici (fetch\'s engine) with a kept-alive connection: 413 then the next request works', async () => {
    const dispatcher = cleanup.add(new UndiciAgent({ connections: 1, pipelining: 1 }), (d) => d.close());
    const first = await undiciRequest(`${api.url}/version`, { dispatcher });
    assert.equal(first.statusCode, 200);
    await first.body.text();
    const big = await undiciRequest(`${api.url}/proxies`, { dispatcher, method: 'POST', body: Buffer.alloc(2 * MiB, 0x20) });
    assert.equal(big.statusCode, 413);
    assert.equal(big.headers.connection, 'close');
    assert.equal(((await big.body.json()) as { status: number }).status, 413);
    const next = await undiciRequest(`${api.url}/version`, { dispatcher });
    assert.equal(next.statusCode, 200);
    await next.body.text();
  });

  it('broken chunked framing: a JSON 400 with Connection: close, then a FIN (no reset), and a fresh connection works', async () => {
    const s = cleanup.add(await dial(Number(new URL(api.url).port)), (x) => x.destroy());
    const rx = collect(s);
    s.write('POST /proxies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-chunk-size\r\n{}\r\n');
    const { data, error } = await rx.done;
    assert.equal(error, undefined, 'closed with a FIN, not reset');
    const text = data.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(text, /\r\nconnection: close\r\n/i);
    const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: string; status: number };
    assert.equal(json.status, 400);
    assert.match(json.error, /^bad request: .*HPE_/);
    await versionOk(agent());
  });
});
