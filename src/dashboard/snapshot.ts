/**
 * Gathers one dashboard snapshot: every service's state, health, restarts and resources, the
 * ledger's open faults and the runs in progress. One collector lives as long as the dashboard:
 * it remembers what the last frame saw, so restarts count from its start and CPU is a rate
 * between frames. Nothing here writes anywhere.
 */
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import { checkHealth } from '../experiment/runtime/health.js';
import type { ServiceConfig } from '../experiment/schema/system.js';
import { DockerStats } from './docker-stats.js';
import { Latest } from './latest.js';
import { readEngineService, serviceState } from './docker-status.js';
import { readLedgerView, type StartedProcess } from './ledger-status.js';
import { cpuPercent, sampleProcessGroups, type ProcSample } from './proc-stats.js';
import { readProcessService, readUp, type ProcessStatus, type UpView } from './process-status.js';
import { RestartTracker, type InstanceObservation } from './restarts.js';
import { clusterRefFor } from '../drivers/kubernetes/target.js';
import { readKubernetesService } from './kubernetes-view.js';
import type { ContainerView, HealthView, ServiceKind, ServiceView, Snapshot } from './types.js';

/** A health check in flight this long (and 3× longer than the last one took) shows as `waiting`. */
const WAITING_AFTER_MS = 1000;

/** A one-shot snapshot measures process CPU over at least this long (ticks are 10 ms apart). */
const MIN_CPU_WINDOW_MS = 500;

export interface CollectOptions {
  /** Wait for fresh container stats (a one-shot snapshot); a live frame uses the last ones known. */
  wait: boolean;
}

export function serviceKind(svc: ServiceConfig): ServiceKind {
  if (svc.container !== undefined) return 'container';
  if (svc.compose !== undefined) return 'compose';
  if (svc.swarm !== undefined) return 'swarm';
  if (svc.endpoint !== undefined) return 'endpoint';
  if (svc.kubernetes !== undefined) return 'kubernetes';
  return 'process';
}

/** A service as gathered, before health and the restart count are added. */
type Gathered = Omit<ServiceView, 'health' | 'restarts'> & {
  /** What the restart count is taken from. */
  instances: InstanceObservation[];
  /** Process group leaders to sample from /proc. */
  leaders: number[];
  /** The supervisor's own restart count. */
  restarts: number | null;
};

export class SnapshotCollector {
  readonly #since = new Date();
  readonly #restarts = new RestartTracker();
  readonly #stats: DockerStats;
  readonly #healthChecks = new Latest<HealthView>();
  #procPrevious = new Map<number, ProcSample>();

  /** `signal`: aborted when the dashboard ends, to stop probes and engine calls in flight. */
  constructor(
    readonly system: LoadedSystem,
    readonly stateDir: string,
    readonly signal?: AbortSignal,
  ) {
    this.#stats = new DockerStats(signal);
  }

