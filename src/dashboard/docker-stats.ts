/**
 * CPU and memory of containers from the Engine API's stats, one sample per call (`stream=false`).
 * The engine answers such a call only after its next sampling tick (about a second), with the
 * previous tick's figures alongside, so one call gives a CPU rate. A live dashboard must not wait
 * that second on every frame: it draws the latest figures it has and asks for fresh ones in the
 * background; a one-shot snapshot waits for them.
 */
import type Docker from 'dockerode';
import { engineClient } from '../drivers/docker/engine.js';
import { Latest } from './latest.js';

export interface ContainerResources {
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** The fields of a stats answer that the figures come from (cgroup v1 and v2 name the page cache differently). */
interface StatsAnswer {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: Record<string, number | undefined> };
}

/**
 * The figures `docker stats` shows: CPU as percent of one core over the engine's last sampling
 * interval, memory as usage minus the inactive page cache (which the kernel reclaims first).
 */
export function resourcesFromStats(answer: unknown): ContainerResources {
  const s = answer as StatsAnswer;
  const total = s.cpu_stats?.cpu_usage?.total_usage;
  const preTotal = s.precpu_stats?.cpu_usage?.total_usage;
  const system = s.cpu_stats?.system_cpu_usage;
  const preSystem = s.precpu_stats?.system_cpu_usage;
  let cpuPercent: number | null = null;
  if (total !== undefined && preTotal !== undefined && system !== undefined && preSystem !== undefined && system > preSystem) {
    const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
    cpuPercent = (Math.max(0, total - preTotal) / (system - preSystem)) * cpus * 100;
  }
  const usage = s.memory_stats?.usage;
  const stats = s.memory_stats?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const memoryBytes = usage === undefined ? null : inactive < usage ? usage - inactive : usage;
  return { cpuPercent, memoryBytes };
}

/** The latest figures per container, refreshed one engine call at a time per container. */
export class DockerStats {
  readonly #latest = new Latest<ContainerResources>();

  constructor(readonly signal?: AbortSignal) {}

  /**
   * Figures of a running container. With `wait`, fresh ones (about a second); without, the last
   * ones known (undefined before the first answer) while a fresh call runs in the background.
   */
  read(engine: string | null, id: string, wait: boolean): Promise<ContainerResources | undefined> {
    return this.#latest.get(id, () => this.#fetch(engine, id), wait);
  }

  /** Forget containers no longer shown (removed, replaced). */
  retain(ids: ReadonlySet<string>): void {
    this.#latest.retain(ids);
  }

  async #fetch(engine: string | null, id: string): Promise<ContainerResources> {
    const container: Docker.Container = engineClient(engine).getContainer(id);
    return resourcesFromStats(await container.stats({ stream: false, ...(this.signal ? { abortSignal: this.signal } : {}) }));
  }
}
