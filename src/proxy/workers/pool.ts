/**
 * The primary side of `faultline proxy --workers N`: N worker processes (worker-main.ts) serve the
 * proxies' listeners and connections; the primary keeps the API and the one authoritative list
 * of proxies and toxics (ProxyCollection, whose Proxy objects then hold no connections). Each
 * change is sent to every worker as the proxy's whole state, and `flush()` resolves once each has
 * acknowledged it: the API answers after that, so a toxic it reports is in force everywhere.
 *
 * Processes, not worker threads: on a Node without SO_REUSEPORT the workers share the primary's
 * socket, and only processes can receive one (sharing.ts). A worker that exits unasked is
 * reported and started again (its open connections are lost; the others serve meanwhile), with
 * the current state; more than MAX_CRASHES exits within a minute is fatal (`onFatal`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawBinding, type RawTcpHandle } from '../binding.js';
import { errorName, ListenError, type Transport } from '../endpoint.js';
import type { Proxy, ProxyWorkers } from '../proxy.js';
import type { FromWorker, ProxySnapshot, Sharing, ToWorker, WorkerCounters } from './protocol.js';

export interface WorkerPoolOptions {
  workers: number;
  transport: Transport;
  sharing: Sharing;
  log?: (message: string) => void;
  /** Workers keep crashing: the server cannot go on. Called once. */
  onFatal?: (err: Error) => void;
}

export interface WorkerReport {
  /** 1..N: the slot, kept by a restarted worker. */
  index: number;
  pid: number;
  proxies: WorkerCounters[];
}

const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 2_000;

interface Slot {
  index: number;
  child: ChildProcess;
  ready: boolean;
  waiting: Map<number, (reply: FromWorker | undefined) => void>;
  /** Proxies whose listening handle this worker holds (handle sharing). */
  listening: Set<number>;
  last: WorkerCounters[];
}

interface State {
  proxy: Proxy;
  address: { host: string; port: number } | undefined;
  /** Handle sharing: the primary's bound (not listening) socket, kept to hand to restarted workers. */
  handle: RawTcpHandle | undefined;
}

type Counters = Omit<WorkerCounters, 'id' | 'connections'>;

export class WorkerPool implements ProxyWorkers {
  private readonly slots = new Map<number, Slot>();
  private readonly states = new Map<number, State>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Counters of workers that exited, per proxy id, as they last reported them. */
  private readonly retired = new Map<number, Counters>();
  private crashes: number[] = [];
  private seq = 0;
  private closing = false;
  restarts = 0;

