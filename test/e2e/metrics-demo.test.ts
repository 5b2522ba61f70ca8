// `faultline demo --metrics-listen --metrics-push` (the docs' example) with a real Prometheus and
// Pushgateway: several runs in one process; only the current run's id is ever exposed (the
// cardinality rule), and each experiment's final figures land in their own Pushgateway group.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freeBasePort } from '../demo/helpers.js';
import { startCli, tempDir, waitFor } from '../helpers/cli.js';
import { prometheusSkip, startPrometheus, startPushgateway } from '../helpers/prometheus.js';

const skip = prometheusSkip();
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.splice(0).map((c) => c())));

type Vector = { metric: Record<string, string>; value: [number, string] }[];

test('faultline demo --metrics-listen: Prometheus follows two runs, one run id at a time; --metrics-push keeps one group per experiment', { skip }, async () => {
  const t = await tempDir('faultline-demo-metrics-');
  cleanups.push(t.cleanup);
  const [prometheus, pushgateway] = await Promise.all([startPrometheus(), startPushgateway()]);
  cleanups.push(() => prometheus.stop(), () => pushgateway.stop());
  const basePort = await freeBasePort();
  const cli = startCli(
    ['demo', '--only', 'service-kill,database-outage', '--base-port', String(basePort), '--report-dir', join(t.path, 'report'), '--state-dir', join(t.path, 'state'), '--metrics-listen', '127.0.0.1:0', '--metrics-push', pushgateway.url],
    { cwd: t.path, timeoutMs: 180_000 },
  );
  const url = await waitFor(() => /faultline: metrics at (http:\/\/\S+)/.exec(cli.output())?.[1], { what: 'the metrics URL on stderr', timeoutMs: 30_000 });
  const target = new URL(url).host;
  await prometheus.setTargets([target]);
  await prometheus.waitForTargetsUp([target]);
  // database-outage pauses the store for 5 s.
  await waitFor(async () => ((await prometheus.query('faultline_fault_active{experiment="database-outage",kind="pause",target="store"} == 1')).result as Vector).length === 1, {
    what: `Prometheus to see the store's pause held (CLI output so far:\n${cli.output()})`,
    timeoutMs: 120_000,
    intervalMs: 250,
  });
  const res = await cli.done;
  assert.equal(res.code, 0, res.stdout + res.stderr);

  const runsSeen = (await prometheus.query('count(count by (run) (last_over_time(faultline_probe_success[10m])))')).result as Vector;
  assert.equal(runsSeen[0]?.value[1], '2', 'both runs were scraped');
  const atOnce = (await prometheus.query('max_over_time(count(count by (run) (faultline_probe_success))[10m:1s])')).result as Vector;
  assert.equal(atOnce[0]?.value[1], '1', 'never two run ids exposed at once: the first run\'s series went when the second started');

  const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
  for (const experiment of ['service-kill', 'database-outage']) {
    const runs = pushed.split('\n').filter((l) => l.startsWith('faultline_runs_total{') && l.includes(`experiment="${experiment}"`) && l.endsWith(' 1'));
    assert.deepEqual(runs.map((l) => /result="([^"]+)"/.exec(l)?.[1]), ['held'], `${experiment}: ${pushed}`);
  }
  assert.match(pushed, /faultline_faults_injected_total\{[^}]*experiment="service-kill"[^}]*kind="kill"[^}]*\} 1/, 'each group counts its own run only');
  assert.match(pushed, /faultline_faults_injected_total\{[^}]*experiment="database-outage"[^}]*kind="pause"[^}]*\} 1/);
});
