/**
 * The requests a load sends, prepared once: undici dispatch options per kind of request (body as a
 * Buffer, headers as a flat list) and a fixed order that honours the weights exactly, so 3:1 is
 * three of one for every one of the other, interleaved (smooth weighted round robin).
 */
import type { Dispatcher } from 'undici';
import type { LoadRequest } from './spec.js';

/** One kind of request, ready to send: undici's options (https) and the request's bytes (http, h1-client.ts). */
export interface PreparedRequest {
  options: Dispatcher.DispatchOptions;
  bytes: Buffer;
  /** A HEAD request: its response has no body whatever its headers say. */
  head: boolean;
}

export interface PreparedMix {
  requests: PreparedRequest[];
  /** Index into `options`, one per slot of the cycle; the load walks it round and round. */
  order: Uint32Array;
}

/** `host` is the origin's host[:port], for the Host header. */
export function prepareMix(requests: readonly LoadRequest[], host: string): PreparedMix {
  if (requests.length === 0) throw new Error('a load needs at least one request');
  const prepared = requests.map((r): PreparedRequest => {
    const method = r.method.toUpperCase();
    const body = r.body !== undefined && r.body !== '' ? Buffer.from(r.body) : undefined;
    const options: Dispatcher.DispatchOptions = { path: r.path, method: method as Dispatcher.HttpMethod, headers: Object.entries(r.headers).flat(), ...(body ? { body } : {}) };
    return { options, bytes: requestBytes(method, r.path, host, r.headers, body), head: method === 'HEAD' };
  });
  return { requests: prepared, order: weightedOrder(requests.map((r) => r.weight)) };
}

/** The request as it goes on the wire: request line, Host (unless given), the headers, Content-Length for a body (unless given), the body. */
export function requestBytes(method: string, path: string, host: string, headers: Record<string, string>, body: Buffer | undefined): Buffer {
  const names = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) if (/[\r\n]/.test(name + value)) throw new Error(`header ${JSON.stringify(name)}: a header cannot contain a line break`);
  if (/[\s]/.test(path)) throw new Error(`path ${JSON.stringify(path)}: a path cannot contain whitespace`);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  if (!names.has('host')) head += `host: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body !== undefined && !names.has('content-length')) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  const start = Buffer.from(head, 'latin1');
  return body === undefined ? start : Buffer.concat([start, body]);
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