  private constructor(private readonly options: WorkerPoolOptions) {}

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(Array.from({ length: options.workers }, (_, i) => pool.spawn(i + 1)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get sharing(): Sharing {
    return this.options.sharing;
  }

  /** Live workers' pids by slot. */
  pids(): Map<number, number> {
    return new Map([...this.slots.values()].filter((s) => s.ready).map((s) => [s.index, s.child.pid!]));
  }

  // --- ProxyWorkers

  async listen(proxy: Proxy, ip: string, port: number): Promise<{ host: string; port: number }> {
    const state = this.state(proxy);
    if (this.options.sharing === 'reuseport') {
      state.address = await probe(ip, port);
    } else {
      const b = rawBinding()!;
      const handle = b.newServer();
      const err = ip.includes(':') ? handle.bind6(ip, port, 0) : handle.bind(ip, port);
      if (err !== 0) {
        handle.close();
        throw new ListenError(errorName(err), ip, port);
      }
      const addr: { address?: string; port?: number } = {};
      handle.getsockname(addr);
      state.handle = handle;
      state.address = { host: addr.address ?? ip, port: addr.port ?? port };
    }
    const failed = (await this.sync(state)).find((e) => e !== undefined);
    if (failed) {
      this.dropListener(state);
      await this.sync(state);
      throw new ListenError(failed.code, ip, port);
    }
    return state.address;
  }

  unlisten(proxy: Proxy): void {
    const state = this.state(proxy);
    this.dropListener(state);
    void this.sync(state);
  }

  changed(proxy: Proxy): void {
    void this.sync(this.state(proxy));
  }

  forget(proxy: Proxy): void {
    const state = this.states.get(proxy.id);
    if (state) this.dropListener(state);
    this.states.delete(proxy.id);
    for (const slot of this.live()) this.track(this.request(slot, { op: 'forget', seq: ++this.seq, id: proxy.id }));
  }

  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  // --- stats

  /** Asks every worker for its counters, and sets each proxy's totals (plus those of workers that exited). */
  async refresh(): Promise<WorkerReport[]> {
    const reports = await Promise.all(
      this.live().map(async (slot): Promise<WorkerReport> => {
        const reply = await Promise.race([this.request(slot, { op: 'stats', seq: ++this.seq }), new Promise<undefined>((r) => setTimeout(() => r(undefined), STATS_TIMEOUT_MS).unref())]);
        if (reply?.op === 'stats') slot.last = reply.proxies;
        return { index: slot.index, pid: slot.child.pid!, proxies: slot.last };
      }),
    );
    for (const { proxy } of this.states.values()) {
      const sum = { ...(this.retired.get(proxy.id) ?? zero()), connections: 0 };
      for (const r of reports) {
        const c = r.proxies.find((p) => p.id === proxy.id);
        if (!c) continue;
        add(sum, c);
        sum.connections += c.connections;
      }
      proxy.stats.accepted = sum.accepted;
      proxy.stats.refused = sum.refused;
      proxy.stats.upstreamFailures = sum.upstreamFailures;
      proxy.up.bytes = sum.up;
      proxy.down.bytes = sum.down;
      proxy.remoteConnections = sum.connections;
    }
    return reports.sort((a, b) => a.index - b.index);
  }

  /** Stops every worker (they close their listeners and connections) and the primary's sockets. */
  async close(): Promise<void> {
    this.closing = true;
    for (const state of this.states.values()) this.dropListener(state);
    const children = [...this.slots.values()].map((s) => s.child).filter((c) => c.exitCode === null && c.signalCode === null);
    const exited = Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    for (const c of children) {
      if (c.connected) c.send({ op: 'exit' } satisfies ToWorker, (err) => err && c.kill('SIGKILL'));
      else c.kill('SIGKILL');
    }
    const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 3000);
    await exited;
    clearTimeout(timer);
  }

  // --- internals

  private state(proxy: Proxy): State {
    let state = this.states.get(proxy.id);
    if (!state) this.states.set(proxy.id, (state = { proxy, address: undefined, handle: undefined }));
    return state;
  }

  private dropListener(state: State): void {
    state.address = undefined;
    state.handle?.close();
    state.handle = undefined;
  }

  private live(): Slot[] {
    return [...this.slots.values()].filter((s) => s.ready);
  }

  private snapshot(state: State): ProxySnapshot {
    const p = state.proxy;
    return {
      id: p.id,
      name: p.name,
      upstream: p.upstream,
      listen: state.address ?? null,
      toxics: p.toxics.map((t) => ({ name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: t.attributes })),
    };
  }

  /** Sends the state to every live worker; resolves with each one's listen error (or undefined). */
  private sync(state: State): Promise<({ code: string; message: string } | undefined)[]> {
    const snap = this.snapshot(state);
    return this.track(Promise.all(this.live().map((slot) => this.syncOne(slot, state, snap))));
  }

  private async syncOne(slot: Slot, state: State, snap: ProxySnapshot): Promise<{ code: string; message: string } | undefined> {
    let handle: RawTcpHandle | undefined;
    if (!snap.listen) slot.listening.delete(snap.id);
    else if (state.handle && !slot.listening.has(snap.id)) {
      handle = state.handle;
      slot.listening.add(snap.id);
    }
    const reply = await this.request(slot, { op: 'sync', seq: ++this.seq, proxy: snap }, handle);
    if (reply?.op === 'ack' && reply.error) {
      slot.listening.delete(snap.id);
      return reply.error;
    }
    return undefined;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Resolves with the worker's reply, or undefined if it exits first. */
  private request(slot: Slot, msg: Extract<ToWorker, { seq: number }>, handle?: RawTcpHandle): Promise<FromWorker | undefined> {
    return new Promise((resolve) => {
      if (!slot.child.connected) return resolve(undefined);
      slot.waiting.set(msg.seq, resolve);
      slot.child.send(msg, handle as never, (err: Error | null) => {
        if (!err) return;
        slot.waiting.delete(msg.seq);
        resolve(undefined);
      });
    });
  }

  private spawn(index: number): Promise<void> {
    const here = fileURLToPath(import.meta.url);
    const entry = join(dirname(here), `worker-main${extname(here)}`);
    // UV_TCP_SINGLE_ACCEPT: with one shared socket, a worker accepts one connection per wakeup, leaving the next to another.
    const env = this.options.sharing === 'handle' ? { ...process.env, UV_TCP_SINGLE_ACCEPT: '1' } : process.env;
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env, execArgv: process.execArgv });
    const slot: Slot = { index, child, ready: false, waiting: new Map(), listening: new Set(), last: [] };
    this.slots.set(index, slot);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`proxy worker ${index} (${entry}) did not start within ${READY_TIMEOUT_MS / 1000} s`));
      }, READY_TIMEOUT_MS);
      child.on('message', (msg: FromWorker) => {
        if (msg.op === 'ready') {
          clearTimeout(timer);
          child.send({ op: 'init', transport: this.options.transport, sharing: this.options.sharing, index } satisfies ToWorker);
          slot.ready = true;
          for (const state of this.states.values()) void this.syncOne(slot, state, this.snapshot(state));
          return resolve();
        }
        if (msg.op === 'log') return this.options.log?.(`worker ${index}: ${msg.message}`);
        const waiter = slot.waiting.get(msg.seq);
        slot.waiting.delete(msg.seq);
        waiter?.(msg);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.slots.get(index) === slot) this.slots.delete(index);
        for (const waiter of slot.waiting.values()) waiter(undefined);
        slot.waiting.clear();
        for (const c of slot.last) add((this.retired.get(c.id) ?? this.retired.set(c.id, zero()).get(c.id))!, c);
        if (!slot.ready) return reject(new Error(`proxy worker ${index} (${entry}) exited before it was ready (${signal ?? `exit code ${code}`})`));
        if (!this.closing) this.crashed(slot, signal ?? `exit code ${code}`);
      });
    });
  }

  private crashed(slot: Slot, how: string): void {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const what = `proxy worker ${slot.index} (pid ${slot.child.pid}) exited (${how})`;
    if (this.crashes.length > MAX_CRASHES) {
      this.closing = true;
      return this.options.onFatal?.(new Error(`${what}: ${this.crashes.length} worker exits within ${CRASH_WINDOW_MS / 1000} s, giving up`));
    }
    this.restarts++;
    this.options.log?.(`${what}; its open connections are lost, the other workers serve meanwhile; restarting it`);
    const retry = (): void => {
      if (this.closing) return;
      this.spawn(slot.index).then(
        () => this.options.log?.(`proxy worker ${slot.index} restarted (pid ${this.slots.get(slot.index)?.child.pid})`),
        (err: Error) => {
          this.options.log?.(`${err.message}; retrying`);
          setTimeout(retry, 1000).unref();
        },
      );
    };
    setTimeout(retry, 100 * 2 ** (this.crashes.length - 1)).unref();
  }
}

function zero(): Counters {
  return { accepted: 0, refused: 0, upstreamFailures: 0, up: 0, down: 0 };
}

function add(into: Counters, c: Counters): void {
  into.accepted += c.accepted;
  into.refused += c.refused;
  into.upstreamFailures += c.upstreamFailures;
  into.up += c.up;
  into.down += c.down;
}

/**
 * Reuseport sharing: a plain listen (no SO_REUSEPORT) checks the address is free — so the
 * workers never join another program's SO_REUSEPORT group on it — and settles port 0; then it
 * closes and the workers bind that port with SO_REUSEPORT.
 */
function probe(ip: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError(err.code ?? 'EIO', ip, port)));
    s.listen({ host: ip, port, exclusive: true }, () => {
      const addr = s.address() as { address: string; port: number };
      s.close(() => resolve({ host: addr.address, port: addr.port }));
    });
  });
}
