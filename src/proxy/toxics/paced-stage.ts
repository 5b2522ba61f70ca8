/**
 * A stage that queues what it is given and lets it out on a timer (bandwidth, slicer): `pump()`
 * passes on what may go now and re-arms the timer for the rest. The end of the stream waits
 * behind the queued data; a flush (the toxic removed) lets everything through at once.
 */
import { ChunkQueue, PreciseTimer, Stage } from '../stage.js';

export abstract class PacedStage extends Stage {
  protected readonly queue = new ChunkQueue();
  protected readonly timer = new PreciseTimer(() => this.pump());

  write(chunk: Uint8Array): void {
    this.enqueue(chunk);
    if (!this.timer.armed) this.pump();
  }

  override end(): void {
    this.queue.ended = true;
    if (!this.timer.armed) this.pump();
  }

  override flush(): boolean {
    this.timer.clear();
    this.queue.drainTo(this.next);
    return true;
  }

  override dispose(): void {
    this.timer.clear();
  }

  /** How a written chunk enters the queue (as it is, by default). */
  protected enqueue(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  /** Passes on what may go now; arms the timer for the rest, or calls `endIfDrained()`. */
  protected abstract pump(): void;

  /** The queue is empty: pass the end of the stream on, if it has come. */
  protected endIfDrained(): void {
    if (!this.queue.ended) return;
    this.queue.ended = false;
    this.next.end();
  }
}
