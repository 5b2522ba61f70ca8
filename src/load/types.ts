/** The handle the runner and the CLI hold on a running load, whatever generates it. */
import type { LoadBucket, LoadPhase, LoadRecord } from '../journal/types.js';
import type { ClusterRef } from '../drivers/kubernetes/cluster.js';
import type { Ledger } from '../safety/ledger.js';
import type { WindowFigures } from './live-window.js';

export type LoadPhaseName = LoadPhase['phase'];

export interface StartLoadOptions {
  /** Stops the load (as the end of its duration would); stop() still returns the record. */
  signal?: AbortSignal;
  /** Run clock: ms since the run started (monotonic). Default: ms since startLoad. */
  now?: () => number;
  /** Called with each closed bucket of the time series (off the hot path). */
  onBucket?: (bucket: LoadBucket) => void;
  /** Keep this many ms of figures for `recent()` (live errorRate/p95 guardrails). Default 0. */
  keepRecentMs?: number;
  /**
   * A load that creates things on a cluster (the k6 operator): the run that owns them (their
   * labels and names), the cluster when the spec names none (the system file's), and the ledger
   * that makes them recoverable after a crash.
   */
  cluster?: { runId: string; ref: ClusterRef; ledger?: Pick<Ledger, 'intent' | 'reverted'> };
  /** How often a cluster-side load reads its status. Default 1000 ms. */
  pollMs?: number;
}

/** Live figures for a progress line. */
export interface LoadProgress {
  /** ms since the load started. */
  elapsedMs: number;
  requests: number;
  errors: number;
  /** Requests sent later than intended (open model). */
  late: number;
  phase: LoadPhaseName;
  /** The last closed bucket, if any. */
  last?: LoadBucket;
}

/** Whole-run figures, for the CLI summary. */
export interface LoadTotals extends Omit<LoadPhase, 'phase'> {
  /** Requests handed to a connection. requests = sent + notSent. */
  sent: number;
  /** Open model: requests due before the end that found no free connection in time and were never sent. */
  notSent: number;
  /** Requests sent but still without an answer when the drain after stop() ended. */
  cutOff: number;
  /** Response body bytes received. */
  bytes: number;
}

export interface LoadRun {
  /** Figures from now on count into `phase` (the load starts in baseline). Marking the current phase does nothing. */
  mark(phase: LoadPhaseName): void;
  /** Resolves when the load stops sending by itself: its duration passed, the signal aborted, or it failed (see the record's `error`). */
  readonly ended: Promise<void>;
  progress(): LoadProgress;
  /** Stops sending, lets requests in flight finish (briefly), and returns the record. Never rejects; idempotent. */
  stop(): Promise<LoadRecord>;
  /** Whole-run figures; available once stop() has resolved. */
  totals(): LoadTotals | undefined;
  /** Live figures of the last `windowMs` (the built-in generator only: external tools report at the end). */
  recent?(windowMs: number): WindowFigures;
}
