/** The proxy without toxics: bytes pass unchanged both ways, ends and errors are passed on, on both transports. */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProxyCollection } from '../../src/proxy/index.js';
import { Cleanup, collect, dial, payload, portOf, proxyTo, sha256, tcpServer, untilReceived, waitFor } from './helpers.js';
import { TRANSPORTS } from './transports.js';


for (const { transport, skip } of TRANSPORTS) {
  describe(`proxy engine (${transport} sockets)`, { timeout: 30_000, skip }, () => {
    const cleanup = new Cleanup();
    after(() => cleanup.run());

    it('passes 8 MiB both ways unchanged', async () => {
      const echo = cleanup.add(await tcpServer(), (s) => s.close());
      const p = cleanup.add(await proxyTo(echo.address, { transport }), (x) => x.close());
      const data = payload(8 * 1024 * 1024);
      const s = await dial(p.port);
      const c = collect(s);
      s.end(data);
      const { data: got } = await c.done;
      assert.equal(got.length, data.length);
      assert.equal(sha256(got), sha256(data));
      assert.ok(p.proxy.up.bytes >= data.length && p.proxy.down.bytes >= data.length, `byte counters ${p.proxy.up.bytes}/${p.proxy.down.bytes} count every byte`);
    });

    it('passes a half-close on: the server still answers after the client has finished sending', async () => {
      const server = cleanup.add(
        await tcpServer((s) => {
          const parts: Buffer[] = [];
          s.on('data', (d: Buffer) => parts.push(d));
          s.on('end', () => s.end(`got ${Buffer.concat(parts).length}`));
        }),
        (x) => x.close(),
      );
      const p = cleanup.add(await proxyTo(server.address, { transport }), (x) => x.close());
      const s = await dial(p.port);
      const c = collect(s);
      s.end(payload(100_000));
      assert.equal((await c.done).data.toString(), 'got 100000');
      await waitFor(() => p.proxy.connections === 0, 5000, 'the connection to close');
    });

    it('closes the client when upstream refuses', async () => {
      const gone = await tcpServer();
      await gone.close();
      const p = cleanup.add(await proxyTo(gone.address, { transport }), (x) => x.close());
      const s = await dial(p.port);
      const { data } = await collect(s).done;
      assert.equal(data.length, 0);
      await waitFor(() => p.proxy.stats.upstreamFailures === 1, 5000, 'the failure to be counted');
    });

    it('passes a reset from upstream on to the client', async () => {
      const server = cleanup.add(await tcpServer((s) => s.once('data', () => s.resetAndDestroy())), (x) => x.close());
      const p = cleanup.add(await proxyTo(server.address, { transport }), (x) => x.close());
      const s = await dial(p.port);
      const c = collect(s);
      s.write('hello');
      assert.equal((await c.done).error, 'ECONNRESET');
    });

    it('applies and removes toxics on this transport too', async () => {
      const echo = cleanup.add(await tcpServer(), (s) => s.close());
      const p = cleanup.add(await proxyTo(echo.address, { transport }), (x) => x.close());
      p.collection.addToxic('p', { type: 'latency', attributes: { latency: 120 } });
      const s = cleanup.add(await dial(p.port), (x) => x.destroy());
      const rx = collect(s);
      const start = performance.now();
      s.write('slow');
      await untilReceived(rx.received, 4);
      assert.ok(performance.now() - start >= 115, 'the latency toxic applied');
      p.collection.removeToxic('p', 'latency_downstream');
      const data = payload(1_000_000);
      s.write(data);
      await untilReceived(rx.received, 4 + data.length);
      assert.equal(sha256(rx.bytes().subarray(4)), sha256(data));
    });

    it('serves many connections at once', async () => {
      const echo = cleanup.add(await tcpServer(), (s) => s.close());
      const p = cleanup.add(await proxyTo(echo.address, { transport }), (x) => x.close());
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const s = await dial(p.port);
          const c = collect(s);
          s.end(`message ${i}`);
          return (await c.done).data.toString();
        }),
      );
      assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => `message ${i}`));
    });

    it('stops reading from a fast sender while the receiver does not read (bounded memory)', async () => {
      let paused: Socket | undefined;
      const server = cleanup.add(await tcpServer((s) => ((paused = s), s.pause())), (x) => x.close());
      const p = cleanup.add(await proxyTo(server.address, { transport }), (x) => x.close());
      const s = await dial(p.port);
      await waitFor(() => paused !== undefined, 5000, 'upstream to accept');
      let written = 0;
      const chunk = Buffer.alloc(64 * 1024);
      // Write until the proxy stops taking data (no 'drain' within 500 ms).
      for (;;) {
        written += chunk.length;
        if (s.write(chunk)) continue;
        const drained = await Promise.race([new Promise((r) => s.once('drain', () => r(true))), sleep(500).then(() => false)]);
        if (!drained || written > 64 * 1024 * 1024) break;
      }
      // The sender is pushed back long before 64 MiB (kernel buffers plus the proxy's bounded queue).
      assert.ok(written < 64 * 1024 * 1024, `wrote ${written} bytes without backpressure`);
      const received = collect(paused!);
      paused!.resume();
      s.end();
      await untilReceived(received.received, written, 10_000);
    });
  });
}

describe('proxy lifecycle', { timeout: 30_000 }, () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it('reports the port it picked and stops listening when disabled', async () => {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const collection = cleanup.add(new ProxyCollection(), (c) => c.close());
    const proxy = await collection.create({ name: 'x', listen: 'localhost:0', upstream: echo.address });
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    const port = portOf(proxy.listen);
    await collection.update('x', { enabled: false });
    await assert.rejects(dial(port), { code: 'ECONNREFUSED' });
    await collection.update('x', { enabled: true });
    const s = await dial(port);
    const c = collect(s);
    s.end('again');
    assert.equal((await c.done).data.toString(), 'again');
  });
});
