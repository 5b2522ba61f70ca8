/**
 * faultline's HTTP load generator: one client per connection — faultline's own HTTP/1.1 client
 * (h1-client.ts) for http, undici's `Client` for https.
 *
 * Closed model: every connection keeps `pipelining` requests in flight; each response sends the
 * next request at once. Open model: requests are due at fixed intervals (1/rate) from the start;
 * each goes out on a free connection (opening one, up to `connections`), or waits in a backlog
 * for the next connection to free up. Latency is always measured from the request's INTENDED
 * send time, so a server that stalls is charged for the requests it made wait (no coordinated
 * omission), and a request that leaves LATE_MS or more after its time counts as late.
 *
 * Every request due is counted once, with an outcome and an age: a response, a failure without
 * one (refused, reset, timeout), cut off (still in flight when the drain after stop() ends), or
 * never sent (still in the backlog when the load stopped sending). So requests = sent + notSent,
 * and the slow requests of a stall are in the latency figures even when they never finish.
 *
 * Hot path: one reusable handler object per in-flight slot, requests pre-built as bytes (mix.ts),
 * responses parsed only for status and framing, plain-number counters, one HDR histogram per
 * bucket. Nothing here allocates per request (with https, undici allocates its Request).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Client, Dispatcher } from 'undici';
import type { LoadRecord } from '../journal/types.js';
import { H1Client } from './h1-client.js';
import { prepareMix, type PreparedRequest } from './mix.js';
import type { WindowFigures } from './live-window.js';
import { LoadRecorder } from './recorder.js';
import type { LoadSlice } from './slice.js';
import { LATE_MS, type BuiltinLoadSpec } from './spec.js';
import type { LoadPhaseName, LoadProgress, LoadRun, LoadTotals, StartLoadOptions } from './types.js';

/** A connection whose request failed without a response waits this long before its next one, so a refused port does not spin. */
const ERROR_PAUSE_MS = 10;
/** No response yet and this many connection errors: the target is unreachable, and the load stops with an error. */
const UNREACHABLE_AFTER = 3;
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'connect-timeout']);
/** After stop(), how long requests in flight may take to finish before they are cut off (counted as `cut-off`, at their age then). */
const MAX_DRAIN_MS = 2000;
/** Waiting (open-model backlog) requests counted into live figures, oldest first. */
const MAX_OUTSTANDING_SAMPLE = 10_000;

/**
 * This engine runs one share of a load split across worker threads (worker-pool.ts). The main
 * thread owns the time series and the phases: a share keeps no buckets of its own, and hands its
 * figures over as slices when asked.
 */
export interface Shard {
  /** Open model: this share sends requests index, index + count, index + 2·count … of the whole schedule. */
  index: number;
  count: number;
  /** performance.now(), in this thread, at which the whole schedule starts. */
  startPerf: number;
}

/** A share's counters, for the main thread to sum. */
export interface ShardCounters {
  sent: number;
  late: number;
  notSent: number;
  cutOff: number;
  bytes: number;
  /** Requests of the schedule this share reached (sent or queued). */
  scheduled: number;
  /** When this share stopped sending (performance.now() in its thread; 0 while it still sends). */
  sendingEndedPerf: number;
  error?: string;
}

/** One connection's requests: faultline's own HTTP/1.1 client for http, undici for https. */
interface LoadClient {
  dispatch(request: PreparedRequest, slot: Slot): void;
  destroy(): Promise<void>;
}

/**
 * undici, loaded on first use: a plain-http load never needs it, and a load worker thread starts
 * ~0.15 s of CPU sooner without it (it is CommonJS, so require() loads it synchronously).
 */
let undici: typeof Undici | undefined;
function undiciClient(origin: string, options: Client.Options): Client {
  undici ??= createRequire(import.meta.url)('undici') as typeof Undici;
  return new undici.Client(origin, options);
}

class UndiciClient implements LoadClient {
  constructor(readonly client: Client) {}
  dispatch(request: PreparedRequest, slot: Slot): void {
    this.client.dispatch(request.options, slot as Dispatcher.DispatchHandler);
  }
  destroy(): Promise<void> {
    return this.client.destroy();
  }
}

