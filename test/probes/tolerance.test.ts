import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runProbe } from '../../src/probes/run-probe.js';
import { describeExpectation, evaluate, healthToProbe } from '../../src/probes/tolerance.js';
import type { Expectation, ProbeCall, ProbeResult } from '../../src/probes/types.js';
import { closedPort, startHttpServer, type TestServer } from './http-server.js';

const http: ProbeCall = { http: 'http://svc/health' };
const tcp: ProbeCall = { tcp: 'svc:80' };
const cmd: ProbeCall = { command: 'check' };
const res = (extra: Partial<ProbeResult>): ProbeResult => ({ ok: true, latencyMs: 12, ...extra });

describe('evaluate: defaults', () => {
  it('http needs a 2xx status', () => {
    assert.deepEqual(evaluate(http, res({ status: 204 })), { ok: true, observed: 'status 204 in 12ms', expected: 'status 2xx' });
    assert.deepEqual(evaluate(http, res({ status: 503 })), { ok: false, observed: 'status 503 in 12ms', expected: 'status 2xx' });
  });

  it('tcp needs a connection', () => {
    assert.deepEqual(evaluate(tcp, res({})), { ok: true, observed: 'connected in 12ms', expected: 'connects' });
    assert.deepEqual(evaluate(tcp, { ok: false, latencyMs: 1, error: 'ECONNREFUSED' }), { ok: false, observed: 'ECONNREFUSED after 1ms', expected: 'connects' });
  });

  it('command needs exit 0', () => {
    assert.equal(evaluate(cmd, res({ exitCode: 0 })).ok, true);
    assert.deepEqual(evaluate(cmd, res({ exitCode: 3 })), { ok: false, observed: 'exit 3 in 12ms', expected: 'exit 0' });
    assert.equal(evaluate(cmd, res({ signal: 'SIGKILL' })).observed, 'killed by SIGKILL in 12ms');
  });

  it('a failed call fails, and says why', () => {
    assert.deepEqual(evaluate(http, { ok: false, latencyMs: 500, error: 'timeout after 500ms' }), { ok: false, observed: 'timeout after 500ms', expected: 'status 2xx' });
    assert.equal(evaluate(http, { ok: false, latencyMs: 500, status: 200, error: 'timeout after 500ms' }).observed, 'status 200, then timeout after 500ms');
  });
});

