/**
 * `container-disconnect`: take the container off its networks (docker network disconnect) for the
 * duration — a partition at the Engine's level: no packets in or out on those networks, DNS
 * names gone — then connect it again with the aliases, links and configured addresses it had.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { announce, chosen, containerRef, engineField, failure, inspectIfExists, readInfo, replicasParam, toInfo } from '../common.js';
import { engineClient, engineMessage, isNotFound } from '../engine.js';
import type { ContainerNetwork, DockerTarget } from '../target.js';

const params = z.strictObject({
  networks: z.array(z.string().min(1)).min(1).optional().describe('Networks to disconnect from (default: every network the container is on)'),
  replicas: replicasParam,
});
export type ContainerDisconnectParams = z.output<typeof params>;

const network = z.object({ name: z.string(), aliases: z.array(z.string()), ipv4: z.string(), ipv6: z.string(), staticIpv4: z.string(), staticIpv6: z.string(), links: z.array(z.string()) });
const info = z.object({ engine: engineField, containers: z.array(containerRef.extend({ networks: z.array(network) })) });

/** Networks a container cannot be taken off (or put back on) with disconnect/connect. */
const SPECIAL = new Set(['host', 'none']);

function networksFor(target: DockerTarget, c: { name: string; networks: ContainerNetwork[] }, wanted: string[] | undefined): ContainerNetwork[] {
  const on = c.networks.filter((n) => !SPECIAL.has(n.name));
  if (!wanted) {
    if (on.length === 0) throw new TargetError(`container ${c.name} of ${target.service} is on no network that can be disconnected (${c.networks.map((n) => n.name).join(', ') || 'none'})`, target.service);
    return on;
  }
  const missing = wanted.filter((w) => !on.some((n) => n.name === w));
  if (missing.length) throw new TargetError(`container ${c.name} of ${target.service} is not on network${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it is on: ${on.map((n) => n.name).join(', ') || 'none'})`, target.service);
  return on.filter((n) => wanted.includes(n.name));
}

export const containerDisconnectFault: FaultKind<ContainerDisconnectParams, DockerTarget> = {
  name: 'container-disconnect',
  driver: 'docker',
  summary: 'Disconnect the container from its networks (or the given ones) while the step lasts, then reconnect it',
  timing: 'held',
  revertSummary: 'docker network connect again with the recorded aliases, links and configured addresses (only networks it is not on)',
  params,
  plan: (target, p) => toInfo({ engine: target.engine, containers: chosen(target, p.replicas).map((c) => ({ id: c.id, name: c.name, networks: networksFor(target, c, p.networks) })) }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-disconnect', target, containers);
    const done: string[] = [];
    for (const c of containers) {
      for (const n of networksFor(target, c, p.networks)) {
        try {
          await docker.getNetwork(n.name).disconnect({ Container: c.id, Force: true });
        } catch (err) {
          throw failure(`docker network disconnect ${n.name}`, c, err);
        }
        done.push(`${c.name} from ${n.name}`);
      }
    }
    return { details: { disconnected: done } };
  },
  async revert(raw, ctx) {
    const { engine, containers } = readInfo(info, raw, 'container-disconnect');
    const docker = engineClient(engine);
    for (const c of containers) {
      const state = await inspectIfExists(engine, c.id);
      if (!state) continue;
      const on = new Set(Object.keys(state.NetworkSettings?.Networks ?? {}));
      for (const n of c.networks) {
        if (on.has(n.name)) continue;
        const base = { Aliases: n.aliases, ...(n.links.length ? { Links: n.links } : {}) };
        const ipam = n.staticIpv4 || n.staticIpv6 ? { IPAMConfig: { ...(n.staticIpv4 ? { IPv4Address: n.staticIpv4 } : {}), ...(n.staticIpv6 ? { IPv6Address: n.staticIpv6 } : {}) } } : {};
        try {
          await docker.getNetwork(n.name).connect({ Container: c.id, EndpointConfig: { ...base, ...ipam } });
        } catch (err) {
          if (isNotFound(err) && !(await inspectIfExists(engine, c.id))) break; // the container went away meanwhile
          if (isNotFound(err) && /network/i.test(engineMessage(err))) {
            ctx.log(`container-disconnect: network ${n.name} no longer exists; ${c.name} cannot be put back on it`);
            continue;
          }
          if (/already exists|already attached|is already connected/i.test(engineMessage(err))) continue;
          if (Object.keys(ipam).length) {
            // The address may be taken by now: connect with whatever address the network gives.
            ctx.log(`container-disconnect: ${c.name} could not get its address back on ${n.name} (${engineMessage(err)}); connecting without it`);
            try {
              await docker.getNetwork(n.name).connect({ Container: c.id, EndpointConfig: base });
              continue;
            } catch (again) {
              throw failure(`docker network connect ${n.name}`, c, again);
            }
          }
          throw failure(`docker network connect ${n.name}`, c, err);
        }
      }
    }
  },
};
