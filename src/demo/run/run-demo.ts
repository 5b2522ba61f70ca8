/**
 * `faultline demo`: the bundled shop and its resilience suite, end to end.
 *
 *   writes the shop's system file and the suite (one set: quick, default or all) into a temporary
 *   directory → runs each experiment in order with the library's runner (each run starts the shop,
 *   checks steady state, injects, measures recovery, reverts, stops the shop) → live progress →
 *   every run's reports in REPORT_DIR/<experiment>/ → summary.json and summary.md in REPORT_DIR →
 *   the summary on the console.
 *
 * The abort signal (Ctrl-C, SIGTERM) reaches the run in progress: the runner's abort path reverts
 * its faults, runs rollbacks, stops every shop process and still writes that run's report; the
 * experiments after it are not run, and the summary says so.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { faultRegistry } from '../../drivers/index.js';
import { loadExperiment } from '../../experiment/loader/load-experiment.js';
import { newRunId, runExperiment } from '../../experiment/runner/run-experiment.js';
import { ConsoleReporter } from '../../reporters/console-reporter.js';
import { fileReportersFor, type FileReporter } from '../../reporters/file-reporters.js';
import { JournalReporter } from '../../reporters/journal-reporter.js';
import type { Reporter } from '../../reporters/types.js';
import { UsageError } from '../../errors/index.js';
import { writeShopFiles, type ShopFiles } from '../files.js';
import type { RealBinaries } from '../real/binaries.js';
import { preparePostgres, type PostgresCluster } from '../real/postgres-dir.js';
import { PORT_SPAN, SHOP_SERVICES, type ShopMode } from '../shop/topology.js';
import { paintFor, type Output } from './paint.js';
import { DemoProgress } from './progress.js';
import { demoSummary, printSummary, summaryMarkdown, type DemoRun, type DemoSet, type DemoSummary } from './summary.js';

export interface DemoOptions {
  mode: ShopMode;
  set: DemoSet;
  /** Only these experiments (by name, from the whole suite), in the suite's order. */
  only?: string[];
  /** Where the reports go (made if missing). */
  reportDir: string;
  /** The ledger, run registry, audit log and service logs of the demo's runs. */
  stateDir: string;
  /** First port of the shop's span (17 ports: services base..base+5, proxies base+10..base+16). */
  basePort: number;
  /** Keep the generated files and the store's data (the directory is printed). */
  keep?: boolean;
  out?: Output;
  signal?: AbortSignal;
  /** The full console report of every run instead of the demo's compact progress. */
  verbose?: boolean;
  color?: boolean;
  live?: boolean;
  /** More reporters that follow every run (the Prometheus exporter, Grafana annotations). */
  reporters?: Reporter[];
  /** Called before each run with its id (the CLI starts the run's reaper); `done()` after it. */
  /** Guards each run (the reaper); its signal aborts the run when the guard is lost. */
  guard?: (runId: string, maxDurationMs: number) => Promise<{ signal?: AbortSignal; done(): Promise<void> | void }>;
  /** More reporters for each run (a live dashboard's), after the report files: `reportFile` is the run's HTML report once written. */
  extraReporters?: (reportFile: () => string | undefined) => Reporter[];
  /** `--real`: the cache is a real redis-server and the store a real PostgreSQL (findRealBinaries()). */
  real?: RealBinaries;
}

export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_MD = 'summary.md';

