/**
 * A real Prometheus (and Pushgateway) for tests: Debian's `prometheus` 2.42 and
 * `prometheus-pushgateway` 1.5, started on loopback with a generated config, a 1 s scrape
 * interval and storage in a temporary directory, and stopped (directory removed) by `stop()`.
 *
 * Targets come through a file_sd file, so a test can add a target whose port it learns later
 * (faultline's own exporter during a run) with `setTargets`; Prometheus re-reads the file on change.
 *
 * Skipping: without the binaries the tests skip with the reason — except in CI (CI=true, where
 * .ci/run installs them) or with FAULTLINE_REQUIRE_SYSTEM=1, where a skip would hide a broken
 * setup, so it fails instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cli.js';
import { waitFor } from './wait.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';

const INSTALL = 'apt-get install -y --no-install-recommends prometheus prometheus-pushgateway';

/** Why Prometheus tests cannot run here, or undefined. Throws where they must run (CI). */
export function prometheusSkip(...bins: string[]): string | undefined {
  const missing = (bins.length ? bins : [PROMETHEUS_BIN, PROMTOOL_BIN, PUSHGATEWAY_BIN]).filter((b) => !existsSync(b));
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(', ')} missing: install Debian's Prometheus (${INSTALL}) to run these tests`;
  if (process.env.CI === 'true' || process.env.FAULTLINE_REQUIRE_SYSTEM === '1') {
    throw new Error(`Prometheus tests would skip (${reason}), but this is CI, whose setup installs them: this is a failure`);
  }
  return reason;
}

export interface Daemon {
  url: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Scrape targets with labels Prometheus adds to their series (file_sd's target group). */
export interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}

export interface PrometheusServer extends Daemon {
  /** Replace the scrape targets (host:port, or groups with labels; scraped at /metrics every second). */
  setTargets(targets: string[] | TargetGroup[]): Promise<void>;
  /** An instant query through the HTTP API; the `data` of a success, else throws with the error. */
  query(promql: string): Promise<{ resultType: string; result: unknown }>;
  /** Wait until every target given is scraped and up (health "up" in /api/v1/targets). */
  waitForTargetsUp(targets: string[], timeoutMs?: number): Promise<void>;
}

async function startDaemon(bin: string, args: (port: number) => string[], readyPath: string, dir: string): Promise<Daemon & { port: number }> {
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}`);
          const res = await fetch(`${url}${readyPath}`).catch(() => undefined);
          return res?.ok === true;
        },
        { what: `${bin} to be ready on ${url}`, timeoutMs: 30_000, intervalMs: 100 },
      );
      return { url, port, output: () => out, stop: () => stopChild(child, exited) };
    } catch (err) {
      await stopChild(child, exited);
      lastError = `${(err as Error).message}\n${out.slice(-2000)}`;
      if (!/address already in use/.test(out)) break;
    }
  }
  throw new Error(`could not start ${bin}: ${lastError}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Start a Prometheus scraping `targets` (host:port, or labelled groups) every second. */
export async function startPrometheus(targets: string[] | TargetGroup[] = []): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-prom-'));
  const sdFile = join(dir, 'targets.json');
  const writeTargets = (list: string[] | TargetGroup[]) => {
    const groups = list.length > 0 && typeof list[0] === 'string' ? [{ targets: list as string[], labels: {} }] : (list as TargetGroup[]);
    return writeFile(sdFile, JSON.stringify(groups.map((g) => ({ targets: g.targets, labels: g.labels ?? {} }))));
  };
  await writeTargets(targets);
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: test',
      '    file_sd_configs:',
      `      - files: ['${sdFile}']`,
      '        refresh_interval: 1s',
      '',
    ].join('\n'),
  );
  let daemon: Daemon;
  try {
    daemon = await startDaemon(
      PROMETHEUS_BIN,
      (port) => [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=1h',
        // Fresh series show up at once: the lookback would otherwise keep a stale sample 5 minutes.
        '--query.lookback-delta=5s',
      ],
      '/-/ready',
      dir,
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const query = async (promql: string) => {
    const res = await fetch(`${daemon.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data;
  };
  return {
    ...daemon,
    setTargets: writeTargets,
    query,
    async waitForTargetsUp(list, timeoutMs = 30_000) {
      await waitFor(
        async () => {
          const res = await fetch(`${daemon.url}/api/v1/targets?state=active`);
          const body = (await res.json()) as { data: { activeTargets: { labels: { instance: string }; health: string }[] } };
          const up = new Set(body.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.instance));
          return list.every((t) => up.has(t));
        },
        { what: `Prometheus to scrape ${list.join(', ')}`, timeoutMs, intervalMs: 200 },
      );
    },
    async stop() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Start a Pushgateway (no persistence). */
export async function startPushgateway(): Promise<Daemon> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-pushgw-'));
  try {
    // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: shared by every
    // test (and any system Pushgateway), so groups pushed by one test showed up in another. Memory only.
    const daemon = await startDaemon(PUSHGATEWAY_BIN, (port) => [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], '/-/ready', dir);
    return {
      ...daemon,
      async stop() {
        await daemon.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
