/**
 * `workers: N`: the built-in generator on N worker threads, one share each (load-worker.ts), merged
 * here into one LoadRun of the same shape as a single-threaded one.
 *
 * - Closed model: the connections are split across the workers (the remainder spread).
 * - Open model: worker i of N takes requests i, i+N, i+2N … of the whole schedule (rate/N each,
 *   offset by i/rate), so the union of the workers' schedules is the one schedule; each measures
 *   latency from the request's intended time on the shared clock, so a stall is charged in full.
 * - Exact merging: this thread owns the time series and the phases. At every bucket boundary, phase
 *   mark, and a few times a second for live figures, it asks every worker for a slice (counters and
 *   its HDR histogram, encoded losslessly) and adds the slices into one recorder: counters summed,
 *   histograms added. A boundary is applied once every worker's slice for it is in, so a request
 *   counts in the bucket its worker was in when the boundary reached it (messages take well under a
 *   millisecond), and the totals are exact.
 * - A worker that throws or exits fails the run with an error naming it; abort and stop end every
 *   worker, and a worker that does not report within the drain's bound is terminated.
 */
import { Worker } from 'node:worker_threads';
import type { LoadRecord } from '../journal/types.js';
import { perSecond, type ShardCounters } from './engine.js';
import type { WindowFigures } from './live-window.js';
import { LoadRecorder } from './recorder.js';
import type { LoadSlice } from './slice.js';
import type { BuiltinLoadSpec } from './spec.js';
import type { LoadPhaseName, LoadProgress, LoadRun, LoadTotals, StartLoadOptions } from './types.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';

/** How often the live figures (progress, guardrails) are brought up to date from the workers. */
const LIVE_FLUSH_MS = 250;
/** After the drain's bound (2 s at most), how long a worker may take to report before it is terminated and the run fails. */
const REPORT_GRACE_MS = 3000;
const MAX_DRAIN_MS = 2000;

/** Running from source (tests, under tsx) rather than from dist/: the worker's entry is TypeScript too. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(FROM_SOURCE ? './load-worker.ts' : './load-worker.js', import.meta.url);

/**
 * A worker on load-worker.js next to this file (dist/). From source, a worker thread does not get
 * the parent's tsx hooks (`--import tsx` registers them for the main thread only), so it registers
 * tsx itself before importing the TypeScript entry.
 */
function spawnWorker(init: WorkerInit): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_ENTRY, { workerData: init });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_ENTRY.href)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** How many workers a spec really gets: never more than its connections (each worker needs one). */
export function effectiveWorkers(spec: BuiltinLoadSpec): number {
  return Math.max(1, Math.min(spec.workers ?? 1, spec.connections));
}

/** Worker i's share of the connections: an even split, the remainder to the first workers. */
export function shareOf(spec: BuiltinLoadSpec, index: number, count: number): BuiltinLoadSpec {
  const connections = Math.floor(spec.connections / count) + (index < spec.connections % count ? 1 : 0);
  return { ...spec, connections, workers: 1 };
}

interface Member {
  index: number;
  worker: Worker;
  ready: boolean;
  ended: boolean;
  /** It threw, exited, or was terminated: it will not reply any more. */
  gone: boolean;
  /** Slices it sent outside a flush reply (its final one), to add with its next reply, in order. */
  carry: LoadSlice[];
  late: number;
  outstanding: number[];
  done: (FromWorker & { type: 'done' }) | undefined;
  reported: () => void;
  reportedP: Promise<void>;
}

type CutAction = { kind: 'live' } | { kind: 'rotate'; t: number } | { kind: 'mark'; phase: LoadPhaseName; t: number };

interface Cut {
  seq: number;
  action: CutAction;
  replies: Map<number, LoadSlice[]>;
}

export class WorkerPoolLoad implements LoadRun {
  readonly ended: Promise<void>;
  readonly #spec: BuiltinLoadSpec;
  readonly #members: Member[] = [];
  /**
   * Made again when the schedule starts (every worker ready), so the figures count from then — a
   * worker takes a moment to start — unless a phase was marked before: then the phases as marked.
   */
  #recorder: LoadRecorder;
  #marked = false;
  readonly #keepRecentMs: number;
  readonly #runNow: () => number;
  readonly #onBucket: StartLoadOptions['onBucket'];
  readonly #signal: AbortSignal | undefined;
  readonly #createdPerf: number;
  /** When the schedule started (all workers ready), performance.now(); undefined before. */
  #startPerf: number | undefined;
  readonly #cuts: Cut[] = [];
  #seq = 0;
  #phase: LoadPhaseName = 'baseline';
  #last: LoadProgress['last'];
  #bucketIndex = 0;
  #rotateTimer: NodeJS.Timeout | undefined;
  #liveTimer: NodeJS.Timeout | undefined;
  #generating = true;
  #closed = false;
  #error: string | undefined;
  #resolveEnded!: () => void;
  #stopping: Promise<LoadRecord> | undefined;
  #totals: LoadTotals | undefined;

