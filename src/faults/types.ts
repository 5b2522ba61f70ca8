/**
 * The contract every fault kind implements. This folder imports nothing else of faultline's:
 * drivers depend on it, never the other way round.
 *
 * A fault's life: `plan()` computes the plain-JSON undo *before* anything happens (the runner
 * writes it to the ledger, fsync'd), `inject()` applies the fault, and `revert(info)` undoes it
 * from that plain JSON alone — so the same code path serves the live run, Ctrl-C, and
 * `faultline recover` in a fresh process after a crash. `revert` must be idempotent.
 */
import type { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type RevertInfo = { [key: string]: JsonValue };

/** How a fault relates to time: held for a `duration` and then reverted, or a single action. */
export type FaultTiming = 'held' | 'instant';

export interface FaultContext {
  /** Aborted on guardrail trips, emergency stop, Ctrl-C. Long operations must honour it. */
  signal: AbortSignal;
  runId: string;
  /**
   * How long the step holds the fault, when it says: a fault that something else ends on a
   * timer (a Chaos Mesh resource's `duration`) is given it, so it ends even if faultline dies.
   */
  durationMs?: number;
  log(message: string): void;
  /** What plan() returned for this injection, as the ledger has it (names chosen there, e.g. a resource's). */
  revertInfo?: RevertInfo;
  /**
   * For a held fault's inject: called if the fault stops acting on its own before it is reverted
   * (a proxy toxic whose keep-alive lapsed), so the run can say so instead of reporting a fault
   * it no longer holds.
   */
  onLost?(reason: string): void;
}

/** What a driver hands a fault kind: a concrete thing to act on, resolved from a service. */
export interface FaultTarget {
  /** The service (from the system file) this target belongs to. */
  service: string;
  /** A short human label such as `api (pid 4242)`. */
  label: string;
  /** On another machine (a remote Docker engine, a Kubernetes cluster): a run asks before touching it. */
  remote?: boolean;
}

export interface InjectResult {
  /** Facts worth keeping in the journal (the pid killed, the new pid after a restart, …). */
  details?: { [key: string]: JsonValue };
}

export interface FaultKind<Params = unknown, Target extends FaultTarget = FaultTarget> {
  /** The name used in experiment files: `fault: kill`. */
  readonly name: string;
  /** The driver that resolves targets for this kind (`process`, `proxy`, …). */
  readonly driver: string;
  readonly summary: string;
  readonly timing: FaultTiming;
  /** How the fault is undone, in a few words, for `--dry-run` (e.g. "SIGCONT to the same process"). */
  readonly revertSummary?: string;
  /** Reverted after every other open fault by recover and the reaper (e.g. stopping a process the run started). */
  readonly revertLast?: boolean;
  /** Parameters accepted on the step besides the common fields (fault, target, duration, name). */
  readonly params: z.ZodType<Params>;
  /**
   * For the blast radius, when a target stands for several things of which the fault takes some
   * (a service's pods, of which `mode: one` takes one): how many it touches, of how many. Without
   * it, a target counts as one thing, wholly touched.
   */
  reach?(target: Target, params: Params): { touched: number; of: number; unit: string };
  /**
   * Before the first fault of the run, for every target the fault could hit: throws when it could
   * not be applied there (a CRD the cluster lacks, a workload kind it does not act on), so the run
   * stops before touching anything rather than half-way.
   */
  check?(target: Target, params: Params): Promise<void>;
  /** The undo, computed before anything is applied. Plain JSON: it goes into the ledger. */
  plan(target: Target, params: Params): RevertInfo;
  inject(target: Target, params: Params, ctx: FaultContext): Promise<InjectResult>;
  /** Undo from the ledger's plain JSON. Idempotent: calling it twice, or on a fault that was never applied, is safe. */
  revert(info: RevertInfo, ctx: FaultContext): Promise<void>;
}

/** A fault in effect, as the runner tracks it. */
export interface FaultHandle {
  readonly id: string;
  readonly kind: string;
  readonly target: FaultTarget;
  readonly revertInfo: RevertInfo;
  /** Idempotent. */
  revert(): Promise<void>;
}
