/**
 * Recycled memory for the chunks raw sockets read, so bulk traffic allocates nothing per read.
 *
 * Why: a read of more than a few KiB used to be copied into a fresh Buffer (a malloc), freed when
 * V8 collected it. glibc gives such memory back to the kernel once enough is free at the top of
 * its heap, and the next reads fault it in again, a page at a time. Measured here (bench/RESULTS.md,
 * "Bulk after connection churn"): once a burst of new connections had grown and shrunk the heap,
 * bulk through the proxy took ~200 minor page faults per MB and 3–4x the CPU per MB
 * (4,100–6,700 µs against 1,200–1,500), in a VM where a page fault is dear; with glibc's trimming
 * off, the same run took ~0 faults per MB. A slab handed back after its write and reused never
 * faults again.
 *
 * A slab is lent as one chunk (a view of its first n bytes) and comes back through
 * `recycleChunk` exactly once, by the one write that consumed it. That write is link.ts's
 * no-toxic path, or the end of a chain of toxics that each pass a chunk on as the same object and
 * keep no view of it (`Stage.passesWhole`: latency); there only the lent chunk object itself goes
 * back (`isLentWhole`), never a part of it. A chunk that goes anywhere else — a toxic that slices,
 * parses or drops it — is first `settled`: copied to memory of its own size, and its slab returned
 * at once. A chunk under half a slab is settled even for a whole-passing chain, so a toxic holding
 * many small chunks never holds 64 KiB for each.
 */

/** Reads are never larger: READ_BUFFER in endpoint.ts is this size. */
export const SLAB_SIZE = 64 * 1024;
/** Below this Buffer.allocUnsafe takes the bytes from Buffer's shared 8 KiB pool: no malloc per chunk. */
const SMALL = 4 * 1024;
/** Slabs kept for reuse (4 MiB); beyond that a returned slab is left to the garbage collector. */
const MAX_FREE = 64;

const free: ArrayBuffer[] = [];
/** Chunks lent from slabs, slabs given back and chunks settled, since the process started (tests read them). */
const counts = { lent: 0, returned: 0, settled: 0 };
/** Slabs this pool made, and which of them are on the free list (guards against a double return). */
const ours = new WeakSet<ArrayBuffer>();
const isFree = new WeakSet<ArrayBuffer>();
/** The chunk object each slab was last lent as: only that object may bring it back from a toxic chain. */
const lentAs = new WeakMap<ArrayBuffer, Uint8Array>();
/** Chunks at least this large may go through a whole-passing chain pooled (at most 2x their size held). */
const WHOLE_MIN = SLAB_SIZE / 2;

/** The first `n` bytes of `source`, as a chunk that no later read overwrites. */
export function copyChunk(source: Buffer, n: number): Uint8Array {
  if (n < SMALL) {
    const copy = Buffer.allocUnsafe(n);
    source.copy(copy, 0, 0, n);
    return copy;
  }
  let slab = free.pop();
  if (slab === undefined) {
    slab = new ArrayBuffer(SLAB_SIZE);
    ours.add(slab);
  } else {
    isFree.delete(slab);
  }
  counts.lent++;
  const chunk = new Uint8Array(slab, 0, n);
  chunk.set(n === source.length ? source : source.subarray(0, n));
  lentAs.set(slab, chunk);
  return chunk;
}

/** Whether `chunk` lives in a slab of this pool (and so must be recycled or settled). */
export function isPooled(chunk: Uint8Array): boolean {
  return ours.has(chunk.buffer as ArrayBuffer);
}

/** Gives a consumed chunk's slab back. Only the one write that consumed the chunk may call this. */
export function recycleChunk(chunk: Uint8Array): void {
  const slab = chunk.buffer as ArrayBuffer;
  if (!ours.has(slab) || isFree.has(slab) || free.length >= MAX_FREE) return;
  counts.returned++;
  isFree.add(slab);
  free.push(slab);
}

/** A chunk of its own for a holder that may keep it or pass on parts of it; a pooled slab is returned. */
export function settleChunk(chunk: Uint8Array): Uint8Array {
  if (!isPooled(chunk)) return chunk;
  counts.settled++;
  const own = Buffer.from(chunk);
  recycleChunk(chunk);
  return own;
}

/**
 * A chunk for a chain of toxics that all pass chunks on whole and keep no view of them: a large
 * pooled chunk goes as it is (its slab comes back at the chain's write), anything else is settled.
 */
export function chunkForWholeChain(chunk: Uint8Array): Uint8Array {
  return chunk.length >= WHOLE_MIN && isLentWhole(chunk) ? chunk : settleChunk(chunk);
}

/** Whether `chunk` is the very object a slab was lent as (not a part or another view of it), still out. */
export function isLentWhole(chunk: Uint8Array): boolean {
  const slab = chunk.buffer as ArrayBuffer;
  return lentAs.get(slab) === chunk && !isFree.has(slab);
}

/** Slabs on the free list (tests). */
export function freeSlabs(): number {
  return free.length;
}

/** How many chunks were lent from slabs, how many slabs came back and how many chunks were settled, so far (tests). */
export function slabCounts(): { lent: number; returned: number; settled: number } {
  return { ...counts };
}
