/**
 * A toxic added and removed while data streams through: every byte arrives, in order, in both
 * directions (checked with checksums), for every toxic that holds or reshapes data.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cleanup, collect, dial, payload, proxyTo, sha256, tcpServer, untilReceived, writeSlowly } from './helpers.js';
import { TRANSPORTS } from './transports.js';

const cases: { type: string; attributes: object; toxicity?: number }[] = [
  { type: 'latency', attributes: { latency: 40, jitter: 30 } },
  { type: 'bandwidth', attributes: { rate: 100 } },
  { type: 'slicer', attributes: { average_size: 64, size_variation: 16, delay: 1000 } },
  { type: 'timeout', attributes: { timeout: 0 } },
  { type: 'reset_peer', attributes: { timeout: 60_000 } },
  { type: 'limit_data', attributes: { bytes: 1e12 } },
  { type: 'slow_close', attributes: { delay: 60_000 } },
  { type: 'loss', attributes: {}, toxicity: 1 },
];

for (const { transport, skip } of TRANSPORTS) {
  describe(`removing a toxic mid-stream loses no byte (${transport} transport)`, { timeout: 120_000, skip }, () => {
    const cleanup = new Cleanup();
    after(() => cleanup.run());

    for (const c of cases) {
      it(c.type, async () => {
        const echo = cleanup.add(await tcpServer(), (s) => s.close());
        const { collection, port } = cleanup.add(await proxyTo(echo.address, { transport }), (x) => x.close());
        const s = cleanup.add(await dial(port), (x) => x.destroy());
        const rx = collect(s);
        const data = payload(1_000_000);
        const writing = writeSlowly(s, data, 4096, 2);
        await sleep(60);
        for (const stream of ['upstream', 'downstream']) {
          collection.addToxic('p', { name: `${c.type}-${stream}`, type: c.type, stream, toxicity: c.toxicity ?? 1, attributes: c.attributes });
        }
        await sleep(250);
        for (const stream of ['upstream', 'downstream']) collection.removeToxic('p', `${c.type}-${stream}`);
        await writing;
        await untilReceived(rx.received, data.length, 30_000);
        assert.equal(rx.received(), data.length);
        assert.equal(sha256(rx.bytes()), sha256(data));
      });
    }

    it('all of them at once, removed in a different order than added', async () => {
      const echo = cleanup.add(await tcpServer(), (s) => s.close());
      const { collection, port } = cleanup.add(await proxyTo(echo.address, { transport }), (x) => x.close());
      const s = cleanup.add(await dial(port), (x) => x.destroy());
      const rx = collect(s);
      const data = payload(400_000);
      const writing = writeSlowly(s, data, 2048, 1);
      await sleep(40);
      for (const c of cases) collection.addToxic('p', { name: c.type, type: c.type, stream: 'downstream', toxicity: c.toxicity ?? 1, attributes: c.attributes });
      await sleep(200);
      for (const c of [...cases].reverse()) {
        collection.removeToxic('p', c.type);
        await sleep(20);
      }
      await writing;
      await untilReceived(rx.received, data.length, 30_000);
      assert.equal(sha256(rx.bytes()), sha256(data));
    });
  });
}
