/**
 * What every proxy fault kind shares: it is a set of toxics added to the target proxy, named from
 * the target's key. The undo is the proxy, the toxic names and where the proxy runs — plain JSON
 * that removes them from a fresh process:
 *
 * - in this process's fleet: removed through the fleet; when the fleet is gone (its run ended,
 *   or a new faultline process reads the ledger after a crash) the toxics died with it;
 * - on a proxy API server: DELETE per toxic (404 and an unreachable server both mean "gone").
 *   While the fault is held, a heartbeat keeps the toxics' TTL fresh; if faultline dies, they
 *   expire on their own one TTL later (the dead-man's switch).
 */
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { FaultContext, FaultKind, InjectResult, RevertInfo } from '../../faults/types.js';
import { ProxyApiClient, ProxyApiError } from '../../proxy/index.js';
import { readStartTicks, sameProcess } from '../../util/proc.js';
import { liveFleet } from './fleet.js';
import type { ProxyTarget } from './target.js';

export interface ToxicSpec {
  /** Distinguishes several toxics of one fault (`up`, `down`). */
  suffix: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, unknown>;
}

export type Direction = 'downstream' | 'upstream' | 'both';

export const direction = z
  .enum(['downstream', 'upstream', 'both'])
  .default('downstream')
  .describe('downstream: responses (upstream to client); upstream: requests; both');

