/**
 * Calls from one shop service to another: JSON over HTTP/1.1 on pooled keep-alive connections.
 * A 5xx answer or a failed connection throws an UpstreamError (so breakers and retries see it);
 * any other answer, 4xx included, is returned: a missing product is an answer, not an outage.
 * Without a signal a call waits as long as the dependency takes — the fragile build's way.
 */
import { Agent, request } from 'node:http';

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly dependency: string,
    message: string,
    /** The dependency's status, when it answered. */
    readonly status?: number,
  ) {
    super(`${dependency}: ${message}`);
  }
}

// Idle pooled sockets close after 4 s, before the servers' keep-alive timeout (10 s), so a
// request never races a server closing the socket it reuses.
const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 4000 });

/** What a service's code calls a dependency through: this HTTP client, or a real backend's (shop/backends/). */
export interface UpstreamClient {
  readonly dependency: string;
  call(path: string, options?: CallOptions): Promise<UpstreamResponse>;
}

export class ServiceClient implements UpstreamClient {
  constructor(
    readonly dependency: string,
    readonly baseUrl: string,
  ) {}

  call(path: string, options: CallOptions = {}): Promise<UpstreamResponse> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method: options.method ?? 'GET',
          agent,
          signal: options.signal,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(this.#error(err)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = parseBody(Buffer.concat(chunks).toString('utf8'));
            if (status >= 500) return reject(new UpstreamError(this.dependency, `answered ${status}${describe(body)}`, status));
            resolve({ status, body });
          });
        },
      );
      req.on('error', (err) => reject(this.#error(err)));
      req.end(payload);
    });
  }

  #error(err: Error & { code?: string }): Error {
    // An abort (a timeout policy's signal) stays an AbortError: the policy reports it as a timeout.
    if (err.name === 'AbortError') return err;
    return new UpstreamError(this.dependency, err.code ?? err.message);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body) return `: ${String((body as { error: unknown }).error)}`;
  return typeof body === 'string' && body ? `: ${body.slice(0, 80)}` : '';
}
