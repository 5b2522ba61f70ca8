/**
 * Spawns the system file's `process` services and keeps them running by their restart policy,
 * like a tiny init. Each service runs in its own process group (so stopping it reaches its
 * children too) but stays our child, so exits are observed exactly, not polled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../errors/index.js';
import { formatDuration } from '../../util/duration.js';
import { commandArgs, describeCommand } from './command.js';
import { appendLogLine, tailLog } from './log-file.js';
import { readStartTicks } from '../../util/proc.js';
import { signalGroup } from './signals.js';
import type { ProcessController, ProcessIdentity, ProcessSpec } from './types.js';

export type SupervisorEventType = 'spawn' | 'exit' | 'restart-scheduled' | 'ready';

/** One lifecycle event, stamped with both clocks: wall time for people, monotonic time for analysis. */
export interface SupervisorEvent {
  service: string;
  type: SupervisorEventType;
  pid: number;
  /** exit: the exit code, or null when a signal ended it. */
  code?: number | null;
  signal?: NodeJS.Signals | null;
  /** spawn after a crash (by the restart policy), with its attempt number (1, 2, …); restart-scheduled carries the attempt too. */
  restart?: boolean;
  attempt?: number;
  /** spawn asked for through restart(). */
  requested?: boolean;
  /** restart-scheduled: how long until the respawn, in ms. */
  delay?: number;
  wallTime: number;
  mono: number;
}

export type SupervisorListener = (event: SupervisorEvent) => void;

export interface StartOptions {
  /** Directory the spec's cwd is relative to (the system file's). */
  baseDir: string;
  /** Output goes to `<logDir>/<service>.log`. */
  logDir: string;
  /** When given, start() resolves only once this returns true (polled every 100 ms). */
  isReady?: () => Promise<boolean>;
  signal?: AbortSignal;
}

export interface ServiceStatus {
  pid?: number;
  startTicks?: number;
  running: boolean;
  /** Restarts made by the restart policy (not restart() calls). */
  restarts: number;
  logFile: string;
}

interface Run extends ProcessIdentity {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited: boolean;
}

interface Managed {
  service: string;
  spec: ProcessSpec;
  cwd: string;
  logFile: string;
  run?: Run;
  restarts: number;
  /** Set by stop(): an exit is then final. */
  stopped: boolean;
  timer?: NodeJS.Timeout;
  /** stop() and restart() of one service run one after another. */
  queue: Promise<unknown>;
}

const READY_POLL_MS = 100;
/** After SIGKILL a process normally goes at once; past this it is stuck in the kernel. */
const KILL_GRACE_MS = 5000;

export class ProcessSupervisor implements ProcessController {
  readonly #services = new Map<string, Managed>();
  readonly #events: SupervisorEvent[] = [];
  readonly #listeners = new Set<SupervisorListener>();
  #exitHooked = false;
  // If faultline exits without stopAll() (an uncaught error), its services must not outlive it.
  readonly #onProcessExit = () => {
    for (const m of this.#services.values()) if (m.run && !m.run.hasExited) signalGroup(m.run.pid, 'SIGKILL');
  };

