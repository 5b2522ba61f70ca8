// `faultline grafana dashboard`: the JSON Grafana imports (built with Grafana's foundation SDK),
// checked for what Grafana needs and for agreement with the exporter's metric names. Its PromQL
// runs against a real Prometheus in test/e2e/metrics-prometheus.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsReporter } from '../../src/exporter/metrics-reporter.js';
import { DASHBOARD_UID, faultlineDashboard } from '../../src/grafana/dashboard.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dashboardQueries, variableQueries } from './dashboard-queries.js';

type AnyPanel = { id?: number; type: string; title?: string; gridPos?: { x: number; y: number; w: number; h: number }; targets?: { expr?: string; datasource?: unknown; refId?: string }[] };

test('faultline grafana dashboard prints the dashboard as JSON', async () => {
  const res = await runCli(['grafana', 'dashboard'], { cwd: repoRoot });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), JSON.parse(JSON.stringify(faultlineDashboard())));
});

test('the dashboard: uid, variables for the data source, experiment and service, and the faultline annotations', () => {
  const d = faultlineDashboard();
  assert.equal(d.uid, DASHBOARD_UID);
  assert.equal(typeof d.schemaVersion, 'number');
  const vars = d.templating.list ?? [];
  assert.deepEqual(vars.map((v) => [v.name, v.type]), [['datasource', 'datasource'], ['experiment', 'query'], ['service', 'query']]);
  assert.equal(vars[0]!.query, 'prometheus');
  for (const v of vars.slice(1)) {
    assert.deepEqual(v.datasource, { type: 'prometheus', uid: '${datasource}' }, v.name);
    assert.equal(v.includeAll, true, v.name);
    assert.equal(v.multi, true, v.name);
    assert.equal(v.allValue, '.*', `${v.name}: "All" matches every value in the =~ filters`);
  }
  assert.equal(variableQueries(d).length, 2);
  const annotations = d.annotations.list ?? [];
  assert.deepEqual(annotations.map((a) => [a.datasource, a.target]), [[{ type: 'grafana', uid: '-- Grafana --' }, { type: 'tags', tags: ['faultline'], limit: 500, matchAny: false }]]);
});

test('the panels: a state timeline of faults, health and probes, recovery, runs, load; unique ids, a 24-column grid, every query on $datasource', () => {
  const panels = (faultlineDashboard().panels ?? []) as AnyPanel[];
  const byTitle = new Map(panels.map((p) => [p.title, p.type]));
  assert.equal(byTitle.get('Faults active'), 'state-timeline');
  assert.equal(byTitle.get('Probe success per service'), 'state-timeline');
  assert.equal(byTitle.get('Service health'), 'state-timeline');
  assert.equal(byTitle.get('Time to recover (last run)'), 'bargauge');
  assert.equal(byTitle.get('Runs by result'), 'bargauge');
  for (const title of ['Load: requests per second', 'Load: error ratio', 'Load: latency']) assert.equal(byTitle.get(title), 'timeseries', title);
  assert.deepEqual(panels.map((p) => p.id), panels.map((_, i) => i + 1));
  const cells = new Set<string>();
  for (const p of panels) {
    const g = p.gridPos!;
    assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `${p.title}: ${JSON.stringify(g)} fits 24 columns`);
    for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
      assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
      cells.add(`${x},${y}`);
    }
    if (p.type === 'row') continue;
    assert.ok(p.targets?.length, `${p.title} has queries`);
    for (const t of p.targets!) assert.deepEqual(t.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    assert.equal(new Set(p.targets!.map((t) => t.refId)).size, p.targets!.length, `${p.title}: refIds unique`);
  }
  const latency = panels.find((p) => p.title === 'Load: latency')!.targets!.map((t) => t.expr);
  assert.ok(latency.every((e) => e?.startsWith('histogram_quantile(') && e.includes('faultline_load_latency_seconds_bucket')), latency.join('\n'));
});

test('every metric the dashboard reads is one the exporter exposes', async () => {
  const exposed = new Set<string>();
  for (const m of await new MetricsReporter().registry.getMetricsAsJSON()) {
    exposed.add(m.name);
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(`${m.name}${suffix}`);
  }
  const d = faultlineDashboard();
  const exprs = [...dashboardQueries(d, { experiment: '.*', service: '.*' }).map((q) => q.expr), ...variableQueries(d).map((v) => v.match)];
  // Plain names, and the alternatives of a name regex such as faultline_(service_healthy|probe_success).
  const used = exprs.flatMap((e) => [
    ...(e.match(/faultline_[a-z_]+\b(?!\()/g) ?? []),
    ...[...e.matchAll(/faultline_\(([a-z_|]+)\)/g)].flatMap((m) => m[1]!.split('|').map((n) => `faultline_${n}`)),
  ]);
  assert.ok(used.length > 10, used.join(' '));
  for (const name of used) assert.ok(exposed.has(name), `the dashboard reads ${name}, which the exporter does not expose (it has ${[...exposed].join(', ')})`);
});
