// Every report format from ONE real run (real processes, a real cascade), the HTML report checked
// in headless Chromium (Debian's /usr/bin/chromium through playwright-core, test/helpers/chromium.ts; skipped without it).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Journal, LoadRecord } from '../../src/journal/types.js';
import { HtmlReporter, JunitReporter, MarkdownReporter } from '../../src/reporters/file-reporters.js';
import { renderJson, reportFormats } from '../../src/reporters/formats.js';
import { JournalReporter } from '../../src/reporters/journal-reporter.js';
import { journalSchema } from '../../src/reporters/journal-schema.js';
import { CHROMIUM_MISSING, launchChromium } from '../helpers/chromium.js';
import { tempDir } from '../helpers/cli.js';
import { killStoreExperiment, runReal, shopPorts, writeShopSystem } from './real-run.js';


let dir: string;
let cleanup: () => Promise<void>;
let journal: Journal;
let reportDir: string;

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  const ports = await shopPorts();
  await writeShopSystem(dir, ports);
  const file = join(dir, 'kill-store.yaml');
  await writeFile(file, killStoreExperiment(ports));
  journal = await runReal(file, join(dir, '.state'));
  reportDir = join(dir, 'report');
  for (const r of [new JournalReporter(reportDir), new HtmlReporter(reportDir), new MarkdownReporter(reportDir), new JunitReporter(reportDir)]) await r.onRunEnd(journal);
});
after(() => cleanup());

describe('the run', () => {
  test('is the cascade the reports need: store killed, cart and gateway fail through dependsOn, billing through an undeclared call', () => {
    assert.equal(journal.status, 'deviated', journal.reasons.join('; '));
    const [c] = journal.analysis!.cascades;
    // Services probed on the same cadence fail within one probe interval of each other: their
    // order is only as fine as that, so only who failed, and why, is certain.
    assert.deepEqual(c!.steps.map((s) => s.service).sort(), ['billing', 'cart', 'gateway', 'store']);
    assert.deepEqual(c!.steps.filter((s) => s.root).map((s) => s.service), ['store']);
    // Close together (within 1 s on an idle machine; room here for probes a busy machine delays).
    assert.ok(c!.steps.every((s) => s.offsetMs <= 3000), JSON.stringify(c!.steps));
    assert.deepEqual(c!.unexplained, ['billing']);
    assert.deepEqual(c!.contained, ['audit']);
    assert.ok(journal.analysis!.services.filter((s) => s.impacted).every((s) => s.timeToRecoverMs !== null));
  });
});

describe('json', () => {
  test('journal.json matches the published schema and carries system and analysis', async () => {
    const written = JSON.parse(await readFile(join(reportDir, 'journal.json'), 'utf8')) as Journal;
    const parsed = journalSchema.safeParse(written);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3)));
    assert.deepEqual(written.system!.services.cart, { dependsOn: ['store'], critical: false });
    assert.deepEqual(written.analysis, JSON.parse(JSON.stringify(journal.analysis)));
  });

  test('renderJson adds the analysis to a journal that lacks one', () => {
    const { analysis: _, ...bare } = journal;
    const out = JSON.parse(renderJson(bare as Journal)) as Journal;
    assert.equal(out.analysis!.score.total, journal.analysis!.score.total);
  });
});

