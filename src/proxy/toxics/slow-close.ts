/** `slow_close`: data passes; the close (FIN) is passed on `delay` ms late. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { PreciseTimer, Stage } from '../stage.js';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';

const attributes = z.object({ delay: amount.default(0).describe('Milliseconds to hold the close') });
export type SlowCloseAttributes = z.output<typeof attributes>;

class SlowCloseStage extends Stage {
  private ending = false;
  private readonly timer = new PreciseTimer(() => this.finish());

  write(chunk: Uint8Array): void {
    this.next.write(chunk);
  }

  override end(): void {
    this.ending = true;
    this.timer.at(performance.now() + (this.toxic.attributes as SlowCloseAttributes).delay);
  }

  override flush(): boolean {
    this.timer.clear();
    if (this.ending) this.finish();
    return true;
  }

  override dispose(): void {
    this.timer.clear();
  }

  private finish(): void {
    this.ending = false;
    this.next.end();
  }
}

export const slowCloseToxic: ToxicType<SlowCloseAttributes> = {
  type: 'slow_close',
  scope: 'link',
  summary: 'Delay the close of the connection by delay milliseconds',
  attributes,
  stage: (toxic, link) => new SlowCloseStage(toxic, link),
};
