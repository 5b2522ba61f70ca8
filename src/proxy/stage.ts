/**
 * A stage is one toxic acting on one link (one direction of one connection). Stages form a
 * chain; each passes bytes to `next`, in order, when it is ready to. The rules every stage keeps:
 *
 * - it never loses a byte it was given, unless dropping it is the fault (and then it says so
 *   with `link.release()`, so backpressure stays right);
 * - every wait is a timer it clears in `flush()` (the toxic was removed: hand everything on now)
 *   and `dispose()` (the connection is closing: output nothing more);
 * - it reads its attributes from `toxic.attributes` at the time it needs them, so updating a
 *   toxic needs no new stage (`update()` reschedules where timing changed).
 */
import type { Toxic } from './toxic.js';

export interface Sink {
  write(chunk: Uint8Array): void;
  /** No more data will come (the source half-closed). */
  end(): void;
}

export type Direction = 'upstream' | 'downstream';
export type CloseMode = 'fin' | 'reset';

/** What a stage may ask of its link and connection. */
export interface LinkControl {
  readonly direction: Direction;
  /** Bytes a stage dropped on purpose (they will never reach `next`). */
  release(bytes: number): void;
  /** Bytes a stage added to the stream (a synthetic response). */
  hold(bytes: number): void;
  /** Ends the whole connection: FIN after what is queued, or RST at once. */
  close(how: CloseMode): void;
  /** Takes a stage out of the chain (a stage whose flush() returned false calls this when it is done). */
  unlink(stage: Stage): void;
  /** Whether the connection is gone. */
  readonly closed: boolean;
}

export const NULL_SINK: Sink = { write() {}, end() {} };

export abstract class Stage implements Sink {
  next: Sink = NULL_SINK;
  /**
   * True for a stage that passes every chunk on as the same object (or drops it) and never reads
   * a chunk again once passed on: its link may then hand it pooled chunks, whose memory is reused
   * as soon as the last write has them (chunk-pool.ts). A stage that slices, parses or copies
   * chunks leaves this false and gets chunks of their own.
   */
  readonly passesWhole: boolean = false;

  constructor(
    readonly toxic: Toxic,
    protected readonly link: LinkControl,
  ) {}

  abstract write(chunk: Uint8Array): void;

  end(): void {
    this.next.end();
  }

  /** The toxic was removed: pass on everything held, now. True when the stage can go at once. */
  flush(): boolean {
    return true;
  }

  /** The connection is closing: clear timers. */
  dispose(): void {}

  /** The toxic's attributes changed. */
  update(): void {}
}

/** Chunks in arrival order, plus a pending end-of-stream. Shared by stages that hold data. */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  ended = false;
  bytes = 0;

  get length(): number {
    return this.chunks.length - this.head;
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  peek(): Uint8Array | undefined {
    return this.chunks[this.head];
  }

  shift(): Uint8Array | undefined {
    const chunk = this.chunks[this.head];
    if (chunk === undefined) return undefined;
    this.chunks[this.head++] = EMPTY;
    this.bytes -= chunk.length;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    }
    return chunk;
  }

  /** Replaces the first chunk with its tail (after part of it was sent). */
  trimHead(sent: number): void {
    const chunk = this.chunks[this.head]!;
    this.chunks[this.head] = chunk.subarray(sent);
    this.bytes -= sent;
  }

  /** Writes everything (and the end, if it came) to `sink`. */
  drainTo(sink: Sink): void {
    for (let c = this.shift(); c !== undefined; c = this.shift()) sink.write(c);
    if (this.ended) {
      this.ended = false;
      sink.end();
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}

const EMPTY = new Uint8Array(0);
const HALF_TICK = 0.5;

/**
 * A timer for a performance.now() deadline. Node's timers tick in whole milliseconds of loop
 * time, so a plain setTimeout fires up to 1 ms early or late; this one re-arms until the deadline
 * is at most HALF_TICK away, which centres the error on zero (within ±0.5 ms, plus wake-up time).
 */
export class PreciseTimer {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;

  constructor(private readonly fire: () => void) {}

  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Fires at `due` (performance.now() time), replacing any earlier schedule. */
  at(due: number): void {
    this.clear();
    this.due = due;
    this.arm();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const wait = this.due - performance.now();
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(wait)));
  }

  private readonly check = (): void => {
    this.timer = undefined;
    if (performance.now() < this.due - HALF_TICK) return this.arm();
    this.fire();
  };
}
