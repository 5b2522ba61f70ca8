/**
 * The linux driver: resolves a service into one target (its processes, its ports, or the host and
 * port it is reached at). The faults themselves decide which part they need.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TargetError } from '../../errors/index.js';
import type { DriverContext, ServiceDriver, SystemView, TargetRefParts } from '../../faults/driver.js';
import { describeProcesses, hasProcesses, parseEndpoint, servicePorts, type LinuxTarget } from './target.js';

export class LinuxDriver implements ServiceDriver<LinuxTarget> {
  readonly name = 'linux';

  checkTarget(ref: TargetRefParts, _system: SystemView): string | undefined {
    if (ref.sub !== undefined) return `linux faults act on a whole service, not on a proxy link: use "${ref.service}" (links take the proxy's faults)`;
    const config = ref.config;
    if (hasProcesses(config)) return undefined;
    if (typeof config.endpoint === 'string') {
      if (parseEndpoint(config.endpoint)?.port !== undefined || servicePorts(config).length > 0) return undefined;
      return `service "${ref.service}" is watch-only and its endpoint "${config.endpoint}" names no port: linux network faults need host:port (e.g. endpoint: db.internal:5432), resource faults need a process`;
    }
    return `unknown service "${ref.service}"`;
  }

  async resolve(ref: TargetRefParts, _system: SystemView, ctx: DriverContext): Promise<LinuxTarget[]> {
    const { service, config } = ref;
    const ports = servicePorts(config);
    if (hasProcesses(config)) {
      if (!ctx.processesOf) throw new TargetError(`service ${service}: this run cannot look up processes for linux faults`, service);
      const processes = (await ctx.processesOf(service)).map(({ pid, startTicks }) => ({ pid, startTicks }));
      return [{ service, label: describeProcesses(service, processes), processes, ports }];
    }
    const endpoint = typeof config.endpoint === 'string' ? parseEndpoint(config.endpoint) : undefined;
    if (!endpoint) throw new TargetError(`service ${service} has neither a process nor an endpoint host:port for linux faults`, service);
    const addresses = await resolveHost(endpoint.host, service);
    const allPorts = [...new Set([...(endpoint.port !== undefined ? [endpoint.port] : []), ...ports])];
    const display = endpoint.port !== undefined ? `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}` : endpoint.host;
    return [{ service, label: service === display ? service : `${service} (${display})`, processes: [], endpoint: { ...endpoint, addresses }, ports: allPorts }];
  }
}

export async function resolveHost(host: string, service: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    const found = await lookup(host, { all: true });
    return [...new Set(found.map((a) => a.address))];
  } catch (err) {
    throw new TargetError(`service ${service}: cannot resolve host "${host}": ${(err as Error).message}`, service, { cause: err });
  }
}
