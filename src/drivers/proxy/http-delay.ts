/** `http-delay`: a share of HTTP requests waits before it reaches the dependency (a slow dependency, request by request). */
import { z } from 'zod';
import { duration } from '../../util/duration-schema.js';
import { proxyFault, share } from './toxics.js';

const params = z.strictObject({
  delay: duration.default(1000).describe('How long a request waits, e.g. 500ms'),
  jitter: duration.default(0).describe('± random variation'),
  probability: share(1).describe('Share of requests delayed (0..1 or a percentage)'),
});
export type HttpDelayParams = z.output<typeof params>;

export const httpDelayFault = proxyFault<HttpDelayParams>({
  name: 'http-delay',
  summary: 'Delay a share of HTTP requests to a dependency',
  params,
  toxics: (p) => [{ suffix: 'http', type: 'http_delay', stream: 'upstream', toxicity: p.probability, attributes: { delay: p.delay, jitter: p.jitter } }],
});