/**
 * Which client sends the requests: h1-client.ts for http (about a sixth less CPU per request than
 * undici's — see docs/load.md), undici for https, or undici everywhere with
 * FAULTLINE_LOAD_CLIENT=undici (to compare).
 */
function rawClientFor(url: URL): boolean {
  return url.protocol === 'http:' && process.env.FAULTLINE_LOAD_CLIENT !== 'undici';
}

/** One in-flight request at a time; the connection's client calls it as the request's handler, and it is reused for the next. */
class Slot {
  /** performance.now() the latency counts from. */
  from = 0;
  status = 0;
  /** A request is outstanding on this slot (for live guardrail figures). */
  busy = false;
  readonly retry: () => void;

  constructor(
    readonly engine: BuiltinLoad,
    readonly client: LoadClient,
  ) {
    this.retry = () => engine.next(this, performance.now());
  }

  onConnect(): void {}

  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.engine.bytes += chunk.length;
    return true;
  }

  onComplete(): void {
    this.engine.onResponse(this);
  }

  onError(err: Error): void {
    this.engine.onFailure(this, err);
  }

  onUpgrade(): void {}
}

export class BuiltinLoad implements LoadRun {
  bytes = 0;
  readonly ended: Promise<void>;

  readonly #spec: BuiltinLoadSpec;
  readonly #origin: string;
  readonly #mix;
  #mixPos = 0;
  readonly #recorder: LoadRecorder;
  readonly #runNow: () => number;
  readonly #onBucket: StartLoadOptions['onBucket'];
  readonly #signal: AbortSignal | undefined;
  readonly #clients: LoadClient[] = [];
  readonly #raw: boolean;
  readonly #port: number;
  readonly #hostname: string;
  readonly #free: Slot[] = [];
  /** Every slot ever made, to find the outstanding requests for live figures. */
  readonly #slots: Slot[] = [];
  /**
   * Open model: the requests waiting for a connection, as schedule indices [head, tail). They are
   * always consecutive: a request skips the backlog only when a connection is free, and a
   * connection that frees takes the backlog's head first — so two integers hold any backlog.
   */
  #backlogHead = 0;
  #backlogTail = 0;

  readonly #open: boolean;
  /** Open model: requests per ms. */
  readonly #ratePerMs: number;
  readonly #startPerf: number;
  readonly #startT: number;
  readonly #endPerf: number;
  /** Open model: this engine's requests are schedule indices offset, offset + stride, … (a shard's share). */
  readonly #offset: number;
  readonly #stride: number;
  readonly #shard: boolean;
  /** Open model: how many requests the whole duration holds (Infinity without a duration). */
  readonly #due: number;
  #scheduled = 0;

  #inFlight = 0;
  #sent = 0;
  #late = 0;
  #notSent = 0;
  #cutOff = 0;
  #responses = 0;
  #connectFailures = 0;
  #generating = true;
  #closed = false;
  #endPerfActual = 0;
  #error: string | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #rotateTimer: NodeJS.Timeout | undefined;
  #bucketIndex = 0;
  #last: LoadProgress['last'];
  #resolveEnded!: () => void;
  #drained: (() => void) | undefined;
  #stopping: Promise<LoadRecord> | undefined;
  #halting: Promise<void> | undefined;
  /** Run time the figures end at: after the drain, before the connections close. */
  #haltT = 0;
  #totals: LoadTotals | undefined;

