/** `limit_data`: pass `bytes` bytes on this link, then close the connection. */
import { z } from 'zod';
import { Stage } from '../stage.js';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';

const attributes = z.object({ bytes: amount.default(0).describe('Bytes to transmit before the connection is closed') });
export type LimitDataAttributes = z.output<typeof attributes>;

class LimitDataStage extends Stage {
  private passed = 0;

  write(chunk: Uint8Array): void {
    const left = Math.floor((this.toxic.attributes as LimitDataAttributes).bytes) - this.passed;
    if (left <= 0) {
      this.link.release(chunk.length);
      return this.link.close('fin');
    }
    if (chunk.length < left) {
      this.passed += chunk.length;
      return this.next.write(chunk);
    }
    this.passed += left;
    this.next.write(left === chunk.length ? chunk : chunk.subarray(0, left));
    this.link.release(chunk.length - left);
    this.link.close('fin');
  }
}

export const limitDataToxic: ToxicType<LimitDataAttributes> = {
  type: 'limit_data',
  scope: 'link',
  summary: 'Close the connection once bytes bytes have passed on the link',
  attributes,
  stage: (toxic, link) => new LimitDataStage(toxic, link),
};
