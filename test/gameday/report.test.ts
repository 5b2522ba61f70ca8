// The game day's combined report (issue 18, part 2), from real journals: three real runs of a
// real system with the built CLI, and a record with every kind of item, notes and commands.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { analysisOf } from '../../src/analysis/analyze-journal.js';
import { loadGameday, renderGamedayMarkdown, writeGamedayReport } from '../../src/gameday/report/index.js';
import type { GamedayRecord } from '../../src/gameday/record.js';
import { sparkline } from '../../src/history/trends.js';
import { ms } from '../../src/reporters/text.js';
import { CHROMIUM_MISSING, launchChromium } from '../helpers/chromium.js';
import { NOTE_WITH_HTML, realDay, type RealDay } from '../fixtures/gameday/real-day.js';

let day: RealDay;
let outDir: string;
let paths: { markdown: string; html: string };
let md: string;
let html: string;

before(async () => {
  day = await realDay();
  outDir = join(day.dir, 'gameday');
  paths = await writeGamedayReport(day.record, outDir);
  md = await readFile(paths.markdown, 'utf8');
  html = await readFile(paths.html, 'utf8');
});
after(() => day?.cleanup());

/** The Markdown table row of plan item n (`| n | …`). */
function mdRow(n: number): string {
  const row = md.split('\n').find((l) => l.startsWith(`| ${n} | `));
  assert.ok(row, `no row for item ${n} in:\n${md}`);
  return row;
}

describe('the real runs behind the report', () => {
  test('held, deviated, held again: exit codes 0, 1, 0, all three in the history', () => {
    assert.deepEqual([day.held.exitCode, day.deviated.exitCode, day.heldAgain.exitCode], [0, 1, 0]);
    assert.deepEqual([day.held.journal.status, day.deviated.journal.status, day.heldAgain.journal.status], ['held', 'deviated', 'held']);
    assert.deepEqual(
      day.history.map((e) => e.key),
      ['kill-store.yaml', 'cart-throughout.yaml', 'kill-store.yaml'],
    );
  });
});

describe('writeGamedayReport', () => {
  test('writes gameday.md and gameday.html in the out dir, atomically (no temp file left), and returns their paths', async () => {
    assert.deepEqual(paths, { markdown: join(outDir, 'gameday.md'), html: join(outDir, 'gameday.html') });
    assert.deepEqual((await readdir(outDir)).sort(), ['gameday.html', 'gameday.md']);
    // Again over the old files: replaced, same content (nothing in it depends on the clock).
    await writeGamedayReport(day.record, outDir);
    assert.equal(await readFile(paths.markdown, 'utf8'), md);
    assert.equal(await readFile(paths.html, 'utf8'), html);
  });
});

