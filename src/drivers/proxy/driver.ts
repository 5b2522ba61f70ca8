/**
 * The proxy driver (the `ServiceDriver` seam): starts the proxies a system file declares for a run,
 * and resolves `api.db` (that link) or `db` (every service's link named db) to proxy targets.
 *
 * By default the proxies run inside the faultline process for the run. With
 * FAULTLINE_PROXY_API=http://host:port the driver uses a running `faultline proxy` (or Toxiproxy)
 * instead: the proxies are created there, and the faults' toxics carry a TTL kept fresh by a
 * heartbeat (FAULTLINE_PROXY_TTL ms, default 5000).
 */
import { TargetError } from '../../errors/index.js';
import type { DriverContext, ServiceDriver, SystemView, TargetRefParts } from '../../faults/driver.js';
import { DEFAULT_TOXIC_TTL_MS, ProxyFleet, type ProxyDecl } from './fleet.js';
import type { ProxyTarget } from './target.js';

interface ProxyDeclJson {
  name: string;
  listen: string;
  upstream: string;
}

/** The `proxies` each service declares, as the system file parsed them. */
export function declaredProxies(system: SystemView): ProxyDecl[] {
  return Object.entries(system.services).flatMap(([service, config]) => proxiesOf(config).map((p) => ({ service, name: p.name, listen: p.listen, upstream: p.upstream })));
}

function proxiesOf(config: Readonly<Record<string, unknown>>): ProxyDeclJson[] {
  const list = config.proxies;
  return Array.isArray(list) ? (list as ProxyDeclJson[]).filter((p) => p && typeof p.name === 'string') : [];
}

export class ProxyDriver implements ServiceDriver<ProxyTarget> {
  readonly name = 'proxy';
  private fleet: ProxyFleet | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  checkTarget(ref: TargetRefParts, system: SystemView): string | undefined {
    const all = declaredProxies(system);
    const known = all.map((d) => `${d.service}.${d.name}`).join(', ') || '(none)';
    if (ref.sub !== undefined) {
      if (all.some((d) => d.service === ref.service && d.name === ref.sub)) return undefined;
      const own = all.filter((d) => d.service === ref.service).map((d) => d.name);
      return `service "${ref.service}" has no proxy "${ref.sub}"; it declares: ${own.join(', ') || '(none)'}`;
    }
    if (all.some((d) => d.name === ref.service || d.service === ref.service)) return undefined;
    return `proxy faults need a proxy: "${ref.service}" is neither a proxy name nor a service with proxies (declared: ${known}). Declare one under services.<name>.proxies in the system file`;
  }

  async start(system: SystemView, ctx: DriverContext): Promise<void> {
    const decls = declaredProxies(system);
    if (decls.length === 0 || this.fleet) return;
    const api = this.env.FAULTLINE_PROXY_API;
    if (api) {
      const ttl = Number(this.env.FAULTLINE_PROXY_TTL ?? DEFAULT_TOXIC_TTL_MS);
      this.fleet = await ProxyFleet.attach(api, decls, { ttl: Number.isInteger(ttl) && ttl > 0 ? ttl : DEFAULT_TOXIC_TTL_MS });
      ctx.log(`proxies on ${api}: ${this.fleet.proxies().map((d) => `${d.service}.${d.name} ${d.listen} → ${d.upstream}`).join(', ')}`);
      return;
    }
    this.fleet = await ProxyFleet.start(decls, { log: ctx.log });
    ctx.log(`proxies: ${this.fleet.proxies().map((d) => `${d.service}.${d.name} ${d.listen} → ${d.upstream}`).join(', ')}`);
  }

  async resolve(ref: TargetRefParts): Promise<ProxyTarget[]> {
    if (!this.fleet) throw new TargetError(`no proxies are running for this run (the system file declares none, or they were stopped)`, ref.service);
    return this.fleet.targets(ref.service, ref.sub);
  }

  /** The running fleet, if any (for tests and status output). */
  get running(): ProxyFleet | undefined {
    return this.fleet;
  }

  async stop(): Promise<void> {
    const fleet = this.fleet;
    this.fleet = undefined;
    await fleet?.close();
  }
}
