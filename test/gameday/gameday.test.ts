// `faultline gameday` through the real CLI against a real process (issue 18, part 2): the day driven by
// `faultline gameday ctl` (note, next, skip before and during a run, pause, resume), announced to a
// real webhook, recorded in gameday.json and reported; aborted mid-run with every fault reverted; the
// keyboard console; and the refusals (invalid plan, no day running, a second day on one state dir).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openFaultsIn, pauseExperiment, startAttachedApi } from '../helpers/attached-api.js';
import { bin, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { killHard, procState } from '../helpers/processes.js';
import type { GamedayRecord } from '../../src/gameday/record.js';

let dir: string;
let cleanup: () => Promise<void>;
let pid: number;
let hook: Server;
let hookUrl: string;
const announced: { text: string }[] = [];

const pause = (ms: number) => pauseExperiment(ms);

before(async () => {
  ({ path: dir, cleanup } = await tempDir('faultline-gameday-'));
  ({ pid } = await startAttachedApi(dir));
  await writeFile(join(dir, 'short.yaml'), pause(300));
  await writeFile(join(dir, 'long.yaml'), pause(60_000));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      announced.push(JSON.parse(body) as { text: string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
});
after(async () => {
  killHard(pid);
  hook.close();
  await cleanup();
});

const ctl = (stateDir: string, ...args: string[]) => runCli(['gameday', 'ctl', ...args, '--state-dir', stateDir, '--by', 'bo'], { cwd: dir });

async function recordIn(outDir: string): Promise<GamedayRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, 'gameday.json'), 'utf8')) as GamedayRecord;
  } catch {
    return undefined; // not written yet, or between two atomic writes
  }
}

async function noOpenFaults(stateDir: string): Promise<void> {
  assert.deepEqual(await openFaultsIn(stateDir), []);
}

