/** `slicer`: cut each chunk into pieces of about `average_size` ± `size_variation` bytes, `delay` µs apart. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { amount } from './amount.js';
import { PacedStage } from './paced-stage.js';

const attributes = z.object({
  average_size: amount.default(0).describe('Average piece size in bytes (0: no slicing)'),
  size_variation: amount.default(0).describe('± bytes around the average (smaller than average_size)'),
  delay: amount.default(0).describe('Microseconds between pieces (timers have millisecond resolution)'),
});
export type SlicerAttributes = z.output<typeof attributes>;

/** Cut points like Toxiproxy's: halve around the middle (± variation) until pieces are about the average. */
export function slicePoints(length: number, average: number, variation: number): number[] {
  const points = [0];
  const cut = (start: number, end: number): void => {
    if (end - start - average <= variation || end - start < 2) return void points.push(end);
    const jitter = variation > 0 ? Math.floor(Math.random() * (2 * variation + 1)) - variation : 0;
    const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + jitter));
    cut(start, mid);
    cut(mid, end);
  };
  if (average >= 1) cut(0, length);
  else points.push(length);
  return points;
}

class SlicerStage extends PacedStage {
  protected override enqueue(chunk: Uint8Array): void {
    const a = this.toxic.attributes as SlicerAttributes;
    const points = slicePoints(chunk.length, Math.floor(a.average_size), Math.floor(a.size_variation));
    for (let i = 1; i < points.length; i++) this.queue.push(chunk.subarray(points[i - 1], points[i]));
  }

  protected pump(): void {
    const delayMs = (this.toxic.attributes as SlicerAttributes).delay / 1000;
    if (delayMs <= 0) return void this.queue.drainTo(this.next);
    const piece = this.queue.shift();
    if (piece !== undefined) this.next.write(piece);
    if (this.queue.length > 0) this.timer.at(performance.now() + delayMs);
    else this.endIfDrained();
  }
}

export const slicerToxic: ToxicType<SlicerAttributes> = {
  type: 'slicer',
  scope: 'link',
  summary: 'Slice data into small pieces, optionally delayed between each other',
  attributes,
  stage: (toxic, link) => new SlicerStage(toxic, link),
};
