/**
 * The set of proxies one server (or one experiment's fleet) runs, and every operation the API
 * offers on them, with Toxiproxy's validation order, messages and status codes. Each operation
 * either applies completely or not at all.
 *
 * Dead-man's switch: a toxic created with `ttl` (ms; or the `X-Faultline-Ttl` header) is removed
 * when it has not been refreshed for that long. `POST /heartbeat` refreshes every toxic of an
 * `owner` (field, or the `X-Faultline-Owner` header); updating a toxic refreshes it too. An
 * experiment heartbeats while it holds the fault, so a faultline killed with -9 leaves the fault
 * in place for at most one TTL.
 */
import { z } from 'zod';
import { parseHostPort } from './address.js';
import { ListenError } from './endpoint.js';
import { Proxy, type ProxyOptions } from './proxy.js';
import type { Direction } from './stage.js';
import { toxicJson, type Toxic, type ToxicJson } from './toxic.js';
import { toxicType } from './toxics/index.js';

/** An error with the HTTP status the API answers with: `{ "error": message, "status": status }`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const badBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
const missing = (field: string) => new ApiError(`missing required field: ${field}`, 400);
export const PROXY_NOT_FOUND = 'proxy not found';
export const TOXIC_NOT_FOUND = 'toxic not found';

export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export function proxyJson(p: Proxy): ProxyJson {
  return { name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled, toxics: p.toxics.map(toxicJson) };
}

export interface ToxicExtras {
  /** From the X-Faultline-Ttl header (ms). */
  ttl?: number;
  /** From the X-Faultline-Owner header. */
  owner?: string;
}

interface Expiry {
  timer: NodeJS.Timeout;
  proxy: Proxy;
}

const proxyInput = z.looseObject({
  name: z.string().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
});

const toxicInput = z.looseObject({
  name: z.string().optional(),
  type: z.string().optional(),
  stream: z.string().optional(),
  toxicity: z.number().min(0).max(1).optional(),
  attributes: z.looseObject({}).nullable().optional(),
  ttl: z.number().int().positive().optional(),
  owner: z.string().min(1).optional(),
});

