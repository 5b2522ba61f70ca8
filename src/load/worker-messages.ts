/** What the main thread and a load worker say to each other (see worker-pool.ts and load-worker.ts). */
import type { ShardCounters } from './engine.js';
import type { LoadSlice } from './slice.js';
import type { BuiltinLoadSpec } from './spec.js';

export interface WorkerInit {
  /** This worker's share: its connections; the whole schedule's rate and duration. */
  spec: BuiltinLoadSpec;
  index: number;
  count: number;
  /** Report outstanding requests with each slice (live guardrails want their ages). */
  live: boolean;
}

export type ToWorker =
  /** Start the schedule at this epoch ms (performance.timeOrigin + performance.now(), the same clock in every thread). */
  | { type: 'start'; startEpoch: number }
  /** Reply with a slice: the figures since the last one. */
  | { type: 'flush'; seq: number }
  /** Stop sending, drain, close, and reply `done`. */
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'slice'; seq: number; slice: LoadSlice; late: number; /** Epoch ms each outstanding request counts from. */ outstanding: number[] }
  /** The share stopped sending by itself (its duration passed, or it failed). */
  | { type: 'ended'; error?: string }
  /** After `stop`: the last figures and the share's counters (sendingEndedEpoch: when it stopped sending, epoch ms). */
  | { type: 'done'; slice: LoadSlice; counters: ShardCounters & { sendingEndedEpoch: number } };
