/** `bandwidth`: at most `rate` KB/s (1 KB = 1000 bytes, as in Toxiproxy), sent in slices of about 20 ms. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';
import { PacedStage } from './paced-stage.js';

const attributes = z.object({ rate: amount.default(0).describe('Kilobytes (1000 bytes) per second; 0 means no limit') });
export type BandwidthAttributes = z.output<typeof attributes>;

const SLICE_MS = 20;

class BandwidthStage extends PacedStage {
  private credit = -1;
  private last = 0;

  override update(): void {
    this.timer.clear();
    this.pump();
  }

  protected pump(): void {
    const perMs = (this.toxic.attributes as BandwidthAttributes).rate; // KB/s = bytes per ms
    if (perMs <= 0) return void this.queue.drainTo(this.next);
    const now = performance.now();
    const slice = Math.max(1, perMs * SLICE_MS);
    // Credit accrues with real elapsed time, so a late timer does not slow the rate; the cap (two
    // slices) only bounds the burst after an idle spell.
    this.credit = this.credit < 0 ? slice : Math.min(2 * slice, this.credit + (now - this.last) * perMs);
    this.last = now;
    for (let head = this.queue.peek(); head !== undefined && this.credit >= 1; head = this.queue.peek()) {
      const n = Math.min(head.length, Math.floor(this.credit));
      if (n === head.length) this.next.write(this.queue.shift()!);
      else {
        this.next.write(head.subarray(0, n));
        this.queue.trimHead(n);
      }
      this.credit -= n;
    }
    const head = this.queue.peek();
    if (head !== undefined) {
      const need = Math.min(head.length, slice);
      this.timer.at(now + (need - this.credit) / perMs);
    } else this.endIfDrained();
  }
}

export const bandwidthToxic: ToxicType<BandwidthAttributes> = {
  type: 'bandwidth',
  scope: 'link',
  summary: 'Limit the link to rate KB/s',
  attributes,
  stage: (toxic, link) => new BandwidthStage(toxic, link),
};