describe('markdown', () => {
  test('fits a job summary: status, checks with observed vs expected, recovery, cascade, score', async () => {
    const md = await readFile(join(reportDir, 'report.md'), 'utf8');
    assert.match(md, /^## ❌ Store outage — DEVIATED/);
    assert.match(md, /\| ❌ \| holds throughout: gateway answers \| \d+ of \d+ probes failed/);
    assert.match(md, /\| ✅ \| store recovers within 5\.00s \| recovered .* after the fault \|/);
    for (const s of ['store', 'cart', 'gateway', 'billing', 'audit (critical)']) assert.match(md, new RegExp(`^\\| ${s.replace(/[()]/g, '\\$&')} \\|`, 'm'));
    assert.match(md, /- `kill store: .*store down at \+\d\.\d\d s/);
    assert.match(md, /- `kill store: .*billing 5xx at \+\d\.\d\d s \(not explained by dependsOn\)/);
    assert.match(md, /⚠️ not explained by dependsOn: billing · contained: audit/);
    assert.match(md, /\| \*\*total\*\* \| \*\*\d+\*\* \|/);
    assert.match(md, /Maturity: level [1-5]/);
    assert.ok(md.length < 65_536, 'under the size of a GitHub comment');
  });
});

describe('junit', () => {
  test('is well-formed and has one test case per check, failures with observed vs expected', async () => {
    const xml = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: { tests: string; failures: string; errors: string; testcase: { name: string; classname: string; failure?: { message: string; '#text': string } }[] } };
    };
    const suite = doc.testsuites.testsuite;
    const failed = journal.verdicts.filter((v) => !v.ok);
    // before: 2 probes + the health of the 5 services in scope; 1 throughout; 5 recovery; 2 after
    assert.equal(journal.verdicts.length, 15);
    assert.equal(suite.testcase.length, 15);
    assert.equal(Number(suite.tests), 15);
    assert.equal(Number(doc.testsuites.tests), 15);
    assert.equal(Number(suite.failures), failed.length);
    assert.equal(Number(suite.errors), 0);
    assert.deepEqual(suite.testcase.map((c) => c.classname.split('.').pop()), journal.verdicts.map((v) => v.kind));
    const failure = suite.testcase.find((c) => c.failure)!;
    assert.equal(failure.name, 'holds throughout: gateway answers');
    assert.match(failure.failure!.message, /^observed \d+ of \d+ probes failed.*; expected status 2xx$/);
    assert.match(failure.failure!['#text'], /observed: .*\nexpected: status 2xx/);
    assert.equal(suite.testcase.filter((c) => c.name.endsWith('recovers within 5.00s')).length, 5);
  });

  test('an aborted run adds one erroring `run` case', () => {
    const aborted = { ...journal, status: 'aborted', exitCode: 3, reasons: ['interrupted (SIGINT)'] } as Journal;
    const xml = reportFormats.junit.render(aborted);
    assert.equal(XMLValidator.validate(xml), true);
    assert.match(xml, /<testsuite [^>]*tests="16" failures="1" errors="1"/);
    assert.match(xml, /<error message="run aborted: interrupted \(SIGINT\)" type="aborted">/);
  });
});

