// `faultline demo --dashboard` in Chromium: one server for the whole demo, the page following
// each experiment in turn (the real shop, real runs), each run's verdict and HTML report listed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Journal } from '../../src/journal/types.js';
import { CHROMIUM_MISSING, launchChromium } from '../helpers/chromium.js';
import { startCli, tempDir } from '../helpers/cli.js';
import { reservePortSpan } from '../helpers/port-spans.js';
import { STARTUP_MS, waitForOutput } from '../helpers/wait.js';

const missing = CHROMIUM_MISSING;
/** Give-up time for two demo experiments on a busy machine. */
const DEMO_MS = 300_000;
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

test('one page follows each experiment of the demo in turn and lists each verdict with its report', { skip: missing, timeout: DEMO_MS + STARTUP_MS }, async () => {
  const basePort = await reservePortSpan();
  const demo = startCli(['demo', '--only', 'service-kill,cache-outage', '--dashboard', '--dashboard-linger', '10m', '--base-port', String(basePort), '--report-dir', 'report', '--state-dir', '.state'], { cwd: dir, timeoutMs: DEMO_MS + STARTUP_MS });
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  try {
    const [, url] = await waitForOutput(demo.output, /live dashboard: (http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/)\n/, { timeoutMs: STARTUP_MS });
    // The titles the page shows, in turn, recorded from before its first script runs (a string:
    // this project's TypeScript has no DOM types).
    await page.addInitScript(`
      window.titles = [];
      new MutationObserver(() => {
        const t = document.getElementById('title')?.textContent;
        if (t && window.titles.at(-1) !== t) window.titles.push(t);
      }).observe(document, { childList: true, characterData: true, subtree: true });
    `);
    await page.goto(url!);
    await page.locator('#session li a').nth(1).waitFor({ timeout: DEMO_MS });
    const rows = await page.locator('#session li').allInnerTexts();
    assert.equal(rows.length, 2, rows.join('\n'));
    // The verdicts are the runs' own (a machine busy enough can make the shop deviate: the page must say so).
    const status = async (name: string) => LABEL[(JSON.parse(await readFile(join(dir, 'report', name, 'journal.json'), 'utf8')) as Journal).status];
    const [kill, cache] = [await status('service-kill'), await status('cache-outage')];
    assert.match(rows[0]!, new RegExp(`^${kill}\\s+Killing catalog under load`));
    assert.match(rows[1]!, new RegExp(`^${cache}\\s+Cache outage under load`));
    const titles = await page.evaluate<string[]>('window.titles');
    assert.ok(titles.findIndex((t) => t.startsWith('Killing catalog')) < titles.findIndex((t) => t.startsWith('Cache outage')), `titles in turn: ${titles.join(' → ')}`);
    assert.match(await page.locator('#title').innerText(), /^Cache outage under load/);
    assert.equal(await page.locator('#verdict-status').innerText(), cache);
    const links = await page.locator('#session li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(new Set(links).size, 2, 'a report per run');
    for (const [i, title] of [[0, 'Killing catalog'], [1, 'Cache outage']] as const) {
      const res = await page.request.get(new URL(links[i]!, url).href);
      assert.equal(res.status(), 200);
      assert.match(await res.text(), new RegExp(title));
    }
    demo.child.kill('SIGINT'); // ends the linger
    const done = await demo.done;
    const summary = JSON.parse(await readFile(join(dir, 'report', 'summary.json'), 'utf8')) as { exitCode: number };
    assert.equal(done.code, summary.exitCode, done.stdout + done.stderr);
    assert.match(done.stderr, /the dashboard stays up for 10m/);
    await page.locator('#conn.closed').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    demo.child.kill('SIGKILL');
    await page.close();
  }
});