  async collect({ wait }: CollectOptions): Promise<Snapshot> {
    const services = Object.entries(this.system.system.services);
    const needsUp = services.some(([, svc]) => svc.process !== undefined);
    const [up, ledger] = await Promise.all([needsUp ? readUp(this.stateDir) : undefined, readLedgerView(this.stateDir)]);
    const [states, health] = await Promise.all([
      Promise.all(services.map(([name, svc]) => this.#state(name, svc, up, ledger.started, wait))),
      Promise.all(services.map(([name, svc]) => this.#health(name, svc, wait))),
    ]);
    await this.#processResources(states, wait);
    this.#stats.retain(new Set(states.flatMap((s) => s.containers.map((c) => c.id))));
    return {
      at: new Date().toISOString(),
      since: this.#since.toISOString(),
      system: { name: this.system.system.name ?? null, file: this.system.absPath },
      stateDir: this.stateDir,
      up: up ? { pid: up.pid } : null,
      services: states.map((s, i) => ({
        name: s.name,
        kind: s.kind,
        state: s.state,
        replicas: s.replicas,
        health: health[i]!,
        restarts: { sinceStart: this.#restarts.observe(s.name, s.instances), total: s.restarts },
        cpuPercent: s.cpuPercent,
        memoryBytes: s.memoryBytes,
        memoryLimitBytes: s.memoryLimitBytes,
        pids: s.pids,
        detail: s.detail,
        containers: s.containers,
      })),
      openFaults: ledger.openFaults,
      runs: ledger.runs,
      warnings: ledger.warnings,
    };
  }

  /** The latest health check; a live frame waits only for a service's first. */
  async #health(name: string, svc: ServiceConfig, wait: boolean): Promise<HealthView> {
    const health = svc.health;
    if (!health) return { status: 'none', latencyMs: null, observed: 'no health check' };
    const check = async (): Promise<HealthView> => {
      try {
        const r = await checkHealth(health, { cwd: this.system.dir, signal: this.signal });
        return { status: r.ok ? 'healthy' : 'unhealthy', latencyMs: Math.round(r.latencyMs * 10) / 10, observed: r.said ?? r.observed };
      } catch (err) {
        return { status: 'unhealthy', latencyMs: null, observed: (err as Error).message };
      }
    };
    const latest = (await this.#healthChecks.get(name, check, wait || !this.#healthChecks.has(name)))!;
    // A check that outlasts its predecessor many times over says more than the previous answer.
    const waited = this.#healthChecks.pendingFor(name);
    if (waited !== undefined && waited > Math.max(WAITING_AFTER_MS, 3 * (latest.latencyMs ?? 0))) {
      return { status: 'waiting', latencyMs: Math.round(waited), observed: `no answer yet after ${Math.round(waited)}ms` };
    }
    return latest;
  }

  async #state(name: string, svc: ServiceConfig, up: UpView | undefined, started: readonly StartedProcess[], wait: boolean): Promise<Gathered> {
    const kind = serviceKind(svc);
    const base = { name, kind, replicas: null, containers: [], pids: [], cpuPercent: null, memoryBytes: null, memoryLimitBytes: null };
    if (kind === 'endpoint') return { ...base, state: '-', detail: svc.endpoint ?? '', instances: [], leaders: [], restarts: null };
    if (kind === 'process') return { ...base, ...fromProcess(readProcessService(name, svc, this.system.dir, up, started)) };
    if (kind === 'kubernetes') {
      const k = await readKubernetesService(clusterRefFor(this.system.system.kubernetes, this.system.dir), svc.kubernetes!);
      return { ...base, ...k, instances: [], leaders: [], restarts: 'restarts' in k ? k.restarts : null };
    }
    return { ...base, ...(await this.#docker(svc, kind, wait)) };
  }

  async #docker(svc: ServiceConfig, kind: ServiceKind, wait: boolean) {
    const engine = await readEngineService(svc, this.system.dir);
    const containers: ContainerView[] = await Promise.all(
      engine.containers.map(async (c) => {
        const r = c.state === 'running' ? await this.#stats.read(engine.engine, c.id, wait) : undefined;
        const { oomKilled: _oom, ...rest } = c;
        return { ...rest, cpuPercent: r?.cpuPercent ?? null, memoryBytes: r?.memoryBytes ?? null };
      }),
    );
    const replicas = kind === 'container' ? null : { running: containers.filter((c) => c.state === 'running').length, desired: engine.desired ?? containers.length };
    return {
      state: engine.problem?.state ?? serviceState(containers, engine.desired),
      replicas,
      containers,
      pids: containers.map((c) => c.pid).filter((p) => p > 0),
      cpuPercent: sum(containers.map((c) => c.cpuPercent)),
      memoryBytes: sum(containers.map((c) => c.memoryBytes)),
      memoryLimitBytes: containers.length > 0 && containers.every((c) => c.memoryLimitBytes !== null) ? sum(containers.map((c) => c.memoryLimitBytes)) : null,
      detail: engine.problem?.detail ?? containerDetail(engine.containers),
      instances: containers.map((c) => ({ id: c.id, restarts: c.restartCount, mark: c.startedAt })),
      leaders: [],
      restarts: engine.containers.length > 0 ? engine.containers.reduce((n, c) => n + c.restartCount, 0) : null,
    };
  }

  /** CPU and memory of process services: a rate between this frame and the last (or a short window on the first). */
  async #processResources(states: Gathered[], wait: boolean): Promise<void> {
    const leaders = states.flatMap((s) => s.leaders);
    if (leaders.length === 0) return;
    if (wait && leaders.some((p) => !this.#procPrevious.has(p))) {
      const first = sampleProcessGroups(leaders);
      for (const [pid, s] of first) this.#procPrevious.set(pid, s);
      await new Promise((r) => setTimeout(r, MIN_CPU_WINDOW_MS));
    }
    const now = sampleProcessGroups(leaders);
    for (const s of states) {
      const samples = s.leaders.map((p) => now.get(p)).filter((x) => x !== undefined);
      if (samples.length === 0) continue;
      s.cpuPercent = sum(s.leaders.map((p) => (now.has(p) ? cpuPercent(this.#procPrevious.get(p), now.get(p)!) : null)));
      s.memoryBytes = samples.reduce((n, x) => n + x.rssBytes, 0);
      s.pids = [...new Set(samples.flatMap((x) => x.pids))].sort((a, b) => a - b);
    }
    this.#procPrevious = now;
  }
}

function fromProcess(p: ProcessStatus) {
  return {
    state: p.state,
    detail: p.detail,
    pids: p.pids,
    leaders: p.pids,
    instances: p.restartsTotal === null && p.instance === '' ? [] : [{ id: 'process', restarts: p.restartsTotal ?? 0, mark: p.instance }],
    restarts: p.restartsTotal,
  };
}

function containerDetail(containers: readonly { name: string; state: string; engineHealth: string | null; exitCode: number; oomKilled: boolean }[]): string {
  return containers
    .map((c) => {
      const notes = [c.engineHealth && c.engineHealth !== 'healthy' ? c.engineHealth : '', c.state !== 'running' && c.exitCode !== 0 ? `exit ${c.exitCode}` : '', c.oomKilled ? 'OOM-killed' : ''].filter(Boolean);
      return notes.length ? `${c.name} (${notes.join(', ')})` : c.name;
    })
    .join(', ');
}

/** The sum of the known values, or null when none is known. */
function sum(values: readonly (number | null)[]): number | null {
  const known = values.filter((v) => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
