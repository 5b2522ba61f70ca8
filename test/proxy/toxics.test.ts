/**
 * Every byte-level and connection-level toxic against real TCP servers. Timing checks assert what
 * a toxic must at least do (a lower bound) with generous upper bounds: CI runs two test files at
 * once on two cores.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { slicePoints } from '../../src/proxy/toxics/slicer.js';
import { Cleanup, collect, dial, payload, proxyTo, sha256, tcpServer, untilReceived, waitFor } from './helpers.js';
import { TRANSPORTS } from './transports.js';

/** Sends `text` and resolves with the echo and how long it took. */
async function roundTrip(s: Socket, text: string): Promise<number> {
  const start = performance.now();
  let got = '';
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.off('data', onData);
        resolve();
      }
    };
    s.on('data', onData);
    s.write(text);
  });
  assert.equal(got, text);
  return performance.now() - start;
}

/**
 * The fastest of `n` round trips. "A toxic no longer applies" is checked with it against the
 * toxic's delay, which every round trip would exceed if it still applied: one slow round trip on a
 * loaded machine does not fail the check, a toxic left in place does.
 */
async function fastestRoundTrip(s: Socket, text: string, n = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, await roundTrip(s, `${text}-${i}`));
  return best;
}

/** Sends `text`, half-closes, and returns the answer, or 'refused' when the connection was reset or closed without one. */
async function exchange(port: number, text: string): Promise<string> {
  let s: Socket;
  try {
    s = await dial(port);
  } catch {
    return 'refused';
  }
  const r = collect(s);
  s.end(text);
  const { data } = await r.done;
  return data.length === 0 ? 'refused' : data.toString();
}

