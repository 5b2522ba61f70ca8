/**
 * The running system as an experiment sees it: starts the `process` services it has to (unless a
 * `faultline up` daemon started from this same system file supervises them — see up-match.ts),
 * resolves fault targets through the drivers, and stops what it started. Supervisor events are forwarded with run-relative times.
 */
import { join } from 'node:path';
import { TargetError } from '../../errors/index.js';
import type { FaultKind, FaultTarget } from '../../faults/types.js';
import type { DriverContext, ServiceDriver, SystemView } from '../../faults/driver.js';
import { builtinDrivers, kindForService } from '../../drivers/index.js';
import { dockerProcesses, isDockerService, type DockerServiceConfig } from '../../drivers/docker/index.js';
import { ProcessSupervisor } from '../../drivers/process/supervisor.js';
import { resolveProcessTargets } from '../../drivers/process/target.js';
import { readUpState } from '../../drivers/process/up-state.js';
import { UpClient } from '../../drivers/process/up-client.js';
import type { ProcessController } from '../../drivers/process/types.js';
import type { LoadedSystem } from '../loader/load-system.js';
import { splitTarget } from '../loader/check-references.js';
import { checkHealth } from './health.js';
import { systemFingerprint, upMismatch } from './up-match.js';

export interface SupervisorEventOut {
  service: string;
  type: 'spawn' | 'exit' | 'restart-scheduled' | 'ready';
  pid?: number;
  code?: number | null;
  signal?: string | null;
  restart?: boolean;
  wallTime: number;
  /** performance.now() of the event, in this process; undefined when it came from another process. */
  mono?: number;
  /** Docker services: the container it happened to, and whether the kernel's OOM killer ended it. */
  container?: string;
  oom?: boolean;
}

export interface SystemRuntimeOptions {
  stateDir: string;
  onEvent?: (event: SupervisorEventOut) => void;
  /** A process this runtime's own supervisor spawned (`spawn`) or saw exit (`exit`): what the ledger records so a crashed run stops them. */
  onOwnProcess?: (event: { type: 'spawn' | 'exit'; service: string; pid: number }) => void;
  log?: (message: string) => void;
}

/** Stands for "the process driver" when other drivers ask for a service's processes. */
const processKind = { driver: 'process', name: 'processes' } as FaultKind;

export class SystemRuntime {
  readonly supervisor = new ProcessSupervisor();
  private up: UpClient | undefined;
  private readonly upServices = new Set<string>();
  private readonly started: string[] = [];
  /** One instance of each registered driver for this run. */
  private readonly drivers: Record<string, ServiceDriver> = Object.fromEntries(Object.entries(builtinDrivers).map(([name, make]) => [name, make()]));
  private readonly startedDrivers: ServiceDriver[] = [];

  constructor(
    readonly loaded: LoadedSystem,
    private readonly options: SystemRuntimeOptions,
  ) {
    this.supervisor.onEvent((e) => {
      const type = e.type;
      if ((type === 'spawn' || type === 'exit') && e.pid !== undefined) this.options.onOwnProcess?.({ type, service: e.service, pid: e.pid });
      this.options.onEvent?.({ service: e.service, type, pid: e.pid, code: e.code, signal: e.signal, restart: e.restart, wallTime: e.wallTime, mono: e.mono });
    });
  }

  /** Start every `process` service not already run by `faultline up`, dependencies first, and wait until each is ready. */
  private get view(): SystemView {
    const { services, kubernetes } = this.loaded.system;
    return { services: services as unknown as SystemView['services'], ...(kubernetes ? { kubernetes } : {}) };
  }

  private driverContext(signal?: AbortSignal): DriverContext {
    return {
      baseDir: this.loaded.dir,
      stateDir: this.options.stateDir,
      signal,
      log: (m) => this.options.log?.(m),
      processesOf: async (service) => {
        const svc = this.loaded.system.services[service];
        // A container's processes: its main process on this host (the linux faults then act in its namespace and cgroups).
        if (svc && isDockerService(svc)) return dockerProcesses(service, svc as DockerServiceConfig, this.loaded.dir);
        return (await this.resolve(processKind, service)) as unknown as { pid: number; startTicks: number; label: string }[];
      },
      serviceEvent: (e) => this.options.onEvent?.(e),
    };
  }

  async start(signal?: AbortSignal, options: { startServices?: boolean } = {}): Promise<void> {
    // Drivers first: services may connect through what they start (the fault proxy's listeners).
    for (const driver of Object.values(this.drivers)) {
      if (!driver.start) continue;
      this.startedDrivers.push(driver);
      await driver.start(this.view, this.driverContext(signal));
    }
    const upState = await readUpState(this.options.stateDir);
    const notOurs = upState ? upMismatch(upState, await systemFingerprint(this.loaded.absPath)) : undefined;
    if (upState && !notOurs) this.up = new UpClient(upState);
    for (const name of startOrder(this.loaded)) {
      const svc = this.loaded.system.services[name]!;
      if (!svc.process) continue;
      const upRunsOne = upState?.services.includes(name) === true;
      if (upRunsOne && !notOurs) {
        this.upServices.add(name);
        this.options.log?.(`${name}: supervised by faultline up (pid ${upState!.pid})`);
        continue;
      }
      if (upRunsOne) this.options.log?.(`${name}: not using faultline up's ${name}: ${notOurs}`);
      signal?.throwIfAborted();
      if (options.startServices === false) continue; // attach-only: the driver says so if it is needed and not running
      const health = svc.health;
      // A healthy answer before we start it means something else serves it: our copy would fail
      // to bind, and faults would hit the wrong process.
      if (health && (await checkHealth(health, { cwd: this.loaded.dir, signal })).ok) {
        const why = upRunsOne ? ` A ${name} runs under faultline up, which this run does not use: ${notOurs}.` : '';
        throw new TargetError(
          `${name} is already running (its health check passes before faultline started it).${why} Stop it, or let \`faultline up\` supervise it, or attach to it with pid/pidFile/match in ${this.loaded.file}`,
          name,
        );
      }
      this.options.log?.(`starting ${name}`);
      await this.supervisor.start(name, svc.process, {
        baseDir: this.loaded.dir,
        logDir: join(this.options.stateDir, 'logs'),
        isReady: health ? async () => (await checkHealth(health, { cwd: this.loaded.dir, signal })).ok : undefined,
        signal,
      });
      this.started.push(name);
    }
  }

