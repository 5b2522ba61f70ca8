/**
 * What the docker faults act on: one target per service reference, holding every running
 * container of the service (one for `container:`, the replicas of a `compose:` service, the
 * running tasks of a `swarm:` service) in a random order. A fault's `replicas` parameter takes
 * the first N of that order, in plan() and inject() alike, so both see the same containers.
 */
import { basename } from 'node:path';
import type Docker from 'dockerode';
import { TargetError } from '../../errors/index.js';
import type { FaultTarget } from '../../faults/types.js';
import { readStartTicks } from '../../util/proc.js';
import { bareName, call, composeProjectName, engineAddress, engineClient, engineMessage, isLocalEngine, isNotFound, shortId } from './engine.js';

export type DockerSource = 'container' | 'compose' | 'swarm';

export interface ContainerNetwork {
  name: string;
  aliases: string[];
  ipv4: string;
  ipv6: string;
  /** Set when the address was configured (IPAMConfig), not just assigned. */
  staticIpv4: string;
  staticIpv6: string;
  links: string[];
}

export interface DockerContainer {
  id: string;
  name: string;
  /** The main process's pid on the engine's host (0 when not running). */
  pid: number;
  /** /proc start time of that pid, when the engine is local (to never signal a recycled pid). */
  startTicks?: number;
  status: string;
  paused: boolean;
  restartPolicy: string;
  networks: ContainerNetwork[];
  limits: { NanoCpus: number; CpuQuota: number; CpuPeriod: number; Memory: number; MemorySwap: number };
}

export interface DockerTarget extends FaultTarget {
  /** Engine address as recorded in the ledger (null: DOCKER_HOST, else the local socket). */
  engine: string | null;
  source: DockerSource;
  containers: DockerContainer[];
}

/** What the system file says about a docker-backed service (a slice of ServiceConfig). */
export interface DockerServiceConfig {
  container?: string;
  compose?: { service: string; project?: string };
  swarm?: { service: string };
  dockerHost?: string;
}

export function dockerSource(config: Readonly<Record<string, unknown>>): DockerSource | undefined {
  if (config.container !== undefined) return 'container';
  if (config.compose !== undefined) return 'compose';
  if (config.swarm !== undefined) return 'swarm';
  return undefined;
}

export function isDockerService(config: Readonly<Record<string, unknown>>): boolean {
  return dockerSource(config) !== undefined;
}

/** The compose project a service belongs to: its own `project`, else the system file's directory name as docker-compose makes it. */
export function composeProject(config: DockerServiceConfig, baseDir: string): string {
  return config.compose?.project ?? composeProjectName(basename(baseDir));
}

/** Label filters (`key=value`) that select a service's containers. */
export function labelFilters(config: DockerServiceConfig, baseDir: string): string[] {
  if (config.compose) return [`com.docker.compose.project=${composeProject(config, baseDir)}`, `com.docker.compose.service=${config.compose.service}`, 'com.docker.compose.oneoff=False'];
  if (config.swarm) return [`com.docker.swarm.service.name=${config.swarm.service}`];
  return [];
}

export function describeSelector(config: DockerServiceConfig, baseDir: string): string {
  if (config.container !== undefined) return `container ${config.container}`;
  if (config.compose) return `compose service ${config.compose.service} of project ${composeProject(config, baseDir)}`;
  return `swarm service ${config.swarm?.service ?? '?'}`;
}

/** Containers of the service, running (or paused) ones only, in a random order. */
export async function resolveDockerTarget(service: string, config: DockerServiceConfig, baseDir: string, options: { includeStopped?: boolean } = {}): Promise<DockerTarget> {
  const engine = engineAddress(config.dockerHost);
  const docker = engineClient(engine);
  const source = config.container !== undefined ? 'container' : config.compose ? 'compose' : config.swarm ? 'swarm' : undefined;
  if (!source) throw new TargetError(`service ${service} is not a docker service (it needs container, compose or swarm)`, service);
  let ids: string[];
  if (source === 'container') {
    ids = [config.container!];
  } else {
    const list = await call(engine, () => docker.listContainers({ all: options.includeStopped === true, filters: { label: labelFilters(config, baseDir) } }), service);
    ids = list.map((c) => c.Id);
    if (ids.length === 0) {
      throw new TargetError(`service ${service}: no running container of ${describeSelector(config, baseDir)} on the Docker engine${source === 'compose' ? ' (is the project up? `docker-compose ps`; set compose.project if the project name is not the system file\'s directory name)' : ''}`, service);
    }
  }
  const containers: DockerContainer[] = [];
  for (const id of ids) {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await call(engine, () => docker.getContainer(id).inspect(), service);
    } catch (err) {
      if (isNotFound(err)) {
        if (source === 'container') throw new TargetError(`service ${service}: no container "${id}" on the Docker engine (${engineMessage(err)})`, service, { cause: err });
        continue; // removed between the list and the inspect
      }
      throw err;
    }
    const c = fromInspect(info, engine);
    if (!options.includeStopped && !info.State.Running) {
      if (source === 'container') throw new TargetError(`service ${service}: container ${c.name} is not running (status ${info.State.Status})`, service);
      continue;
    }
    containers.push(c);
  }
  if (containers.length === 0) throw new TargetError(`service ${service}: no running container of ${describeSelector(config, baseDir)}`, service);
  shuffle(containers);
  const names = containers.map((c) => c.name);
  const label = source === 'container' ? `${service} (container ${names[0]})` : `${service} (${names.length} container${names.length > 1 ? 's' : ''}: ${names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.join(', ')})`;
  return { service, label, engine, source, containers, ...(isLocalEngine(engine) ? {} : { remote: true }) };
}

export function fromInspect(info: Docker.ContainerInspectInfo, engine: string | null): DockerContainer {
  const pid = info.State.Pid ?? 0;
  const startTicks = pid > 0 && isLocalEngine(engine) ? readStartTicks(pid) : undefined;
  const nets = info.NetworkSettings?.Networks ?? {};
  const h = info.HostConfig as Docker.HostConfig;
  return {
    id: info.Id,
    name: bareName(info.Name),
    pid,
    ...(startTicks !== undefined ? { startTicks } : {}),
    status: info.State.Status,
    paused: info.State.Paused,
    restartPolicy: h.RestartPolicy?.Name || 'no',
    networks: Object.entries(nets).map(([name, n]) => ({
      name,
      // The engine adds the container's short id as an alias on user networks; it comes back by itself.
      aliases: (n.Aliases ?? []).filter((a: string) => a !== shortId(info.Id)),
      ipv4: n.IPAddress ?? '',
      ipv6: n.GlobalIPv6Address ?? '',
      staticIpv4: n.IPAMConfig?.IPv4Address ?? '',
      staticIpv6: n.IPAMConfig?.IPv6Address ?? '',
      links: n.Links ?? [],
    })),
    limits: { NanoCpus: h.NanoCpus ?? 0, CpuQuota: h.CpuQuota ?? 0, CpuPeriod: h.CpuPeriod ?? 0, Memory: h.Memory ?? 0, MemorySwap: h.MemorySwap ?? 0 },
  };
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** `replicas`: every container (undefined), a count, or a percentage of them (rounded up, at least one). */
export function selectReplicas<T>(containers: readonly T[], replicas: number | string | undefined): T[] {
  if (replicas === undefined) return [...containers];
  const n = containers.length;
  const count = typeof replicas === 'number' ? replicas : Math.max(1, Math.ceil((n * Number(replicas.replace('%', ''))) / 100));
  return containers.slice(0, Math.min(n, count));
}
