/** HTTP toxics against a real node:http server: errors, delays and aborts, with keep-alive and pipelining working. */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cleanup, collect, dial, httpServer, parseResponses, proxyTo, rawHttp } from './helpers.js';
import { TRANSPORTS } from './transports.js';

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(port: number, path: string, agent: Agent, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

for (const { transport, skip } of TRANSPORTS) {
  describe(`HTTP toxics (${transport} transport)`, { timeout: 60_000, skip }, () => {
    const cleanup = new Cleanup();
    after(() => cleanup.run());

    async function setup() {
      const bodies: string[] = [];
      const server = cleanup.add(
        await httpServer((req, res) => {
          let body = '';
          req.on('data', (d: Buffer) => (body += d.toString()));
          req.on('end', () => {
            bodies.push(body);
            if (req.url === '/big') {
              res.writeHead(200, { 'content-length': 100_000 });
              return res.end(Buffer.alloc(100_000, 97));
            }
            if (req.url === '/chunked') {
              res.write('part one,');
              setTimeout(() => res.end('part two'), 5);
              return;
            }
            res.end(`you asked ${req.method} ${req.url}${body ? ` with ${body}` : ''}`);
          });
        }),
        (s) => s.close(),
      );
      const p = cleanup.add(await proxyTo(server.address, { transport }), (x) => x.close());
      const agent = cleanup.add(new Agent({ keepAlive: true, maxSockets: 1 }), (a) => a.destroy());
      return { server, bodies, agent, ...p };
    }

    it('http_error answers every request itself on a kept-alive connection; the server sees none', async () => {
      const { collection, port, agent, server, proxy } = await setup();
      assert.equal((await get(port, '/a', agent)).body, 'you asked GET /a');
      collection.addToxic('p', { type: 'http_error', attributes: { status: 503, headers: { 'Retry-After': '1' } } });
      for (let i = 0; i < 5; i++) {
        const r = await get(port, `/e${i}`, agent);
        assert.equal(r.status, 503);
        assert.equal(r.headers['retry-after'], '1');
        assert.match(r.body, /503 Service Unavailable/);
      }
      const r = await get(port, '/post', agent, { method: 'POST', body: 'x'.repeat(50_000) });
      assert.equal(r.status, 503);
      assert.equal(server.requests, 1, 'no errored request reached the server');
      collection.removeToxic('p', 'http_error_downstream');
      assert.equal((await get(port, '/b', agent, { method: 'POST', body: 'payload' })).body, 'you asked POST /b with payload');
      assert.equal(proxy.stats.accepted, 1, 'all on one kept-alive connection');
    });

    it('http_error keeps pipelined responses in order, request bodies (length and chunked) swallowed whole', async () => {
      const { collection, port, bodies } = await setup();
      collection.addToxic('p', { type: 'http_error', toxicity: 0.5, attributes: { status: 500 } });
      let pipeline = '';
      for (let i = 0; i < 30; i++) {
        if (i % 3 === 0) pipeline += `POST /r${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nb${String(i).padStart(4, '0')}`;
        else if (i % 3 === 1) pipeline += `POST /r${i} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n`;
        else pipeline += `GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
      }
      const { responses, socket } = await rawHttp(port, pipeline, 30);
      socket.destroy();
      let errors = 0;
      responses.forEach((r, i) => {
        if (r.status === 500) errors++;
        else {
          assert.equal(r.status, 200);
          assert.match(r.body, new RegExp(`^you asked (GET|POST) /r${i}( with (b${String(i).padStart(4, '0')}|abcde))?$`), `response ${i} in order`);
        }
      });
      assert.ok(errors > 2 && errors < 28, `about half errored: ${errors}`);
      assert.equal(bodies.length, 30 - errors, 'the server got only the others, with whole bodies');
    });

    it('http_error on an HTTP/1.0 or Connection: close request closes after the answer', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'http_error', attributes: { status: 429, body: 'slow down' } });
      const s = await dial(port);
      const rx = collect(s);
      s.write('GET / HTTP/1.0\r\n\r\n');
      const { data } = await rx.done;
      const [r] = parseResponses(data);
      assert.equal(r?.status, 429);
      assert.equal(r?.body, 'slow down');
    });

    it('http_delay delays requests before they reach upstream; later pipelined requests wait their turn', async () => {
      const { collection, port, agent } = await setup();
      collection.addToxic('p', { type: 'http_delay', attributes: { delay: 200 } });
      const start = performance.now();
      assert.equal((await get(port, '/slow', agent)).body, 'you asked GET /slow');
      assert.ok(performance.now() - start >= 195, 'the request was delayed');
      const t0 = performance.now();
      const { responses, socket } = await rawHttp(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n', 2);
      socket.destroy();
      assert.deepEqual(
        responses.map((r) => r.body),
        ['you asked GET /1', 'you asked GET /2'],
      );
      assert.ok(performance.now() - t0 >= 395, 'each pipelined request waited');
      collection.removeToxic('p', 'http_delay_downstream');
      let fastest = Infinity;
      for (let i = 0; i < 3; i++) {
        const t1 = performance.now();
        await get(port, '/fast', agent);
        fastest = Math.min(fastest, performance.now() - t1);
      }
      assert.ok(fastest < 195, `removed, the delay no longer applies (fastest of 3: ${fastest} ms)`);
    });

    it('removing http_delay releases a held request at once', async () => {
      const { collection, port, agent } = await setup();
      collection.addToxic('p', { type: 'http_delay', attributes: { delay: 30_000 } });
      const pending = get(port, '/held', agent, { method: 'POST', body: 'kept' });
      await sleep(200);
      collection.removeToxic('p', 'http_delay_downstream');
      assert.equal((await pending).body, 'you asked POST /held with kept');
    });

    it('removing http_error while a swallowed request body is still arriving finishes swallowing it first', async () => {
      const { collection, port, bodies } = await setup();
      collection.addToxic('p', { type: 'http_error' });
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const rx = collect(s);
      s.write('POST /swallowed HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n0123456789');
      await sleep(100);
      collection.removeToxic('p', 'http_error_downstream');
      s.write('abcdefghij');
      s.write('POST /kept HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody');
      const end = Date.now() + 5000;
      while (parseResponses(rx.bytes()).length < 2 && Date.now() < end) await sleep(10);
      const responses = parseResponses(rx.bytes());
      assert.deepEqual(
        responses.map((r) => [r.status, r.body.startsWith('503') ? '503' : r.body]),
        [
          [503, '503'],
          [200, 'you asked POST /kept with body'],
        ],
      );
      assert.deepEqual(bodies, ['body'], 'the rest of the swallowed body never reached the server');
    });

    it('http_abort cuts the response mid-body', async () => {
      const { collection, port, agent } = await setup();
      collection.addToxic('p', { type: 'http_abort', attributes: { after: 1000 } });
      await assert.rejects(get(port, '/big', agent));
      const s = await dial(port);
      const rx = collect(s);
      s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      const { data } = await rx.done;
      const headEnd = data.indexOf('\r\n\r\n');
      assert.ok(headEnd > 0, 'a response head arrived');
      assert.equal(data.length - headEnd - 4, 1000, 'exactly `after` body bytes, then the close');
      collection.updateToxic('p', 'http_abort_downstream', { attributes: { after: -1 } });
      const s2 = await dial(port);
      const rx2 = collect(s2);
      s2.write('GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n');
      const got = (await rx2.done).data.toString();
      assert.doesNotMatch(got, /part two/, 'a chunked body is cut too');
    });

    it('an HTTP toxic added while a keep-alive connection is open applies to its next request, and leaves when removed', async () => {
      const { collection, port, agent, proxy } = await setup();
      assert.equal((await get(port, '/1', agent)).status, 200);
      collection.addToxic('p', { type: 'http_error', attributes: { status: 502 } });
      assert.equal((await get(port, '/2', agent)).status, 502);
      collection.removeToxic('p', 'http_error_downstream');
      assert.equal((await get(port, '/3', agent)).body, 'you asked GET /3');
      assert.equal(proxy.stats.accepted, 1);
    });

    it('HEAD responses and 204s are framed right while HTTP toxics are active', async () => {
      const { collection, port, agent } = await setup();
      collection.addToxic('p', { type: 'http_delay', toxicity: 0, attributes: { delay: 1 } });
      collection.addToxic('p', { type: 'http_abort', toxicity: 0 });
      assert.equal((await get(port, '/h', agent, { method: 'HEAD' })).status, 200);
      assert.equal((await get(port, '/after-head', agent)).body, 'you asked GET /after-head');
      // Pipelined HEAD then GET, with every body cut in half: the HEAD response (Content-Length, no
      // body) must not swallow the GET response's head.
      collection.updateToxic('p', 'http_abort_downstream', { toxicity: 1 });
      const s = await dial(port);
      const rx = collect(s);
      s.write('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n');
      const text = (await rx.done).data.toString('latin1');
      const heads = text.split('HTTP/1.1 200 OK');
      assert.equal(heads.length, 3, text);
      const getBody = text.slice(text.lastIndexOf('\r\n\r\n') + 4);
      assert.equal(getBody, 'you asked GET /g'.slice(0, 8), 'the GET body cut at half its Content-Length');
    });
  });
}
