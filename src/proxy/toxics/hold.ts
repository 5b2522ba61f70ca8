/** A stage that lets nothing through until its toxic is removed (then everything it held goes on, in order). */
import { ChunkQueue, Stage } from '../stage.js';

export class HoldStage extends Stage {
  protected readonly queue = new ChunkQueue();

  write(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  override end(): void {
    this.queue.ended = true;
  }

  override flush(): boolean {
    this.queue.drainTo(this.next);
    return true;
  }

  override dispose(): void {
    this.queue.clear();
  }
}
