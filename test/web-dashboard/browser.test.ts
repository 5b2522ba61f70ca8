// The live web dashboard in a real browser: Debian's Chromium driven by playwright-core (never a
// downloaded browser; skipped with a reason where /usr/bin/chromium is missing).
//
// 1. The page fed with synthetic events through the server's own publish path (a reporter called
//    by hand): lanes, faults, load charts, guardrail states, the verdict and the report link, a
//    late page replaying everything, the token required, no JS errors, no overflow at 375 px.
// 2. A real `faultline run --dashboard` (a real process paused under real load, bin/faultline.js):
//    the page follows it live, shows the verdict and serves the HTML report; Ctrl-C ends the linger.
// 3. `faultline dashboard --web` on the same system: its services' health and the last run.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Journal } from '../../src/journal/types.js';
import { DashboardReporter } from '../../src/web-dashboard/dashboard-reporter.js';
import { DashboardServer } from '../../src/web-dashboard/server.js';
import { CHROMIUM_MISSING, launchChromium } from '../helpers/chromium.js';
import { freePort, repoRoot, startCli, tempDir } from '../helpers/cli.js';
import { STARTUP_MS, waitForOutput } from '../helpers/wait.js';

const missing = CHROMIUM_MISSING;
/** Give-up time for what a real run must reach on a busy machine (never what is measured). */
const RUN_MS = 180_000;
/** How the page names each status. */
const LABEL: Record<Journal['status'], string> = { held: 'HELD', deviated: 'DEVIATED', aborted: 'ABORTED', 'revert-failed': 'REVERT FAILED' };

let browser: Browser;
let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  if (missing) return;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await cleanup();
});

/** A page that records every console error and uncaught exception. */
async function openPage(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  return { page, errors };
}

