/** `http_abort` (faultline's): cut a share of responses (toxicity) mid-body and close the connection. */
import { z } from 'zod';
import type { Toxic, ToxicType } from '../toxic.js';

const attributes = z.object({
  after: z.number().int().min(-1).default(-1).describe('Body bytes let through before the cut; -1: half the Content-Length (0 when unknown)'),
  reset: z.boolean().default(false).describe('Close with RST instead of FIN'),
});
export type HttpAbortAttributes = z.output<typeof attributes>;

/** How many body bytes pass before the cut: never the whole body. */
export function abortPoint(toxic: Toxic, contentLength: number | undefined): { after: number; reset: boolean } {
  const a = toxic.attributes as HttpAbortAttributes;
  let after = a.after >= 0 ? a.after : contentLength !== undefined ? Math.floor(contentLength / 2) : 0;
  if (contentLength !== undefined && contentLength > 0) after = Math.min(after, contentLength - 1);
  return { after, reset: a.reset };
}

export const httpAbortToxic: ToxicType<HttpAbortAttributes> = {
  type: 'http_abort',
  scope: 'http',
  summary: 'Cut a share of HTTP responses (toxicity) mid-body and close the connection',
  attributes,
};
