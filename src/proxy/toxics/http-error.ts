/** `http_error` (faultline's): the proxy answers a share of requests itself, with `status`, without reaching upstream. */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { MessageHead } from '../http/parser.js';
import type { Toxic, ToxicType } from '../toxic.js';

const attributes = z.object({
  status: z.number().int().min(200).max(599).default(503).describe('HTTP status of the answer'),
  body: z.string().default('').describe('Response body (default: a line naming the status and the toxic)'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra response headers'),
});
export type HttpErrorAttributes = z.output<typeof attributes>;

/** The answer for one request, and whether the connection must close after it. */
export function errorResponse(toxic: Toxic, request: MessageHead, requestHasBody: boolean): { bytes: Buffer; close: boolean } {
  const a = toxic.attributes as HttpErrorAttributes;
  const reason = STATUS_CODES[a.status] ?? 'Error';
  const body = Buffer.from(a.body || `${a.status} ${reason} (faultline toxic ${toxic.name})\n`);
  // A client waiting for 100-continue may or may not send the body now: start afresh.
  const close = requestHasBody && /100-continue/i.test(request.headers.get('expect') ?? '');
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', ...lower(a.headers) };
  headers['content-length'] = String(body.length);
  headers['x-faultline-toxic'] = toxic.name;
  if (close) headers.connection = 'close';
  else if (request.version === '1.0' && !headers.connection) headers.connection = /keep-alive/i.test(request.headers.get('connection') ?? '') ? 'keep-alive' : 'close';
  const head = `HTTP/1.1 ${a.status} ${reason}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), request.method === 'HEAD' ? Buffer.alloc(0) : body]), close };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.replace(/[\r\n]/g, ' ')]));
}

export const httpErrorToxic: ToxicType<HttpErrorAttributes> = {
  type: 'http_error',
  scope: 'http',
  summary: 'Answer a share of HTTP requests (toxicity) with status, without reaching upstream',
  attributes,
};