export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();
  private readonly expiries = new Map<Toxic, Expiry>();

  constructor(private readonly options: ProxyOptions = {}) {}

  list(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const p = this.proxies.get(name);
    if (!p) throw new ApiError(PROXY_NOT_FOUND, 404);
    return p;
  }

  has(name: string): boolean {
    return this.proxies.has(name);
  }

  /** POST /proxies. */
  async create(body: unknown): Promise<Proxy> {
    const input = parseProxy(body);
    if (this.proxies.has(input.name)) throw new ApiError('proxy already exists', 409);
    const proxy = new Proxy(input, this.options);
    if (input.enabled) await startOrExplain(proxy);
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /**
   * POST /populate: create or replace a list of proxies. Everything is checked first; a proxy
   * that cannot listen undoes the whole call (what it started is stopped, what it replaced is
   * back as it was).
   */
  async populate(body: unknown): Promise<Proxy[]> {
    if (!Array.isArray(body)) throw badBody('expected a JSON array of proxies');
    const inputs = body.map((item, i) => parseProxy(item, ` at proxy ${i + 1}`));
    const seen = new Set<string>();
    for (const input of inputs) {
      if (seen.has(input.name)) throw new ApiError(`duplicate proxy name ${JSON.stringify(input.name)}`, 400);
      seen.add(input.name);
    }
    const started: Proxy[] = [];
    const replaced: Proxy[] = [];
    const result: Proxy[] = [];
    try {
      for (const input of inputs) {
        const old = this.proxies.get(input.name);
        if (old && old.upstream === input.upstream && (old.listen === input.listen || sameListen(old.listen, input.listen))) {
          if (input.enabled && !old.enabled) await startOrExplain(old);
          if (!input.enabled && old.enabled) old.stop();
          result.push(old);
          continue;
        }
        if (old) {
          old.stop();
          replaced.push(old);
        }
        const proxy = new Proxy(input, this.options);
        if (input.enabled) await startOrExplain(proxy);
        started.push(proxy);
        result.push(proxy);
      }
    } catch (err) {
      for (const p of started) p.stop();
      for (const p of replaced) await p.start().catch(() => undefined);
      throw err;
    }
    for (const p of replaced) {
      this.forgetToxics(p);
      p.dispose();
    }
    for (const p of started) this.proxies.set(p.name, p);
    return result;
  }

  /** POST /proxies/{name}: listen, upstream, enabled. Changing listen or upstream restarts the proxy. */
  async update(name: string, body: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    const parsed = proxyInput.safeParse(body ?? {});
    if (!parsed.success) throw badBody(parsed.error.issues[0]?.message ?? 'invalid');
    const listen = parsed.data.listen ?? proxy.listen;
    const upstream = parsed.data.upstream ?? proxy.upstream;
    const enabled = parsed.data.enabled ?? proxy.enabled;
    for (const [field, value] of [['listen', listen], ['upstream', upstream]] as const) {
      try {
        parseHostPort(value, field);
      } catch (err) {
        throw badBody((err as Error).message);
      }
    }
    const before = { listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled };
    if (listen !== proxy.listen || upstream !== proxy.upstream) {
      proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
    }
    if (enabled && !proxy.enabled) {
      try {
        await startOrExplain(proxy);
      } catch (err) {
        Object.assign(proxy, { listen: before.listen, upstream: before.upstream });
        if (before.enabled) await proxy.start().catch(() => undefined);
        throw err;
      }
    }
    if (!enabled && proxy.enabled) proxy.stop();
    return proxy;
  }

  /** DELETE /proxies/{name}. */
  remove(name: string): void {
    const proxy = this.get(name);
    this.forgetToxics(proxy);
    proxy.stop();
    proxy.removeAllToxics();
    proxy.dispose();
    this.proxies.delete(name);
  }

  /** POST /reset: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      this.forgetToxics(proxy);
      proxy.removeAllToxics();
      if (!proxy.enabled) await startOrExplain(proxy);
    }
  }

  /** POST /proxies/{name}/toxics. */
  addToxic(proxyName: string, body: unknown, extras: ToxicExtras = {}): Toxic {
    const proxy = this.get(proxyName);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody('expected a JSON object');
    const parsed = toxicInput.safeParse(body);
    if (!parsed.success) throw badBody(describeIssue(parsed.error));
    const input = parsed.data;
    const stream = input.stream ?? 'downstream';
    if (stream !== 'upstream' && stream !== 'downstream') throw new ApiError('stream was invalid, can be either upstream or downstream', 400);
    const type = input.type ?? '';
    const name = input.name || `${type}_${stream}`;
    const def = toxicType(type);
    if (!def) throw new ApiError('invalid toxic type', 400);
    if (proxy.toxic(name)) throw new ApiError('toxic already exists', 409);
    const attributes = def.attributes.safeParse(input.attributes ?? {});
    if (!attributes.success) throw badBody(`attributes: ${describeIssue(attributes.error)}`);
    const ttl = input.ttl ?? extras.ttl;
    const owner = input.owner ?? extras.owner;
    const toxic: Toxic = {
      name,
      type,
      stream: stream as Direction,
      toxicity: input.toxicity ?? 1,
      attributes: attributes.data,
      def,
      ...(ttl !== undefined ? { ttl } : {}),
      ...(owner !== undefined ? { owner } : {}),
    };
    proxy.addToxic(toxic);
    this.arm(proxy, toxic);
    return toxic;
  }

  getToxic(proxyName: string, toxicName: string): Toxic {
    const toxic = this.get(proxyName).toxic(toxicName);
    if (!toxic) throw new ApiError(TOXIC_NOT_FOUND, 404);
    return toxic;
  }

  /** POST /proxies/{name}/toxics/{toxic}: attributes (merged over the current ones) and toxicity. Refreshes its TTL. */
  updateToxic(proxyName: string, toxicName: string, body: unknown): Toxic {
    const proxy = this.get(proxyName);
    const toxic = proxy.toxic(toxicName);
    if (!toxic) throw new ApiError(TOXIC_NOT_FOUND, 404);
    const parsed = toxicInput.safeParse(body ?? {});
    if (!parsed.success) throw badBody(describeIssue(parsed.error));
    const attributes = toxic.def.attributes.safeParse({ ...toxic.attributes, ...(parsed.data.attributes ?? {}) });
    if (!attributes.success) throw badBody(`attributes: ${describeIssue(attributes.error)}`);
    proxy.updateToxic(toxic, attributes.data, parsed.data.toxicity ?? toxic.toxicity);
    if (parsed.data.ttl !== undefined) toxic.ttl = parsed.data.ttl;
    this.arm(proxy, toxic);
    return toxic;
  }

  /** DELETE /proxies/{name}/toxics/{toxic}. */
  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.get(proxyName);
    const toxic = proxy.toxic(toxicName);
    if (!toxic) throw new ApiError(TOXIC_NOT_FOUND, 404);
    this.disarm(toxic);
    proxy.removeToxic(toxic);
  }

  /** POST /heartbeat: refreshes the TTL of every toxic of `owner` (every toxic with a TTL when no owner is given). */
  heartbeat(owner: string | undefined): number {
    let n = 0;
    for (const [toxic, { proxy }] of [...this.expiries]) {
      if (owner !== undefined && toxic.owner !== owner) continue;
      this.arm(proxy, toxic);
      n++;
    }
    return n;
  }

  /** Stops every proxy (a fleet at the end of a run, a server shutting down). */
  close(): void {
    for (const proxy of this.proxies.values()) {
      this.forgetToxics(proxy);
      proxy.stop();
      proxy.dispose();
    }
    this.proxies.clear();
  }

  /** With workers: resolves once every worker has applied every change made so far (an API call answers after it). */
  async flush(): Promise<void> {
    await this.options.workers?.flush();
  }

  private arm(proxy: Proxy, toxic: Toxic): void {
    this.disarm(toxic);
    if (toxic.ttl === undefined) return;
    const timer = setTimeout(() => {
      this.expiries.delete(toxic);
      if (proxy.removeToxic(toxic)) this.options.log?.(`toxic ${toxic.name} on ${proxy.name} expired: no heartbeat for ${toxic.ttl} ms`);
    }, toxic.ttl);
    timer.unref();
    this.expiries.set(toxic, { timer, proxy });
  }

  private disarm(toxic: Toxic): void {
    const e = this.expiries.get(toxic);
    if (e) clearTimeout(e.timer);
    this.expiries.delete(toxic);
  }

  private forgetToxics(proxy: Proxy): void {
    for (const toxic of proxy.toxics) this.disarm(toxic);
  }
}