describe('markdown', () => {
  test('title, facilitator, start and end, outcome and the counts', () => {
    const lines = md.split('\n');
    assert.equal(lines[0], '# Game day: Q4 &lt;b&gt;resilience&lt;/b&gt; day — ABORTED');
    assert.match(md, /facilitator \*\*Ana &lt;ops&gt;\*\*/);
    const start = day.record.startedAt.slice(11, 19);
    const end = day.record.endedAt!.slice(11, 19);
    assert.match(md, new RegExp(`${day.record.startedAt.slice(0, 10)} ${start} UTC → \\S+ ${end} UTC`));
    assert.match(md, /^8 planned: 2 held, 1 deviated, 1 skipped, 1 not reached, 1 failed to start, 2 no journal$/m);
  });

  test('every planned experiment with its verdict, score, duration and a link to its report', () => {
    const runs = [day.held, day.deviated, day.heldAgain];
    ['✅ HELD', '❌ DEVIATED', '✅ HELD'].forEach((verdict, i) => {
      const r = runs[i]!;
      const row = mdRow(i + 1);
      assert.match(row, new RegExp(`\\| ${verdict}`));
      assert.match(row, new RegExp(`\\| ${analysisOf(r.journal).score.total}/100 \\|`));
      assert.match(row, new RegExp(`\\| ${ms(r.journal.durationMs).replace('.', '\\.')} \\|`));
      assert.match(row, new RegExp(`\\[report\\]\\(\\.\\./runs/r${i + 1}/report\\.md\\) <sub>run ${r.journal.runId}</sub>`));
    });
    assert.match(mdRow(2), /DEVIATED: cart answers: observed \d+ of \d+ probes failed/, 'why it deviated');
    assert.match(mdRow(4), /⚠️ FAILED TO START: typo\.yaml at method\[0\]\.fault: unknown fault kind "kil"/);
    assert.match(mdRow(5), /⏭️ SKIPPED \| — \| — \| — \|$/);
    assert.match(mdRow(6), new RegExp(`❓ NO JOURNAL: journal missing: ${join(day.dir, 'runs/lost/journal.json')} does not exist`));
    assert.match(mdRow(7), /❓ NO JOURNAL: journal unreadable: \S+\/runs\/corrupt\/journal\.json at \S+: .*not a faultline journal/);
    assert.match(mdRow(8), /⏸️ NOT REACHED/);
  });

  test('recovery per experiment × service: the journals’ own analysis, not recomputed', () => {
    const runs = [day.held, day.deviated, day.heldAgain];
    let rows = 0;
    runs.forEach((r, i) => {
      for (const s of analysisOf(r.journal).services) {
        const line = md.split('\n').find((l) => l.startsWith(`| ${i + 1}. `) && l.includes(` | ${s.service} | `));
        assert.ok(line, `a recovery row for ${s.service} of run ${i + 1}`);
        assert.ok(s.impacted && s.timeToRecoverMs !== null, `${s.service} was impacted and recovered in run ${i + 1}`);
        assert.equal(line, `| ${i + 1}. ${day.record.items[i]!.name} | ${s.service} | ${ms(s.timeToImpactMs)} | ${ms(s.timeToRecoverMs)} | ${ms(s.outageMs)} | ✅ met (within 5.00s) |`);
        rows++;
      }
    });
    assert.equal(rows, 6, 'store and cart, in each of the three runs');
  });

  test('cascades: the order the failure spread, from each run’s analysis', () => {
    for (const [i, r] of [day.held, day.deviated, day.heldAgain].entries()) {
      const [cascade] = analysisOf(r.journal).cascades;
      // Both fail; which probe saw it first depends on when each probe started (the order is the analysis').
      assert.match(cascade!.summary, /^kill store: .*store down at \+[\d.]+ s/);
      // cart answers 5xx or times out, depending on whether its call to store is refused or hangs on a busy machine.
      assert.match(cascade!.summary, /cart (5xx|timing out) at \+[\d.]+ s/);
      assert.ok(md.includes(`- **${i + 1}. ${day.record.items[i]!.name}**: \`${cascade!.summary}\``), `cascade of run ${i + 1}`);
    }
  });

  test('the timeline: notes with their time and the experiment running, between the facilitator’s commands', () => {
    const section = md.slice(md.indexOf('## Timeline'), md.indexOf('## Score trend'));
    const rows = section.split('\n').filter((l) => /^\| \d\d:\d\d:\d\d \|/.test(l));
    const whats = rows.map((r) => r.split(' | ')[2]);
    assert.deepEqual(whats, ['▶️ start (console)', '🧪 started', '📝 note by bo', '🧪 ended', '⏩ next (ctl)', '🧪 started', '📝 note', '🧪 ended', '🧪 started', '🧪 ended', '⏭️ skip (ctl)', '⛔ abort (console)']);
    const [first, second] = day.record.notes;
    const noteRow = rows[2]!;
    assert.ok(noteRow.startsWith(`| ${first!.at.slice(11, 19)} | +0:0`), noteRow);
    assert.ok(noteRow.endsWith('| Store comes back | cart went red &lt;script&gt;alert("x")&lt;/script&gt; &amp; store "restarted" |'), noteRow);
    assert.ok(rows[6]!.startsWith(`| ${second!.at.slice(11, 19)} |`));
    assert.ok(rows[6]!.endsWith('| Cart answers while store is down | cart dashboards lag by ~1s |'), 'the run that covered the note’s time');
    assert.ok(rows[7]!.endsWith('| Cart answers while store is down | DEVIATED |'));
    assert.ok(rows[11]!.endsWith('|  | out of time |'));
    assert.doesNotMatch(md, /<script/);
  });

  test('score trend: each run against the earlier runs of its experiment in the history, and the day’s scores in order', () => {
    const score = (runId: string) => day.history.find((e) => e.runId === runId)!.score;
    const s1 = score(day.held.journal.runId);
    const s2 = score(day.deviated.journal.runId);
    const s3 = score(day.heldAgain.journal.runId);
    assert.equal(s1, analysisOf(day.held.journal).score.total, 'the history has the journal’s score');
    const section = md.slice(md.indexOf('## Score trend'));
    assert.ok(section.includes(`\`${sparkline([s1, s2, s3])}\` 1. Store comes back **${s1}** → 2. Cart answers while store is down **${s2}** → 3. Store comes back, again **${s3}**`), section);
    assert.ok(section.includes(`| 1. Store comes back | \`${sparkline([s1])}\` ${s1} | **${s1}** | first run | — |`), 'the first run of kill-store has no earlier run');
    assert.ok(section.includes(`| 2. Cart answers while store is down | \`${sparkline([s2])}\` ${s2} | **${s2}** | first run | — |`));
    const delta = s3! - s1!;
    assert.ok(
      section.includes(`| 3. Store comes back, again | \`${sparkline([s1, s3])}\` ${s1}, ${s3} | **${s3}** (${delta > 0 ? `+${delta}` : delta < 0 ? delta : '±0'}) | ${s1} (${day.held.journal.runId}) | ${s1!.toFixed(1)} |`),
      `the second run of kill-store is compared with the first:\n${section}`,
    );
  });
});