for (const { transport, skip } of TRANSPORTS) {
  describe(`toxics (${transport} transport)`, { timeout: 60_000, skip }, () => {
    const cleanup = new Cleanup();
    after(() => cleanup.run());

    async function setup(onSocket?: (s: Socket) => void) {
      const server = cleanup.add(await tcpServer(onSocket), (s) => s.close());
      const p = cleanup.add(await proxyTo(server.address, { transport }), (x) => x.close());
      return { server, ...p };
    }

    it('latency delays every chunk, on the stream it is given, and can be updated and removed on an open connection', async () => {
      const { collection, port } = await setup();
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const warm = await fastestRoundTrip(s, 'warm');
      assert.ok(warm < 148, `without a toxic, a round trip is faster than the latency to come (${warm} ms)`);
      collection.addToxic('p', { type: 'latency', attributes: { latency: 150 } });
      assert.ok((await roundTrip(s, 'down')) >= 148, 'downstream latency applies to the open connection');
      collection.addToxic('p', { name: 'up', type: 'latency', stream: 'upstream', attributes: { latency: 100 } });
      assert.ok((await roundTrip(s, 'both')) >= 245, 'upstream and downstream add up');
      collection.updateToxic('p', 'up', { attributes: { latency: 0 } });
      const updated = await roundTrip(s, 'updated');
      assert.ok(updated >= 148 && updated < 1000, `after the update only the downstream 150 ms remain (${updated})`);
      collection.removeToxic('p', 'latency_downstream');
      collection.removeToxic('p', 'up');
      const fast = await fastestRoundTrip(s, 'fast');
      assert.ok(fast < 148, `removed, the latency no longer applies (${fast} ms)`);
    });

    it('latency with jitter varies the delay and keeps the order of bytes', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'latency', attributes: { latency: 60, jitter: 50 } });
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const times: number[] = [];
      for (let i = 0; i < 12; i++) times.push(await roundTrip(s, `message-${i}`));
      assert.ok(Math.min(...times) >= 9, `never below latency - jitter: ${times}`);
      assert.ok(Math.max(...times) - Math.min(...times) > 10, `jitter varies the delay: ${times}`);
      const c = collect(s);
      const data = payload(200_000);
      for (let i = 0; i < data.length; i += 1000) s.write(data.subarray(i, i + 1000));
      await untilReceived(c.received, data.length);
      assert.equal(sha256(c.bytes()), sha256(data), 'jitter never reorders bytes');
    });

    it('bandwidth limits the rate', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'bandwidth', attributes: { rate: 400 } }); // 400 KB/s
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const c = collect(s);
      const data = payload(300_000);
      const start = performance.now();
      s.write(data);
      await untilReceived(c.received, data.length);
      const seconds = (performance.now() - start) / 1000;
      assert.ok(seconds >= 0.65, `300 KB at 400 KB/s takes about 0.7 s, took ${seconds}`);
      assert.ok(seconds < 5, `took ${seconds}`);
      assert.equal(sha256(c.bytes()), sha256(data));
    });

    it('slow_close holds the close back', async () => {
      // Timed from the server's FIN, which the proxy cannot have read earlier: a bound that holds on a loaded machine.
      let serverEnded = 0;
      const { collection, port } = await setup((s) => {
        serverEnded = performance.now();
        s.end('bye');
      });
      collection.addToxic('p', { type: 'slow_close', attributes: { delay: 300 } });
      const s = await dial(port);
      const c = collect(s);
      let firstData = 0;
      s.once('data', () => (firstData = performance.now()));
      const { data, endedAt } = await c.done;
      assert.equal(data.toString(), 'bye');
      assert.ok(firstData > 0 && firstData <= endedAt, 'the data came before the FIN');
      assert.ok(endedAt - serverEnded >= 299, `the FIN came ${endedAt - serverEnded} ms after the server sent it`);
    });

    it('timeout lets nothing through and closes after the timeout', async () => {
      const { collection, port, server } = await setup();
      collection.addToxic('p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 250 } });
      const start = performance.now();
      const s = await dial(port);
      const c = collect(s);
      s.write('hello');
      const { data, endedAt } = await c.done;
      assert.equal(data.length, 0);
      assert.ok(endedAt - start >= 240, `closed after ${endedAt - start} ms`);
      await waitFor(() => server.sockets.size === 0, 5000, 'upstream side to close');
    });

    it('timeout 0 holds data until the toxic is removed, then delivers it', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'timeout', attributes: { timeout: 0 } });
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const c = collect(s);
      s.write('held');
      await sleep(300);
      assert.equal(c.received(), 0);
      collection.removeToxic('p', 'timeout_downstream');
      await untilReceived(c.received, 4);
      assert.equal(c.bytes().toString(), 'held');
    });

    it('reset_peer resets the connection once data flows (after its timeout)', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
      const s1 = await dial(port);
      const c1 = collect(s1);
      s1.write('x');
      assert.equal((await c1.done).error, 'ECONNRESET');
      collection.updateToxic('p', 'reset_peer_upstream', { attributes: { timeout: 200 } });
      const s2 = await dial(port);
      const c2 = collect(s2);
      const start = performance.now();
      s2.write('y');
      const r = await c2.done;
      assert.equal(r.error, 'ECONNRESET');
      assert.ok(r.endedAt - start >= 190, `reset after ${r.endedAt - start} ms`);
    });

    it('slicer cuts data into small pieces without changing it', async () => {
      const pieces: number[] = [];
      const received: Buffer[] = [];
      const { collection, port } = await setup((s) =>
        s.on('data', (d: Buffer) => {
          pieces.push(d.length);
          received.push(d);
        }),
      );
      collection.addToxic('p', { type: 'slicer', stream: 'upstream', attributes: { average_size: 100, size_variation: 20, delay: 2000 } });
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const data = payload(3000);
      s.write(data);
      await waitFor(() => pieces.reduce((a, b) => a + b, 0) >= data.length, 10_000, 'all bytes');
      assert.equal(sha256(Buffer.concat(received)), sha256(data));
      assert.ok(pieces.length >= 10, `arrived in ${pieces.length} pieces`);
      const points = slicePoints(1000, 100, 20);
      assert.equal(points[0], 0);
      assert.equal(points.at(-1), 1000);
      for (let i = 1; i < points.length; i++) assert.ok(points[i]! - points[i - 1]! <= 120 && points[i]! > points[i - 1]!, `slice ${i} of ${points.join(',')} is 1..120 bytes`);
    });

    it('limit_data passes exactly `bytes` bytes, then closes', async () => {
      const { collection, port } = await setup((s) => s.on('data', () => s.write(Buffer.alloc(5000, 1))));
      collection.addToxic('p', { type: 'limit_data', attributes: { bytes: 1234 } });
      const s = await dial(port);
      const c = collect(s);
      s.write('go');
      const { data } = await c.done;
      assert.equal(data.length, 1234);
    });

    it('down resets open connections and refuses new ones before they reach upstream', async () => {
      const { collection, port, proxy, server } = await setup();
      const open = await dial(port);
      const openResult = collect(open);
      await roundTrip(open, 'hi');
      const upstreamBefore = server.sockets.size;
      collection.addToxic('p', { type: 'down' });
      assert.equal((await openResult.done).error, 'ECONNRESET');
      assert.equal(await exchange(port, 'x'), 'refused');
      assert.equal(proxy.stats.refused, 1);
      await sleep(50);
      assert.ok(server.sockets.size <= upstreamBefore, `no new upstream connection (${server.sockets.size} > ${upstreamBefore})`);
      collection.removeToxic('p', 'down_downstream');
      const back = cleanup.add(await dial(port), (x) => x.destroy());
      await roundTrip(back, 'back');
    });

    it('loss black-holes connections until removed; nothing is lost', async () => {
      const { collection, port } = await setup();
      const open = cleanup.add(await dial(port), (x) => x.destroy());
      await roundTrip(open, 'before');
      collection.addToxic('p', { type: 'loss', toxicity: 1 });
      const openRx = collect(open);
      open.write('during');
      const fresh = cleanup.add(await dial(port), (x) => x.destroy());
      const freshRx = collect(fresh);
      fresh.write('new connection');
      await sleep(300);
      assert.equal(openRx.received() + freshRx.received(), 0, 'nothing passes');
      collection.removeToxic('p', 'loss_downstream');
      await untilReceived(openRx.received, 6);
      await untilReceived(freshRx.received, 14);
      assert.equal(openRx.bytes().toString(), 'during');
      assert.equal(freshRx.bytes().toString(), 'new connection');
    });

    it('toxicity is the share of connections a toxic applies to', async () => {
      const { collection, port } = await setup();
      collection.addToxic('p', { type: 'latency', toxicity: 0, attributes: { latency: 500 } });
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const none = await fastestRoundTrip(s, 'none');
      assert.ok(none < 495, `toxicity 0 never applies (${none} ms)`);
      collection.removeToxic('p', 'latency_downstream');
      collection.addToxic('p', { type: 'down', toxicity: 0.5 });
      let refused = 0;
      for (let i = 0; i < 40; i++) if ((await exchange(port, 'x')) === 'refused') refused++;
      assert.ok(refused > 3 && refused < 37, `about half of 40 connections refused, got ${refused}`);
    });
  });
}
