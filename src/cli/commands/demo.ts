import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { freeBasePort, spanFree } from '../../demo/shop/free-ports.js';
import { DEFAULT_BASE_PORT, PORT_SPAN } from '../../demo/shop/topology.js';
import { runDemo } from '../../demo/run/run-demo.js';
import { findRealBinaries } from '../../demo/real/binaries.js';
import { UsageError } from '../../errors/index.js';
import { abortOnSignals } from '../abort-on-signals.js';
import { startRunGuard } from '../guarded-run.js';
import { stateDirFrom } from '../context.js';
import { addDashboardOptions, startDashboard, type DashboardFlags } from '../dashboard-options.js';
import { addMetricsOptions, startMetrics, type MetricsFlags } from '../metrics-options.js';

interface DemoCliOptions extends MetricsFlags, DashboardFlags {
  fragile?: boolean;
  quick?: boolean;
  all?: boolean;
  only?: string;
  reportDir: string;
  basePort?: string;
  keep?: boolean;
  verbose?: boolean;
  stateDir?: string;
  reaper?: boolean;
  real?: boolean;
}

export const DEFAULT_DEMO_REPORT_DIR = 'faultline-demo-report';

export function registerDemo(program: Command, setExit: (code: number) => void): void {
  addDashboardOptions(addMetricsOptions(program.command('demo'))
    .description('Start the bundled demo shop (six services, local processes) and run its resilience suite against it, with live progress, a summary and reports')
    .option('--real', 'the cache is a real redis-server and the store a real PostgreSQL (initdb into a temporary directory), both supervised by faultline and reached through its proxies; needs redis-server and postgresql installed')
    .option('--fragile', 'run against the fragile build (no timeouts, retries, breakers, fallbacks or restarts): the suite deviates and shows the cascade')
    .option('--quick', 'the quick suite only: three experiments, under 45 s')
    .option('--all', 'every experiment of the suite, the extended ones too (13; about 1.5 times as long as the default run)')
    .option('--only <names>', 'only these experiments of the suite, comma-separated (e.g. database-outage,network-partition)')
    .option('-r, --report-dir <dir>', 'where to write the reports: one folder per experiment, plus summary.md and summary.json', `./${DEFAULT_DEMO_REPORT_DIR}`)
    .option('--base-port <n>', `first of the ${PORT_SPAN} loopback ports the shop uses (default ${DEFAULT_BASE_PORT}, or a free span when that one is taken)`)
    .option('--keep', 'keep the generated system file, experiment files and store data (their directory is printed)')
    .option('-v, --verbose', "print every run's full console report instead of the compact progress")
    .option('--state-dir <dir>', 'state of the runs (ledger, audit, service logs) goes to <dir>/demo (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--no-reaper', "do not start a reaper per run (it reverts the run's faults if faultline is killed)")
    .addHelpText(
      'after',
      `
The shop's services listen on 127.0.0.1 only; no Docker, no root. Each experiment starts the
shop, runs, reverts its faults and stops the shop. Ctrl-C stops the run in progress with every
fault reverted and every shop process stopped (exit 3).

Exit codes:
  0  every hypothesis held (the resilient build)
  1  an experiment deviated (the fragile build, as expected: the summary shows the cascade)
  2  invalid flags
  3  stopped (Ctrl-C, SIGTERM) or a run aborted: everything was reverted
  4  a revert failed: run \`faultline recover --state-dir <state dir>/demo\`

Examples:
  npm run demo                                  # the default suite, resilient build
  npm run demo -- --quick --fragile             # flags after --
  npm run demo -- --real --quick                # on a real Redis and PostgreSQL
  faultline demo --quick --report-dir out/demo`,
    ))
    .action(async (opts: DemoCliOptions) => {
      if ([opts.quick, opts.all, opts.only !== undefined].filter(Boolean).length > 1) throw new UsageError('--quick, --all and --only: choose one');
      const only = opts.only?.split(',').map((n) => n.trim()).filter(Boolean);
      if (only && only.length === 0) throw new UsageError('--only needs experiment names, comma-separated');
      // Before anything starts: without the servers, say what to install (exit 2).
      const real = opts.real ? findRealBinaries() : undefined;
      const basePort = await chooseBasePort(opts.basePort);
      const stateDir = await stateDirFrom({ stateDir: opts.stateDir === undefined ? undefined : opts.stateDir });
      const demoState = join(stateDir, 'demo');
      const observers = await startMetrics(opts); // --metrics-listen, --metrics-push, --grafana-url
      let runId: string | undefined;
      const dashboard = await startDashboard(opts, `faultline demo · ${opts.fragile ? 'fragile' : 'resilient'} build`);
      const signals = abortOnSignals(demoState, () => runId);
      try {
        const summary = await runDemo({
          mode: opts.fragile ? 'fragile' : 'resilient',
          set: opts.quick ? 'quick' : opts.all ? 'all' : 'default',
          ...(only ? { only } : {}),
          reportDir: resolve(opts.reportDir),
          stateDir: demoState,
          basePort,
          keep: opts.keep === true,
          ...(real ? { real } : {}),
          extraReporters: dashboard.reporters,
          verbose: opts.verbose === true,
          signal: signals.signal,
          reporters: observers.reporters,
          guard: (id, maxDurationMs) => {
            runId = id;
            return startRunGuard(demoState, id, { reaper: opts.reaper !== false, maxDurationMs, signals: false });
          },
        });
        setExit(summary.exitCode);
      } finally {
        await observers.close();
        signals.dispose();
      }
      await dashboard.close();
    });
}

async function chooseBasePort(flag: string | undefined): Promise<number> {
  if (flag === undefined) return freeBasePort(DEFAULT_BASE_PORT);
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 1024 || port + PORT_SPAN - 1 > 65_535) throw new UsageError(`--base-port: expected a port from 1024 to ${65_535 - PORT_SPAN + 1}, got "${flag}"`);
  if (!(await spanFree(port))) throw new UsageError(`--base-port ${port}: a port of ${port}-${port + PORT_SPAN - 1} is in use on 127.0.0.1; choose another span, or leave the flag out to pick a free one`);
  return port;
}
