import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpProbe } from '../../src/probes/http-probe.js';
import { MAX_CAPTURE_BYTES } from '../../src/probes/types.js';
import { closedPort, startHttpServer, type TestServer } from './http-server.js';

// Calls that should succeed get a timeout no busy machine reaches; the timeout and abort tests
// check time itself, with bounds far from both the broken behaviour and scheduling delays.
const CALL_MS = 10_000;
const PROMPT_MS = 5000;

describe('httpProbe', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startHttpServer((req, res) => {
      if (req.url === '/ok') return void res.end('healthy');
      if (req.url === '/down') return void res.writeHead(503).end('Service Unavailable');
      if (req.url === '/big') return void res.end(Buffer.alloc(1024 * 1024, 'x'));
      if (req.url === '/hang') return; // never answers
      if (req.url === '/echo') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.end(JSON.stringify({ method: req.method, header: req.headers['x-probe'], body })));
        return;
      }
      res.writeHead(404).end();
    });
  });
  after(() => srv.close());

  it('returns status, body and latency', async () => {
    const r = await httpProbe(`${srv.url}/ok`, { timeout: CALL_MS });
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'healthy');
    assert.ok(r.latencyMs >= 0 && r.latencyMs < CALL_MS, `latency ${r.latencyMs}ms`);
  });

  it('counts an error status as a completed call', async () => {
    const r = await httpProbe(`${srv.url}/down`, { timeout: CALL_MS });
    assert.equal(r.ok, true);
    assert.equal(r.status, 503);
  });

  it('sends method, headers and body', async () => {
    const r = await httpProbe({ url: `${srv.url}/echo`, method: 'POST', headers: { 'x-probe': 'yes' }, body: 'ping' }, { timeout: CALL_MS });
    assert.deepEqual(JSON.parse(r.body!), { method: 'POST', header: 'yes', body: 'ping' });
  });

  it('keeps only the first 64 KiB of the body', async () => {
    const r = await httpProbe(`${srv.url}/big`, { timeout: CALL_MS });
    assert.equal(r.ok, true);
    assert.equal(r.body!.length, MAX_CAPTURE_BYTES);
  });

  it('reports a refused connection', async () => {
    const r = await httpProbe(`http://127.0.0.1:${await closedPort()}/`, { timeout: CALL_MS });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'ECONNREFUSED');
  });

  it('times out a server that never answers', async () => {
    const started = performance.now();
    const r = await httpProbe(`${srv.url}/hang`, { timeout: 300 });
    const took = performance.now() - started;
    assert.equal(r.ok, false);
    assert.equal(r.error, 'timeout after 300ms');
    assert.ok(took >= 290 && took < 300 + PROMPT_MS, `took ${took}ms`);
  });

  it('stops at once on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const r = await httpProbe(`${srv.url}/hang`, { timeout: 30_000, signal: controller.signal });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'aborted');
    assert.ok(performance.now() - started < PROMPT_MS, `took ${performance.now() - started}ms`);
  });

  it('returns aborted without calling when the signal is already aborted', async () => {
    const r = await httpProbe(`${srv.url}/ok`, { timeout: 1000, signal: AbortSignal.abort() });
    assert.deepEqual([r.ok, r.error], [false, 'aborted']);
  });

  it('sees a stopped server on the very next probe (no pooled socket)', async () => {
    const own = await startHttpServer((_req, res) => res.end('up'));
    assert.equal((await httpProbe(own.url, { timeout: CALL_MS })).ok, true);
    await own.close();
    const r = await httpProbe(own.url, { timeout: CALL_MS });
    assert.deepEqual([r.ok, r.error], [false, 'ECONNREFUSED']);
  });

  it('reports an invalid URL as a failed call', async () => {
    const r = await httpProbe('not a url', { timeout: 1000 });
    assert.equal(r.ok, false);
    assert.ok(r.error);
  });
});
