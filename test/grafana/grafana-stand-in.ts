/**
 * A stand-in for Grafana's annotations API (no Grafana server runs here): a node:http server on
 * port 0 that checks each request against Grafana's documented shape — POST /api/annotations,
 * `Authorization: Bearer <token>`, `Content-Type: application/json`, a JSON body with `time` (and
 * `timeEnd` for a region) in epoch milliseconds, `tags` (strings) and `text` — and answers as
 * Grafana does (200 {"message":"Annotation added","id":N}), or 400 with what was wrong.
 * `mode` makes it fail instead: 500, or never answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: { time: number; timeEnd?: number; tags: string[]; text: string };
}

export interface StandIn {
  url: string;
  received: Received[];
  /** Requests that did not match the documented shape, with why. */
  rejected: string[];
  close(): Promise<void>;
}

const KNOWN = new Set(['dashboardUID', 'dashboardId', 'panelId', 'time', 'timeEnd', 'tags', 'text']);
// Epoch milliseconds of this century, not seconds: 2001-09-09 .. 2286.
const isEpochMs = (v: unknown) => Number.isInteger(v) && (v as number) >= 1e12 && (v as number) < 1e13;

export function problems(req: IncomingMessage, raw: string, token: string): string[] {
  const out: string[] = [];
  if (req.method !== 'POST') out.push(`method ${req.method}, expected POST`);
  if (req.url !== '/api/annotations') out.push(`path ${req.url}, expected /api/annotations`);
  if (req.headers.authorization !== `Bearer ${token}`) out.push(`authorization ${JSON.stringify(req.headers.authorization)}, expected Bearer <token>`);
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) out.push(`content-type ${req.headers['content-type']}, expected application/json`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return [...out, `body is not JSON: ${raw.slice(0, 100)}`];
  }
  for (const k of Object.keys(body)) if (!KNOWN.has(k)) out.push(`unknown field ${k}`);
  if (!isEpochMs(body.time)) out.push(`time ${String(body.time)}: expected epoch milliseconds`);
  if (body.timeEnd !== undefined && (!isEpochMs(body.timeEnd) || (body.timeEnd as number) < (body.time as number))) out.push(`timeEnd ${String(body.timeEnd)}: expected epoch milliseconds >= time`);
  if (!Array.isArray(body.tags) || !body.tags.every((t) => typeof t === 'string' && t.length > 0)) out.push('tags: expected an array of non-empty strings');
  if (typeof body.text !== 'string' || body.text === '') out.push('text: expected a non-empty string');
  return out;
}

export async function startGrafanaStandIn(token: string, mode: 'ok' | 'error' | 'hang' = 'ok'): Promise<StandIn> {
  const received: Received[] = [];
  const rejected: string[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      if (mode === 'hang') return void hanging.push(res);
      if (mode === 'error') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Failed to save annotation"}');
      const wrong = problems(req, raw, token);
      if (wrong.length) {
        rejected.push(wrong.join('; '));
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: wrong.join('; ') }));
      }
      received.push({ method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(raw) as Received['body'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Annotation added', id: received.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    rejected,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