describe('html', () => {
  test('is one self-contained file: no script, no stylesheet link, nothing fetched', async () => {
    const html = await readFile(join(reportDir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|url\(|@import/i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    for (const id of ['chart-latency', 'chart-health', 'chart-cascade-1', 'chart-recovery']) assert.match(html, new RegExp(`<svg class="chart" id="${id}"`));
  });

  test('renders in headless Chromium: charts with data points, fault windows, verdicts, cascade, recovery', async (t) => {
    if (CHROMIUM_MISSING) return t.skip(CHROMIUM_MISSING);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const file = join(reportDir, 'report.html');
      await page.goto(`file://${file}`);

      assert.deepEqual(requests, [`file://${file}`], 'nothing but the file itself is loaded');
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), 'DEVIATED · Store outage · faultline');
      assert.equal(await page.locator('#status').textContent(), 'DEVIATED');

      // Charts rendered: visible, sized, with their data.
      for (const id of ['chart-latency', 'chart-health', 'chart-cascade-1', 'chart-recovery']) {
        const box = await page.locator(`#${id}`).boundingBox();
        assert.ok(box && box.width > 500 && box.height > 80, `${id} is laid out: ${JSON.stringify(box)}`);
      }
      const latencyPoints = await page.locator('#chart-latency circle.pt').count();
      assert.equal(latencyPoints, journal.timeSeries.length, 'one point per probe sample');
      assert.ok((await page.locator('#chart-latency polyline').count()) >= 5);
      assert.equal(await page.locator('#chart-health g.lane').count(), 7, '5 services and 2 probes');
      assert.ok((await page.locator('#chart-health rect.seg.fail').count()) >= 4, 'failing stretches are drawn');
      assert.ok((await page.locator('#chart-health rect.seg.ok').count()) >= 7);
      assert.equal(await page.locator('#chart-health .fault-band').count(), 1);
      assert.match((await page.locator('#chart-health .band-label').textContent()) ?? '', /^kill store/);
      assert.equal(await page.locator('#chart-cascade-1 circle.pt').count(), journal.analysis!.cascades[0]!.steps.length);
      assert.equal(await page.locator('#chart-cascade-1 .step.unexplained').count(), 1);
      assert.equal(await page.locator('#chart-recovery rect.bar').count(), 4, 'four services recovered');
      assert.equal(await page.locator('#chart-recovery line.mark').count(), 5, 'the 5 s expectation on every service');

      // Verdicts shown.
      const rows = page.locator('#verdicts-table tbody tr');
      assert.equal(await rows.count(), journal.verdicts.length);
      assert.equal(await page.locator('#verdicts-table tr.failed').count(), 1);
      assert.match((await page.locator('#verdicts-table tr.failed').innerText()).replace(/\s+/g, ' '), /FAIL holds throughout: gateway answers \d+ of \d+ probes failed/);
      assert.match(await page.locator('#score').innerText(), /\d+\/100/);
      assert.match(await page.locator('#cascade').innerText(), /Not explained by dependsOn: billing/);

      const shot = join(tmpdir(), 'faultline-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });

  test('with load: throughput, error rate and latency percentiles over time, in Chromium', async (t) => {
    if (CHROMIUM_MISSING) return t.skip(CHROMIUM_MISSING);
    // The same real run, with a load record shaped as the load generator writes it.
    const withLoad: Journal = { ...journal, load: syntheticLoad(journal) };
    const file = join(dir, 'with-load.html');
    await writeFile(file, reportFormats.html.render(withLoad));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${file}`);
      const buckets = withLoad.load!.buckets;
      assert.equal(await page.locator('#chart-throughput circle.pt').count(), buckets.length);
      assert.equal(await page.locator('#chart-errors circle.pt').count(), buckets.filter((b) => b.requests > 0).length);
      assert.equal(await page.locator('#chart-latency g.series').count(), 3);
      assert.deepEqual(await page.locator('#chart-latency g.series').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series'))), ['p50', 'p95', 'p99']);
      assert.equal(await page.locator('#chart-throughput .fault-band').count(), 1);
      assert.equal(await page.locator('#load-table tbody tr').count(), 3);
      const shot = join(tmpdir(), 'faultline-report-load.png');
      await page.locator('#over-time').screenshot({ path: shot });
      t.diagnostic(`screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });
});

/** 100 ms buckets over the observed run, errors while store was down (from the real health series). */
function syntheticLoad(j: Journal): LoadRecord {
  const store = j.timeSeries.filter((s) => s.series === 'service:store');
  const start = store[0]!.t;
  const end = store.at(-1)!.t;
  const buckets: LoadRecord['buckets'] = [];
  for (let t = start; t < end; t += 100) {
    const down = store.some((s) => !s.ok && s.t >= t - 100 && s.t < t + 100);
    buckets.push({ t, durationMs: 100, requests: 50, errors: down ? 30 : 0, latencyMs: { p50: down ? 3 : 2, p95: down ? 40 : 5, p99: down ? 120 : 9, max: down ? 150 : 12 } });
  }
  const phase = (name: 'baseline' | 'chaos' | 'recovery', from: number, to: number): LoadRecord['phases'][number] => {
    const inside = buckets.filter((b) => b.t >= from && b.t < to);
    const requests = inside.reduce((s, b) => s + b.requests, 0);
    const errors = inside.reduce((s, b) => s + b.errors, 0);
    return { phase: name, startT: from, endT: to, requests, errors, rps: requests / ((to - from) / 1000 || 1), errorRate: requests ? errors / requests : null, availability: requests ? 1 - errors / requests : null, latencyMs: { p50: 2, p90: 5, p95: 8, p99: 30, max: 150, mean: 4 }, statusCodes: { '200': requests - errors, '503': errors } };
  };
  const kill = j.faults[0]!.injectedT;
  return { tool: 'builtin', requestedRate: 500, achievedRate: 500, phases: [phase('baseline', start, kill), phase('chaos', kill, kill), phase('recovery', kill, end)], buckets };
}