describe('loadGameday', () => {
  test('the trend of a run comes from the history: two points for the experiment run twice', async () => {
    const report = await loadGameday(day.record);
    const again = report.items[2]!.trend!;
    assert.equal(again.key, 'kill-store.yaml');
    assert.equal(again.inHistory, true);
    assert.deepEqual(again.points.map((p) => p.runId), [day.held.journal.runId, day.heldAgain.journal.runId]);
    assert.equal(report.items[0]!.trend!.points.length, 1, 'a later run is not part of an earlier one’s trend');
    assert.equal(report.items[5]!.trend, undefined);
  });

  test('a record still running says RUNNING; one that ended with an item marked running says INTERRUPTED', async () => {
    const running: GamedayRecord = { ...day.record, outcome: 'running', items: [{ ...day.record.items[0]!, state: 'running' }], notes: [], events: [] };
    delete running.endedAt;
    const live = await loadGameday(running);
    assert.equal(live.items[0]!.verdict, 'running');
    assert.match(renderGamedayMarkdown(live, outDir), /^# Game day: .* — IN PROGRESS$/m);
    const ended = await loadGameday({ ...running, outcome: 'completed', endedAt: day.record.endedAt! });
    assert.equal(ended.items[0]!.verdict, 'interrupted');
    assert.match(renderGamedayMarkdown(ended, outDir), /💥 INTERRUPTED: the day ended while it ran/);
  });

  test('a day that runs past midnight (UTC) gives its times their date', async () => {
    const nextDay = new Date(Date.parse(day.record.endedAt!) + 86_400_000).toISOString();
    const report = await loadGameday({ ...day.record, endedAt: nextDay, notes: [{ at: nextDay, text: 'still here' }] });
    const row = renderGamedayMarkdown(report, outDir)
      .split('\n')
      .find((l) => l.endsWith('| still here |'));
    assert.ok(row?.startsWith(`| ${nextDay.slice(0, 10)} ${nextDay.slice(11, 19)} | +24:`), row);
    assert.match(renderGamedayMarkdown(report, outDir), new RegExp(`^\\| ${day.record.startedAt.slice(0, 10)} \\d\\d:\\d\\d:\\d\\d \\| \\+0:00 \\| ▶️ start`, 'm'));
  });

  test('an unreadable history: the report says so and each run still shows its own score', async () => {
    const stateDir = join(day.dir, 'broken-state');
    await mkdir(join(stateDir, 'history', 'runs.jsonl'), { recursive: true }); // a directory: EISDIR
    const report = await loadGameday({ ...day.record, stateDir });
    assert.match(report.historyError!, /the history in .*broken-state could not be read: EISDIR/);
    assert.equal(report.items[2]!.trend!.inHistory, false);
    assert.deepEqual(report.items[2]!.trend!.values, [analysisOf(day.heldAgain.journal).score.total]);
    assert.match(renderGamedayMarkdown(report, outDir), /_the history in .* could not be read: EISDIR.*; each run shows its own score only\._/);
  });
});

describe('html', () => {
  test('one self-contained file: no script, no stylesheet link, nothing fetched', () => {
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|url\(|@import/i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  test('user text is escaped: a note with <script>, the title, the facilitator', () => {
    assert.ok(html.includes('cart went red &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; store &quot;restarted&quot;'));
    assert.ok(html.includes('<span id="title">Q4 &lt;b&gt;resilience&lt;/b&gt; day</span>'));
    assert.ok(html.includes('<strong id="facilitator">Ana &lt;ops&gt;</strong>'));
  });

  test('the recovery table carries the analysis’ figures exactly', () => {
    for (const [i, r] of [day.held, day.deviated, day.heldAgain].entries()) {
      for (const s of analysisOf(r.journal).services) {
        assert.ok(html.includes(`data-n="${i + 1}" data-service="${s.service}" data-tti-ms="${s.timeToImpactMs}" data-ttr-ms="${s.timeToRecoverMs}" data-met="true"`), `run ${i + 1}, ${s.service}`);
      }
    }
  });

  test('renders in headless Chromium: no console errors, the tables, cascades and trend charts shown', async (t) => {
    if (CHROMIUM_MISSING) {
      // CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
      if (process.env.CI === 'true') assert.fail(`${CHROMIUM_MISSING}; under CI=true that is a failure`);
      return t.skip(CHROMIUM_MISSING);
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`file://${paths.html}`);

      assert.deepEqual(requests, [`file://${paths.html}`], 'nothing but the file itself is loaded');
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), 'Game day ABORTED · Q4 <b>resilience</b> day · faultline');
      assert.equal(await page.locator('#title').textContent(), 'Q4 <b>resilience</b> day');
      assert.equal(await page.locator('script').count(), 0, 'the note’s <script> is text, not an element');

      const verdicts = await page.locator('#experiments-table tr.item').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict')));
      assert.deepEqual(verdicts, ['held', 'deviated', 'held', 'failed-to-start', 'skipped', 'no-journal', 'no-journal', 'not-reached']);
      for (const id of ['experiments-table', 'recovery-table', 'timeline-table', 'trend-table']) {
        const box = await page.locator(`#${id}`).boundingBox();
        assert.ok(box && box.width > 500 && box.height > 60, `#${id} is laid out: ${JSON.stringify(box)}`);
      }
      assert.equal(await page.locator('#recovery-table tbody tr').count(), 6);
      const note = page.locator('#timeline-table tr.note').first();
      assert.equal(await note.locator('td.text').textContent(), NOTE_WITH_HTML);
      assert.equal(await note.locator('td.during').textContent(), 'Store comes back');
      assert.equal(await page.locator('#timeline-table tbody tr').count(), 12);

      for (const n of [1, 2, 3]) {
        const box = await page.locator(`#chart-cascade-${n}-1`).boundingBox();
        assert.ok(box && box.width > 500, `cascade of run ${n} drawn`);
        assert.equal(await page.locator(`#chart-cascade-${n}-1 circle.pt`).count(), 2, 'store and cart');
        const summary = analysisOf([day.held, day.deviated, day.heldAgain][n - 1]!.journal).cascades[0]!.summary;
        assert.equal(await page.locator(`.cascade[data-n="${n}"] .cascade-summary`).textContent(), summary);
      }
      assert.equal(await page.locator('#trend-1 circle.pt').count(), 1);
      assert.equal(await page.locator('#trend-3 circle.pt').count(), 2, 'the experiment run twice: two points');
      assert.equal(await page.locator('#trend-3 circle.pt.current').getAttribute('data-score'), String(analysisOf(day.heldAgain.journal).score.total));
      assert.equal(await page.locator('#chart-day-scores rect.bar').count(), 3, 'the day’s three scores');
      assert.equal(await page.locator('#experiments-table a').first().getAttribute('href'), '../runs/r1/report.html');
    } finally {
      await browser.close();
    }
  });
});

