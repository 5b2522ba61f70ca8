/** HTTP probe: one request, status and the first 64 KiB of the body. */
import { startDeadline } from './deadline.js';
import { lazyClient } from './undici-client.js';
import { errorText } from './error-text.js';
import { MAX_CAPTURE_BYTES, type HttpRequestSpec, type ProbeOptions, type ProbeResult } from './types.js';

/**
 * Shared by every probe. Each request asks for `connection: close` (reset), so every probe opens a
 * fresh connection: a killed or restarted server shows up on the very next probe instead of
 * behind a pooled socket, and latency includes connecting, as a client arriving now would see it.
 */
const client = lazyClient({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });

export async function httpProbe(target: string | HttpRequestSpec, options: ProbeOptions): Promise<ProbeResult> {
  const spec = typeof target === 'string' ? { url: target } : target;
  const { request, agent } = await client();
  const deadline = startDeadline(options.timeout, options.signal);
  const started = performance.now();
  let status: number | undefined;
  try {
    const res = await request(spec.url, {
      method: spec.method ?? 'GET',
      headers: spec.headers,
      body: spec.body,
      signal: deadline.signal,
      dispatcher: agent,
      reset: true,
    });
    status = res.statusCode;
    const body = await readCapped(res.body);
    return { ok: true, latencyMs: performance.now() - started, status, body };
  } catch (err) {
    const result: ProbeResult = { ok: false, latencyMs: performance.now() - started, error: deadline.reason ?? errorText(err) };
    if (status !== undefined) result.status = status;
    return result;
  } finally {
    deadline.clear();
  }
}

/** Reads up to MAX_CAPTURE_BYTES; leaving the loop early destroys the stream, discarding the rest. */
async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = MAX_CAPTURE_BYTES - size;
    if (chunk.length >= room) {
      chunks.push(chunk.subarray(0, room));
      size += room;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
