/**
 * Port spans for the demo shop that no other test process takes at the same time. Test files run
 * in parallel, and a catalog run starts and stops its shop on one span again and again: a span
 * that is free between two runs of one file must not look free to another file. So each span is
 * reserved with an O_EXCL lock file in the temp dir (holding the pid), released when this process
 * exits; a lock whose pid is gone is stale and taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spanFree } from '../../src/demo/shop/free-ports.js';
import { PORT_SPAN } from '../../src/demo/shop/topology.js';
import { isAlive } from '../../src/util/proc.js';

// 20000..31999: below Linux's ephemeral ports, so no outgoing connection takes one meanwhile.
const FIRST = 20_000;
const STEP = PORT_SPAN;
const SPANS = Math.floor(12_000 / STEP);

const held: string[] = [];
process.once('exit', () => {
  for (const lock of held) {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
});

const lockFile = (base: number) => join(tmpdir(), `faultline-test-span-${base}.lock`);

/** Take the lock on `base`'s span; false when a live process holds it. */
function tryLock(base: number): boolean {
  const file = lockFile(base);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.push(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // removed meanwhile: try again
    }
    // An empty file is a lock being written right now.
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) return false;
    try {
      unlinkSync(file); // stale: its process is gone
    } catch {
      /* someone else took it over first */
    }
  }
  return false;
}

/** A span of the shop's ports, free now and reserved for this test process until it exits. */
export async function reservePortSpan(): Promise<number> {
  const start = Math.floor(Math.random() * SPANS);
  for (let i = 0; i < SPANS; i++) {
    const base = FIRST + ((start + i) % SPANS) * STEP;
    if (!tryLock(base)) continue;
    if (await spanFree(base)) return base;
    // In use by something else: keep the lock (nothing of ours will want it) and move on.
  }
  throw new Error(`no free span of the shop's ports in ${FIRST}-${FIRST + SPANS * STEP - 1} on 127.0.0.1`);
}
