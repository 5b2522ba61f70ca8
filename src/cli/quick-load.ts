/**
 * Load during a quick fault (`faultline kill web --load http://localhost:8080/ --rate 50/s`):
 * the flags become the experiment's own `load:` block and `slos:` list, parsed by the same
 * schemas as an experiment file, so a bad rate or SLO gets the same message either way. The run
 * then has three windows of `--for` each: the baseline, the fault, and the recovery.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import { loadSchema, sloSchema, type LoadBlock, type SloBlock } from '../experiment/schema/load.js';
import { parseDuration } from '../util/duration.js';

export interface QuickLoadFlags {
  load?: string;
  rate?: string;
  /** --load-rate, where --rate means something else (bandwidth). */
  loadRate?: string;
  connections?: string;
  slo?: string;
}

export interface QuickLoad {
  load: LoadBlock;
  slos: SloBlock[];
}

/** The open model's rate when neither --rate nor --connections is given. */
export const DEFAULT_QUICK_RATE = '50/s';
/** With --load, the length of each window (baseline, fault, recovery) when --for is not given. */
export const DEFAULT_QUICK_WINDOW_MS = 10_000;

/** The load flags; `rateFlag` renames --rate where the command has a --rate of its own (bandwidth). */
export function loadFlags(cmd: Command, rateFlag: 'rate' | 'load-rate' = 'rate'): Command {
  return cmd
    .option('--load <url>', 'send HTTP load to this URL during the run: a baseline window, the fault, a recovery window (each --for long); requests, errors and p50/p99 per window')
    .option(`--${rateFlag} <rate>`, `with --load: open model at this arrival rate, e.g. 200/s (default ${DEFAULT_QUICK_RATE})`)
    .option('--connections <n>', 'with --load: closed model, N connections each with one request in flight (instead of --rate)')
    .option('--slo <list>', 'with --load: objectives for the fault window, e.g. "errors<1%,p99<500ms" (also availability>99%, p50, p95, max, rps>100/s; add @recovery or @baseline to judge another window); exit 1 when one fails');
}

/** The load block and SLOs from the flags, or undefined without --load; a UsageError names the flag. */
export function quickLoad(given: QuickLoadFlags, rateFlag: 'rate' | 'load-rate' = 'rate'): QuickLoad | undefined {
  const flags = { ...given, rate: rateFlag === 'rate' ? given.rate : given.loadRate };
  if (flags.load === undefined) {
    for (const flag of ['rate', 'connections', 'slo'] as const) if (flags[flag] !== undefined) throw new UsageError(`--${flag === 'rate' ? rateFlag : flag} needs --load URL (the traffic it describes)`);
    return undefined;
  }
  if (!/^https?:\/\//i.test(flags.load)) throw new UsageError(`--load: expected the URL to send traffic to (http://… or https://…), got "${flags.load}"`);
  if (flags.rate !== undefined && flags.connections !== undefined) throw new UsageError(`--${rateFlag} (open model) and --connections (closed model) cannot be combined: give one`);
  const connections = flags.connections === undefined ? undefined : Number(flags.connections);
  if (connections !== undefined && (!Number.isInteger(connections) || connections < 1)) throw new UsageError(`--connections: expected a whole number >= 1, got "${flags.connections}"`);
  const parsed = loadSchema.safeParse({
    url: flags.load,
    ...(connections !== undefined ? { connections } : { rate: flags.rate ?? DEFAULT_QUICK_RATE }),
  });
  if (!parsed.success) {
    const flagOf = (path: PropertyKey[]) => (path[0] === 'url' ? '--load' : path[0] === 'rate' ? `--${rateFlag}` : path[0] === 'connections' ? '--connections' : '--load');
    throw new UsageError(parsed.error.issues.map((i) => `${flagOf(i.path)}: ${i.message}`).join('; '));
  }
  return { load: parsed.data, slos: flags.slo === undefined ? [] : parseSloList(flags.slo) };
}

const METRIC_ALIASES: Record<string, string> = {
  errors: 'errorRate',
  error: 'errorRate',
  errorrate: 'errorRate',
  availability: 'availability',
  rps: 'throughput',
  throughput: 'throughput',
};

/** `errors<1%,p99<500ms@recovery` → SLOs (default window: the fault's, `chaos`). */
export function parseSloList(list: string): SloBlock[] {
  const terms = list.split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) throw new UsageError('--slo: expected objectives such as "errors<1%,p99<500ms", got nothing');
  return terms.map((term) => {
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*(<=|>=|<|>)\s*([^@]+?)\s*(?:@\s*(baseline|chaos|fault|recovery))?$/.exec(term);
    if (!m) throw new UsageError(`--slo "${term}": expected METRIC<VALUE or METRIC>VALUE, e.g. errors<1%, p99<500ms, availability>99.9%, rps>100/s (optionally @recovery)`);
    const [, rawMetric, op, value, rawPhase] = m;
    const metric = METRIC_ALIASES[rawMetric!.toLowerCase()] ?? rawMetric!.toLowerCase();
    const phase = rawPhase === undefined || rawPhase === 'fault' ? 'chaos' : rawPhase;
    const bound = op!.startsWith('<') ? { max: value } : { min: value };
    const parsed = sloSchema.safeParse({ name: term, metric, phase, ...bound });
    if (!parsed.success) {
      throw new UsageError(`--slo "${term}": ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    return parsed.data;
  });
}

/**
 * `--for` with and without load. A held fault (pause, partition, limit, …): its duration, and with
 * load each window's too. An instant one (kill, restart): only with load, each window's length.
 */
export function quickWindows(forFlag: string | undefined, hasLoad: boolean, held: boolean): { duration?: number; windowMs?: number } {
  const forMs = forFlag === undefined ? undefined : parseDuration(forFlag);
  if (forFlag !== undefined && (forMs === undefined || forMs <= 0)) throw new UsageError(`--for: expected a duration above 0 such as 500ms, 10s or 1m, got "${forFlag}"`);
  if (held) return forMs !== undefined ? { duration: forMs, windowMs: forMs } : {};
  if (forMs !== undefined && !hasLoad) throw new UsageError('--for goes with --load here (the length of the baseline, fault and recovery windows): a kill or restart is instant');
  return { windowMs: forMs ?? DEFAULT_QUICK_WINDOW_MS };
}
