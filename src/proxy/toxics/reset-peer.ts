/** `reset_peer`: once data (or the close) arrives, hold it and reset the connection (RST) after `timeout` ms. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { PreciseTimer } from '../stage.js';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';
import { HoldStage } from './hold.js';

const attributes = z.object({ timeout: amount.default(0).describe('Milliseconds from the first data to the reset; 0 resets at once') });
export type ResetPeerAttributes = z.output<typeof attributes>;

class ResetPeerStage extends HoldStage {
  private readonly timer = new PreciseTimer(() => this.link.close('reset'));

  override write(chunk: Uint8Array): void {
    super.write(chunk);
    this.arm();
  }

  override end(): void {
    super.end();
    this.arm();
  }

  override flush(): boolean {
    this.timer.clear();
    return super.flush();
  }

  override dispose(): void {
    this.timer.clear();
    super.dispose();
  }

  private arm(): void {
    if (this.timer.armed) return;
    const { timeout } = this.toxic.attributes as ResetPeerAttributes;
    if (timeout > 0) this.timer.at(performance.now() + timeout);
    else queueMicrotask(() => this.link.close('reset'));
  }
}

export const resetPeerToxic: ToxicType<ResetPeerAttributes> = {
  type: 'reset_peer',
  scope: 'link',
  summary: 'Reset the connection (TCP RST) timeout milliseconds after data arrives',
  attributes,
  stage: (toxic, link) => new ResetPeerStage(toxic, link),
};
