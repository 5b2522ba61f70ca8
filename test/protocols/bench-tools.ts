/** Running redis-benchmark, pgbench and their clients, and reading their own reports. */
import { execFile } from 'node:child_process';

export interface ToolResult {
  /** The command line, for failure messages. */
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a tool to its end (never rejects: the exit code is in the result); killed after 60 s. */
export function runTool(cmd: string, args: string[], input?: string | Buffer): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ command: [cmd, ...args].join(' '), code, stdout: stdout.toString('latin1'), stderr: stderr.toString() });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** The whole result, for an assertion's message. */
export const show = (r: ToolResult): string => `${r.command}\nexit ${r.code}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;

/** One row of `redis-benchmark -q --csv`: rps and latencies in ms, as it reports them. */
export interface RedisBenchRow {
  test: string;
  rps: number;
  avg: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const REDIS_CSV_HEADER = '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"';

/** Parse redis-benchmark's CSV report (Redis 7's columns); throws naming what was expected. */
export function parseRedisBenchmarkCsv(stdout: string): RedisBenchRow[] {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== REDIS_CSV_HEADER) throw new Error(`redis-benchmark --csv: expected the header ${REDIS_CSV_HEADER}, got: ${lines[0] ?? '(nothing)'}`);
  return lines.slice(1).map((line) => {
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    const [test, ...numbers] = cells;
    const n = numbers.map(Number);
    if (!test || n.length !== 7 || n.some((x) => !Number.isFinite(x))) throw new Error(`redis-benchmark --csv: expected a test name and 7 numbers, got: ${line}`);
    const [rps, avg, min, p50, p95, p99, max] = n as [number, number, number, number, number, number, number];
    return { test, rps, avg, min, p50, p95, p99, max };
  });
}

/** What pgbench's summary says about a run. */
export interface PgbenchSummary {
  processed: number;
  /** The transactions asked for (`-t` × clients), when run with -t. */
  expected?: number;
  failed: number;
  /** `latency average` in ms. */
  latencyAvg: number;
  tps: number;
}

/** Parse pgbench's (15) summary; throws naming the line it expected. */
export function parsePgbench(stdout: string): PgbenchSummary {
  const find = (re: RegExp, what: string) => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`pgbench output: expected ${what} (${re}), not found in:\n${stdout}`);
    return m;
  };
  const processed = find(/^number of transactions actually processed: (\d+)(?:\/(\d+))?$/m, 'the processed count');
  return {
    processed: Number(processed[1]),
    expected: processed[2] === undefined ? undefined : Number(processed[2]),
    failed: Number(find(/^number of failed transactions: (\d+)/m, 'the failed count')[1]),
    latencyAvg: Number(find(/^latency average = ([\d.]+) ms$/m, 'the average latency')[1]),
    tps: Number(find(/^tps = ([\d.]+)/m, 'the tps')[1]),
  };
}
