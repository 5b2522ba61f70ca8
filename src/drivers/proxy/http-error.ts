/** `http-error`: the proxy answers a share of HTTP requests with `status` itself; they never reach the dependency. */
import { z } from 'zod';
import { proxyFault, share } from './toxics.js';

const params = z.strictObject({
  status: z.number().int().min(200).max(599).default(503).describe('HTTP status of the answers'),
  probability: share(1).describe('Share of requests answered with the error (0..1 or a percentage)'),
  body: z.string().default('').describe('Response body (default: a line naming the status)'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra response headers'),
});
export type HttpErrorParams = z.output<typeof params>;

export const httpErrorFault = proxyFault<HttpErrorParams>({
  name: 'http-error',
  summary: 'Answer a share of HTTP requests to a dependency with an error status, without reaching it',
  params,
  toxics: (p) => [{ suffix: 'http', type: 'http_error', stream: 'upstream', toxicity: p.probability, attributes: { status: p.status, body: p.body, headers: p.headers } }],
});