describe('evaluate: tolerance kinds', () => {
  it('status: single, list, class', () => {
    assert.equal(evaluate(http, res({ status: 404 }), { status: 404 }).ok, true);
    assert.equal(evaluate(http, res({ status: 200 }), { status: 404 }).ok, false);
    assert.equal(evaluate(http, res({ status: 301 }), { status: [200, 301] }).ok, true);
    assert.deepEqual(evaluate(http, res({ status: 302 }), { status: [200, 301] }), { ok: false, observed: 'status 302 in 12ms', expected: 'status 200 or 301' });
    assert.equal(evaluate(http, res({ status: 503 }), { status: '5xx' }).ok, true);
    assert.equal(evaluate(http, res({ status: 200 }), { status: '5xx' }).ok, false);
  });

  it('body regex (with the default 2xx)', () => {
    assert.equal(evaluate(http, res({ status: 200, body: 'all healthy' }), { body: 'health' }).ok, true);
    assert.deepEqual(evaluate(http, res({ status: 200, body: 'degraded' }), { body: '^healthy$' }), {
      ok: false,
      observed: 'status 200 in 12ms, body "degraded"',
      expected: 'status 2xx, body matching /^healthy$/',
    });
    assert.equal(evaluate(http, res({ status: 500, body: 'healthy' }), { body: 'healthy' }).ok, false);
  });

  it('json equals, range, matches, exists', () => {
    const body = JSON.stringify({ status: 'up', checks: [{ name: 'db', ms: 4 }], meta: { v: '1.2.3' }, nothing: null });
    const r = res({ status: 200, body });
    const pass = (json: Expectation['json']): boolean => evaluate(http, r, { json }).ok;
    assert.equal(pass({ path: '$.status', equals: 'up' }), true);
    assert.equal(pass({ path: '$.status', equals: 'down' }), false);
    assert.equal(pass({ path: '$.checks[0]', equals: { name: 'db', ms: 4 } }), true);
    assert.equal(pass({ path: '$.checks[0].ms', range: [0, 10] }), true);
    assert.equal(pass({ path: '$.checks[0].ms', range: [5, 10] }), false);
    assert.equal(pass({ path: '$.status', range: [0, 10] }), false);
    assert.equal(pass({ path: '$.meta.v', matches: '^1\\.' }), true);
    assert.equal(pass({ path: '$.meta.v', matches: '^2\\.' }), false);
    assert.equal(pass({ path: '$.checks[0].ms', matches: '^4$' }), true);
    assert.equal(pass({ path: '$.nothing', exists: true }), true);
    assert.equal(pass({ path: '$.nothing', equals: null }), true);
    assert.equal(pass({ path: '$.missing', exists: false }), true);
    assert.equal(pass({ path: '$.status', exists: false }), false);
    assert.equal(pass({ path: '$.checks[1]' }), false);
    assert.equal(pass({ path: '$.checks[0].name' }), true);
    assert.equal(pass({ path: '$', exists: true }), true);
    assert.equal(pass([{ path: '$.status', equals: 'up' }, { path: '$.meta.v', equals: '1.2.3' }]), true);
    assert.deepEqual(evaluate(http, r, { json: [{ path: '$.status', equals: 'down' }, { path: '$.gone' }] }), {
      ok: false,
      observed: 'status 200 in 12ms, $.status = "up", $.gone absent',
      expected: 'status 2xx, $.status = "down", $.gone present',
    });
  });

  it('json on a body that is not JSON', () => {
    const v = evaluate(http, res({ status: 200, body: '<html>' }), { json: { path: '$.status', equals: 'up' } });
    assert.deepEqual([v.ok, v.observed], [false, 'status 200 in 12ms, body not JSON "<html>"']);
  });

  it('latency range', () => {
    assert.equal(evaluate(http, res({ status: 200, latencyMs: 80 }), { latency: { max: 100 } }).ok, true);
    assert.deepEqual(evaluate(http, res({ status: 200, latencyMs: 812 }), { latency: { max: 500 } }), {
      ok: false,
      observed: 'status 200 in 812ms',
      expected: 'status 2xx, latency <= 500ms',
    });
    assert.equal(evaluate(tcp, res({ latencyMs: 5 }), { latency: { min: 10 } }).ok, false);
    assert.equal(evaluate(tcp, res({ latencyMs: 50 }), { latency: { min: 10, max: 100 } }).expected, 'latency 10ms..100ms');
  });

  it('exitCode single and list, stdout regex', () => {
    assert.equal(evaluate(cmd, res({ exitCode: 3 }), { exitCode: 3 }).ok, true);
    assert.equal(evaluate(cmd, res({ exitCode: 2 }), { exitCode: [0, 1] }).ok, false);
    assert.equal(evaluate(cmd, res({ exitCode: 1 }), { exitCode: [0, 1] }).expected, 'exit 0 or 1');
    assert.equal(evaluate(cmd, res({ exitCode: 0, stdout: 'PONG\n' }), { stdout: 'PONG' }).ok, true);
    assert.deepEqual(evaluate(cmd, res({ exitCode: 0, stdout: 'nope' }), { stdout: 'PONG' }), {
      ok: false,
      observed: 'exit 0 in 12ms, stdout "nope"',
      expected: 'exit 0, stdout matching /PONG/',
    });
    assert.equal(evaluate(cmd, res({ exitCode: 1, stdout: 'PONG' }), { stdout: 'PONG' }).ok, false);
  });

  it('ok: true accepts any completed call', () => {
    assert.deepEqual(evaluate(http, res({ status: 500 }), { ok: true }), { ok: true, observed: 'status 500 in 12ms', expected: 'any response' });
    assert.equal(evaluate(cmd, res({ exitCode: 7 }), { ok: true }).ok, true);
    assert.equal(evaluate(http, { ok: false, latencyMs: 1, error: 'ECONNREFUSED' }, { ok: true }).ok, false);
  });

  it('ok: false needs the call itself to fail', () => {
    assert.deepEqual(evaluate(tcp, { ok: false, latencyMs: 1, error: 'ECONNREFUSED' }, { ok: false }), {
      ok: true,
      observed: 'ECONNREFUSED after 1ms',
      expected: 'no connection',
    });
    assert.deepEqual(evaluate(tcp, res({}), { ok: false }), { ok: false, observed: 'connected in 12ms', expected: 'no connection' });
    assert.equal(evaluate(http, res({ status: 500 }), { ok: false }).ok, false);
  });

  it('describes an expectation before any result', () => {
    assert.equal(describeExpectation(http), 'status 2xx');
    assert.equal(describeExpectation(cmd, { stdout: 'x' }), 'exit 0, stdout matching /x/');
    assert.equal(describeExpectation(tcp, { ok: false }), 'no connection');
  });
});

