/** A small client for the proxy API (faultline's or Toxiproxy's): what the fault kinds need to act on a proxy in another process. */
import type { ProxyJson } from './collection.js';
import type { ToxicJson } from './toxic.js';

export class ProxyApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status, or undefined when no answer came (see `code`). */
    readonly status?: number,
    /** ECONNREFUSED etc. when the server could not be reached. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Nothing listens there: a proxy server that is gone has taken its toxics with it. */
  get unreachable(): boolean {
    return this.code === 'ECONNREFUSED';
  }
}

export interface NewToxic {
  name: string;
  type: string;
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes?: object;
  ttl?: number;
  owner?: string;
}

export class ProxyApiClient {
  readonly url: string;

  constructor(
    url: string,
    private readonly timeoutMs = 5000,
  ) {
    this.url = url.replace(/\/+$/, '');
  }

  async proxies(): Promise<Record<string, ProxyJson>> {
    return (await this.request('GET', '/proxies')) as Record<string, ProxyJson>;
  }

  async proxy(name: string): Promise<ProxyJson | undefined> {
    try {
      return (await this.request('GET', `/proxies/${encodeURIComponent(name)}`)) as ProxyJson;
    } catch (err) {
      if (err instanceof ProxyApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async populate(proxies: { name: string; listen: string; upstream: string; enabled?: boolean }[]): Promise<ProxyJson[]> {
    return ((await this.request('POST', '/populate', proxies)) as { proxies: ProxyJson[] }).proxies;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  async addToxic(proxy: string, toxic: NewToxic): Promise<ToxicJson> {
    return (await this.request('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic)) as ToxicJson;
  }

  /** False when there was no such toxic (or proxy). */
  async removeToxic(proxy: string, toxic: string): Promise<boolean> {
    try {
      await this.request('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`);
      return true;
    } catch (err) {
      if (err instanceof ProxyApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** Refreshes the TTL of the owner's toxics; the number refreshed. */
  async heartbeat(owner: string): Promise<number> {
    return ((await this.request('POST', '/heartbeat', { owner })) as { refreshed: number }).refreshed;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      const code = cause?.code ?? ((err as Error).name === 'TimeoutError' ? 'ETIMEDOUT' : undefined);
      throw new ProxyApiError(`proxy API ${this.url}: ${method} ${path}: ${code ?? (err as Error).message}`, undefined, code, { cause: err });
    }
    let data: unknown;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      data = text;
    }
    if (!res.ok) {
      const message = (data as { error?: string } | undefined)?.error ?? res.statusText;
      throw new ProxyApiError(`proxy API ${this.url}: ${method} ${path}: ${res.status} ${message}`, res.status);
    }
    return data;
  }
}
