// The exporter against the real thing: a real Prometheus (2.42) scrapes `faultline run
// --metrics-listen` while a fault is held, the dashboard's PromQL runs on what it scraped, and
// --metrics-push lands in a real Pushgateway (1.5) — or warns when none answers.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultlineDashboard } from '../../src/grafana/dashboard.js';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { prometheusSkip, startPrometheus, startPushgateway, type Daemon, type PrometheusServer } from '../helpers/prometheus.js';
import { dashboardQueries, variableQueries } from '../grafana/dashboard-queries.js';
import { writeHeldFault } from '../exporter/held-fault.js';
import { httpOk, killHard, startServer } from '../helpers/processes.js';
import { STARTUP_MS } from '../helpers/wait.js';

const skip = prometheusSkip();
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.splice(0).map((c) => c())));

type Vector = { metric: Record<string, string>; value: [number, string] }[];

describe('faultline run --metrics-listen / --metrics-push with a real Prometheus and Pushgateway', { skip }, () => {
  let prometheus: PrometheusServer;
  let pushgateway: Daemon;
  let dir: string;

  before(async () => {
    const t = await tempDir('faultline-prom-e2e-');
    cleanups.push(t.cleanup);
    dir = t.path;
    [prometheus, pushgateway] = await Promise.all([startPrometheus(), startPushgateway()]);
    cleanups.push(() => prometheus.stop(), () => pushgateway.stop());
  });

  test('Prometheus sees faultline_fault_active = 1 while the fault is held and 0 after; the dashboard queries work on it; the final figures land in the Pushgateway', async () => {
    const { experiment } = await writeHeldFault(dir, { name: 'held-pause', holdMs: 6000, waitBeforeMs: 1000, waitAfterMs: 4000 });
    // The target is known before the run starts, so Prometheus scrapes from the exporter's first moment.
    const target = `127.0.0.1:${await freePort()}`;
    await prometheus.setTargets([target]);
    const cli = startCli(['run', experiment, '--metrics-listen', target, '--metrics-push', pushgateway.url, '-r', join(dir, 'report')], {
      cwd: dir,
      env: { FAULTLINE_STATE_DIR: join(dir, '.faultline') },
      timeoutMs: 120_000,
    });
    const url = await waitFor(() => /faultline: metrics at (http:\/\/\S+)/.exec(cli.output())?.[1], { what: 'the metrics URL on stderr', timeoutMs: 30_000 });
    assert.equal(url, `http://${target}/metrics`);
    await prometheus.waitForTargetsUp([target]);

    const active = async () => ((await prometheus.query('faultline_fault_active{experiment="held-pause"}')).result as Vector).map((s) => s.value[1]);
    await waitFor(async () => (await active()).includes('1'), { what: `Prometheus to read faultline_fault_active 1 from ${url} (CLI output so far:\n${cli.output()})`, timeoutMs: 30_000, intervalMs: 250 });
    const series = (await prometheus.query('faultline_fault_active == 1')).result as Vector;
    assert.deepEqual(
      series.map((s) => ({ experiment: s.metric.experiment, kind: s.metric.kind, target: s.metric.target })),
      [{ experiment: 'held-pause', kind: 'pause', target: 'api' }],
    );
    assert.match(series[0]!.metric.run!, /^\d{8}T\d{6}-[0-9a-f]{6}$/, 'the run id labels the per-run gauge');

    // The dashboard's PromQL, variables filled as Grafana would: every query succeeds, and the fault panel has data.
    const dashboard = faultlineDashboard();
    for (const { panel, expr } of dashboardQueries(dashboard, { experiment: 'held-pause', service: 'api' })) {
      const data = await prometheus.query(expr).catch((err: Error) => assert.fail(`panel "${panel}": ${err.message}`));
      if (panel === 'Faults active') assert.ok((data.result as Vector).some((s) => s.value[1] === '1'), `panel "${panel}" (${expr}) has no held fault: ${JSON.stringify(data.result)}`);
    }
    for (const v of variableQueries(dashboard)) {
      const res = await fetch(`${prometheus.url}/api/v1/label/${v.label}/values?match[]=${encodeURIComponent(v.match)}`);
      const body = (await res.json()) as { status: string; data: string[]; error?: string };
      assert.equal(body.status, 'success', `variable ${v.name} (${v.query}): ${body.error}`);
      assert.ok(body.data.includes(v.name === 'experiment' ? 'held-pause' : 'api'), `variable ${v.name} (${v.query}) lists ${JSON.stringify(body.data)}`);
    }

    await waitFor(async () => (await active()).includes('0'), { what: 'Prometheus to read faultline_fault_active 0 once the fault is reverted', timeoutMs: 30_000, intervalMs: 250 });
    const res = await cli.done;
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.deepEqual((await prometheus.query('faultline_fault_active == 1')).result, [], 'no fault is held after the run');
    assert.doesNotMatch(res.stderr, /warning/);
    assert.doesNotMatch(res.stderr, /still running .* after finishing/, 'the server (and Prometheus\'s open scrape connection) does not hold the process');

    const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
    const group = (name: string) => pushed.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes('experiment="held-pause"') && l.includes('job="faultline"'));
    assert.deepEqual(group('faultline_runs_total').filter((l) => l.endsWith(' 1')).map((l) => /result="(\w+)"/.exec(l)?.[1]), ['held'], pushed);
    assert.ok(group('faultline_faults_injected_total').some((l) => /kind="pause"\} 1$/.test(l)), pushed);
    assert.ok(group('faultline_load_requests_total').some((l) => /\} [1-9]\d*$/.test(l)), pushed);
  });

  test('a quick command (faultline pause) pushes its figures under its own name', async () => {
    const port = await freePort();
    const server = startServer(port);
    cleanups.push(async () => killHard(server.pid));
    await writeFile(join(dir, 'api.pid'), String(server.pid));
    await writeFile(join(dir, 'quick.yaml'), `services:\n  api:\n    pidFile: api.pid\n    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }\n`);
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'the test server', timeoutMs: STARTUP_MS });
    const res = await runCli(['pause', 'api', '--for', '500ms', '-s', 'quick.yaml', '--metrics-listen', '127.0.0.1:0', '--metrics-push', pushgateway.url], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.faultline-quick') }, timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stderr, /faultline: metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
    const lines = pushed.split('\n').filter((l) => l.includes('experiment="faultline pause api for 500ms"'));
    assert.ok(lines.some((l) => /^faultline_faults_injected_total\{.*kind="pause".*\} 1$/.test(l)), pushed);
    assert.ok(lines.some((l) => /^faultline_runs_total\{.*result="held".*\} 1$/.test(l)), pushed);
  });

  test('a Pushgateway that does not answer: the run still exits 0, with one warning', async () => {
    const { experiment } = await writeHeldFault(dir, { name: 'short-pause', holdMs: 300 });
    const closed = await freePort();
    const res = await runCli(['run', experiment, '--metrics-push', `http://127.0.0.1:${closed}`, '-r', join(dir, 'report-2')], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.faultline') }, timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const warnings = res.stderr.match(/faultline: warning: metrics not pushed \(--metrics-push\): .*/g) ?? [];
    assert.equal(warnings.length, 1, res.stderr);
    assert.match(warnings[0]!, new RegExp(`http://127\\.0\\.0\\.1:${closed}: ECONNREFUSED`));
  });
});