  constructor(spec: BuiltinLoadSpec, options: StartLoadOptions = {}, shard?: Shard) {
    this.#spec = spec;
    const url = new URL(spec.url);
    this.#origin = url.origin;
    this.#mix = prepareMix(spec.requests, url.host);
    this.#raw = rawClientFor(url);
    this.#port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#startPerf = shard?.startPerf ?? performance.now();
    this.#shard = shard !== undefined;
    this.#offset = shard?.index ?? 0;
    this.#stride = shard?.count ?? 1;
    const now = options.now;
    this.#runNow = now ?? (() => performance.now() - this.#startPerf);
    this.#startT = this.#runNow();
    this.#onBucket = options.onBucket;
    this.#recorder = new LoadRecorder({ okStatus: spec.okStatus, startT: this.#startT, ...(options.keepRecentMs ? { keepRecentMs: options.keepRecentMs } : {}) });
    this.#open = spec.rate !== undefined;
    this.#ratePerMs = (spec.rate ?? 0) / 1000;
    this.#endPerf = spec.durationMs !== undefined ? this.#startPerf + spec.durationMs : Infinity;
    this.#due = this.#share(spec.durationMs !== undefined ? Math.max(1, Math.round(spec.durationMs * this.#ratePerMs)) : Infinity);
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal?.aborted) {
      this.#endGeneration();
      return;
    }
    if (!this.#shard) this.#scheduleRotation();
    if (this.#open) this.#tick();
    else this.#startClosed();
  }

  // ---- hot path ----

  onResponse(slot: Slot): void {
    if (this.#closed) return;
    const now = performance.now();
    this.#inFlight--;
    slot.busy = false;
    this.#responses++;
    this.#recorder.response(slot.status, now - slot.from);
    this.next(slot, now);
  }

  onFailure(slot: Slot, err: Error): void {
    if (this.#closed) return;
    this.#inFlight--;
    slot.busy = false;
    const code = errorCode(err);
    this.#recorder.failure(code, performance.now() - slot.from);
    if (this.#responses === 0 && CONNECT_ERRORS.has(code) && ++this.#connectFailures >= UNREACHABLE_AFTER) {
      this.#fail(`cannot reach ${this.#spec.url}: ${describeCode(code)}`);
      return;
    }
    if (this.#generating) setTimeout(slot.retry, ERROR_PAUSE_MS);
    else this.#checkDrained();
  }

  /** The slot is free at `now`: give it the next request, or park it. */
  next(slot: Slot, now: number): void {
    if (!this.#generating) {
      this.#checkDrained();
      return;
    }
    if (this.#open) {
      if (this.#backlogHead < this.#backlogTail) {
        const intended = this.#intended(this.#backlogHead++);
        if (now - intended >= LATE_MS) this.#late++;
        this.#send(slot, intended);
      } else {
        this.#free.push(slot);
      }
      return;
    }
    if (now >= this.#endPerf) {
      this.#endGeneration();
      return;
    }
    this.#send(slot, now);
  }

  #send(slot: Slot, from: number): void {
    const mix = this.#mix;
    const request = mix.requests[mix.order[this.#mixPos]!]!;
    if (++this.#mixPos === mix.order.length) this.#mixPos = 0;
    slot.from = from;
    slot.status = 0;
    slot.busy = true;
    this.#inFlight++;
    this.#sent++;
    slot.client.dispatch(request, slot);
  }

  /** Open model: send every request whose time has come, then sleep until the next one. */
  #tick = (): void => {
    this.#tickTimer = undefined;
    if (!this.#generating) return;
    const now = performance.now();
    const due = Math.min(this.#due, this.#share(Math.floor((Math.min(now, this.#endPerf) - this.#startPerf) * this.#ratePerMs) + 1));
    while (this.#scheduled < due) {
      this.#launch(this.#scheduled++, now);
      if (!this.#generating) return;
    }
    if (this.#scheduled >= this.#due || now >= this.#endPerf) {
      this.#endGeneration();
      return;
    }
    const nextAt = this.#intended(this.#scheduled);
    this.#tickTimer = setTimeout(this.#tick, Math.max(1, nextAt - performance.now()));
  };

  /** Request `index` of the schedule is due: send it, or queue it behind the others waiting. */
  #launch(index: number, now: number): void {
    let slot = this.#backlogHead === this.#backlogTail ? this.#free.pop() : undefined;
    if (slot === undefined && this.#clients.length < this.#spec.connections) slot = this.#connect();
    if (slot === undefined) {
      if (this.#backlogHead === this.#backlogTail) this.#backlogHead = this.#backlogTail = index;
      this.#backlogTail = index + 1;
      return;
    }
    const intended = this.#intended(index);
    if (now - intended >= LATE_MS) this.#late++;
    this.#send(slot, intended);
  }

  /** performance.now() at which request `index` of the open model's schedule is due. */
  #intended(index: number): number {
    return this.#startPerf + (this.#offset + index * this.#stride) / this.#ratePerMs;
  }

  /** How many of the schedule's first `n` requests are this engine's (all of them unless it is a shard). */
  #share(n: number): number {
    return n > this.#offset ? Math.ceil((n - this.#offset) / this.#stride) : 0;
  }

  // ---- connections ----

  /** Opens a connection; returns one of its slots and parks the others. */
  #connect(): Slot {
    const { pipelining, timeoutMs } = this.#spec;
    const client: LoadClient = this.#raw
      ? new H1Client(this.#port, this.#hostname, timeoutMs)
      : new UndiciClient(undiciClient(this.#origin, { pipelining, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs }));
    this.#clients.push(client);
    for (let i = 1; i < pipelining; i++) this.#free.push(this.#slot(client));
    return this.#slot(client);
  }

  #slot(client: LoadClient): Slot {
    const slot = new Slot(this, client);
    this.#slots.push(slot);
    return slot;
  }

  #startClosed(): void {
    const now = performance.now();
    for (let c = 0; c < this.#spec.connections && this.#generating; c++) {
      const first = this.#connect();
      const parked = this.#free.splice(0);
      this.#send(first, now);
      for (const slot of parked) if (this.#generating) this.#send(slot, now);
    }
    if (this.#endPerf !== Infinity) this.#tickTimer = setTimeout(() => this.#endGeneration(), this.#endPerf - now);
  }

  // ---- time series ----

  #scheduleRotation(): void {
    const nextAt = this.#startPerf + (this.#bucketIndex + 1) * this.#spec.intervalMs;
    this.#rotateTimer = setTimeout(this.#rotate, Math.max(1, nextAt - performance.now()));
  }

  #rotate = (): void => {
    this.#bucketIndex++;
    this.#emit(this.#recorder.rotate(this.#runNow()));
    if (!this.#closed) this.#scheduleRotation();
  };

  #emit(bucket: LoadProgress['last']): void {
    if (!bucket) return;
    this.#last = bucket;
    this.#onBucket?.(bucket);
  }

  // ---- control ----

  mark(phase: LoadPhaseName): void {
    if (this.#closed || phase === this.#recorder.phase) return;
    this.#emit(this.#recorder.mark(phase, this.#runNow()));
  }

  /**
   * The last `windowMs`, live: completed requests plus the outstanding ones at their age — those on
   * a connection and (open model) those due but still waiting for one. Sampled, not exhaustive,
   * beyond MAX_OUTSTANDING_SAMPLE waiting requests: the oldest are the ones that matter.
   */
  recent(windowMs: number): WindowFigures {
    const now = performance.now();
    const ages: number[] = [];
    if (!this.#closed) {
      for (const slot of this.#slots) if (slot.busy) ages.push(now - slot.from);
      const waiting = Math.min(this.#backlogTail, this.#backlogHead + MAX_OUTSTANDING_SAMPLE);
      for (let i = this.#backlogHead; i < waiting; i++) ages.push(now - this.#intended(i));
    }
    return this.#recorder.recent(windowMs, this.#runNow(), ages);
  }

  progress(): LoadProgress {
    return {
      elapsedMs: performance.now() - this.#startPerf,
      requests: this.#recorder.requests,
      errors: this.#recorder.errors,
      late: this.#late,
      phase: this.#recorder.phase,
      ...(this.#last ? { last: this.#last } : {}),
    };
  }

  totals(): LoadTotals | undefined {
    return this.#totals;
  }

  #onAbort = (): void => this.#endGeneration();

  #fail(message: string): void {
    this.#error ??= message;
    this.#endGeneration();
  }

  #endGeneration(): void {
    if (!this.#generating) return;
    this.#generating = false;
    this.#endPerfActual = performance.now();
    clearTimeout(this.#tickTimer);
    // The backlog will never be sent: count each request at its age now, the moment it is given up.
    for (let i = this.#backlogHead; i < this.#backlogTail; i++) this.#recorder.unanswered('not-sent', this.#endPerfActual - this.#intended(i));
    this.#notSent += this.#backlogTail - this.#backlogHead;
    this.#backlogHead = this.#backlogTail = 0;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#resolveEnded();
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#inFlight === 0) this.#drained?.();
  }

  stop(): Promise<LoadRecord> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  // ---- a shard's side of the worker pool ----

  /** The figures since the last slice (a shard's main thread adds them to its recorder). */
  slice(): LoadSlice {
    return this.#recorder.takeSlice();
  }

  counters(): ShardCounters {
    const c: ShardCounters = { sent: this.#sent, late: this.#late, notSent: this.#notSent, cutOff: this.#cutOff, bytes: this.bytes, scheduled: this.#scheduled, sendingEndedPerf: this.#endPerfActual };
    if (this.#error !== undefined) c.error = this.#error;
    return c;
  }

  /** performance.now() each outstanding request counts from (in flight, then waiting for a connection, oldest first), at most `limit`. */
  outstanding(limit = MAX_OUTSTANDING_SAMPLE): number[] {
    const from: number[] = [];
    if (this.#closed) return from;
    for (const slot of this.#slots) if (slot.busy) from.push(slot.from);
    const waiting = Math.min(this.#backlogTail, this.#backlogHead + limit);
    for (let i = this.#backlogHead; i < waiting; i++) from.push(this.#intended(i));
    return from;
  }

  /** Stops sending, drains, counts what is cut off and closes the connections; the figures stay for slice() and counters(). Idempotent. */
  halt(): Promise<void> {
    this.#halting ??= this.#halt();
    return this.#halting;
  }

  async #halt(): Promise<void> {
    this.#endGeneration();
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, Math.min(this.#spec.timeoutMs, MAX_DRAIN_MS));
      });
      clearTimeout(timer);
    }
    const cutAt = performance.now();
    for (const slot of this.#slots) {
      if (!slot.busy) continue;
      slot.busy = false;
      this.#cutOff++;
      this.#recorder.unanswered('cut-off', cutAt - slot.from);
    }
    this.#closed = true;
    clearTimeout(this.#rotateTimer);
    this.#haltT = this.#runNow();
    await Promise.all(this.#clients.map((c) => c.destroy().catch(() => undefined)));
  }

  async #stop(): Promise<LoadRecord> {
    await this.halt();
    const endT = this.#haltT;
    const { phases, buckets, total } = this.#recorder.finish(endT);
    this.#emit(buckets.at(-1));

    this.#totals = { ...total, sent: this.#sent, notSent: this.#notSent, cutOff: this.#cutOff, bytes: this.bytes };
    const record: LoadRecord = { tool: 'builtin', phases, buckets, notSent: this.#notSent, cutOff: this.#cutOff };
    const sendingMs = Math.max(1, this.#endPerfActual - this.#startPerf);
    if (this.#open) {
      record.requestedRate = this.#spec.rate!;
      // The window the requests were due in runs to the end of the last one's interval: N requests
      // at 5/s fill N/5 s, not the (N-1)/5 s between the first and the last.
      const windowMs = Math.max(sendingMs, this.#scheduled / this.#ratePerMs);
      record.achievedRate = perSecond(this.#sent, windowMs);
      record.lateRequests = this.#late;
    } else {
      record.achievedRate = perSecond(this.#recorder.requests - this.#cutOff, sendingMs);
    }
    if (this.#error !== undefined) record.error = this.#error;
    return record;
  }
}

/** Requests per second to 0.1. */
export function perSecond(requests: number, ms: number): number {
  return Math.round((requests / ms) * 10_000) / 10;
}

/** A short, stable name for why a request got no response. */
export function errorCode(err: Error & { code?: string; errors?: { code?: string }[] }): string {
  const code = err.code ?? err.errors?.find((e) => e.code)?.code;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect-timeout';
    case 'UND_ERR_SOCKET':
      return 'socket-closed';
    case undefined:
      return err.name || 'error';
    default:
      return code.startsWith('UND_ERR_') ? code.slice('UND_ERR_'.length).toLowerCase().replace(/_/g, '-') : code;
  }
}

function describeCode(code: string): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused, nothing listens there',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    'connect-timeout': 'connection timed out',
  };
  return `${words[code] ?? code} (${code})`;
}