export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  const out = o.out ?? process.stdout;
  const p = paintFor(out, o.color);
  const startedAt = new Date();
  const demoStart = performance.now();
  const reportDir = resolve(o.reportDir);
  const relReportDir = displayPath(reportDir);
  const workDir = await mkdtemp(join(tmpdir(), `faultline-demo-${o.mode}-`));
  const kinds = faultRegistry();
  const runs: DemoRun[] = [];
  let stopped: string | undefined;
  let cluster: PostgresCluster | undefined;
  try {
    if (o.real) cluster = await preparePostgres(o.real); // initdb and the store's tables, once
    const redisDir = join(workDir, 'redis');
    if (o.real) await mkdir(redisDir);
    const real = o.real && cluster ? { bins: o.real, postgres: cluster, redisDir } : undefined;
    const files = await writeShopFiles(workDir, { mode: o.mode, basePort: o.basePort, dataDir: join(workDir, 'data'), set: o.only ? 'all' : o.set, ...(real ? { real } : {}) });
    if (o.only) selectOnly(files, o.only);
    const skipped: DemoSummary['skipped'] = files.skipped.map((s) => ({ name: s.entry.name, missing: [...s.missing] }));
    await prepareReportDir(reportDir);

    const w = (line = '') => out.write(`${line}\n`);
    const which = o.only ? `${files.experiments.length} of the suite's experiments` : `${o.set} suite: ${files.experiments.length} experiments`;
    w(p.bold(`faultline demo · the ${o.mode} build of the demo shop · ${which}`));
    w(p.dim(`  shop:    ${SHOP_SERVICES.length} services on 127.0.0.1:${o.basePort}-${o.basePort + SHOP_SERVICES.length - 1}, each call through a faultline proxy (127.0.0.1:${o.basePort + 10}-${o.basePort + PORT_SPAN - 1}); started and stopped by each run`));
    if (real) w(p.dim(`  real:    cache = ${real.bins.redisServer}, store = ${real.bins.postgres} (cluster ${cluster!.dataDir}), each a process service reached through its proxies`));
    w(p.dim(`  files:   ${workDir}${o.keep ? ' (kept)' : ' (removed at the end; --keep keeps it)'}`));
    w(p.dim(`  reports: ${relReportDir}/   state: ${displayPath(o.stateDir)}`));
    for (const s of skipped) w(p.dim(`  skipped: ${s.name} (needs ${s.missing.join(', ')})`));

    for (const [i, { entry, file }] of files.experiments.entries()) {
      const runDir = join(reportDir, entry.name);
      const run: DemoRun = { entry, reportDir: entry.name, reports: {} };
      runs.push(run);
      if (o.signal?.aborted) continue; // listed as not run
      // With --verbose the console reporter draws its own status line.
      const live = o.verbose ? false : o.live;
      const progress = new DemoProgress({ out, index: i + 1, total: files.experiments.length, entry, expected: entry.expected[o.mode], demoStart, ...(o.color !== undefined ? { color: o.color } : {}), ...(live !== undefined ? { live } : {}) });
      const journalReporter = new JournalReporter(runDir);
      const fileReporters = fileReportersFor(['html', 'md', 'junit'], runDir) as FileReporter[];
      const shown: Reporter = o.verbose ? new ConsoleReporter(out, { ...(o.color !== undefined ? { color: o.color } : {}), ...(o.live !== undefined ? { live: o.live } : {}) }) : progress;
      const loaded = await loadExperiment(file, { kinds });
      const runId = newRunId();
      progress.begin();
      let guard: Awaited<ReturnType<NonNullable<DemoOptions['guard']>>> | undefined;
      try {
        guard = await o.guard?.(runId, loaded.experiment.maxDuration);
        const signals = [o.signal, guard?.signal].filter((s): s is AbortSignal => s !== undefined);
        run.journal = await runExperiment(loaded, {
          kinds,
          stateDir: o.stateDir,
          runId,
          reporters: [shown, journalReporter, ...fileReporters, ...(o.reporters ?? []), ...(o.extraReporters?.(() => fileReporters.find((r) => r.format === 'html')?.path) ?? [])],
          confirm: () => Promise.resolve(false), // the shop is on loopback: nothing to confirm
          ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
        });
      } finally {
        progress.stop();
        await guard?.done();
      }
      const rel = (path: string | undefined) => (path === undefined ? undefined : relative(reportDir, path));
      const byFormat = Object.fromEntries(fileReporters.map((r) => [r.format, rel(r.path)]));
      run.reports = pick({ journal: rel(journalReporter.path), html: byFormat.html, markdown: byFormat.md, junit: byFormat.junit });
    }
    if (o.signal?.aborted) stopped = reasonOf(o.signal);

    const summary = demoSummary({ mode: o.mode, set: o.set, startedAt, durationMs: performance.now() - demoStart, basePort: o.basePort, reportDir, runs, skipped, ...(stopped ? { stopped } : {}) });
    await writeFile(join(reportDir, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFile(join(reportDir, SUMMARY_MD), summaryMarkdown(summary));
    printSummary(summary, out, relReportDir, o.color);
    return summary;
  } finally {
    if (!o.keep) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    if (!o.keep) await cluster?.dispose().catch(() => undefined);
  }
}

/** Keeps the named experiments; an unknown name is a usage error that lists the suite. */
function selectOnly(files: ShopFiles, names: string[]): void {
  const known = [...files.experiments, ...files.skipped].map((e) => e.entry.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UsageError(`--only: no experiment ${unknown.map((n) => `"${n}"`).join(', ')} in the demo suite; it has: ${known.join(', ')}`);
  files.experiments = files.experiments.filter((e) => names.includes(e.entry.name));
  files.skipped = files.skipped.filter((e) => names.includes(e.entry.name));
}

/** A report dir a previous demo wrote: its experiment folders go, so the index never lists stale runs. */
async function prepareReportDir(reportDir: string): Promise<void> {
  await mkdir(reportDir, { recursive: true });
  let previous: { experiments?: { reportDir?: unknown }[] };
  try {
    previous = JSON.parse(await readFile(join(reportDir, SUMMARY_JSON), 'utf8')) as typeof previous;
  } catch {
    return;
  }
  for (const e of previous.experiments ?? []) {
    const dir = typeof e.reportDir === 'string' ? resolve(reportDir, e.reportDir) : undefined;
    // Only plain sub-folders of the report dir, as a demo names them.
    if (dir && relative(reportDir, dir) === e.reportDir && /^[a-z0-9-]+$/.test(e.reportDir)) await rm(dir, { recursive: true, force: true });
  }
}

function pick<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'interrupted';
}

/** Relative to the working directory when inside it (./faultline-demo-report), else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !rel.startsWith('/') ? `./${rel}` : path;
}
