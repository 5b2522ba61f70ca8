/**
 * One direction of one proxied connection: reads from `src`, passes the bytes through the toxic
 * stages in order, writes them to `dst`.
 *
 * With no stage, a read goes straight to a write: no queue, no timer, no per-chunk object beyond
 * the bytes. With stages, the link counts the bytes they hold and stops reading from `src` above
 * HIGH_WATER (and while `dst` has writes queued), so a slow toxic never makes memory grow.
 */
import { chunkForWholeChain, isLentWhole, settleChunk } from './chunk-pool.js';
import type { Endpoint } from './endpoint.js';
import { NULL_SINK, type CloseMode, type Direction, type LinkControl, type Sink, type Stage } from './stage.js';
import type { Toxic } from './toxic.js';

const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

export interface LinkOwner {
  readonly closed: boolean;
  close(how: CloseMode): void;
  /** This link's source ended and every byte before it was passed on: the owner sends the FIN to `dst`. */
  endLink(dst: Endpoint): void;
}

export interface ByteCounter {
  bytes: number;
}

export class Link implements LinkControl {
  private stages: Stage[] = [];
  private head: Sink;
  private readonly out: Sink;
  private held = 0;
  private reading = false;
  private started = false;
  private drainWait = false;
  private srcEnded = false;
  /** Every stage passes chunks on whole and keeps no view of them (Stage.passesWhole). */
  private allWhole = true;
  /**
   * Pooled chunks may enter the stages, and go back to the pool at the write: the chain is all
   * whole-passing, and nothing a stage that was not is still held (a stage that sliced a chunk may
   * have left parts of it downstream; they are gone once nothing is held).
   */
  private whole = true;

  constructor(
    private readonly owner: LinkOwner,
    private readonly src: Endpoint,
    private readonly dst: Endpoint,
    readonly direction: Direction,
    private readonly counter: ByteCounter,
  ) {
    this.out = {
      write: (chunk) => {
        this.held -= chunk.length;
        if (!this.dst.write(chunk, this.whole && isLentWhole(chunk))) this.drainWait = true;
        this.sync();
      },
      end: () => this.owner.endLink(this.dst),
    };
    this.head = this.out;
  }

  get closed(): boolean {
    return this.owner.closed;
  }

  /** Starts reading (once the connection has both ends). */
  start(): void {
    this.started = true;
    this.sync();
  }

  // --- from src
  onData(chunk: Uint8Array): void {
    this.counter.bytes += chunk.length;
    if (this.head === this.out) {
      // This write is the chunk's only use: its slab (chunk-pool.ts) is reused once written.
      if (!this.dst.write(chunk, true)) {
        this.drainWait = true;
        this.reading = false;
        this.src.readStop();
      }
      return;
    }
    this.held += chunk.length;
    // Toxics that may slice or keep it get memory of its own; whole-passing ones the slab.
    this.head.write(this.whole ? chunkForWholeChain(chunk) : settleChunk(chunk));
    this.sync();
  }

  onEnd(): void {
    this.srcEnded = true;
    this.reading = false;
    this.head.end();
  }

  // --- from dst
  onDrain(): void {
    this.drainWait = false;
    this.sync();
  }

  // --- LinkControl
  release(bytes: number): void {
    this.held -= bytes;
    this.sync();
  }

  hold(bytes: number): void {
    this.held += bytes;
  }

  close(how: CloseMode): void {
    this.owner.close(how);
  }

  unlink(stage: Stage): void {
    const i = this.stages.indexOf(stage);
    if (i < 0) return;
    this.stages.splice(i, 1);
    this.relink();
    if (this.stages.length === 0) this.held = 0; // nothing can be held any more
    this.sync();
  }

  // --- toxics
  addStage(stage: Stage, atHead = false): void {
    if (atHead) this.stages.unshift(stage);
    else this.stages.push(stage);
    this.relink();
  }

  stageFor(toxic: Toxic): Stage | undefined {
    return this.stages.find((s) => s.toxic === toxic);
  }

  /** The toxic was removed: its stage hands on what it holds and leaves (now, or when it is done). */
  removeStage(toxic: Toxic): void {
    const stage = this.stageFor(toxic);
    if (stage && stage.flush()) this.unlink(stage);
  }

  dispose(): void {
    for (const stage of this.stages) stage.dispose();
    for (const stage of this.stages) stage.next = NULL_SINK;
    this.stages = [];
    this.head = NULL_SINK;
  }

  private relink(): void {
    let next = this.out;
    for (let i = this.stages.length - 1; i >= 0; i--) {
      this.stages[i]!.next = next;
      next = this.stages[i]!;
    }
    this.head = next;
    this.allWhole = this.stages.every((s) => s.passesWhole);
    if (!this.allWhole) this.whole = false;
    else if (this.stages.length === 0) this.whole = true;
  }

  private sync(): void {
    if (!this.whole && this.allWhole && this.held === 0) this.whole = true;
    if (!this.started || this.srcEnded || this.owner.closed) return;
    const want = !this.drainWait && this.held < (this.reading ? HIGH_WATER : LOW_WATER);
    if (want === this.reading) return;
    this.reading = want;
    if (want) this.src.readStart();
    else this.src.readStop();
  }
}