  /** Spawns the service; with `isReady`, resolves once it is ready (and stops it again if it never is). */
  async start(service: string, spec: ProcessSpec, options: StartOptions): Promise<ProcessIdentity> {
    const existing = this.#services.get(service);
    if (existing?.run && !existing.run.hasExited) throw new TargetError(`service ${service} is already running (pid ${existing.run.pid})`, service);
    if (existing) {
      existing.stopped = true; // a respawn still pending for the old entry must not fire
      this.#cancelTimer(existing);
    }
    mkdirSync(options.logDir, { recursive: true });
    const m: Managed = {
      service,
      spec,
      cwd: resolve(options.baseDir, spec.cwd ?? '.'),
      logFile: serviceLogFile(options.logDir, service),
      restarts: 0,
      stopped: false,
      queue: Promise.resolve(),
    };
    this.#services.set(service, m);
    if (!this.#exitHooked) process.on('exit', this.#onProcessExit);
    this.#exitHooked = true;
    const run = await this.#spawn(m, {});
    if (!options.isReady) return { pid: run.pid, startTicks: run.startTicks };
    try {
      const ready = await this.#waitReady(m, options.isReady, options.signal);
      return { pid: ready.pid, startTicks: ready.startTicks };
    } catch (err) {
      await this.stop(service);
      throw err;
    }
  }

  /** Stops the service (stopSignal, then SIGKILL after stopTimeout) and starts it again at once. */
  async restart(service: string): Promise<{ pid: number }> {
    const m = this.#get(service);
    return this.#serial(m, async () => {
      m.stopped = true;
      this.#cancelTimer(m);
      await this.#stopRun(m);
      m.stopped = false;
      const run = await this.#spawn(m, { requested: true });
      return { pid: run.pid };
    });
  }

  /** Stops the service and its whole process group. No restart follows. */
  async stop(service: string): Promise<void> {
    const m = this.#get(service);
    m.stopped = true;
    this.#cancelTimer(m);
    await this.#serial(m, async () => {
      m.stopped = true;
      this.#cancelTimer(m);
      await this.#stopRun(m);
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#services.keys()].map((s) => this.stop(s)));
    process.off('exit', this.#onProcessExit);
    this.#exitHooked = false;
  }

  services(): string[] {
    return [...this.#services.keys()];
  }

  pid(service: string): number | undefined {
    return this.current(service)?.pid;
  }

  /** The running process of the service, or undefined while it is down. */
  current(service: string): ProcessIdentity | undefined {
    const run = this.#services.get(service)?.run;
    return run && !run.hasExited ? { pid: run.pid, startTicks: run.startTicks } : undefined;
  }

  status(service: string): ServiceStatus | undefined {
    const m = this.#services.get(service);
    if (!m) return undefined;
    const cur = this.current(service);
    return { ...cur, running: cur !== undefined, restarts: m.restarts, logFile: m.logFile };
  }

  events(service?: string): SupervisorEvent[] {
    return service === undefined ? [...this.#events] : this.#events.filter((e) => e.service === service);
  }

  /** Calls `listener` for every event from now on. Returns the function that unsubscribes it. */
  onEvent(listener: SupervisorListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #get(service: string): Managed {
    const m = this.#services.get(service);
    if (!m) throw new TargetError(`service ${service} is not supervised here (known: ${this.services().join(', ') || 'none'})`, service);
    return m;
  }

  #serial<T>(m: Managed, fn: () => Promise<T>): Promise<T> {
    const next = m.queue.then(fn);
    m.queue = next.catch(() => undefined);
    return next;
  }

  #cancelTimer(m: Managed): void {
    if (m.timer) clearTimeout(m.timer);
    m.timer = undefined;
  }

  #emit(event: Omit<SupervisorEvent, 'wallTime' | 'mono'>): void {
    const full: SupervisorEvent = { ...event, wallTime: Date.now(), mono: performance.now() };
    this.#events.push(full);
    for (const listener of this.#listeners) {
      try {
        listener(full);
      } catch {
        // A listener's bug must not stop supervision.
      }
    }
  }

  async #spawn(m: Managed, kind: { restart?: true; attempt?: number; requested?: true }): Promise<Run> {
    const { file, args } = commandArgs(m.spec.command);
    // The child writes straight to the file (no pipes through us), so its output survives us.
    const fd = openSync(m.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: m.cwd,
        env: { ...process.env, ...m.spec.env },
        stdio: ['ignore', fd, fd],
        detached: true, // its own process group: stop() signals the group, grandchildren included
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((res) => child.once('error', res));
      appendLogLine(m.logFile, `could not start ${describeCommand(m.spec.command)}: ${err.message}`);
      throw new TargetError(`service ${m.service}: could not start ${describeCommand(m.spec.command)} in ${m.cwd}: ${err.message}`, m.service, { cause: err });
    }
    child.on('error', () => undefined); // errors after a successful spawn surface as exits
    let markExited = () => {};
    const run: Run = { child, pid, startTicks: readStartTicks(pid) ?? 0, hasExited: false, exited: new Promise<void>((res) => (markExited = res)) };
    m.run = run;
    child.once('exit', (code, signal) => {
      run.hasExited = true;
      markExited();
      // What the leader leaves behind dies with it, as in a container whose pid 1 exits.
      signalGroup(pid, 'SIGKILL');
      appendLogLine(m.logFile, `pid ${pid} exited with ${signal ?? `code ${code}`}`);
      this.#emit({ service: m.service, type: 'exit', pid, code, signal });
      if (!m.stopped) this.#scheduleRestart(m, run, code);
    });
    appendLogLine(m.logFile, `started pid ${pid}${kind.restart ? ` (restart ${kind.attempt})` : ''}: ${describeCommand(m.spec.command)}`);
    this.#emit({ service: m.service, type: 'spawn', pid, ...kind });
    return run;
  }

  #scheduleRestart(m: Managed, run: Run, code: number | null): void {
    const policy = m.spec.restart;
    if (!policy || policy.policy === 'never') return;
    if (policy.policy === 'on-failure' && code === 0) return;
    if (policy.maxRestarts !== undefined && m.restarts >= policy.maxRestarts) {
      appendLogLine(m.logFile, `not restarting: ${policy.maxRestarts} restart(s) already made (maxRestarts)`);
      return;
    }
    const attempt = m.restarts + 1;
    this.#emit({ service: m.service, type: 'restart-scheduled', pid: run.pid, attempt, delay: policy.delay });
    m.timer = setTimeout(() => {
      m.timer = undefined;
      // In line with stop() and restart(): a stop that arrives while this respawn is under way
      // waits for it and then stops the new process, instead of finding the old one gone and
      // leaving the new one running unsupervised.
      void this.#serial(m, async () => {
        if (m.stopped) return;
        m.restarts = attempt;
        await this.#spawn(m, { restart: true, attempt });
      }).catch(() => undefined); // already in the log; the service stays down
    }, policy.delay);
  }

  async #stopRun(m: Managed): Promise<void> {
    const run = m.run;
    if (!run || run.hasExited) return;
    signalGroup(run.pid, m.spec.stopSignal);
    // A paused (SIGSTOP'd) process cannot act on SIGTERM until it is continued.
    if (m.spec.stopSignal !== 'SIGKILL') signalGroup(run.pid, 'SIGCONT');
    if (await settlesWithin(run.exited, m.spec.stopTimeout)) return;
    appendLogLine(m.logFile, `pid ${run.pid} still running ${formatDuration(m.spec.stopTimeout)} after ${m.spec.stopSignal}: sending SIGKILL`);
    signalGroup(run.pid, 'SIGKILL');
    if (!(await settlesWithin(run.exited, KILL_GRACE_MS))) {
      throw new TargetError(`service ${m.service}: pid ${run.pid} did not exit after SIGKILL (stuck in the kernel?)`, m.service);
    }
  }

  async #waitReady(m: Managed, isReady: () => Promise<boolean>, signal?: AbortSignal): Promise<Run> {
    const deadline = performance.now() + m.spec.readyTimeout;
    for (;;) {
      signal?.throwIfAborted();
      if (m.stopped) throw new TargetError(`service ${m.service} was stopped before it became ready`, m.service);
      const run = m.run;
      const remaining = deadline - performance.now();
      if (run && !run.hasExited && (await readyWithin(isReady, remaining)) && !run.hasExited) {
        this.#emit({ service: m.service, type: 'ready', pid: run.pid });
        return run;
      }
      if (!m.run || (m.run.hasExited && !m.timer)) throw this.#notReady(m, 'exited before it became ready');
      if (performance.now() >= deadline) throw this.#notReady(m, `was not ready within ${formatDuration(m.spec.readyTimeout)}`);
      await sleep(Math.min(READY_POLL_MS, Math.max(0, deadline - performance.now())), undefined, { signal });
    }
  }

  #notReady(m: Managed, what: string): TargetError {
    const tail = tailLog(m.logFile);
    return new TargetError(
      `service ${m.service} ${what} (command: ${describeCommand(m.spec.command)}; log: ${m.logFile})` + (tail ? `\n--- last lines of the log ---\n${tail}` : ''),
      m.service,
    );
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((res) => (timer = setTimeout(res, ms, false)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** isReady() with a cap, so a hanging check cannot stretch the ready timeout; a throwing one counts as not ready. */
async function readyWithin(isReady: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((res) => (timer = setTimeout(res, Math.max(ms, 0), false)));
  try {
    return await Promise.race([isReady().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where a service's output goes. */
export function serviceLogFile(logDir: string, service: string): string {
  return resolve(logDir, `${service}.log`);
}
