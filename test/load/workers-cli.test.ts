/**
 * `faultline load --workers` as users run it: the built CLI (bin/faultline.js → dist/, where the
 * worker's entry is plain JavaScript), against a real server on port 0. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runCli, startCli } from '../helpers/cli.js';
import { startServer, type CountingServer } from './servers.js';

describe('faultline load --workers (built CLI)', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  it('runs the load on worker threads from dist/ and counts every request once', async () => {
    const start = srv.count;
    const r = await runCli(['load', srv.url, '-c', '4', '-w', '2', '-d', '1s', '--json', '--no-progress'], { cwd: repoRoot });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { workers: number; requests: number; sent: number; errors: number; series: { requests: number }[] };
    assert.equal(s.workers, 2);
    assert.ok(s.requests > 0);
    assert.equal(s.requests, srv.count - start);
    assert.equal(s.errors, 0);
    assert.equal(s.series.reduce((n, b) => n + b.requests, 0), s.requests);
  });

  it('the open model on worker threads sends rate × duration requests', async () => {
    const start = srv.count;
    const r = await runCli(['load', srv.url, '--rate', '200/s', '-w', '2', '-d', '1s', '--json', '--no-progress'], { cwd: repoRoot });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { workers: number; requests: number; sent: number; notSent: number };
    assert.equal(s.workers, 2);
    assert.equal(s.requests, 200);
    assert.equal(s.sent, srv.count - start);
  });

  it('Ctrl-C ends every worker: the CLI prints its summary and exits', async () => {
    const cli = startCli(['load', srv.url, '-c', '4', '-w', '2', '-d', '60s'], { cwd: repoRoot, timeoutMs: 30_000 });
    const start = srv.count;
    const deadline = Date.now() + 20_000;
    while (srv.count - start < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    assert.equal(r.signal, null, 'it exited by itself, not by the test killing it');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /closed model, 4 connections, 2 worker threads/);
  });

  it('--help explains --workers', async () => {
    const r = await runCli(['load', '--help'], { cwd: repoRoot });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /-w, --workers <n>\s+worker threads sharing the load/);
    assert.match(r.stdout, /worker i of N sends requests i, i\+N, i\+2N/);
  });

  it('--workers 0 is a usage error (exit 2) naming the flag', async () => {
    const r = await runCli(['load', srv.url, '--workers', '0'], { cwd: repoRoot });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers: expected a whole number of worker threads from 1 to 64, or "auto", got 0/);
  });
});
