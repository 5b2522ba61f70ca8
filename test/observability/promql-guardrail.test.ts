// A PromQL guardrail aborting a real run: the demo shop (fragile build) under load, scraped every
// second by a real Prometheus; the store is killed, the gateway's 5xx ratio climbs in Prometheus,
// and the guardrail of examples/prometheus/store-outage-guarded.yaml (the file users run, with the
// test's ports) aborts the run and reverts the kill. The PromQL steady-state probe passes before.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeShopFiles } from '../../src/demo/files.js';
import { servicePort, SHOP_SERVICES } from '../../src/demo/shop/topology.js';
import type { Journal } from '../../src/journal/types.js';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { reservePortSpan } from '../helpers/port-spans.js';
import { PROMETHEUS_BIN, prometheusSkip, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

const skip = prometheusSkip(PROMETHEUS_BIN);
const EXAMPLE = join(repoRoot, 'examples', 'prometheus', 'store-outage-guarded.yaml');

let dir: string;
let cleanup: () => Promise<void>;
let prom: PrometheusServer | undefined;
let basePort: number;

before(async () => {
  if (skip) return;
  ({ path: dir, cleanup } = await tempDir('faultline-promql-'));
  basePort = await reservePortSpan();
  await writeShopFiles(join(dir, 'shop'), { mode: 'fragile', basePort, dataDir: join(dir, 'shop', 'data'), proxies: false, set: 'quick' });
  prom = await startPrometheus(SHOP_SERVICES.map((service) => ({ targets: [`127.0.0.1:${servicePort(basePort, service)}`], labels: { service } })));
});
after(async () => {
  await prom?.stop();
  await cleanup?.();
});

test('the example PromQL guardrail aborts the fragile shop run when the gateway 5xx ratio crosses 20%, and the kill is reverted', { skip, timeout: 180_000 }, async () => {
  const text = (await readFile(EXAMPLE, 'utf8')).replaceAll('http://127.0.0.1:9090', prom!.url).replaceAll('127.0.0.1:17300', `127.0.0.1:${servicePort(basePort, 'gateway')}`);
  assert.notEqual(text, await readFile(EXAMPLE, 'utf8'), 'the example still names the ports the test replaces');
  const file = join(dir, 'store-outage-guarded.yaml');
  await writeFile(file, text);

  const out = join(dir, 'out');
  const r = await runCli(['run', file, '--report-dir', out, '--format', 'md', '--yes', '--state-dir', join(dir, 'state')], { cwd: dir, timeoutMs: 170_000 });
  const journal = JSON.parse(await readFile(join(out, 'journal.json'), 'utf8')) as Journal;
  const context = `${r.stdout}\n${r.stderr}`;

  assert.equal(r.code, 3, context);
  assert.equal(journal.status, 'aborted', context);
  // The steady state before the fault was judged by the PromQL probe, and held.
  const before = journal.steadyState.before.find((c) => c.name === 'gateway 5xx ratio under 5%');
  assert.ok(before?.ok, `steady state before: ${JSON.stringify(journal.steadyState.before)}`);
  assert.match(before.observed, /^value \d/);

  const reason = journal.reasons.find((x) => x.startsWith('guardrail: '));
  assert.ok(reason, `reasons: ${journal.reasons.join(' | ')}`);
  assert.match(reason, /^guardrail: gateway 5xx ratio was [\d.]+ for \d+\.\d+s, above 0\.2 \(the guardrail's bound\)$/);
  assert.match(r.stdout, /gateway 5xx ratio was [\d.]+ for/);

  // The readings that tripped it are in the time series: the last ones above the bound for 2 s, and none after the abort.
  const readings = journal.timeSeries.filter((s) => s.series === 'guardrail:gateway 5xx ratio');
  assert.ok(readings.length >= 3, `readings: ${JSON.stringify(readings)}`);
  const last = readings.at(-1)!;
  assert.equal(last.ok, false);
  assert.ok(Number(/^value ([\d.]+)/.exec(last.observed)?.[1]) > 0.2, last.observed);
  const firstFault = journal.faults[0]!;
  assert.ok(readings.some((s) => s.ok && s.t >= firstFault.injectedT - 100) || readings[0]!.t >= firstFault.injectedT, 'the guardrail was watching from the start of the method');

  // The kill was reverted: the store was started again, and nothing is left for `recover`.
  assert.equal(journal.faults.length, 1);
  assert.equal(firstFault.kind, 'kill');
  assert.equal(firstFault.status, 'reverted', JSON.stringify(firstFault));
  const recover = await runCli(['recover', '--state-dir', join(dir, 'state')], { cwd: dir });
  assert.match(recover.stdout + recover.stderr, /^nothing to recover/m);
});