function parseProxy(body: unknown, where = ''): { name: string; listen: string; upstream: string; enabled: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody(`expected a JSON object${where}`);
  const parsed = proxyInput.safeParse(body);
  if (!parsed.success) throw badBody(describeIssue(parsed.error) + where);
  const { name, upstream, enabled } = parsed.data;
  if (!name) throw missing(`name${where}`);
  if (!upstream) throw missing(`upstream${where}`);
  const listen = parsed.data.listen || '127.0.0.1:0';
  try {
    parseHostPort(listen, 'listen');
    parseHostPort(upstream, 'upstream');
  } catch (err) {
    throw badBody((err as Error).message + where);
  }
  return { name, listen, upstream, enabled: enabled ?? true };
}

async function startOrExplain(proxy: Proxy): Promise<void> {
  try {
    await proxy.start();
  } catch (err) {
    // Toxiproxy answers a listen failure with 500 and the system's message.
    if (err instanceof ListenError) throw new ApiError(err.message, 500);
    throw new ApiError(`listen ${proxy.listen}: ${(err as Error).message}`, 500);
  }
}

function sameListen(a: string, b: string): boolean {
  try {
    const x = parseHostPort(a);
    const y = parseHostPort(b);
    return y.port !== 0 && x.port === y.port && (x.host === y.host || y.host === 'localhost');
  } catch {
    return false;
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
