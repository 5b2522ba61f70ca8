/**
 * The requests a load sends, prepared once: undici dispatch options per kind of request (body as a
 * Buffer, headers as a flat list) and a fixed order that honours the weights exactly, so 3:1 is
 * three of one for every one of the other, interleaved (smooth weighted round robin).
 */
import type { Dispatcher } from 'undici';
import type { LoadRequest } from './spec.js';

export interface PreparedMix {
  options: Dispatcher.DispatchOptions[];
  /** Index into `options`, one per slot of the cycle; the load walks it round and round. */
  order: Uint32Array;
}

export function prepareMix(requests: readonly LoadRequest[]): PreparedMix {
  if (requests.length === 0) throw new Error('a load needs at least one request');
  const options = requests.map(
    (r): Dispatcher.DispatchOptions => ({
      path: r.path,
      method: r.method.toUpperCase() as Dispatcher.HttpMethod,
      headers: Object.entries(r.headers).flat(),
      ...(r.body !== undefined && r.body !== '' ? { body: Buffer.from(r.body) } : {}),
    }),
  );
  return { options, order: weightedOrder(requests.map((r) => r.weight)) };
}

/** nginx's smooth weighted round robin: every cycle of sum(weights) picks each index exactly weight times, spread out. */
export function weightedOrder(weights: readonly number[]): Uint32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const order = new Uint32Array(total);
  const current = weights.map(() => 0);
  for (let n = 0; n < total; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    order[n] = best;
  }
  return order;
}