describe('observability flags: checked before anything runs; declared on run, quick commands and demo', () => {
  test('a malformed --metrics-listen, --metrics-push or --grafana-url, or a port in use, is exit 2', async () => {
    const t = await tempDir('faultline-flags-');
    cleanups.push(t.cleanup);
    const { experiment } = await writeHeldFault(t.path, { holdMs: 100 });
    const env = { FAULTLINE_STATE_DIR: join(t.path, '.faultline') };
    const cases: [string[], RegExp][] = [
      [['--metrics-listen', '9464'], /--metrics-listen: expected HOST:PORT such as 127\.0\.0\.1:9464 \(port 0: any free port\), got "9464"/],
      [['--metrics-push', 'ftp://gw'], /--metrics-push: expected an http\(s\) URL, got "ftp:\/\/gw"/],
      [['--grafana-url', 'grafana:3000'], /--grafana-url: expected an http\(s\) URL, got "grafana:3000"/],
    ];
    for (const [flags, message] of cases) {
      const res = await runCli(['run', experiment, ...flags], { cwd: t.path, env });
      assert.equal(res.code, 2, `${flags.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const holder = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as { port: number }).port;
    const res = await runCli(['run', experiment, '--metrics-listen', `127.0.0.1:${port}`], { cwd: t.path, env });
    holder.close();
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, new RegExp(`--metrics-listen 127\\.0\\.0\\.1:${port}: cannot listen there \\(EADDRINUSE\\)`));
  });

  test('--metrics-listen, --metrics-push and --grafana-url are on run, kill, pause, partition and demo', async () => {
    for (const cmd of [['run'], ['kill'], ['pause'], ['partition'], ['demo']]) {
      const res = await runCli([...cmd, '--help'], { cwd: process.cwd() });
      assert.equal(res.code, 0, res.stderr);
      for (const flag of ['--metrics-listen <host:port>', '--metrics-push <url>', '--grafana-url <url>']) assert.ok(res.stdout.includes(flag), `${cmd.join(' ')} --help lacks ${flag}:\n${res.stdout}`);
    }
  });
});