describe('evaluate against real targets', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startHttpServer((req, res) => {
      if (req.url === '/health') return void res.setHeader('content-type', 'application/json').end('{"status":"up","db":{"latencyMs":3}}');
      res.writeHead(503).end('Service Unavailable');
    });
  });
  after(() => srv.close());
  const check = async (call: ProbeCall, expect?: Expectation) => evaluate(call, await runProbe(call, { defaultTimeout: 2000 }), expect);

  it('http status class, body and json', async () => {
    assert.equal((await check({ http: `${srv.url}/health` })).ok, true);
    const down = await check({ http: `${srv.url}/other` });
    assert.equal(down.ok, false);
    assert.match(down.observed, /^status 503 in \d+ms$/);
    assert.equal((await check({ http: `${srv.url}/other` }, { status: '5xx', body: 'Unavailable' })).ok, true);
    assert.equal((await check({ http: `${srv.url}/health` }, { json: [{ path: '$.status', equals: 'up' }, { path: '$.db.latencyMs', range: [0, 100] }] })).ok, true);
  });

  it('a closed port with ok: false', async () => {
    const port = await closedPort();
    assert.equal((await check({ tcp: `127.0.0.1:${port}` }, { ok: false })).ok, true);
    assert.equal((await check({ tcp: `127.0.0.1:${srv.port}` }, { ok: false })).ok, false);
    assert.equal((await check({ http: `http://127.0.0.1:${port}/` }, { ok: false })).ok, true);
  });

  it('commands: exit code and stdout', async () => {
    assert.equal((await check({ command: "sh -c 'exit 3'" })).ok, false);
    assert.equal((await check({ command: "sh -c 'exit 3'" }, { exitCode: 3 })).ok, true);
    assert.equal((await check({ command: 'echo PONG' }, { stdout: '^PONG$' })).ok, false); // output ends with a newline
    assert.equal((await check({ command: 'echo PONG' }, { stdout: '^PONG\\s*$' })).ok, true);
  });
});

describe('healthToProbe', () => {
  it('splits a health check into call and expectation', () => {
    assert.deepEqual(healthToProbe({ http: 'http://a/health', timeout: 500, expectStatus: [200, 204], body: 'ok', interval: 250 }), {
      call: { http: 'http://a/health', timeout: 500 },
      expect: { status: [200, 204], body: 'ok' },
    });
    assert.deepEqual(healthToProbe({ command: ['pg_isready'], expectExitCode: 0 }), { call: { command: ['pg_isready'] }, expect: { exitCode: 0 } });
    assert.deepEqual(healthToProbe({ tcp: 'db:5432' }), { call: { tcp: 'db:5432' } });
  });
});