/** The page does not scroll sideways (a phone-width screen shows all of it). */
async function assertNoHorizontalOverflow(page: Page): Promise<void> {
  // Strings run in the page: this project's TypeScript has no DOM types.
  const { scroll, inner } = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
  assert.ok(scroll <= inner, `the page is ${scroll}px wide in a ${inner}px viewport`);
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe('the page, fed with synthetic events', { skip: missing }, () => {
  test('draws lanes, faults, load, guardrail states, the verdict and the report link; replays to a late page; needs the token', async () => {
    const server = await DashboardServer.start({ mode: 'run', title: 'faultline run' });
    const report = join(dir, 'synthetic-report.html');
    await writeFile(report, '<!doctype html><title>Synthetic report</title><h1>The report</h1>');
    const r = new DashboardReporter(server, () => report);
    const { page, errors } = await openPage(375);
    try {
      // Without the token, in a page of its own (the browser logs each refusal as a console error).
      const origin = new URL(server.url).origin;
      const refused = await browser.newPage();
      assert.equal((await refused.goto(`${origin}/`))!.status(), 403);
      assert.equal((await refused.goto(`${origin}/events`))!.status(), 403);
      assert.equal((await refused.goto(server.url.replace(server.token, 'x'.repeat(server.token.length))))!.status(), 403);
      assert.equal((await refused.goto(`${server.url.replace(server.token, 'x'.repeat(server.token.length))}events`))!.status(), 403);
      await refused.close();

      assert.equal((await page.goto(server.url))!.status(), 200);
      await page.locator('#conn.live').waitFor();
      assert.match(await text(page, '#waiting'), /Waiting for the run to start/);

      const guardrails = ['abort if error rate > 5% over 10s', 'p95 below 2 s (PromQL)'];
      r.onRunStart({ runId: 'r1', title: 'Synthetic outage', experimentFile: 'x.yaml', systemFile: 'faultline.yaml', startedAt: new Date().toISOString(), services: ['api', 'db'], guardrails, probes: ['api answers'] });
      await page.locator('#title', { hasText: 'Synthetic outage' }).waitFor();
      assert.deepEqual(await page.locator('#lanes-services g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane'))), ['service:api', 'service:db']);
      assert.deepEqual(await page.locator('#guardrails li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-status'))), ['watching', 'watching']);

      r.onPhase('baseline', 100);
      r.onPhase('method', 2000);
      const fault = { id: 'f1', kind: 'pause', driver: 'process', service: 'db', target: 'pid 42', params: {}, status: 'active' as const, injectedAt: new Date().toISOString(), injectedT: 2000 };
      r.onFaultInjected(fault);
      for (let t = 0; t < 6000; t += 500) {
        r.onSample({ series: 'service:api', t, ok: t < 2500 || t > 4500, latencyMs: 5, observed: 'status 200' });
        r.onSample({ series: 'service:db', t, ok: t < 2000 || t > 4000, latencyMs: 5, observed: 'status 200' });
        r.onLoadBucket({ t, durationMs: 500, requests: 10, errors: t > 2000 && t < 4500 ? 4 : 0, latencyMs: { p50: 5, p95: 20 + t / 100, p99: 40 + t / 100, max: 90 } });
      }
      await page.locator('#phases-faults rect.fault-bar.active').waitFor();
      r.onGuardrail({ t: 2500, guardrail: guardrails[0]!, status: 'ok', value: 0.01 });
      r.onGuardrail({ t: 3000, guardrail: guardrails[1]!, status: 'unknown', detail: 'Prometheus did not answer' });
      await page.locator(`#guardrails li[data-status="unknown"]`).waitFor();
      r.onGuardrail({ t: 4000, guardrail: guardrails[0]!, status: 'breached', value: 0.4, detail: 'error rate 40% over 10s' });
      await page.locator('#guardrails li[data-status="breached"]').waitFor();
      assert.match(await text(page, '#guardrails'), /breached\s+abort if error rate > 5% over 10s\s+value 0\.4\s+error rate 40% over 10s/);
      assert.match(await text(page, '#guardrails'), /unknown\s+p95 below 2 s \(PromQL\)\s+Prometheus did not answer/);
      assert.ok((await page.locator('#lanes-services g[data-lane="service:db"] rect.dot.fail').count()) > 0, 'failed health checks of db are drawn');
      assert.equal(await page.locator('#chart-latency g.series path').count(), 3, 'p50, p95 and p99');
      assert.equal(await page.locator('#chart-throughput g.series path').count(), 2, 'requests and errors per second');
      await assertNoHorizontalOverflow(page);

      r.onFaultReverted({ ...fault, status: 'reverted', revertedAt: new Date().toISOString(), revertedT: 4000 });
      await page.locator('#phases-faults rect.fault-bar.reverted').waitFor();
      assert.equal(await page.locator('#phases-faults rect.fault-bar').count(), 1, 'the revert updates the fault, it adds none');
      r.onRunEnd({ runId: 'r1', status: 'aborted', exitCode: 3, reasons: ['guardrail breached: error rate 40% over 10s'], durationMs: 6000, endedAt: new Date().toISOString(), verdicts: [], recovery: [] } as never);
      await page.locator('#verdict-status', { hasText: 'ABORTED' }).waitFor();
      assert.match(await text(page, '#verdict'), /guardrail breached: error rate 40% over 10s/);
      const href = await page.locator('#report-link').getAttribute('href');
      assert.equal(href, 'files/r1.html');
      await assertNoHorizontalOverflow(page);

      // A page that connects now gets the whole run from the replay buffer.
      const late = await openPage(1200);
      await late.page.goto(server.url);
      await late.page.locator('#verdict-status', { hasText: 'ABORTED' }).waitFor();
      assert.equal(await late.page.locator('#phases-faults rect.fault-bar.reverted').count(), 1);
      assert.equal(await late.page.locator('#guardrails li[data-status="breached"]').count(), 1);
      assert.deepEqual(late.errors, []);
      await late.page.close();

      const res = await page.goto(new URL(href!, server.url).href);
      assert.equal(res!.status(), 200);
      assert.equal(await page.title(), 'Synthetic report');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
});

