/**
 * The proxies a system file declares (`services.<svc>.proxies: [{ name, listen, upstream }]`),
 * started for a run. A fleet runs them in this process (`start`) or uses a proxy API server that
 * runs them (`attach`: `faultline proxy`, or Toxiproxy). Each proxy is named `<service>.<name>`.
 */
import { randomUUID } from 'node:crypto';
import { TargetError } from '../../errors/index.js';
import { ProxyApiClient, ProxyCollection, type Transport } from '../../proxy/index.js';
import type { ProxyHost, ProxyTarget } from './target.js';

export interface ProxyDecl {
  service: string;
  name: string;
  listen: string;
  upstream: string;
}

export interface FleetOptions {
  log?: (message: string) => void;
  transport?: Transport;
}

/** Dead-man's switch default for toxics on a proxy API server: they expire this long after faultline stops heartbeating. */
export const DEFAULT_TOXIC_TTL_MS = 5000;

const live = new Map<string, ProxyFleet>();

/** A fleet running in this process, by id (how a revert finds it from plain JSON). */
export function liveFleet(id: string): ProxyFleet | undefined {
  return live.get(id);
}

export class ProxyFleet {
  private readonly decls: ProxyDecl[];
  private closed = false;

  private constructor(
    readonly id: string,
    decls: ProxyDecl[],
    private readonly host: ProxyHost,
    /** Set for a fleet in this process. */
    readonly collection: ProxyCollection | undefined,
  ) {
    this.decls = decls.map((d) => ({ ...d }));
  }

  /** Starts every declared proxy in this process. Fails (and starts none) when one cannot listen. */
  static async start(decls: ProxyDecl[], options: FleetOptions = {}): Promise<ProxyFleet> {
    const collection = new ProxyCollection({ log: options.log, transport: options.transport });
    const id = randomUUID().slice(0, 8);
    const fleet = new ProxyFleet(id, decls, { kind: 'fleet', fleetId: id }, collection);
    try {
      for (const d of fleet.decls) {
        const proxy = await collection.create({ name: proxyName(d), listen: d.listen, upstream: d.upstream }).catch((err: Error) => {
          throw new TargetError(`service ${d.service}: proxy ${d.name} cannot listen on ${d.listen}: ${err.message.replace(/^listen tcp \S+: /, '')}`, d.service, { cause: err });
        });
        d.listen = proxy.listen;
      }
    } catch (err) {
      collection.close();
      throw err;
    }
    live.set(fleet.id, fleet);
    return fleet;
  }

  /**
   * Uses a proxy API server (`faultline proxy` or Toxiproxy) at `url`: the declared proxies are
   * created there (or kept, when they exist as declared). Toxics added through it carry a TTL
   * (`ttl`, default 5 s) that the fault kinds' heartbeat keeps fresh.
   */
  static async attach(url: string, decls: ProxyDecl[], options: { ttl?: number } = {}): Promise<ProxyFleet> {
    const client = new ProxyApiClient(url);
    const created = await client
      .populate(decls.map((d) => ({ name: proxyName(d), listen: d.listen, upstream: d.upstream })))
      .catch((err: Error) => {
        throw new TargetError(`proxy API ${url}: cannot create the system's proxies: ${err.message}`, undefined, { cause: err });
      });
    const fleet = new ProxyFleet(randomUUID().slice(0, 8), decls, { kind: 'api', url: client.url, ttl: options.ttl ?? DEFAULT_TOXIC_TTL_MS }, undefined);
    for (const d of fleet.decls) d.listen = created.find((p) => p.name === proxyName(d))?.listen ?? d.listen;
    return fleet;
  }

  /** The proxies, with the address each listens on (the actual port when the system file said 0). */
  proxies(): ProxyDecl[] {
    return this.decls.map((d) => ({ ...d }));
  }

  /**
   * Targets for `service.proxyName`, or for a bare name: every proxy named like that dependency,
   * across all services (`db` hits every service's link to db); when no proxy has that name, every
   * proxy of the service with that name.
   */
  targets(service: string, proxy?: string): ProxyTarget[] {
    if (this.closed) throw new TargetError(`the proxies of this run are stopped`, service);
    let chosen = proxy !== undefined ? this.decls.filter((d) => d.service === service && d.name === proxy) : this.decls.filter((d) => d.name === service);
    if (proxy === undefined && chosen.length === 0) chosen = this.decls.filter((d) => d.service === service);
    if (chosen.length === 0) {
      const known = this.decls.map((d) => `${d.service}.${d.name}`).join(', ') || '(none)';
      throw new TargetError(`no proxy ${proxy !== undefined ? `${service}.${proxy}` : `named ${service} (or of service ${service})`}; the system declares: ${known}`, service);
    }
    return chosen.map((d) => ({
      service: d.service,
      label: `${d.service} → ${d.name} (proxy ${d.listen} → ${d.upstream})`,
      link: d.name,
      proxy: proxyName(d),
      listen: d.listen,
      upstream: d.upstream,
      key: randomUUID().slice(0, 8),
      host: this.host,
    }));
  }

  /** Stops the proxies (in-process fleets; an attached server's proxies are left as they are). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    live.delete(this.id);
    this.collection?.close();
  }
}

function proxyName(d: ProxyDecl): string {
  return `${d.service}.${d.name}`;
}
