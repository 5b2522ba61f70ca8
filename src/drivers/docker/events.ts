/**
 * The Engine's event stream, for the containers of a run's docker services: deaths (with the exit
 * code, and whether the kernel's OOM killer did it), starts (a restart when the engine or Swarm
 * brought the service back after a death it did not cause by hand), health turning healthy
 * (`ready`), and pauses, kills and stops as log lines. Events carry the engine's own timestamps,
 * so a restart is placed on the run's clock where it happened, not where it was read.
 */
import type { Readable } from 'node:stream';
import { engineClient, shortId, streamingClient } from './engine.js';
import { composeProject, type DockerServiceConfig } from './target.js';

export interface DockerServiceEvent {
  service: string;
  type: 'spawn' | 'exit' | 'ready';
  container: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  restart?: boolean;
  oom?: boolean;
  wallTime: number;
  mono?: number;
}

interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const ACTIONS = ['die', 'oom', 'start', 'restart', 'health_status', 'kill', 'stop', 'pause', 'unpause'];

export interface WatchedService {
  name: string;
  config: DockerServiceConfig;
}

/** Which service an event's container belongs to. */
export function serviceOf(services: readonly WatchedService[], baseDir: string, id: string, attrs: Record<string, string>): string | undefined {
  for (const { name, config } of services) {
    if (config.container !== undefined) {
      const want = config.container.replace(/^\//, '');
      if (attrs.name === want || (want.length >= 12 && id.startsWith(want))) return name;
    } else if (config.compose) {
      if (attrs['com.docker.compose.service'] === config.compose.service && attrs['com.docker.compose.project'] === composeProject(config, baseDir) && attrs['com.docker.compose.oneoff'] !== 'True') return name;
    } else if (config.swarm) {
      if (attrs['com.docker.swarm.service.name'] === config.swarm.service) return name;
    }
  }
  return undefined;
}

export class EngineEventWatcher {
  private stream: Readable | undefined;
  private stopped = false;
  /** Deaths per service the engine did not cause by hand (crash, OOM): the next start is a restart. */
  private readonly pendingDeaths = new Map<string, number>();
  /** Containers the engine was told to kill or stop: their death is manual. */
  private readonly manual = new Set<string>();
  private readonly oomKilled = new Set<string>();
  readonly events: DockerServiceEvent[] = [];

  constructor(
    private readonly engine: string | null,
    private readonly services: readonly WatchedService[],
    private readonly baseDir: string,
    private readonly sink: (e: DockerServiceEvent) => void,
    private readonly log: (m: string) => void,
    private readonly local: boolean,
  ) {}

  async start(): Promise<void> {
    const docker = streamingClient(this.engine);
    const stream = (await docker.getEvents({ filters: { type: ['container'], event: ACTIONS } })) as unknown as Readable;
    this.stream = stream;
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          this.handle(JSON.parse(line) as EngineEvent);
        } catch {
          /* a line that is not an event: ignore */
        }
      }
    });
    stream.on('error', (err) => {
      if (!this.stopped) this.log(`docker: the engine's event stream failed: ${err.message}; restarts and OOM kills are no longer recorded`);
    });
    stream.on('end', () => {
      if (!this.stopped) this.log('docker: the engine closed its event stream (did dockerd restart?); restarts and OOM kills are no longer recorded');
    });
  }

  stop(): void {
    this.stopped = true;
    this.stream?.destroy();
  }

  handle(e: EngineEvent): void {
    const action = e.Action ?? e.status ?? '';
    const id = e.Actor?.ID ?? e.id ?? '';
    const attrs = e.Actor?.Attributes ?? {};
    const service = serviceOf(this.services, this.baseDir, id, attrs);
    if (!service) return;
    const container = attrs.name ?? shortId(id);
    const wallTime = e.timeNano !== undefined ? e.timeNano / 1e6 : (e.time ?? Date.now() / 1000) * 1000;
    const at = { wallTime, ...(this.local ? { mono: performance.now() - (Date.now() - wallTime) } : {}) };
    const swarm = attrs['com.docker.swarm.service.name'] !== undefined;
    switch (action.split(':')[0]) {
      case 'kill':
      case 'stop':
        this.manual.add(id);
        if (action === 'kill') this.log(`docker: ${container} (${service}) sent signal ${attrs.signal ?? '?'} by the engine`);
        return;
      case 'oom':
        this.oomKilled.add(id);
        this.log(`OOM: the kernel killed a process of container ${container} (${service}): it hit its memory limit`);
        return;
      case 'die': {
        const oom = this.oomKilled.delete(id);
        const manual = this.manual.delete(id) && !oom;
        if (!manual || swarm) this.pendingDeaths.set(service, (this.pendingDeaths.get(service) ?? 0) + 1);
        const code = attrs.exitCode !== undefined ? Number(attrs.exitCode) : null;
        this.emit({ service, type: 'exit', container, code, ...(oom ? { oom: true, signal: 'SIGKILL' } : {}), ...at });
        return;
      }
      case 'start': {
        const pending = this.pendingDeaths.get(service) ?? 0;
        if (pending > 0) this.pendingDeaths.set(service, pending - 1);
        const event: DockerServiceEvent = { service, type: 'spawn', container, ...(pending > 0 ? { restart: true } : {}), ...at };
        // The event has no pid: ask for it (the container may be gone again by then).
        void engineClient(this.engine)
          .getContainer(id)
          .inspect()
          .then((info) => (info.State.Pid > 0 ? { ...event, pid: info.State.Pid } : event))
          .catch(() => event)
          .then((e) => this.emit(e));
        return;
      }
      case 'health_status': {
        const status = action.slice('health_status:'.length).trim();
        if (status === 'healthy') this.emit({ service, type: 'ready', container, ...at });
        else if (status === 'unhealthy') this.log(`docker: ${container} (${service}) is unhealthy by its own health check`);
        return;
      }
      case 'pause':
      case 'unpause':
        this.log(`docker: ${container} (${service}) ${action}d`);
        return;
      default:
        return;
    }
  }

  private emit(e: DockerServiceEvent): void {
    this.events.push(e);
    this.sink(e);
  }
}

