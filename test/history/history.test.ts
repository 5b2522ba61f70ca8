// History: entries, the append-only file, trends and the regression rules.
import assert from 'node:assert/strict';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, describe, test } from 'node:test';
import { appendHistory, experimentKey, findRegressions, historyEntryFor, historyPath, previousRun, readHistory, recordRun, sparkline, trends, type HistoryEntry } from '../../src/history/index.js';
import type { Journal } from '../../src/journal/types.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** api down from probe 11 for `down` probes (100 ms each), killed at t=1000. */
function run(down: number, overrides: Partial<Journal> = {}): Journal {
  const pattern = [...Array(40)].map((_, i) => (i >= 11 && i < 11 + down ? 'x' : 'o')).join('');
  return { ...journalFrom({ health: { api: pattern }, faults: [fault('api', 1000)], within: 5000 }), ...overrides };
}

function entry(j: Journal, startedAt = j.startedAt): HistoryEntry {
  return { ...historyEntryFor(j, { projectDir: '/project' }), startedAt };
}

describe('entries and the file', () => {
  test('an entry keeps the figures trends and the gate need, keyed by the experiment path in the project', () => {
    const e = historyEntryFor(run(5), { projectDir: '/project', reportDir: '/project/.faultline/reports/x' });
    assert.equal(e.key, 'experiments/synthetic.yaml');
    assert.equal(e.timeToRecoverMs, 602, 'the recovering probe answers 2 ms after its start');
    assert.deepEqual(e.services, [{ service: 'api', impacted: true, timeToImpactMs: 100, timeToRecoverMs: 602, met: true }]);
    assert.deepEqual(e.checks.map((c) => [c.kind, c.ok]), [['recovery', true]]);
    assert.equal(typeof e.score, 'number');
    assert.equal(experimentKey('/elsewhere/x.yaml', '/project'), '../elsewhere/x.yaml');
    // Not files: quick commands keep their name; catalog templates are told apart by their title (what they were aimed at).
    assert.equal(experimentKey('faultline kill api', '/project'), 'faultline kill api');
    assert.equal(experimentKey('catalog:service-kill', '/project', 'Killing api'), 'catalog:service-kill · Killing api');
  });

  test('append and read back; a torn line is skipped and counted; previousRun finds the same experiment', async () => {
    const { path: stateDir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    assert.deepEqual(await readHistory(stateDir), { entries: [], skipped: 0 });
    const a = entry(run(5, { runId: 'a' }));
    const other = { ...entry(run(5, { runId: 'o' })), key: 'experiments/other.yaml' };
    const b = entry(run(8, { runId: 'b' }));
    await appendHistory(stateDir, a);
    await appendHistory(stateDir, other);
    await mkdir(dirname(historyPath(stateDir)), { recursive: true });
    await appendFile(historyPath(stateDir), '{"v":1,"runId":"torn');
    await appendFile(historyPath(stateDir), '\n');
    await appendHistory(stateDir, b);
    const { entries, skipped } = await readHistory(stateDir);
    assert.deepEqual(entries.map((e) => e.runId), ['a', 'o', 'b']);
    assert.equal(skipped, 1);
    assert.equal(previousRun(entries, a.key)?.runId, 'b');
    assert.equal(previousRun(entries, a.key, 'b')?.runId, 'a');
    assert.equal(previousRun(entries, a.key, 'a'), undefined);
  });

  test('recordRun appends and compares with the previous run of the same experiment', async () => {
    const { path: root, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const stateDir = `${root}/.faultline`;
    const first = await recordRun(stateDir, run(5, { runId: 'r1', experimentFile: `${root}/exp.yaml` }));
    assert.equal(first.previous, undefined);
    assert.deepEqual(first.regressions, []);
    assert.equal(first.entry.key, 'exp.yaml');
    const second = await recordRun(stateDir, run(15, { runId: 'r2', experimentFile: `${root}/exp.yaml` }));
    assert.equal(second.previous?.runId, 'r1');
    assert.equal(second.regressions.length, 1);
    assert.match(second.regressions[0]!.message, /time to recover of api rose from 602ms to 1\.60s \(\+166%; the limit is \+20%\) since run r1/);
  });
});

describe('regression rules', () => {
  test('time to recover worse by more than 20% and by more than a probe interval', () => {
    const base = entry(run(5)); // 602 ms
    assert.deepEqual(findRegressions(base, entry(run(6))), [], '+100 ms = +17%: within 20%');
    const worse = findRegressions(base, entry(run(7))); // 800 ms: +33%, +200 ms
    assert.equal(worse.length, 1);
    assert.equal(worse[0]!.kind, 'time-to-recover');
    const tiny = findRegressions({ ...base, services: [{ ...base.services[0]!, timeToRecoverMs: 100 }] }, { ...base, services: [{ ...base.services[0]!, timeToRecoverMs: 150 }] });
    assert.deepEqual(tiny, [], '+50% but less than one probe interval (the measurement precision)');
  });

  test('a service that recovered last time and does not now', () => {
    const r = findRegressions(entry(run(5)), entry(run(40)));
    assert.deepEqual(r.map((x) => x.kind).sort(), ['check', 'not-recovered']);
    assert.match(r.find((x) => x.kind === 'not-recovered')!.message, /api did not recover; last time .* it recovered in 602ms/);
  });

  test('a check that held now fails; a run that held now aborts', () => {
    const base = entry(run(5));
    const failing = { ...base, checks: [...base.checks, { kind: 'throughout' as const, name: 'web answers', ok: false, observed: '3 of 9 failed', expected: 'status 2xx' }] };
    const before = { ...base, checks: [...base.checks, { ...failing.checks.at(-1)!, ok: true }] };
    const r = findRegressions(before, failing);
    assert.equal(r.length, 1);
    assert.match(r[0]!.message, /throughout check "web answers" held in run .* and now fails: observed 3 of 9 failed; expected status 2xx/);
    assert.deepEqual(findRegressions(failing, failing), [], 'failing both times is not a regression');
    const aborted = findRegressions(base, { ...base, status: 'aborted', reasons: ['guardrail: too many errors'] });
    assert.match(aborted[0]!.message, /held last time .* and now aborted: guardrail: too many errors/);
  });

  test('a faster recovery is not a regression', () => {
    assert.deepEqual(findRegressions(entry(run(15)), entry(run(5))), []);
  });
});

describe('trends', () => {
  test('success rate, time to recover, score, time between failures per experiment', () => {
    const day = 86_400_000;
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const at = (d: number) => new Date(t0 + d * day).toISOString();
    const entries = [
      entry(run(5, { runId: '1' }), at(0)),
      { ...entry(run(40, { runId: '2' }), at(1)), status: 'deviated' as const },
      entry(run(7, { runId: '3' }), at(2)),
      { ...entry(run(40, { runId: '4' }), at(4)), status: 'deviated' as const },
      { ...entry(run(5, { runId: 'x' }), at(3)), key: 'experiments/other.yaml' },
    ];
    const list = trends(entries);
    assert.equal(list.length, 2);
    const t = list.find((x) => x.key === 'experiments/synthetic.yaml')!;
    assert.equal(t.runs, 4);
    assert.equal(t.held, 2);
    assert.equal(t.successRate, 0.5);
    assert.deepEqual(t.timeToRecoverMs.values, [602, null, 802, null]);
    assert.equal(t.timeToRecoverMs.mean, 702);
    assert.equal(t.timeToRecoverMs.last, null);
    assert.equal(t.failures, 2);
    assert.equal(t.meanTimeBetweenFailuresMs, 3 * day);
    assert.equal(t.lastFailureAt, at(4));
    assert.equal(t.last.runId, '4');
    assert.equal(trends(entries, { limit: 2 }).find((x) => x.key === t.key)!.runs, 2);
    assert.equal(sparkline([1, null, 3, 2]), '▁ █▅');
  });
});