describe('faultline gameday', { concurrency: false }, () => {
  test('driven by ctl: a note, next, skip before a run, pause and resume, skip during a run; announced; one combined report', async () => {
    const stateDir = join(dir, 'st1');
    const outDir = join(dir, 'day1');
    await writeFile(
      join(dir, 'plan.yaml'),
      `title: Checkout game day\nfacilitator: Ana\nannounce: "${hookUrl}"\nexperiments:\n  - ./short.yaml\n  - name: skipped before it starts\n    experiment: ./short.yaml\n  - name: the long one\n    experiment: ./long.yaml\n    brief: skip it once api is paused\n`,
    );
    const day = startCli(['gameday', 'plan.yaml', '--state-dir', stateDir, '--out', outDir, '--no-console'], { cwd: dir, timeoutMs: 90_000 });
    await waitFor(() => recordIn(outDir), { what: 'gameday.json', timeoutMs: 20_000 });
    await waitFor(async () => (await ctl(stateDir, 'status')).code === 0, { what: 'the control socket', timeoutMs: 10_000, intervalMs: 100 });

    const status = await ctl(stateDir, 'status', '--json');
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { state: { phase: string; next: string; position: number } }).state.phase, 'waiting');
    assert.equal((await ctl(stateDir, 'note', 'the', 'room', 'is', 'ready')).code, 0);
    assert.equal((await ctl(stateDir, 'next')).code, 0);
    await waitFor(async () => (await recordIn(outDir))?.items[0]?.state === 'ran', { what: 'the first experiment to end', timeoutMs: 30_000, intervalMs: 100 });
    const skip = await ctl(stateDir, 'skip');
    assert.match(skip.stdout, /skipped skipped before it starts/);
    const pauseReply = await ctl(stateDir, 'pause');
    assert.equal(pauseReply.code, 0);
    const refused = await ctl(stateDir, 'pause');
    assert.equal(refused.code, 1, 'a second pause is refused');
    assert.match(refused.stdout, /refused: already paused/);
    assert.equal((await ctl(stateDir, 'resume')).code, 0);
    assert.equal((await ctl(stateDir, 'next')).code, 0);
    await waitFor(() => procState(pid) === 'T', { what: 'api paused by the long experiment', timeoutMs: 30_000, intervalMs: 50 });
    const busy = await ctl(stateDir, 'next');
    assert.equal(busy.code, 1);
    assert.match(busy.stdout, /refused: the long one is running; `skip` aborts it/);
    assert.equal((await ctl(stateDir, 'note', 'api', 'froze', 'as', 'planned')).code, 0);
    assert.equal((await ctl(stateDir, 'skip')).code, 0);
    const result = await day.done;
    assert.equal(result.code, 0, `a run skipped on purpose does not fail the day\n${result.stdout}${result.stderr}`);
    assert.notEqual(procState(pid), 'T', 'the skipped run was reverted');
    await noOpenFaults(stateDir);

    const record = (await recordIn(outDir))!;
    assert.equal(record.outcome, 'completed');
    assert.deepEqual(
      record.items.map((i) => [i.name, i.state, i.exitCode]),
      [
        ['api pauses 300ms', 'ran', 0],
        ['skipped before it starts', 'skipped', undefined],
        ['the long one', 'skipped', 3],
      ],
    );
    assert.ok(record.items[2]!.runId, 'the run skipped mid-way keeps its run id and journal');
    assert.deepEqual(
      record.notes.map((n) => [n.text, n.by, n.during]),
      [
        ['the room is ready', 'bo', undefined],
        ['api froze as planned', 'bo', 'the long one'],
      ],
    );
    for (const n of record.notes) assert.ok(Date.parse(n.at) >= Date.parse(record.startedAt));
    assert.deepEqual(
      record.events.filter((e) => e.from === 'ctl').map((e) => e.what),
      ['next', 'skip', 'pause', 'resume', 'next', 'skip'],
    );
    const md = await readFile(join(outDir, 'gameday.md'), 'utf8');
    assert.match(md, /Checkout game day/);
    assert.match(md, /api froze as planned/);
    assert.match(md, /SKIPPED/);
    assert.match(await readFile(join(outDir, 'gameday.html'), 'utf8'), /the room is ready/);
    assert.deepEqual(
      announced.map((a) => a.text),
      [':calendar: Game day starting: Checkout game day', ':checkered_flag: Game day completed: Checkout game day'],
    );
  });

  test('abort mid-run reverts the fault, ends the day (exit 3) and still writes the report; ctl then finds no day', async () => {
    const stateDir = join(dir, 'st2');
    const outDir = join(dir, 'day2');
    await writeFile(join(dir, 'plan2.yaml'), 'title: Short day\nauto: true\ngap: 200ms\nexperiments:\n  - ./long.yaml\n  - ./short.yaml\n');
    const day = startCli(['gameday', 'plan2.yaml', '--state-dir', stateDir, '--out', outDir, '--no-console'], { cwd: dir, timeoutMs: 60_000 });
    await waitFor(() => procState(pid) === 'T', { what: 'api paused by the first experiment (auto)', timeoutMs: 30_000, intervalMs: 50 });
    const second = await runCli(['gameday', 'plan2.yaml', '--state-dir', stateDir, '--no-console'], { cwd: dir });
    assert.equal(second.code, 2, 'a second game day on the same state dir is refused');
    assert.match(second.stderr, /a game day is already running with this state dir/);
    assert.equal((await ctl(stateDir, 'abort')).code, 0);
    const result = await day.done;
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.notEqual(procState(pid), 'T');
    await noOpenFaults(stateDir);
    const record = (await recordIn(outDir))!;
    assert.equal(record.outcome, 'aborted');
    assert.deepEqual(
      record.items.map((i) => i.state),
      ['ran', 'pending'],
    );
    assert.equal(record.items[0]!.exitCode, 3);
    assert.match(await readFile(join(outDir, 'gameday.md'), 'utf8'), /ABORTED/);
    const none = await ctl(stateDir, 'status');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no game day is running with the state dir/);
  });

  test('the keyboard console: n starts, any other line is a note, abort must be spelled out', async () => {
    const stateDir = join(dir, 'st3');
    const outDir = join(dir, 'day3');
    await writeFile(join(dir, 'plan3.yaml'), 'title: Keyboard day\nfacilitator: Cy\nexperiments:\n  - ./short.yaml\n');
    const child = spawn(process.execPath, [bin, 'gameday', 'plan3.yaml', '--state-dir', stateDir, '--out', outDir, '--console'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor(() => out.includes('type `next` to start it'), { what: 'the prompt', timeoutMs: 20_000 });
    child.stdin!.write('a\n'); // not abort: a note
    child.stdin!.write('note cart looked fine\n');
    child.stdin!.write('status\n');
    await waitFor(() => out.includes('Keyboard day: waiting; next: api pauses 300ms (1/1)'), { what: 'the status line' });
    child.stdin!.write('n\n');
    assert.equal(await done, 0, out);
    const record = (await recordIn(outDir))!;
    assert.deepEqual(
      record.notes.map((n) => [n.text, n.by]),
      [
        ['a', 'Cy'],
        ['cart looked fine', 'Cy'],
      ],
    );
    assert.deepEqual(
      record.events.filter((e) => e.from === 'console' && e.what === 'next').length,
      1,
    );
    assert.equal(record.items[0]!.state, 'ran');
  });

  test('an invalid plan is refused before anything starts, naming the file and the path', async () => {
    await writeFile(join(dir, 'bad-exp.yaml'), 'title: t\nmethod:\n  - { fault: pause, target: apx, duration: 1s }\n');
    await writeFile(join(dir, 'bad-plan.yaml'), 'title: Bad\nannounce: not-a-url\nexperiments:\n  - ./bad-exp.yaml\n');
    const bad = await runCli(['gameday', 'bad-plan.yaml', '--state-dir', join(dir, 'st4')], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad-plan\.yaml:2:\d+ at announce: /);
    await writeFile(join(dir, 'bad-plan.yaml'), 'title: Bad\nexperiments:\n  - ./short.yaml\n  - ./bad-exp.yaml\n');
    const bad2 = await runCli(['gameday', 'bad-plan.yaml', '--state-dir', join(dir, 'st4')], { cwd: dir });
    assert.equal(bad2.code, 2);
    assert.match(bad2.stderr, /bad-exp\.yaml:3:\d+ at method\[0\]\.target: unknown service "apx".*\(experiments\[1\] of bad-plan\.yaml\)/);
    await writeFile(join(dir, 'guarded.yaml'), `requiresApproval: true\n${pause(300)}`);
    await writeFile(join(dir, 'guarded-plan.yaml'), 'title: Needs approval\nexperiments:\n  - ./short.yaml\n  - ./guarded.yaml\n');
    const unapproved = await runCli(['gameday', 'guarded-plan.yaml', '--state-dir', join(dir, 'st5'), '--no-console'], { cwd: dir });
    assert.equal(unapproved.code, 2, unapproved.stdout + unapproved.stderr);
    assert.match(unapproved.stderr, /the game day cannot start: 1 experiment\(s\) lack a valid approval\n {2}- api pauses 300ms \(.*guarded\.yaml\) needs an approval/);
    assert.doesNotMatch(unapproved.stdout, /starting/, 'nothing ran');
    const check = await runCli(['gameday', 'plan.yaml', '--check'], { cwd: dir });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /3\. the long one \(.*long\.yaml\)\n {5}brief: skip it once api is paused/);
  });
});