describe('a real faultline run --dashboard, then dashboard --web', { skip: missing }, () => {
  let web: Server;
  let webPort: number;
  const env = () => ({ FAULTLINE_STATE_DIR: join(dir, '.state') });
  before(async () => {
    const api = await freePort();
    web = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => web.once('listening', r));
    webPort = (web.address() as { port: number }).port;
    await writeFile(
      join(dir, 'faultline.yaml'),
      `name: live-shop
services:
  api:
    process:
      command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(repoRoot, 'test/fixtures/service.mjs'))}]
      env: { PORT: "${api}" }
      stopTimeout: 1s
    health: { http: "http://127.0.0.1:${api}/", timeout: 1s }
  web:
    endpoint: http://127.0.0.1:${webPort}/
    health: { http: "http://127.0.0.1:${webPort}/", timeout: 1s }
`,
    );
    await writeFile(
      join(dir, 'pause-api.yaml'),
      `title: Pausing api under load
hypothesis:
  probes:
    - name: web answers
      http: http://127.0.0.1:${webPort}/
load:
  url: http://127.0.0.1:${api}/
  rate: 20/s
  timeout: 1s
  interval: 500ms
method:
  - fault: pause
    target: api
    duration: 5s
recovery: { within: 20s, sustained: 2 }
`,
    );
  });
  after(() => new Promise<void>((r) => web.close(() => r())));

  test('the page follows the run live, shows the verdict and the report, and the linger ends with Ctrl-C', { timeout: RUN_MS * 2 }, async () => {
    const { page, errors } = await openPage(375);
    const run = startCli(['run', 'pause-api.yaml', '--dashboard', '--dashboard-linger', '10m', '--report-dir', 'report'], { cwd: dir, env: env(), timeoutMs: RUN_MS * 2 });
    try {
      const [, url] = await waitForOutput(run.output, /live dashboard: (http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/)\n/, { timeoutMs: STARTUP_MS });
      // Record what the page shows each time it changes, from before its first script runs: proof
      // that it followed the run live rather than replayed it at the end.
      await page.addInitScript(`
        window.seen = [];
        new MutationObserver(() => {
          const state = (document.querySelector('#phases-faults rect.fault-bar.active') ? 'fault-active' : 'no-fault') + '/' + (document.querySelector('#verdict-status') ? 'verdict' : 'running');
          if (window.seen.at(-1) !== state) window.seen.push(state);
        }).observe(document, { childList: true, subtree: true });
      `);
      await page.goto(url!);
      await page.locator('#verdict-status').waitFor({ timeout: RUN_MS });
      const seen = await page.evaluate<string[]>('window.seen');
      assert.ok(seen.includes('fault-active/running') && seen.at(-1)!.endsWith('/verdict'), `states the page went through: ${seen.join(' → ')}`);

      // The verdict is the journal's (a machine busy enough can make the run deviate: the page must say so).
      const journal = JSON.parse(await readFile(join(dir, 'report', 'journal.json'), 'utf8')) as Journal;
      assert.equal(await text(page, '#verdict-status'), LABEL[journal.status], await text(page, '#verdict'));
      assert.match(await text(page, '#verdict'), new RegExp(`exit code ${journal.exitCode} `));
      assert.match(await text(page, '#title'), /Pausing api under load/);
      const phases = await page.locator('#phases-faults rect.phase').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-phase')));
      for (const p of ['preflight', 'method', 'recovery']) assert.ok(phases.includes(p), `phase ${p} in ${phases.join(', ')}`);
      assert.ok((await page.locator('#lanes-services g[data-lane="service:api"] rect.dot.fail').count()) > 0, 'the paused api failed its health checks');
      assert.ok((await page.locator('#lanes-services g[data-lane="service:web"] rect.dot.ok').count()) > 0);
      assert.ok((await page.locator('#lanes-probes g[data-lane="probe:web answers"] rect.dot.ok').count()) > 0);
      assert.equal(await page.locator('#chart-latency g.series path').count(), 3);
      await assertNoHorizontalOverflow(page);

      const href = await page.locator('#report-link').getAttribute('href');
      const report = await browser.newPage();
      const res = await report.goto(new URL(href!, url).href);
      assert.equal(res!.status(), 200);
      assert.match(await report.locator('body').innerText(), /Pausing api under load/);
      await report.close();
      await waitForOutput(run.output, /the dashboard stays up for 10m/, { timeoutMs: RUN_MS });
      assert.equal(run.child.exitCode, null, 'the linger keeps the page up after the run');

      run.child.kill('SIGINT');
      const done = await run.done;
      assert.equal(done.code, journal.exitCode, done.stdout + done.stderr);
      await page.locator('#conn.closed', { hasText: 'the run is over' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      run.child.kill('SIGKILL');
      await page.close();
    }
  });

  test('dashboard --web shows the services\' health, the last runs with their reports, and a run in progress with its open fault', { timeout: RUN_MS * 2 }, async () => {
    const { page, errors } = await openPage(375);
    const dash = startCli(['dashboard', '--web', '--interval', '500ms'], { cwd: dir, env: env(), timeoutMs: RUN_MS * 2 });
    try {
      const [, url] = await waitForOutput(dash.output, /web dashboard of live-shop: (http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/)\n/, { timeoutMs: STARTUP_MS });
      await page.goto(url!);
      await page.locator('.svc[data-service="web"][data-health="healthy"]').waitFor({ timeout: RUN_MS });
      await page.locator('.svc[data-service="api"][data-health="unhealthy"]').waitFor({ timeout: RUN_MS });
      assert.equal(await page.locator('.svc[data-service="api"]').getAttribute('data-state'), 'not running');
      assert.match(await text(page, '#title'), /System: live-shop/);
      assert.match(await text(page, '#faults'), /none/);
      const first = JSON.parse(await readFile(join(dir, 'report', 'journal.json'), 'utf8')) as Journal;
      assert.match(await text(page, '#history li'), new RegExp(`^${first.status}\\s+Pausing api under load`));
      await page.locator('#lanes-health g[data-lane="web"] rect.dot.ok').first().waitFor();
      await assertNoHorizontalOverflow(page);
      const href = await page.locator('#history li a').getAttribute('href');
      const res = await page.request.get(new URL(href!, url).href);
      assert.equal(res.status(), 200);
      assert.match(await res.text(), /Pausing api under load/);
      assert.equal((await page.request.get(new URL(url!).origin + '/')).status(), 403);

      // A run in another process: the page shows it in progress with its open fault, then neither.
      const run = startCli(['run', 'pause-api.yaml'], { cwd: dir, env: env(), timeoutMs: RUN_MS });
      try {
        await page.locator('#runs li', { hasText: 'Pausing api under load' }).waitFor({ timeout: RUN_MS });
        await page.locator('#faults li', { hasText: 'pause on api' }).waitFor({ timeout: RUN_MS });
        await run.done;
        await page.locator('#runs', { hasText: 'none' }).waitFor({ timeout: RUN_MS });
        await page.locator('#faults', { hasText: 'none' }).waitFor({ timeout: RUN_MS });
        await page.locator('#history li').nth(1).waitFor({ timeout: RUN_MS }); // the new run joins the last runs
      } finally {
        run.child.kill('SIGKILL');
      }
      dash.child.kill('SIGINT');
      const done = await dash.done;
      assert.equal(done.code, 0, done.stdout + done.stderr);
      await page.locator('#conn.closed').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      dash.child.kill('SIGKILL');
      await page.close();
    }
  });
});
