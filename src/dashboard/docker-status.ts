/**
 * What the engine says about a docker-backed service: its containers (one for `container:`, every
 * container of a compose service, running or not, and the running tasks' containers of a swarm
 * service on this engine) with their state, and how many replicas a swarm service wants.
 */
import type Docker from 'dockerode';
import { bareName, engineAddress, engineClient, engineMessage, isNotFound } from '../drivers/docker/engine.js';
import { describeSelector, labelFilters, type DockerServiceConfig } from '../drivers/docker/target.js';
import type { ContainerView, ServiceState } from './types.js';

/** A container as the engine describes it: the dashboard's view without the stats, plus the OOM mark. */
export interface EngineContainer extends Omit<ContainerView, 'cpuPercent' | 'memoryBytes'> {
  oomKilled: boolean;
}

export interface EngineService {
  engine: string | null;
  containers: EngineContainer[];
  /** Replicas a swarm service wants (null for a global service or another kind). */
  desired: number | null;
  /** Why there are no containers, or why the engine could not be asked. */
  problem?: { state: ServiceState; detail: string };
}

export async function readEngineService(config: DockerServiceConfig, baseDir: string): Promise<EngineService> {
  const engine = engineAddress(config.dockerHost);
  const docker = engineClient(engine);
  try {
    if (config.container !== undefined) {
      try {
        return { engine, containers: [fromInspect(await docker.getContainer(config.container).inspect())], desired: null };
      } catch (err) {
        if (isNotFound(err)) return { engine, containers: [], desired: null, problem: { state: 'missing', detail: `no container ${config.container}` } };
        throw err;
      }
    }
    // Old swarm tasks leave exited containers behind: only the running ones are the service now.
    const list = await docker.listContainers({ all: config.compose !== undefined, filters: { label: labelFilters(config, baseDir) } });
    const containers = (await Promise.all(list.map((c) => inspectIfThere(docker, c.Id)))).filter((c) => c !== undefined);
    containers.sort((a, b) => a.name.localeCompare(b.name));
    const desired = config.swarm ? await desiredReplicas(docker, config.swarm.service) : null;
    const problem = containers.length === 0 ? { state: 'not running' as const, detail: `no containers of ${describeSelector(config, baseDir)}` } : undefined;
    return { engine, containers, desired, ...(problem ? { problem } : {}) };
  } catch (err) {
    return { engine, containers: [], desired: null, problem: { state: 'unknown', detail: `engine: ${engineMessage(err)}` } };
  }
}

async function inspectIfThere(docker: Docker, id: string): Promise<EngineContainer | undefined> {
  try {
    return fromInspect(await docker.getContainer(id).inspect());
  } catch (err) {
    if (isNotFound(err)) return undefined; // removed between the list and the inspect
    throw err;
  }
}

async function desiredReplicas(docker: Docker, service: string): Promise<number | null> {
  try {
    const info = (await docker.getService(service).inspect()) as { Spec?: { Mode?: { Replicated?: { Replicas?: number } } } };
    return info.Spec?.Mode?.Replicated?.Replicas ?? null;
  } catch {
    return null; // not a manager, or the service is gone: the running count still shows
  }
}

function fromInspect(info: Docker.ContainerInspectInfo): EngineContainer {
  const s = info.State;
  const limit = (info.HostConfig as Docker.HostConfig | undefined)?.Memory ?? 0;
  return {
    id: info.Id,
    name: bareName(info.Name),
    state: containerState(s),
    engineHealth: s.Health?.Status ?? null,
    restartCount: info.RestartCount ?? 0,
    startedAt: s.StartedAt,
    exitCode: s.ExitCode,
    oomKilled: s.OOMKilled,
    pid: s.Pid ?? 0,
    memoryLimitBytes: limit > 0 ? limit : null,
  };
}

export function containerState(s: Docker.ContainerInspectInfo['State']): ServiceState {
  if (s.Paused) return 'paused';
  if (s.Restarting) return 'restarting';
  if (s.Running) return 'running';
  if (s.OOMKilled) return 'OOM-killed';
  switch (s.Status) {
    case 'created':
      return 'created';
    case 'dead':
      return 'dead';
    default:
      return 'exited'; // exited, removing
  }
}

/** One state for a service of several containers: theirs when they agree, else `degraded`. */
export function serviceState(containers: readonly { state: ServiceState }[], desired: number | null): ServiceState {
  if (containers.length === 0) return 'not running';
  const running = containers.filter((c) => c.state === 'running').length;
  if (running === containers.length && (desired === null || running >= desired)) return 'running';
  const states = new Set(containers.map((c) => c.state));
  if (states.size === 1 && running === 0) return containers[0]!.state;
  return 'degraded';
}
