import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseHostPort, tcpProbe } from '../../src/probes/tcp-probe.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort } from './http-server.js';

describe('tcpProbe', () => {
  let server: Server;
  let port: number;
  let accepted = 0;
  before(async () => {
    server = createServer((socket) => {
      accepted++;
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('succeeds on connect and closes the connection', async () => {
    const r = await tcpProbe(`127.0.0.1:${port}`, { timeout: 10_000 });
    assert.equal(r.ok, true);
    assert.equal(r.error, undefined);
    assert.ok(r.latencyMs >= 0 && r.latencyMs < 10_000, `latency ${r.latencyMs}ms`);
    // The server sees the accept and the close a moment after the probe returns.
    const open = () => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    await waitFor(async () => accepted === 1 && (await open()) === 0, { what: 'the server to see one connection, then none open' });
    assert.equal(accepted, 1);
  });

  it('reports a closed port', async () => {
    const r = await tcpProbe(`127.0.0.1:${await closedPort()}`, { timeout: 10_000 });
    assert.deepEqual([r.ok, r.error], [false, 'ECONNREFUSED']);
  });

  it('returns aborted when the signal is already aborted', async () => {
    const r = await tcpProbe(`127.0.0.1:${port}`, { timeout: 2000, signal: AbortSignal.abort() });
    assert.deepEqual([r.ok, r.error], [false, 'aborted']);
  });

  it('rejects a malformed address as a failed call', async () => {
    const r = await tcpProbe('no-port', { timeout: 10_000 });
    assert.equal(r.ok, false);
    assert.match(r.error!, /host:port/);
  });
});

describe('parseHostPort', () => {
  it('parses host:port and [v6]:port', () => {
    assert.deepEqual(parseHostPort('db:5432'), { host: 'db', port: 5432 });
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.equal(parseHostPort(':80'), undefined);
    assert.equal(parseHostPort('db:0'), undefined);
    assert.equal(parseHostPort('db:99999'), undefined);
  });
});
