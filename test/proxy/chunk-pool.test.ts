/**
 * The recycled read chunks (src/proxy/chunk-pool.ts): a slab is reused only after the one write
 * that consumed it, so bulk traffic through the raw transport stays byte-exact while the pool is
 * in use — with the receiver pushing back (writes completing later), many connections at once,
 * and a toxic taking chunks in the middle of the stream.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { copyChunk, freeSlabs, isPooled, recycleChunk, settleChunk, SLAB_SIZE } from '../../src/proxy/chunk-pool.js';
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

  it('8 connections of 4 MiB each way arrive byte-exact while slabs are recycled', async () => {
    const echo = cleanup.add(await slowEcho(), (x) => x.close());
    const p = cleanup.add(await proxyTo(echo.address, { transport: 'raw' }), (x) => x.close());
    const results = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const data = payload(4 * 1024 * 1024);
        const s = await dial(p.port);
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
    assert.ok(freeSlabs() > 0, 'the raw transport read into pooled slabs and gave them back after writing');
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
});
