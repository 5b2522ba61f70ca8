/**
 * The recycled read chunks (src/proxy/chunk-pool.ts): a slab is reused only after the one write
 * that consumed it, so bulk traffic through the raw transport stays byte-exact while the pool is
 * in use — with the receiver pushing back (writes completing later), many connections at once,
 * and a toxic taking chunks in the middle of the stream.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { copyChunk, freeSlabs, isPooled, recycleChunk, settleChunk, slabCounts, SLAB_SIZE } from '../../src/proxy/chunk-pool.js';
import { Cleanup, collect, dial, payload, proxyTo, sha256, tcpServer, untilReceived } from './helpers.js';
import { TRANSPORTS } from './transports.js';

describe('chunk pool', () => {
  it('copies small reads into memory of their own and large ones into a slab, reused once given back', () => {
    const source = payload(SLAB_SIZE);
    const small = copyChunk(source, 100);
    assert.equal(isPooled(small), false);
    assert.deepEqual(Buffer.from(small), source.subarray(0, 100));

    const before = freeSlabs();
    const big = copyChunk(source, 40_000);
    assert.equal(isPooled(big), true);
    assert.equal(big.length, 40_000);
    assert.deepEqual(Buffer.from(big), source.subarray(0, 40_000));
    recycleChunk(big);
    assert.equal(freeSlabs(), before + 1);
    recycleChunk(big); // a second return of the same slab must not put it on the list twice
    assert.equal(freeSlabs(), before + 1, 'a slab returned twice is listed once');

    const again = copyChunk(source.subarray(1000), 5000);
    assert.equal(again.buffer, big.buffer, 'the returned slab is lent again');
    assert.equal(freeSlabs(), before);
    assert.deepEqual(Buffer.from(again), source.subarray(1000, 6000));

    recycleChunk(Buffer.alloc(SLAB_SIZE)); // not the pool's: ignored
    assert.equal(freeSlabs(), before);
  });

  it('settles a pooled chunk into memory of its own and takes the slab back', () => {
    const source = payload(SLAB_SIZE);
    const chunk = copyChunk(source, 10_000);
    const before = freeSlabs();
    const own = settleChunk(chunk);
    assert.equal(isPooled(own), false);
    assert.notEqual(own.buffer, chunk.buffer);
    assert.deepEqual(Buffer.from(own), source.subarray(0, 10_000));
    assert.equal(freeSlabs(), before + 1);
    const foreign = Buffer.from('not pooled');
    assert.equal(settleChunk(foreign), foreign, 'a chunk not from the pool is passed as it is');
  });
});

const raw = TRANSPORTS.find((t) => t.transport === 'raw')!;
describe('bulk through the raw transport with recycled chunks', { timeout: 60_000, skip: raw.skip }, () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  /** An upstream that echoes, but reads in bursts with pauses, so the proxy's writes to it queue. */
  async function slowEcho() {
    return tcpServer((s: Socket) => {
      let seen = 0;
      s.on('data', (d: Buffer) => {
        seen += d.length;
        if (!s.write(d)) s.pause();
        if (seen >= 256 * 1024) {
          seen = 0;
          s.pause();
          setTimeout(() => s.resume(), 2);
        }
      });
      s.on('drain', () => s.resume());
      s.on('end', () => s.end());
    });
  }

  /** 8 connections each send 4 MiB through the proxy at `port` and get every byte back, checksummed. */
  async function echoEightByteExact(port: number): Promise<void> {
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const data = payload(4 * 1024 * 1024);
        const s = await dial(port);
        const c = collect(s);
        s.end(data);
        const { data: got } = await c.done;
        return { sent: sha256(data), got: sha256(got), length: got.length };
      }),
    );
    for (const r of results) {
      assert.equal(r.length, 4 * 1024 * 1024);
      assert.equal(r.got, r.sent);
    }
  }

  it('8 connections of 4 MiB each way arrive byte-exact while slabs are recycled', async () => {
    const echo = cleanup.add(await slowEcho(), (x) => x.close());
    const p = cleanup.add(await proxyTo(echo.address, { transport: 'raw' }), (x) => x.close());
    const before = slabCounts();
    await echoEightByteExact(p.port);
    // The proxy lent slabs for its reads (64 MiB in chunks of at most 64 KiB: over a thousand) and
    // its writes gave them back; a slab is dropped only when the free list is full.
    const after = slabCounts();
    assert.ok(after.lent - before.lent >= 1000, `slabs lent for the transfer: ${after.lent - before.lent}`);
    assert.ok(after.returned - before.returned >= after.lent - before.lent - 64 * 2, `slabs given back: ${after.returned - before.returned} of ${after.lent - before.lent} lent`);
  });

  it('HTTP keep-alive responses of 1 to 58 KiB, 30 at a time, arrive byte-exact (3,000 requests)', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 3000));
    const sums = bodies.map((b) => createHash('sha256').update(b).digest('hex'));
    const server = createServer((req, res) => {
      const body = bodies[Number(req.url!.slice(1))]!;
      res.setHeader('content-length', body.length);
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.add(server, (x) => new Promise((r) => (x.closeAllConnections(), x.close(r))));
    const p = cleanup.add(await proxyTo(`127.0.0.1:${(server.address() as AddressInfo).port}`, { transport: 'raw' }), (x) => x.close());
    const agent = cleanup.add(new Agent({ keepAlive: true, maxSockets: 32 }), (a) => a.destroy());
    const get = (i: number) =>
      new Promise<boolean>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: p.port, path: `/${i}`, agent }, (res) => {
          const h = createHash('sha256');
          res.on('data', (d: Buffer) => h.update(d));
          res.on('end', () => resolve(h.digest('hex') === sums[i]));
        });
        req.on('error', reject);
        req.end();
      });
    let intact = 0;
    for (let round = 0; round < 100; round++) {
      const results = await Promise.all(Array.from({ length: 30 }, (_, k) => get((round + k * 7) % bodies.length)));
      intact += results.filter(Boolean).length;
    }
    assert.equal(intact, 3000, 'every body arrived with its checksum');
  });

  it('a toxic added and removed mid-stream takes its chunks settled: the stream stays byte-exact', async () => {
    const echo = cleanup.add(await slowEcho(), (x) => x.close());
    const p = cleanup.add(await proxyTo(echo.address, { transport: 'raw' }), (x) => x.close());
    const s = cleanup.add(await dial(p.port), (x) => x.destroy());
    const rx = collect(s);
    const first = payload(3 * 1024 * 1024);
    s.write(first);
    await untilReceived(rx.received, 1024 * 1024);
    // The slicer splits every chunk into many small writes: were a slab shared with the next read,
    // the pieces still queued would carry the next read's bytes.
    p.collection.addToxic('p', { type: 'slicer', attributes: { average_size: 700, size_variation: 300, delay: 0 } });
    const second = payload(3 * 1024 * 1024);
    s.write(second);
    await untilReceived(rx.received, first.length + 1024 * 1024);
    p.collection.removeToxic('p', 'slicer_downstream');
    const third = payload(3 * 1024 * 1024);
    s.write(third);
    await untilReceived(rx.received, first.length + second.length + third.length, 30_000);
    assert.equal(sha256(rx.bytes()), sha256(Buffer.concat([first, second, third])));
  });

  it('through latency toxics both ways, large chunks pass pooled and their slabs come back at the write: 8 × 4 MiB byte-exact', async () => {
    const echo = cleanup.add(await slowEcho(), (x) => x.close());
    const p = cleanup.add(await proxyTo(echo.address, { transport: 'raw' }), (x) => x.close());
    p.collection.addToxic('p', { type: 'latency', stream: 'upstream', attributes: { latency: 1 } });
    p.collection.addToxic('p', { type: 'latency', stream: 'downstream', attributes: { latency: 0, jitter: 2 } });
    const before = slabCounts();
    await echoEightByteExact(p.port);
    // Only reads under half a slab are copied out (settled); the rest went through the toxics in
    // their slabs and came back after the write. Were every chunk settled, as for a slicing toxic,
    // settled would equal lent.
    const lent = slabCounts().lent - before.lent;
    const settled = slabCounts().settled - before.settled;
    const returned = slabCounts().returned - before.returned;
    assert.ok(lent >= 1000, `slabs lent: ${lent}`);
    assert.ok(settled < lent / 2, `chunks settled: ${settled} of ${lent} lent`);
    assert.ok(returned >= lent - 64 * 2, `slabs given back: ${returned} of ${lent} lent`);
  });

  it('a slicer added behind a latency toxic mid-stream, then removed: chunks are settled while it is there, pooled again once what it sliced is gone, and the stream stays byte-exact', async () => {
    const echo = cleanup.add(await slowEcho(), (x) => x.close());
    const p = cleanup.add(await proxyTo(echo.address, { transport: 'raw' }), (x) => x.close());
    p.collection.addToxic('p', { type: 'latency', attributes: { latency: 20, jitter: 2 } });
    const s = cleanup.add(await dial(p.port), (x) => x.destroy());
    const rx = collect(s);
    const first = payload(3 * 1024 * 1024);
    s.write(first);
    await untilReceived(rx.received, 1024 * 1024);
    // Chunks pooled before the slicer came are still in the latency stage (20 ms of them): they
    // reach the slicer, which sends parts of them 0.2 ms apart. Were a slab given back at the
    // write of its first part, the parts still queued would carry the next reads' bytes.
    p.collection.addToxic('p', { type: 'slicer', attributes: { average_size: 4000, size_variation: 1000, delay: 200 } });
    const settledBefore = slabCounts().settled;
    const second = payload(1024 * 1024);
    s.write(second);
    await untilReceived(rx.received, first.length + 512 * 1024);
    assert.ok(slabCounts().settled - settledBefore > 4, 'with the slicer there, chunks are settled');
    p.collection.removeToxic('p', 'slicer_downstream');
    const afterSlicer = slabCounts();
    const third = payload(6 * 1024 * 1024);
    s.write(third);
    await untilReceived(rx.received, first.length + second.length + third.length, 30_000);
    assert.equal(sha256(rx.bytes()), sha256(Buffer.concat([first, second, third])));
    const lent = slabCounts().lent - afterSlicer.lent;
    const settled = slabCounts().settled - afterSlicer.settled;
    assert.ok(settled < lent / 2, `after the slicer left, chunks pass pooled again: ${settled} of ${lent} settled`);
  });
});
