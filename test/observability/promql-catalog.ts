/**
 * The PromQL catalog templates (promql-error-rate, promql-availability, promql-latency-p95) run
 * with the real CLI against one build of the demo shop, scraped every second by a real Prometheus
 * (labels as in examples/prometheus/prometheus.yml), with the verdicts of test/catalog/cases.ts.
 * One file per build (promql-catalog-*.test.ts), so the two run at once.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeShopFiles } from '../../src/demo/files.js';
import { servicePort, SHOP_SERVICES, type ShopMode } from '../../src/demo/shop/topology.js';
import type { Journal } from '../../src/journal/types.js';
import { CASES, PROM_PLACEHOLDER } from '../catalog/cases.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { reservePortSpan } from '../helpers/port-spans.js';
import { PROMETHEUS_BIN, prometheusSkip, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

const skip = prometheusSkip(PROMETHEUS_BIN);
const EXIT = { held: 0, deviated: 1, aborted: 3 } as const;

export function describePromqlCatalog(mode: ShopMode): void {
  describe(`PromQL catalog experiments against the ${mode} demo shop and a real Prometheus`, { skip }, () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let prom: PrometheusServer;
    let basePort: number;
    before(async () => {
      dir = await tempDir(`faultline-promql-catalog-${mode}-`);
      basePort = await reservePortSpan();
      await writeShopFiles(dir.path, { mode, basePort, dataDir: join(dir.path, 'data'), runtime: 'compiled', set: 'quick' });
      prom = await startPrometheus(SHOP_SERVICES.map((service) => ({ targets: [`127.0.0.1:${servicePort(basePort, service)}`], labels: { service } })));
    });
    after(async () => {
      await prom?.stop();
      await dir?.cleanup();
    });

    for (const c of CASES.filter((x) => x.prometheus)) {
      const expected = c.expected[mode];
      test(`catalog:${c.name}: ${expected}${c.note?.[mode] ? ` (${c.note[mode]})` : ''}`, async () => {
        const out = join(dir.path, `out-${c.name}`);
        const args = c.args(basePort).map((a) => a.replace(PROM_PLACEHOLDER, prom.url));
        const res = await runCli(['run', `catalog:${c.name}`, ...args, '--report-dir', out, '--format', 'json', '--state-dir', join(dir.path, 'state')], { cwd: dir.path, timeoutMs: 120_000 });
        const output = res.stdout + res.stderr;
        assert.equal(res.code, EXIT[expected], output);
        const journal = JSON.parse(await readFile(join(out, 'journal.json'), 'utf8')) as Journal;
        assert.ok(journal.faults.length > 0 && journal.faults.every((f) => f.status === 'reverted'), output);
        // The PromQL steady state was read (a number), and judged.
        const before = journal.steadyState.before[0]!;
        assert.ok(before.ok, `steady state before: ${before.observed}`);
        assert.match(before.observed, /^value [\d.e-]+ in /);
        if (expected === 'aborted') assert.ok(journal.reasons.some((r) => /^guardrail: (error ratio|availability) \(guardrail\) was [\d.]+ for /.test(r)), journal.reasons.join(' | '));
        else assert.ok(journal.timeSeries.some((s) => s.series.startsWith('guardrail:') && s.ok), 'the guardrail was read during the run');
      });
    }
  });
}
