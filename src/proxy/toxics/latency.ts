/** `latency`: every chunk waits `latency` ± `jitter` ms from when the proxy read it (order kept). */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { PreciseTimer, Stage } from '../stage.js';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';

const attributes = z.object({
  latency: amount.default(0).describe('Delay in milliseconds'),
  jitter: amount.default(0).describe('Random variation in milliseconds (the delay is latency ± jitter)'),
});
export type LatencyAttributes = z.output<typeof attributes>;

/** latency ± jitter, never negative. */
export function jittered(latency: number, jitter: number): number {
  return Math.max(0, jitter > 0 ? latency + (Math.random() * 2 - 1) * jitter : latency);
}

class LatencyStage extends Stage {
  // Chunks wait whole and leave whole; the array keeps no chunk it reads again.
  override readonly passesWhole = true;
  private chunks: Uint8Array[] = [];
  private dues: number[] = [];
  private head = 0;
  private lastDue = 0;
  private endPending = false;
  private readonly timer = new PreciseTimer(() => this.release());

  write(chunk: Uint8Array): void {
    const a = this.toxic.attributes as LatencyAttributes;
    const now = performance.now();
    // A later chunk never overtakes an earlier one, whatever the jitter drew.
    const due = Math.max(now + jittered(a.latency, a.jitter), this.lastDue);
    if (due <= now && this.head === this.chunks.length) return this.next.write(chunk); // nothing to wait for
    this.lastDue = due;
    this.chunks.push(chunk);
    this.dues.push(due);
    if (!this.timer.armed) this.timer.at(due);
  }

  override end(): void {
    if (this.head === this.chunks.length) this.next.end();
    else this.endPending = true;
  }

  override flush(): boolean {
    this.timer.clear();
    this.releaseUntil(Infinity);
    return true;
  }

  override dispose(): void {
    this.timer.clear();
  }

  private release(): void {
    this.releaseUntil(performance.now() + 0.5);
    if (this.head < this.chunks.length) this.timer.at(this.dues[this.head]!);
  }

  private releaseUntil(limit: number): void {
    while (this.head < this.chunks.length && this.dues[this.head]! <= limit) this.next.write(this.chunks[this.head++]!);
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.dues = [];
      this.head = 0;
      if (this.endPending) {
        this.endPending = false;
        this.next.end();
      }
    }
  }
}

export const latencyToxic: ToxicType<LatencyAttributes> = {
  type: 'latency',
  scope: 'link',
  summary: 'Delay every chunk by latency ± jitter milliseconds',
  attributes,
  stage: (toxic, link) => new LatencyStage(toxic, link),
};