  constructor(spec: BuiltinLoadSpec, options: StartLoadOptions = {}) {
    this.#spec = spec;
    this.#createdPerf = performance.now();
    this.#runNow = options.now ?? (() => performance.now() - this.#createdPerf);
    this.#onBucket = options.onBucket;
    this.#keepRecentMs = options.keepRecentMs ?? 0;
    this.#recorder = this.#makeRecorder();
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal?.aborted) {
      this.#endGeneration();
      return;
    }
    const count = effectiveWorkers(spec);
    try {
      for (let index = 0; index < count; index++) this.#members.push(this.#startWorker(index, count, this.#keepRecentMs > 0));
    } catch (err) {
      // A worker that cannot even be created: the ones already started must not outlive the load.
      for (const m of this.#members) void m.worker.terminate();
      throw err;
    }
  }

  #makeRecorder(): LoadRecorder {
    this.#recorder = new LoadRecorder({ okStatus: this.#spec.okStatus, startT: this.#runNow(), phase: this.#phase, ...(this.#keepRecentMs > 0 ? { keepRecentMs: this.#keepRecentMs } : {}) });
    return this.#recorder;
  }

  #startWorker(index: number, count: number, live: boolean): Member {
    const init: WorkerInit = { spec: shareOf(this.#spec, index, count), index, count, live };
    const worker = spawnWorker(init);
    let reported!: () => void;
    const reportedP = new Promise<void>((resolve) => (reported = resolve));
    const member: Member = { index, worker, ready: false, ended: false, gone: false, carry: [], late: 0, outstanding: [], done: undefined, reported, reportedP };
    const name = `load worker ${index + 1} of ${count}`;
    worker.on('message', (m: FromWorker) => this.#onMessage(member, m));
    worker.on('error', (err) => this.#lose(member, `${name} failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (member.done === undefined) this.#lose(member, `${name} exited (code ${code}) before it reported its figures`);
      else this.#lose(member, undefined);
    });
    return member;
  }

  #post(member: Member, message: ToWorker): void {
    if (!member.gone) member.worker.postMessage(message);
  }

  #onMessage(member: Member, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        member.ready = true;
        if (this.#members.every((x) => x.ready) && this.#generating && this.#startPerf === undefined) this.#start();
        return;
      case 'slice': {
        member.late = m.late;
        member.outstanding = m.outstanding;
        const cut = this.#cuts.find((c) => c.seq === m.seq);
        cut?.replies.set(member.index, [...member.carry.splice(0), m.slice]);
        this.#settle();
        return;
      }
      case 'ended':
        member.ended = true;
        if (m.error !== undefined) this.#fail(m.error);
        else if (this.#members.every((x) => x.ended || x.gone)) this.#endGeneration();
        return;
      case 'done':
        member.done = m;
        member.late = m.counters.late;
        member.outstanding = [];
        member.carry.push(m.slice);
        member.reported();
        return;
    }
  }

  /** Every worker is ready: the schedule starts now, on the clock all threads share. */
  #start(): void {
    this.#startPerf = performance.now();
    if (!this.#marked) this.#makeRecorder();
    const startEpoch = performance.timeOrigin + this.#startPerf;
    for (const m of this.#members) this.#post(m, { type: 'start', startEpoch });
    this.#scheduleRotation();
    this.#liveTimer = setInterval(() => this.#cut({ kind: 'live' }), LIVE_FLUSH_MS);
  }

  /** A worker will not reply any more: with `error`, the run fails; its pending replies stop being waited for. */
  #lose(member: Member, error: string | undefined): void {
    if (member.gone) return;
    member.gone = true;
    member.outstanding = [];
    if (error !== undefined && !this.#closed) this.#fail(error);
    member.reported();
    this.#settle();
    if (this.#generating && this.#members.every((x) => x.ended || x.gone)) this.#endGeneration();
  }

  // ---- cuts: the workers' slices, merged in order ----

  #cut(action: CutAction): void {
    if (this.#closed) return;
    const seq = ++this.#seq;
    this.#cuts.push({ seq, action, replies: new Map() });
    for (const m of this.#members) this.#post(m, { type: 'flush', seq });
    this.#settle();
  }

  /** Applies the cuts every worker has answered, oldest first: their slices into the recorder, then the boundary. */
  #settle(): void {
    const recorder = this.#recorder;
    while (this.#cuts.length > 0) {
      const cut = this.#cuts[0]!;
      if (!this.#members.every((m) => m.gone || cut.replies.has(m.index))) return;
      this.#cuts.shift();
      for (const m of this.#members) for (const slice of cut.replies.get(m.index) ?? []) recorder.absorb(slice);
      const a = cut.action;
      if (a.kind === 'rotate') this.#emit(recorder.rotate(a.t));
      else if (a.kind === 'mark') this.#emit(recorder.mark(a.phase, a.t));
    }
  }

  #scheduleRotation(): void {
    const nextAt = this.#startPerf! + (this.#bucketIndex + 1) * this.#spec.intervalMs;
    this.#rotateTimer = setTimeout(this.#rotate, Math.max(1, nextAt - performance.now()));
  }

  #rotate = (): void => {
    this.#bucketIndex++;
    this.#cut({ kind: 'rotate', t: this.#runNow() });
    if (!this.#closed) this.#scheduleRotation();
  };

  #emit(bucket: LoadProgress['last']): void {
    if (!bucket) return;
    this.#last = bucket;
    this.#onBucket?.(bucket);
  }

  // ---- LoadRun ----

  mark(phase: LoadPhaseName): void {
    if (this.#closed || phase === this.#phase) return;
    this.#phase = phase;
    this.#marked = true;
    this.#cut({ kind: 'mark', phase, t: this.#runNow() });
  }

  progress(): LoadProgress {
    return {
      elapsedMs: this.#startPerf === undefined ? 0 : performance.now() - this.#startPerf,
      requests: this.#recorder.requests,
      errors: this.#recorder.errors,
      late: this.#members.reduce((n, m) => n + m.late, 0),
      phase: this.#phase,
      ...(this.#last ? { last: this.#last } : {}),
    };
  }

  /** The last `windowMs` as of the last live flush (at most LIVE_FLUSH_MS old), outstanding requests at their age now. */
  recent(windowMs: number): WindowFigures {
    const nowEpoch = performance.timeOrigin + performance.now();
    const ages: number[] = [];
    for (const m of this.#members) for (const from of m.outstanding) ages.push(nowEpoch - from);
    return this.#recorder.recent(windowMs, this.#runNow(), ages);
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
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const m of this.#members) this.#post(m, { type: 'stop' });
    this.#resolveEnded();
  }

  stop(): Promise<LoadRecord> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<LoadRecord> {
    this.#endGeneration();
    const bound = Math.min(this.#spec.timeoutMs, MAX_DRAIN_MS) + REPORT_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#members.map((m) => m.reportedP)), new Promise<void>((resolve) => (timer = setTimeout(resolve, bound)))]);
    clearTimeout(timer);
    for (const m of this.#members) if (m.done === undefined) this.#lose(m, `load worker ${m.index + 1} of ${this.#members.length} did not report within ${bound} ms of the stop, and was terminated`);
    clearTimeout(this.#rotateTimer);
    clearInterval(this.#liveTimer);
    // Every worker that reported has answered every cut sent before its stop (messages keep their order).
    this.#settle();
    const recorder = this.#recorder;
    // What is left belongs to the last bucket: replies to cuts a lost worker never answered, and final slices.
    for (const cut of this.#cuts.splice(0)) for (const slices of cut.replies.values()) for (const slice of slices) recorder.absorb(slice);
    for (const m of this.#members) for (const slice of m.carry.splice(0)) recorder.absorb(slice);
    this.#closed = true;
    const endT = this.#runNow();
    const { phases, buckets, total } = recorder.finish(endT);
    this.#emit(buckets.at(-1));
    await Promise.all(this.#members.map((m) => m.worker.terminate().catch(() => undefined)));

    const sum = (k: keyof Omit<ShardCounters, 'error'>): number => this.#members.reduce((n, m) => n + (m.done?.counters[k] ?? 0), 0);
    const sent = sum('sent');
    const notSent = sum('notSent');
    const cutOff = sum('cutOff');
    this.#totals = { ...total, sent, notSent, cutOff, bytes: sum('bytes') };
    const record: LoadRecord = { tool: 'builtin', phases, buckets, notSent, cutOff };
    const start = this.#startPerf;
    const sendingEnded = Math.max(0, ...this.#members.map((m) => (m.done ? m.done.counters.sendingEndedEpoch - performance.timeOrigin : 0)));
    const sendingMs = start === undefined ? 1 : Math.max(1, sendingEnded - start);
    if (this.#spec.rate !== undefined) {
      record.requestedRate = this.#spec.rate;
      const windowMs = Math.max(sendingMs, sum('scheduled') / (this.#spec.rate / 1000));
      record.achievedRate = perSecond(sent, windowMs);
      record.lateRequests = sum('late');
    } else {
      record.achievedRate = perSecond(total.requests - cutOff, sendingMs);
    }
    if (this.#error !== undefined) record.error = this.#error;
    return record;
  }
}