  /** Whom to ask to restart a supervised service: this process's supervisor or the up daemon. */
  controllerFor(service: string): ProcessController | undefined {
    if (this.upServices.has(service)) return this.up;
    if (this.started.includes(service)) return this.supervisor;
    return undefined;
  }

  /** The kind a fault name means on a reference's service (net-delay on a kubernetes service is Chaos Mesh's). */
  kindFor(kinds: Record<string, FaultKind>, name: string, ref: string): FaultKind {
    const [service] = splitTarget(ref);
    const svc = Object.hasOwn(this.loaded.system.services, service) ? this.loaded.system.services[service] : undefined;
    const kind = kindForService(kinds, name, svc as Readonly<Record<string, unknown>> | undefined);
    if (!kind) throw new TargetError(`unknown fault kind "${name}"`, service);
    return kind;
  }

  /** Concrete targets for one reference (`api`, `api.db`) and one fault kind. */
  async resolve(kind: FaultKind, ref: string): Promise<FaultTarget[]> {
    const [serviceName] = splitTarget(ref);
    const svc = this.loaded.system.services[serviceName];
    if (!svc && kind.driver === 'process') throw new TargetError(`unknown service "${serviceName}"`, serviceName);
    if (svc && kind.driver === 'process' && isDockerService(svc)) {
      throw new TargetError(`service ${serviceName} is a Docker service: ${kind.name} acts on processes; use the container-* faults in an experiment (container-kill, container-pause, …; see docs/docker.md)`, serviceName);
    }
    if (svc && kind.driver === 'process') {
      return resolveProcessTargets(serviceName, svc, {
        baseDir: this.loaded.dir,
        supervisor: this.upServices.has(serviceName) ? this.up : this.started.includes(serviceName) ? this.supervisor : undefined,
        controller: this.controllerFor(serviceName),
      });
    }
    const driver = this.drivers[kind.driver];
    if (!driver) throw new TargetError(`no driver "${kind.driver}" for fault ${kind.name}`, serviceName);
    const [, sub] = splitTarget(ref);
    return driver.resolve({ service: serviceName, ...(sub !== undefined ? { sub } : {}), config: (svc ?? {}) as unknown as Record<string, unknown> }, this.view, this.driverContext());
  }

  /** Restart a service (rollback action): through its supervisor, or the process driver's restart. */
  async restart(service: string, kinds: Record<string, FaultKind>, ctx: Parameters<FaultKind['inject']>[2]): Promise<string> {
    const controller = this.controllerFor(service);
    if (controller) {
      const { pid } = await controller.restart(service);
      return `restarted ${service} (pid ${pid})`;
    }
    const svc = this.loaded.system.services[service];
    const docker = svc !== undefined && isDockerService(svc);
    const kind = docker ? kinds['container-restart'] : kinds.restart;
    if (!kind) throw new TargetError(`no ${docker ? 'container-restart' : 'restart'} fault kind registered`, service);
    const targets = await this.resolve(kind, service);
    for (const target of targets) await kind.inject(target, kind.params.parse({}), ctx);
    return `restarted ${targets.map((t) => t.label).join(', ')}`;
  }

  /**
   * Lifecycle events of the services `faultline up` supervises happened in another process: fetch
   * the ones since `sinceWall` so restarts are in the journal too (wall-clock times only).
   */
  async collectUpEvents(sinceWall: number): Promise<void> {
    if (!this.up || this.upServices.size === 0) return;
    const services = await this.up.services().catch(() => ({}) as Awaited<ReturnType<UpClient['services']>>);
    for (const name of this.upServices) {
      for (const e of services[name]?.events ?? []) {
        if (e.wallTime < sinceWall) continue;
        this.options.onEvent?.({ service: e.service, type: e.type, pid: e.pid, code: e.code, signal: e.signal, restart: e.restart, wallTime: e.wallTime });
      }
    }
  }

  /** Stop what this runtime started (never what `up` or someone else runs). */
  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    for (const driver of this.startedDrivers.reverse()) await driver.stop?.();
  }
}

/** Services in dependency order: a service starts after everything it dependsOn. */
export function startOrder(loaded: LoadedSystem): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of loaded.system.services[name]?.dependsOn ?? []) visit(dep);
    out.push(name);
  };
  Object.keys(loaded.system.services).forEach(visit);
  return out;
}
