// render.ts on snapshots recorded from real systems (see fixtures/README.md): a paused process and
// container during a `faultline pause` run, a container after its main process was killed and the
// engine restarted it, and everything down.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderFrame } from '../../src/dashboard/render.js';
import type { Snapshot } from '../../src/dashboard/types.js';

const fixture = (name: string): Snapshot => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Snapshot;
const plain = (s: Snapshot, width = 120, height = 30) => renderFrame(s, { width, height, color: false });
const row = (lines: string[], service: string) => lines.find((l) => l.startsWith(`${service} `)) ?? assert.fail(`no row for ${service} in:\n${lines.join('\n')}`);
const ESC = String.fromCharCode(27);
const visible = (line: string) => line.replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
/** `word` in SGR colour `code` (31 red, 32 green, 33 yellow), padded to its column. */
const painted = (code: number, word: string) => new RegExp(`${ESC}\\[${code}m${word}\\s*${ESC}\\[0m`);

test('a frame during a pause run: both paused services, the open fault and the run', () => {
  const s = fixture('pause-run');
  const lines = plain(s, Infinity);
  assert.match(lines[0]!, /^faultline dashboard · demo · \d\d:\d\d:\d\d UTC · 3 service\(s\) · faultline up pid \d+$/);
  assert.match(lines[2]!, /^SERVICE\s+KIND\s+STATE\s+HEALTH\s+LATENCY\s+RESTARTS\s+CPU\s+MEM\s+DETAIL$/);
  assert.match(row(lines, 'api'), /^api\s+process\s+paused\s+unhealthy\s+\d+ms\s+0 \(1\)\s+\d+\.\d%\s+\d+\.\dMiB\s+timeout after 1000ms · pid \d+$/);
  assert.match(row(lines, 'web'), /^web\s+container\s+paused\s+/);
  assert.match(row(lines, 'site'), /^site\s+endpoint\s+-\s+unhealthy\s+/);
  const fault = s.openFaults[0]!;
  assert.ok(lines.includes('OPEN FAULTS  1'), lines.join('\n'));
  assert.ok(lines.includes(`  pause on ${fault.target} · run ${fault.runId} · 4s`), lines.join('\n'));
  assert.ok(lines.includes('RUNS IN PROGRESS  1'));
  assert.ok(lines.some((l) => l.startsWith(`  ${s.runs[0]!.runId} "pause api for 20s" · faultline pause api for 20s · pid ${s.runs[0]!.pid} · 4s`)), lines.join('\n'));
  for (const line of plain(s, 120)) assert.ok(line.length <= 120, `wider than 120: ${line}`);
});

test('a restarted container: running and healthy again, 1 restart since start, the engine count in brackets', () => {
  const lines = plain(fixture('restarted'));
  assert.match(row(lines, 'web'), /^web\s+container\s+running\s+healthy\s+\d+(\.\d)?ms\s+1 \(3\)\s+\d+\.\d%\s+\d+\.\dKiB\s+flt-dash-manual$/);
  assert.ok(lines.includes('OPEN FAULTS  none') && lines.includes('RUNS IN PROGRESS  none'));
});

test('everything down: not running without faultline up, an exited container with its exit code', () => {
  const lines = plain(fixture('down'), Infinity);
  assert.match(lines[0]!, /no faultline up$/);
  assert.match(row(lines, 'api'), /^api\s+process\s+not running\s+unhealthy\s+.*faultline up is not running \(start it: faultline up\)$/);
  assert.match(row(lines, 'web'), /^web\s+container\s+exited\s+unhealthy\s+\S+\s+0 \(3\)\s+-\s+-\s+.*exit 137/);
});

test('a fault whose run is gone says that faultline recover reverts it', () => {
  const s = fixture('pause-run');
  const orphaned: Snapshot = { ...s, runs: [], openFaults: s.openFaults.map((f) => ({ ...f, runAlive: false })) };
  assert.match(plain(orphaned).find((l) => l.startsWith('  pause on'))!, /its run is gone: faultline recover reverts it$/);
});

test('a health check still waiting for an answer shows as waiting, in yellow, with how long it has waited', () => {
  const s = fixture('pause-run');
  const waiting: Snapshot = { ...s, services: s.services.map((v) => (v.name === 'api' ? { ...v, health: { status: 'waiting', latencyMs: 1480, observed: 'no answer yet after 1480ms' } } : v)) };
  assert.match(row(plain(waiting, Infinity), 'api'), /^api\s+process\s+paused\s+waiting\s+1480ms\s+0 \(1\)\s+.*no answer yet after 1480ms · pid \d+$/);
  assert.match(row(renderFrame(waiting, { width: 120, height: 30, color: true }), 'api'), painted(33, 'waiting'));
});

test('every line is cut to the width, ending with …', () => {
  for (const width of [100, 60, 30]) {
    const lines = plain(fixture('pause-run'), width);
    for (const line of lines) assert.ok([...line].length <= width, `width ${width}: ${JSON.stringify(line)}`);
    assert.ok(row(lines, 'api').endsWith('…'), `width ${width}: the api row is cut`);
  }
  assert.ok(plain(fixture('pause-run'), 1).every((l) => l === '' || l === '…'));
});

test('the frame is cut to the height and its last line says how many lines are hidden', () => {
  const all = plain(fixture('pause-run'), 120, Infinity);
  const lines = plain(fixture('pause-run'), 120, 6);
  assert.equal(lines.length, 6);
  assert.deepEqual(lines.slice(0, 5), all.slice(0, 5));
  assert.equal(lines[5], `… ${all.length - 5} more line(s): enlarge the terminal`);
});

test('without a width limit nothing is cut', () => {
  const lines = plain(fixture('down'), Infinity, Infinity);
  assert.ok(lines.every((l) => !l.endsWith('…')));
  assert.ok(row(lines, 'api').endsWith('faultline up is not running (start it: faultline up)'));
});

test('colour: states and health painted, the same text and width as without it', () => {
  const s = fixture('pause-run');
  const colored = renderFrame(s, { width: 80, height: 30, color: true });
  const uncolored = plain(s, 80);
  assert.deepEqual(colored.map(visible).map((l) => l.trimEnd()), uncolored);
  assert.match(row(colored, 'api'), painted(33, 'paused'));
  assert.match(row(colored, 'api'), painted(31, 'unhealthy'));
  const web = row(renderFrame(fixture('restarted'), { width: 120, height: 30, color: true }), 'web');
  assert.match(web, painted(32, 'running'));
  assert.match(web, painted(32, 'healthy'));
  assert.ok(uncolored.every((l) => !l.includes(ESC)));
});
