import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commandProbe } from '../../src/probes/command-probe.js';
import { MAX_CAPTURE_BYTES } from '../../src/probes/types.js';
import { waitFor } from '../helpers/wait.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Time is what these tests check (timeouts, not waiting): each bound is far below what the
// broken behaviour would take (the 30 s sleeps) and far above a busy machine's scheduling delays.
const PROMPT_MS = 5000;

describe('commandProbe', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-probe-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs a shell string and keeps stdout', async () => {
    const r = await commandProbe('echo PONG', { timeout: 5000 });
    assert.deepEqual([r.ok, r.exitCode, r.stdout], [true, 0, 'PONG\n']);
  });

  it('reports a non-zero exit as a completed call', async () => {
    const r = await commandProbe("sh -c 'exit 3'", { timeout: 5000 });
    assert.deepEqual([r.ok, r.exitCode, r.error], [true, 3, undefined]);
  });

  it('runs an argv list directly, without a shell', async () => {
    const r = await commandProbe(['echo', '$HOME', 'a b'], { timeout: 5000 });
    assert.equal(r.stdout, '$HOME a b\n');
  });

  it('runs in cwd', async () => {
    const r = await commandProbe('pwd', { timeout: 5000, cwd: dir });
    assert.equal(r.stdout?.trim(), dir);
  });

  it('reports a signal death', async () => {
    const r = await commandProbe('kill -TERM $$', { timeout: 5000 });
    assert.deepEqual([r.ok, r.exitCode, r.signal], [true, undefined, 'SIGTERM']);
  });

  it('reports a command that cannot start', async () => {
    const r = await commandProbe(['/nonexistent/faultline-probe'], { timeout: 5000 });
    assert.equal(r.ok, false);
    assert.match(r.error!, /ENOENT/);
  });

  it('keeps only the first 64 KiB of stdout and still lets the command finish', async () => {
    const r = await commandProbe('head -c 1000000 /dev/zero | tr "\\0" x', { timeout: 5000 });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout?.length, MAX_CAPTURE_BYTES);
  });

  it('does not wait for a background child that holds stdout open', async () => {
    const started = performance.now();
    const r = await commandProbe('sleep 30 & echo $!', { timeout: 20_000 });
    const took = performance.now() - started;
    const pid = Number(r.stdout);
    if (pid > 0) process.kill(pid, 'SIGKILL');
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout ?? '', /^\d+\n$/);
    assert.ok(took < PROMPT_MS, `took ${took}ms`);
  });

  it('kills the whole process group on timeout', async () => {
    const pidFile = join(dir, 'child.pid');
    const started = performance.now();
    const r = await commandProbe(`sleep 30 & echo $! > ${pidFile}; wait`, { timeout: 300 });
    const took = performance.now() - started;
    assert.deepEqual([r.ok, r.error], [false, 'timeout after 300ms']);
    assert.ok(took >= 290 && took < 300 + PROMPT_MS, `took ${took}ms`);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), { what: `grandchild ${pid} to be killed` });
  });

  it('kills the command on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const r = await commandProbe(['sleep', '30'], { timeout: 10_000, signal: controller.signal });
    assert.deepEqual([r.ok, r.error], [false, 'aborted']);
    assert.ok(performance.now() - started < PROMPT_MS, `took ${performance.now() - started}ms`);
  });

  it('does not start when the signal is already aborted', async () => {
    const r = await commandProbe(`touch ${join(dir, 'ran')}`, { timeout: 1000, signal: AbortSignal.abort() });
    assert.deepEqual([r.ok, r.error], [false, 'aborted']);
    await assert.rejects(readFile(join(dir, 'ran')));
  });
});
