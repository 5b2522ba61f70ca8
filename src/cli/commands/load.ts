/** `faultline load URL`: the load generator on its own. Flags go through the experiment's `load:` schema, so both accept the same things. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { FaultlineError, UsageError } from '../../errors/index.js';
import { loadSchema } from '../../experiment/schema/load.js';
import { startLoad } from '../../load/start-load.js';
import { formatProgress, formatSummary, summarize } from '../../load/summary.js';
import { isBuiltinSpec, isCommandSpec, type BuiltinLoadSpec } from '../../load/spec.js';
import { printJson } from '../context.js';

interface LoadOptions {
  rate?: string;
  connections?: string;
  pipelining?: string;
  workers?: string;
  duration: string;
  method?: string;
  header: string[];
  body?: string;
  mix?: string;
  timeout?: string;
  ok?: string;
  interval?: string;
  json?: boolean;
  progress: boolean;
}

/** Which flag each field of the load schema comes from, for error messages. */
const FLAG: Record<string, string> = {
  url: 'URL',
  rate: '--rate',
  connections: '--connections',
  pipelining: '--pipelining',
  workers: '--workers',
  duration: '--duration',
  method: '--method',
  headers: '--header',
  body: '--body',
  requests: '--mix',
  timeout: '--timeout',
  ok: '--ok',
  interval: '--interval',
};

export function registerLoad(program: Command, setExit: (code: number) => void): void {
  program
    .command('load')
    .description('Send HTTP load to URL and report throughput, errors, status codes and latency percentiles')
    .argument('<url>', 'http(s) URL to load (with --mix: the origin, and the default path)')
    .option('-r, --rate <rate>', 'open model: a fixed arrival rate such as 500/s; latency counts from each request\'s intended send time')
    .option('-c, --connections <n>', 'closed model: connections, each with one request (or --pipelining) in flight (default 10); with --rate: the most connections to open (default 256)')
    .option('-p, --pipelining <n>', 'closed model: requests in flight per connection (default 1)')
    .option('-w, --workers <n>', 'worker threads sharing the load, each with its own connections and share of the schedule, merged exactly (default 1; auto: the cores beyond one, at most 4)')
    .option('-d, --duration <duration>', 'how long to send load', '10s')
    .option('-m, --method <method>', 'HTTP method (default GET)')
    .option('-H, --header <header>', 'request header "Name: value" (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('-b, --body <text>', 'request body')
    .option('--mix <file>', 'YAML or JSON list of requests to mix: {path | url, method, headers, body, weight}')
    .option('--timeout <duration>', 'a request without a response by then is an error (default 10s)')
    .option('--ok <statuses>', 'statuses that count as success, e.g. 2xx,404 (default 2xx,3xx)')
    .option('--interval <duration>', 'time-series resolution, 100ms to 1s (default 1s)')
    .option('--json', 'print the summary (with the per-second series) as JSON')
    .option('--no-progress', 'no progress line on stderr')
    .addHelpText(
      'after',
      `
Examples:
  faultline load http://127.0.0.1:8080/ -c 50 -d 30s        closed model: 50 connections as fast as the server answers
  faultline load http://127.0.0.1:8080/ --rate 500/s          open model: 500 requests per second, whatever the server does
  faultline load http://127.0.0.1:8080/ -c 64 --workers 2     closed model on two threads (32 connections each)
  faultline load http://127.0.0.1:8080/ --mix mix.yaml --json

Workers: one thread is enough for most loads (it sends tens of thousands of requests a second);
add workers when the generator itself is the bottleneck — its CPU near 100% — and the machine has
cores to spare beyond the target's. With --rate, worker i of N sends requests i, i+N, i+2N … of
the one schedule, so the arrivals and the latency (from each intended send time) are as with one.

Exit codes: 0 the load ran (whatever the server answered) · 2 bad flags or an unreachable URL.`,
    )
    .action(async (url: string, opts: LoadOptions) => {
      const spec = await specFrom(url, opts);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const tty = process.stderr.isTTY === true;
      const showProgress = opts.progress;
      let lastLog = 0;
      const run = startLoad(spec, { signal: controller.signal });
      const timer = showProgress
        ? setInterval(
            () => {
              const p = run.progress();
              if (tty) process.stderr.write(`\r\x1b[2K${formatProgress(p, spec.durationMs)}`);
              else if (p.elapsedMs - lastLog >= 5000) {
                lastLog = p.elapsedMs;
                process.stderr.write(`${formatProgress(p, spec.durationMs)}\n`);
              }
            },
            tty ? 250 : 1000,
          )
        : undefined;
      try {
        await run.ended;
      } finally {
        clearInterval(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const record = await run.stop();
      if (showProgress && tty) process.stderr.write('\r\x1b[2K');
      if (record.error !== undefined) throw new FaultlineError('E_LOAD', record.error);
      const summary = summarize(spec, record, run.totals()!);
      if (opts.json) printJson(summary);
      else process.stdout.write(formatSummary(summary));
      setExit(0);
    });
}

async function specFrom(url: string, opts: LoadOptions): Promise<BuiltinLoadSpec> {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`URL: expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
  const input: Record<string, unknown> = { url, duration: opts.duration };
  if (opts.rate !== undefined) input.rate = opts.rate;
  if (opts.connections !== undefined) input.connections = integer(opts.connections, '--connections');
  if (opts.pipelining !== undefined) input.pipelining = integer(opts.pipelining, '--pipelining');
  if (opts.workers !== undefined) input.workers = /^\s*\d+\s*$/.test(opts.workers) ? Number(opts.workers) : opts.workers.trim();
  if (opts.method !== undefined) input.method = opts.method;
  if (opts.header.length > 0) input.headers = Object.fromEntries(opts.header.map(header));
  if (opts.body !== undefined) input.body = opts.body;
  if (opts.timeout !== undefined) input.timeout = opts.timeout;
  if (opts.interval !== undefined) input.interval = opts.interval;
  if (opts.ok !== undefined) input.ok = opts.ok.split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s) : s.trim()));
  if (opts.mix !== undefined) input.requests = await readMix(opts.mix);
  const parsed = loadSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [field, ...rest] = issue.path.map(String);
    const where = field === 'requests' ? `--mix ${opts.mix}${rest.length ? ` at [${rest.join('.')}]` : ''}` : (FLAG[field ?? ''] ?? field ?? 'load');
    const message = issue.message.replace(/^Invalid input: /, '');
    throw new UsageError(`${where}: ${message}`);
  }
  const spec = parsed.data;
  if (!isBuiltinSpec(spec)) throw new UsageError(`faultline load runs the built-in generator; put ${isCommandSpec(spec) ? "an external tool in an experiment's load.command" : "k6 on a cluster in an experiment's load.k6Operator"}`);
  if (spec.durationMs === undefined || spec.durationMs <= 0) throw new UsageError('--duration: expected a duration above 0, such as 10s');
  return spec;
}

function integer(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function header(text: string): [string, string] {
  const i = text.indexOf(':');
  if (i <= 0) throw new UsageError(`--header: expected "Name: value", got ${JSON.stringify(text)}`);
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

async function readMix(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--mix: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`--mix ${file}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(list)) throw new UsageError(`--mix ${file}: expected a list of requests (or { requests: [...] })`);
  return list;
}
