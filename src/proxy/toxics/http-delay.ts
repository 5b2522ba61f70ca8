/** `http_delay` (faultline's): a share of requests (toxicity) waits `delay` ± `jitter` ms before going upstream. */
import { z } from 'zod';
import type { Toxic, ToxicType } from '../toxic.js';
import { amount } from './amount.js';
import { jittered } from './latency.js';

const attributes = z.object({
  delay: amount.default(1000).describe('Milliseconds a request waits before it goes upstream'),
  jitter: amount.default(0).describe('± milliseconds'),
});
export type HttpDelayAttributes = z.output<typeof attributes>;

export function requestDelay(toxic: Toxic): number {
  const a = toxic.attributes as HttpDelayAttributes;
  return jittered(a.delay, a.jitter);
}

export const httpDelayToxic: ToxicType<HttpDelayAttributes> = {
  type: 'http_delay',
  scope: 'http',
  summary: 'Delay a share of HTTP requests (toxicity) by delay ± jitter milliseconds before they reach upstream',
  attributes,
};