/** A share: 0.25, or "25%". */
export const share = (fallback: number) =>
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*%\s*$/.test(value) ? Number(value.trim().slice(0, -1).trim()) / 100 : NaN;
      if (!(n >= 0 && n <= 1)) {
        ctx.addIssue({ code: 'custom', message: `expected a share between 0 and 1, or a percentage such as 25%, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return n;
    })
    .default(fallback);

/** One toxic per stream the direction names. */
export function perStream(dir: Direction, make: (stream: 'upstream' | 'downstream') => Omit<ToxicSpec, 'suffix' | 'stream'>): ToxicSpec[] {
  const streams = dir === 'both' ? (['upstream', 'downstream'] as const) : [dir];
  return streams.map((stream) => ({ suffix: stream === 'upstream' ? 'up' : 'down', stream, ...make(stream) }));
}

interface ProxyFaultSpec<P> {
  name: string;
  summary: string;
  params: z.ZodType<P>;
  toxics(params: P): ToxicSpec[];
}

const revertSummary = 'the toxics are removed (in-process proxies: they end with the run; a proxy server: DELETE, and a TTL that expires without heartbeat)';

/** A held fault kind made of toxics on the target proxy. */
export function proxyFault<P>(spec: ProxyFaultSpec<P>): FaultKind<P, ProxyTarget> {
  return {
    name: spec.name,
    driver: 'proxy',
    summary: spec.summary,
    timing: 'held',
    revertSummary,
    params: spec.params,
    plan: (target, params) => planFor(spec.name, target, spec.toxics(params)),
    async inject(target, params, ctx) {
      return applyToxics(spec.name, target, spec.toxics(params), ctx);
    },
    revert: (info, ctx) => removeToxics(info, ctx),
  };
}

function toxicName(kind: string, target: ProxyTarget, spec: ToxicSpec): string {
  return `faultline-${kind}-${target.key}-${spec.suffix}`;
}

function planFor(kind: string, target: ProxyTarget, specs: ToxicSpec[]): RevertInfo {
  const toxics = specs.map((s) => toxicName(kind, target, s));
  if (target.host.kind === 'api') return { proxy: target.proxy, toxics, api: target.host.url };
  return { proxy: target.proxy, toxics, fleet: target.host.fleetId, pid: process.pid, startTicks: readStartTicks(process.pid) ?? 0 };
}

async function applyToxics(kind: string, target: ProxyTarget, specs: ToxicSpec[], ctx: FaultContext): Promise<InjectResult> {
  const host = target.host;
  const bodies = specs.map((s) => ({ name: toxicName(kind, target, s), type: s.type, stream: s.stream, toxicity: s.toxicity, attributes: s.attributes }));
  if (host.kind === 'fleet') {
    const fleet = liveFleet(host.fleetId);
    if (!fleet?.collection) throw new TargetError(`the proxies of this run are stopped (${target.label})`, target.service);
    for (const body of bodies) fleet.collection.addToxic(target.proxy, body);
  } else {
    const client = new ProxyApiClient(host.url);
    for (const body of bodies) {
      await client.addToxic(target.proxy, { ...body, ttl: host.ttl, owner: ctx.runId }).catch((err: Error) => {
        throw new TargetError(`${target.label}: ${err.message}`, target.service, { cause: err });
      });
    }
    heartbeats.start(host.url, ctx.runId, host.ttl, bodies.map((b) => `${target.proxy}/${b.name}`), ctx.onLost);
  }
  return { details: { proxy: target.proxy, listen: target.listen, upstream: target.upstream, toxics: bodies.map((b) => ({ name: b.name, type: b.type, stream: b.stream, toxicity: b.toxicity, attributes: b.attributes as never })) } };
}

const undoInfo = z.looseObject({
  proxy: z.string(),
  toxics: z.array(z.string()),
  api: z.string().optional(),
  fleet: z.string().optional(),
  pid: z.number().int().optional(),
  startTicks: z.number().int().optional(),
});

async function removeToxics(info: RevertInfo, ctx: FaultContext): Promise<void> {
  const parsed = undoInfo.safeParse(info);
  if (!parsed.success) throw new TargetError(`proxy fault: revert info ${JSON.stringify(info)} names no proxy and toxics`);
  const { proxy, toxics, api, fleet: fleetId, pid, startTicks } = parsed.data;
  if (api !== undefined) {
    const client = new ProxyApiClient(api);
    // Stop keeping them alive first, so a beat racing the removal is not taken for a lapse. If a
    // removal then fails, the toxics expire one TTL later: the dead-man's switch.
    heartbeats.stop(api, ctx.runId, toxics.map((t) => `${proxy}/${t}`));
    try {
      for (const name of toxics) await client.removeToxic(proxy, name);
    } catch (err) {
      // A server that is gone took its toxics with it; anything else may leave them in place.
      if (!(err instanceof ProxyApiError && err.unreachable)) throw new TargetError(`cannot remove toxics from proxy ${proxy}: ${(err as Error).message}`, undefined, { cause: err });
    }
    return;
  }
  const fleet = fleetId !== undefined ? liveFleet(fleetId) : undefined;
  if (fleet?.collection) {
    for (const name of toxics) {
      if (fleet.collection.has(proxy) && fleet.collection.get(proxy).toxic(name)) fleet.collection.removeToxic(proxy, name);
    }
    return;
  }
  // Not in this process: the fleet lived in the process that ran the experiment. If that process
  // is gone, so are its proxies and their toxics; if it still runs, only it can remove them.
  if (pid !== undefined && pid !== process.pid && startTicks !== undefined && sameProcess(pid, startTicks)) {
    throw new TargetError(`proxy ${proxy} runs inside faultline process ${pid}, which is still running: its toxics end with that run (faultline stop)`);
  }
}

/**
 * One heartbeat per (server, run) while that run holds toxics there. A beat that fails, or that
 * refreshes fewer toxics than the run holds, is not ignored: once no beat has succeeded for a TTL
 * the server has expired them, and a short count means some are already gone — either way the
 * fault no longer holds, and each fault's `onLost` says so.
 */
class Heartbeats {
  private readonly beats = new Map<string, Beat>();

  start(url: string, owner: string, ttl: number, toxics: string[], onLost?: (reason: string) => void): void {
    const key = `${url} ${owner}`;
    let beat = this.beats.get(key);
    if (!beat) {
      beat = new Beat(url, owner, ttl, () => this.beats.delete(key));
      this.beats.set(key, beat);
    }
    beat.add(toxics, onLost);
  }

  /** Idempotent: a toxic reverted twice is forgotten once. */
  stop(url: string, owner: string, toxics: string[]): void {
    this.beats.get(`${url} ${owner}`)?.remove(toxics);
  }
}

class Beat {
  private readonly toxics = new Map<string, ((reason: string) => void) | undefined>();
  private readonly timer: NodeJS.Timeout;
  private readonly client: ProxyApiClient;
  private lastOk = Date.now();
  private lost = false;

  constructor(
    private readonly url: string,
    private readonly owner: string,
    private readonly ttl: number,
    private readonly onEmpty: () => void,
  ) {
    this.client = new ProxyApiClient(url, Math.max(1000, ttl / 2));
    this.timer = setInterval(() => void this.beat(), Math.max(100, Math.floor(ttl / 3)));
    this.timer.unref();
  }

  add(toxics: string[], onLost?: (reason: string) => void): void {
    for (const t of toxics) this.toxics.set(t, onLost);
  }

  remove(toxics: string[]): void {
    for (const t of toxics) this.toxics.delete(t);
    if (this.toxics.size > 0) return;
    clearInterval(this.timer);
    this.onEmpty();
  }

  private async beat(): Promise<void> {
    const holding = new Set(this.toxics.keys());
    if (holding.size === 0 || this.lost) return;
    let refreshed: number;
    try {
      refreshed = await this.client.heartbeat(this.owner);
    } catch (err) {
      const silentFor = Date.now() - this.lastOk;
      if (silentFor >= this.ttl) this.lapse(`no keep-alive reached the proxy server ${this.url} for ${silentFor} ms (TTL ${this.ttl} ms; last error: ${(err as Error).message}), so it has expired the toxics`);
      return;
    }
    this.lastOk = Date.now();
    // Count only toxics still held now and when the beat was sent: a removal racing the beat is not a lapse.
    const still = [...holding].filter((t) => this.toxics.has(t)).length;
    if (refreshed < still) this.lapse(`the proxy server ${this.url} refreshed ${refreshed} of the ${still} toxic(s) this run holds there: the rest are gone (expired, or removed by someone else)`);
  }

  private lapse(reason: string): void {
    this.lost = true;
    const told = new Set<(reason: string) => void>();
    for (const onLost of this.toxics.values()) {
      if (onLost && !told.has(onLost)) {
        told.add(onLost);
        onLost(reason);
      }
    }
  }
}

const heartbeats = new Heartbeats();
