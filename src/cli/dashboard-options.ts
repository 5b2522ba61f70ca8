/**
 * `--dashboard`, `--dashboard-listen` and `--dashboard-linger` for every command that runs
 * experiments (run, demo, the quick commands): the flags, and the live web dashboard they start.
 * A command adds the flags with `addDashboardOptions`, calls `startDashboard` before its run(s),
 * spreads `dashboard.reporters(…)` into each run's reporters, and awaits `dashboard.close()` at
 * the end (which keeps the page up for the linger first). Without the flags all of it is a no-op.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import type { Reporter } from '../reporters/types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { DashboardReporter } from '../web-dashboard/dashboard-reporter.js';
import { parseListen } from '../web-dashboard/listen-address.js';
import { DashboardServer } from '../web-dashboard/server.js';

export interface DashboardFlags {
  dashboard?: boolean;
  dashboardListen?: string;
  dashboardLinger?: string;
}

export interface LiveDashboard {
  /** The page's URL with its token; undefined without --dashboard. */
  url: string | undefined;
  /** The reporters to add to a run: `reportFile` is asked at the run's end for its HTML report. */
  reporters(reportFile?: () => string | undefined): Reporter[];
  /** Keeps the page up for --dashboard-linger (Ctrl-C ends that sooner), then closes it. */
  close(): Promise<void>;
}

export function addDashboardOptions(cmd: Command): Command {
  return cmd
    .option('--dashboard', 'serve a live web dashboard of the run on 127.0.0.1 (its URL, with an access token, is printed on stderr)')
    .option('--dashboard-listen <host:port>', 'where the dashboard listens (implies --dashboard; default 127.0.0.1 and a free port)')
    .option('--dashboard-linger <duration>', 'keep the dashboard up this long after the run ends, e.g. 30s (implies --dashboard; Ctrl-C ends it sooner)');
}

const OFF: LiveDashboard = { url: undefined, reporters: () => [], close: () => Promise.resolve() };

export async function startDashboard(flags: DashboardFlags, title: string): Promise<LiveDashboard> {
  if (!flags.dashboard && flags.dashboardListen === undefined && flags.dashboardLinger === undefined) return OFF;
  const lingerMs = lingerFlag(flags.dashboardLinger);
  const server = await listen(flags.dashboardListen, { mode: 'run', title });
  process.stderr.write(`faultline: live dashboard: ${server.url}\n`);
  return {
    url: server.url,
    reporters: (reportFile) => [new DashboardReporter(server, reportFile)],
    async close() {
      if (lingerMs > 0) await linger(lingerMs, server.url);
      await server.close('the run is over; the dashboard has closed');
    },
  };
}

/** Starts the server; a taken or unusable address is a usage error (exit 2, nothing was run). */
export async function listen(flag: string | undefined, o: { mode: 'run' | 'system'; title: string }): Promise<DashboardServer> {
  const address = flag === undefined ? {} : parseListen(flag);
  try {
    return await DashboardServer.start({ ...o, ...address });
  } catch (err) {
    throw new UsageError(`--dashboard-listen: cannot listen on ${flag ?? '127.0.0.1:0'}: ${(err as Error).message}`);
  }
}

function lingerFlag(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`--dashboard-linger: expected a duration such as 30s or 5m, got "${value}"`);
  return ms;
}

/** Waits `ms`, or until Ctrl-C / SIGTERM / SIGHUP, which end only the wait: the exit code stays the run's. */
function linger(ms: number, url: string): Promise<void> {
  process.stderr.write(`faultline: the dashboard stays up for ${ms >= 60_000 ? formatDuration(ms) : `${Math.round(ms / 1000)}s`}: ${url} (Ctrl-C ends it)\n`);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    for (const s of signals) process.on(s, done);
    function done() {
      clearTimeout(timer);
      for (const s of signals) process.off(s, done);
      resolve();
    }
  });
}

/** The HTML report's path among a run's file reporters (once written), for the page's link. */
export function htmlReportOf(reporters: readonly { name: string; path?: string | undefined }[]): () => string | undefined {
  return () => reporters.find((r) => r.name === 'html')?.path;
}
