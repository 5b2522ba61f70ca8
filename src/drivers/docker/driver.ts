/**
 * The docker driver: resolves `container:`, `compose:` and `swarm:` services into their running
 * containers (see target.ts), watches the Engine's event stream for them during a run, and hands
 * the linux driver the containers' host pids, so network and resource faults act inside a
 * container's network namespace and cgroups.
 */
import { TargetError } from '../../errors/index.js';
import type { DriverContext, ServiceDriver, SystemView, TargetRefParts } from '../../faults/driver.js';
import { engineAddress, isLocalEngine } from './engine.js';
import { EngineEventWatcher, type DockerServiceEvent, type WatchedService } from './events.js';
import { isDockerService, resolveDockerTarget, type DockerServiceConfig, type DockerTarget } from './target.js';

export class DockerDriver implements ServiceDriver<DockerTarget> {
  readonly name = 'docker';
  private readonly watchers: EngineEventWatcher[] = [];

  checkTarget(ref: TargetRefParts, _system: SystemView): string | undefined {
    if (ref.sub !== undefined) return `docker faults act on a whole service, not on a proxy link: use "${ref.service}"`;
    if (isDockerService(ref.config)) return undefined;
    if (Object.keys(ref.config).length === 0) return `unknown service "${ref.service}"`;
    const has = ['process', 'pid', 'pidFile', 'match', 'endpoint'].find((k) => ref.config[k] !== undefined);
    return `service "${ref.service}" is not a Docker service${has ? ` (its target is ${has})` : ''}: container-* faults need container, compose or swarm in the system file`;
  }

  /** Watch the Engine's events for the system's docker services, when there are any and the run records events. */
  async start(system: SystemView, ctx: DriverContext): Promise<void> {
    const services: WatchedService[] = Object.entries(system.services)
      .filter(([, config]) => isDockerService(config))
      .map(([name, config]) => ({ name, config: config as DockerServiceConfig }));
    if (services.length === 0 || !ctx.serviceEvent) return;
    const sink = ctx.serviceEvent.bind(ctx);
    const byEngine = new Map<string | null, WatchedService[]>();
    for (const s of services) {
      const engine = engineAddress(s.config.dockerHost);
      byEngine.set(engine, [...(byEngine.get(engine) ?? []), s]);
    }
    for (const [engine, list] of byEngine) {
      const watcher = new EngineEventWatcher(engine, list, ctx.baseDir, (e: DockerServiceEvent) => sink(e), (m) => ctx.log(m), isLocalEngine(engine));
      try {
        await watcher.start();
        this.watchers.push(watcher);
      } catch (err) {
        // Faults still work without the stream; say what is not recorded.
        ctx.log(`docker: cannot watch the engine's events (${(err as Error).message}): container restarts and OOM kills will not be in the journal`);
      }
    }
  }

  async resolve(ref: TargetRefParts, _system: SystemView, ctx: DriverContext): Promise<DockerTarget[]> {
    if (!isDockerService(ref.config)) throw new TargetError(this.checkTarget(ref, _system) ?? `service ${ref.service} is not a Docker service`, ref.service);
    return [await resolveDockerTarget(ref.service, ref.config as DockerServiceConfig, ctx.baseDir)];
  }

  async stop(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.stop();
  }
}

/**
 * A docker service's processes as the linux driver wants them: each running container's main
 * process (its pid on this host and start time). Its descendants, network namespace and cgroups
 * are the container's.
 */
export async function dockerProcesses(service: string, config: DockerServiceConfig, baseDir: string): Promise<{ pid: number; startTicks: number; label: string }[]> {
  const engine = engineAddress(config.dockerHost);
  if (!isLocalEngine(engine)) throw new TargetError(`service ${service}: linux faults act on a container's processes on this machine, but its Docker engine is remote (${engine})`, service);
  const target = await resolveDockerTarget(service, config, baseDir);
  return target.containers.flatMap((c) => (c.pid > 0 && c.startTicks !== undefined ? [{ pid: c.pid, startTicks: c.startTicks, label: `${service} (container ${c.name}, pid ${c.pid})` }] : []));
}
