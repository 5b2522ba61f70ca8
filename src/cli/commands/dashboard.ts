import type { Command } from 'commander';
import { renderFrame } from '../../dashboard/render.js';
import { runLive } from '../../dashboard/screen.js';
import { SnapshotCollector } from '../../dashboard/snapshot.js';
import { UsageError } from '../../errors/index.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import { composeFlags, printJson, systemFrom, type CommonOptions } from '../context.js';
import { durationFlag } from '../quick-fault.js';
import { serveSystemDashboard } from '../dashboard-web.js';

interface DashboardOptions extends CommonOptions {
  interval?: string;
  once?: boolean;
  web?: boolean;
  listen?: string;
}

const MIN_INTERVAL_MS = 100;

export function registerDashboard(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('dashboard')
    .description('Live view of the system: each service\'s state, health, restarts, CPU and memory; the open faults and the runs in progress')
    .option('-s, --system <file>', 'system file (default: ./faultline.yaml, else the Compose file here)')
    .option('--state-dir <dir>', 'ledger and run state to show (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--interval <duration>', 'time between frames', '1s')
    .option('--once', 'print one frame and exit')
    .option('--json', 'print one snapshot as JSON and exit')
    .option('--web', 'serve the dashboard as a web page on 127.0.0.1 instead (its URL, with an access token, is printed on stderr); Ctrl-C stops it')
    .option('--listen <host:port>', 'with --web: where to listen (implies --web; default 127.0.0.1 and a free port)')
    .addHelpText(
      'after',
      `
Columns: KIND process/container/compose/swarm/endpoint · STATE running, restarting, paused, exited,
OOM-killed, degraded (some replicas down), not running, missing · HEALTH the latest health check
(docker services without one: the engine's view; waiting: no answer yet) and its LATENCY ·
RESTARTS seen since the dashboard started, then the supervisor's own count in brackets (the
engine's RestartCount, or faultline up's) · CPU percent of one core · MEM resident memory (/ the
container's limit).
Process services are read from the \`faultline up\` serving the state directory. See docs/dashboard.md.

Keys: q or Ctrl-C quits. Colours only on a terminal, never with NO_COLOR set.

Examples:
  faultline dashboard                          live view of ./faultline.yaml, redrawn every second
  faultline dashboard -s shop.yaml --interval 2s
  faultline dashboard --once                   one frame, e.g. for a CI log
  faultline dashboard --web                    the same, live in a browser
  faultline dashboard --json | jq '.services[] | {name, state, restarts}'

Exit codes: 0 normally · 2 bad input (no system file, a bad --interval).`,
    );
  composeFlags(command).action(async (opts: DashboardOptions) => {
    const intervalMs = durationFlag(opts.interval, '--interval', 1000);
    if (intervalMs < MIN_INTERVAL_MS) throw new UsageError(`--interval: expected at least ${MIN_INTERVAL_MS}ms, got "${opts.interval}"`);
    const system = await systemFrom(opts);
    const stateDir = resolveStateDir(opts.stateDir); // read only: a dashboard creates no state directory
    const stop = new AbortController();
    const collector = new SnapshotCollector(system, stateDir, stop.signal);
    const out = process.stdout;
    const color = out.isTTY === true && !process.env.NO_COLOR;
    try {
      if (opts.web || opts.listen !== undefined) await serveSystemDashboard({ collector, intervalMs, listen: opts.listen, stop });
      else if (opts.json) printJson(await collector.collect({ wait: true }));
      else if (opts.once) {
        const lines = renderFrame(await collector.collect({ wait: true }), { width: out.isTTY ? out.columns || 80 : Infinity, height: Infinity, color });
        out.write(`${lines.join('\n')}\n`);
      } else {
        await runLive({
          intervalMs,
          collect: () => collector.collect({ wait: false }),
          render: (snapshot, width, height) => renderFrame(snapshot, { width, height, color }),
          out,
          input: process.stdin,
          stop,
        });
      }
    } finally {
      stop.abort();
    }
    setExit(0);
  });
}
