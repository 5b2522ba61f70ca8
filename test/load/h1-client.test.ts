/**
 * The load generator's HTTP/1.1 client (src/load/h1-client.ts) against a real TCP server on port 0
 * that writes exact bytes: the framings (Content-Length, chunked, until close), split anywhere
 * across reads; Connection: close; HEAD, 204 and 1xx; pipelining; and the errors the engine counts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { H1Client, type ResponseHandler } from '../../src/load/h1-client.js';
import { errorCode } from '../../src/load/engine.js';
import { prepareMix } from '../../src/load/mix.js';
import { startLoad } from '../../src/load/start-load.js';
import { closedPort, startServer } from './servers.js';
import { request, spec } from './spec-helpers.js';

interface Outcome {
  status: number;
  body: string;
  error?: string;
}

/** A server that answers each request (head read up to its blank line) with `answer(n, socket)`; counts connections. */
async function rawServer(answer: (n: number, socket: Socket, head: string) => void): Promise<{ port: number; connections: () => number; heads: string[]; close: () => Promise<void> }> {
  let connections = 0;
  let n = 0;
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        heads.push(buf.slice(0, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        answer(n++, socket, head);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    heads,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Writes `bytes` one small piece at a time, so the client's parser sees every split. */
function dribble(socket: Socket, bytes: string, piece = 3): void {
  for (let i = 0; i < bytes.length; i += piece) socket.write(bytes.slice(i, i + piece));
}

function send(client: H1Client, method = 'GET', port = 0): Promise<Outcome> {
  const [prepared] = prepareMix([request('/x', { method })], `127.0.0.1:${port}`).requests;
  return new Promise((resolve) => {
    const out: Outcome = { status: 0, body: '' };
    const handler: ResponseHandler = {
      onHeaders: (status) => ((out.status = status), true),
      onData: (chunk) => ((out.body += chunk.toString('latin1')), true),
      onComplete: () => resolve(out),
      onError: (err) => resolve({ ...out, error: errorCode(err) }),
    };
    client.dispatch(prepared!, handler);
  });
}

describe('h1-client', () => {
  it('reads Content-Length and chunked bodies split anywhere, on one keep-alive connection', async () => {
    const srv = await rawServer((n, socket) => {
      if (n === 0) dribble(socket, 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world', 1);
      else dribble(socket, 'HTTP/1.1 201 Created\r\ntransfer-encoding: Chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nx-trailer: 1\r\n\r\n', 2);
    });
    const client = new H1Client(srv.port, '127.0.0.1', 5000);
    try {
      assert.deepEqual(await send(client), { status: 200, body: 'hello world' });
      assert.deepEqual(await send(client), { status: 201, body: 'hello, chunked!' });
      assert.equal(srv.connections(), 1);
      assert.match(srv.heads[0]!, /^GET \/x HTTP\/1\.1\r\nhost: 127\.0\.0\.1:0\r\n\r\n$/);
    } finally {
      await client.destroy();
      await srv.close();
    }
  });

  it('pipelined responses in one write go to their requests in order', async () => {
    const pending: Socket[] = [];
    const srv = await rawServer((_n, socket) => {
      pending.push(socket);
      if (pending.length === 3) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbbHTTP/1.1 204 No Content\r\n\r\n');
    });
    const client = new H1Client(srv.port, '127.0.0.1', 5000);
    try {
      const all = await Promise.all([send(client), send(client), send(client)]);
      assert.deepEqual(all, [
        { status: 200, body: 'a' },
        { status: 404, body: 'bb' },
        { status: 204, body: '' },
      ]);
    } finally {
      await client.destroy();
      await srv.close();
    }
  });

  it('Connection: close and HTTP/1.0 move the next request to a new connection; a body until close ends at the close', async () => {
    const srv = await rawServer((n, socket) => {
      if (n === 0) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else if (n === 1) socket.end('HTTP/1.0 200 OK\r\n\r\nuntil close');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const client = new H1Client(srv.port, '127.0.0.1', 5000);
    try {
      assert.deepEqual(await send(client), { status: 200, body: 'ok' });
      assert.deepEqual(await send(client), { status: 200, body: 'until close' });
      assert.deepEqual(await send(client), { status: 200, body: '' });
      assert.equal(srv.connections(), 3);
    } finally {
      await client.destroy();
      await srv.close();
    }
  });

  it('does not reuse a connection idle longer than the server keeps it (Keep-Alive: timeout=N, less 1 s)', async () => {
    const srv = await rawServer((_n, socket) => socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 0\r\n\r\n'));
    const client = new H1Client(srv.port, '127.0.0.1', 5000);
    try {
      await send(client);
      await send(client);
      assert.equal(srv.connections(), 1, 'back to back: the same connection');
      await new Promise((r) => setTimeout(r, 1200));
      assert.deepEqual(await send(client), { status: 200, body: '' });
      assert.equal(srv.connections(), 2, 'idle 1.2 s, over the 2 s - 1 s the server allows: a new connection');
    } finally {
      await client.destroy();
      await srv.close();
    }
  });

  it('HEAD and 1xx: no body whatever the headers say; the head after 100 Continue is the response', async () => {
    const srv = await rawServer((n, socket) => {
      if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
      else socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes');
    });
    const client = new H1Client(srv.port, '127.0.0.1', 5000);
    try {
      assert.deepEqual(await send(client, 'HEAD'), { status: 200, body: '' });
      assert.deepEqual(await send(client), { status: 200, body: 'yes' });
      assert.equal(srv.connections(), 1);
    } finally {
      await client.destroy();
      await srv.close();
    }
  });

  it('fails requests with the codes the engine counts: not HTTP, closed in flight, no answer in time, refused', async () => {
    const srv = await rawServer((n, socket) => {
      if (n === 0) socket.write('SSH-2.0-nope\r\n\r\n');
      else if (n === 1) socket.destroy();
      // n === 2: never answered
    });
    const client = new H1Client(srv.port, '127.0.0.1', 300);
    try {
      assert.equal((await send(client)).error, 'HPE_INVALID_RESPONSE');
      assert.equal((await send(client)).error, 'socket-closed');
      const t0 = performance.now();
      assert.equal((await send(client)).error, 'timeout');
      assert.ok(performance.now() - t0 >= 250, 'the timeout waits for its time');
    } finally {
      await client.destroy();
      await srv.close();
    }
    const refused = new H1Client(await closedPort(), '127.0.0.1', 5000);
    assert.equal((await send(refused)).error, 'ECONNREFUSED');
    await refused.destroy();
  });

  it("a real Node server's chunked and fixed-length bodies, through the engine: every byte counted, every request answered", async () => {
    const piece = 'x'.repeat(10_000);
    const srv = await startServer((req, res) => {
      if (req.url === '/fixed') return res.writeHead(200, { 'content-length': 30_000 }).end(piece + piece + piece);
      res.write(piece);
      setImmediate(() => {
        res.write(piece);
        res.end(piece);
      });
    });
    try {
      const run = startLoad(spec(srv.url, { connections: 3, durationMs: 500, requests: [request('/chunked'), request('/fixed')] }));
      await run.ended;
      const record = await run.stop();
      const totals = run.totals()!;
      assert.equal(record.error, undefined);
      assert.ok(totals.requests > 0);
      assert.equal(totals.requests, srv.count);
      assert.deepEqual(totals.statusCodes, { '200': totals.requests });
      assert.equal(totals.bytes, totals.requests * 30_000);
    } finally {
      await srv.close();
    }
  });

  it('writes the headers, a body with its length, and the host unless given', () => {
    const [post] = prepareMix([request('/cart?x=1', { method: 'post', headers: { 'content-type': 'application/json' }, body: '{"sku":1}' })], 'api:8080').requests;
    assert.equal(post!.bytes.toString('latin1'), 'POST /cart?x=1 HTTP/1.1\r\nhost: api:8080\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{"sku":1}');
    const [own] = prepareMix([request('/', { headers: { Host: 'other' } })], 'api:8080').requests;
    assert.equal(own!.bytes.toString('latin1'), 'GET / HTTP/1.1\r\nHost: other\r\n\r\n');
    assert.throws(() => prepareMix([request('/', { headers: { 'x-a': 'b\r\nx-evil: 1' } })], 'api'), /header "x-a": a header cannot contain a line break/);
  });
});
