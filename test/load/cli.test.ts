import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerLoad } from '../../src/cli/commands/load.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { tempDir } from '../helpers/cli.js';
import { closedPort, startHoldingServer, startServer, type CountingServer } from './servers.js';

/** Runs `faultline load …` in-process (the command is registered by src/cli/main.ts); returns stdout and the exit code. */
async function load(args: string[]): Promise<{ code: number; stdout: string; error?: Error }> {
  let code = -1;
  const program = new Command('faultline').exitOverride();
  registerLoad(program, (c) => (code = c));
  let stdout = '';
  const write = process.stdout.write;
  // Only our strings: the test runner reports through the same stream, in binary.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write.call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'faultline', 'load', ...args, '--no-progress']);
    return { code, stdout };
  } catch (err) {
    return { code: exitCodeFor(err), stdout, error: err as Error };
  } finally {
    process.stdout.write = write;
  }
}

describe('faultline load', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer((req, res) => res.writeHead(req.url === '/gone' ? 503 : 200).end('ok'));
  });
  after(() => srv.close());

  it('prints the JSON summary', async () => {
    const start = srv.count;
    const { code, stdout } = await load([srv.url, '-c', '2', '-d', '300ms', '--json']);
    assert.equal(code, 0);
    const s = JSON.parse(stdout) as Record<string, unknown> & { latencyMs: Record<string, number>; statusCodes: Record<string, number> };
    assert.equal(s.requests, srv.count - start);
    assert.equal(s.errors, 0);
    assert.equal(s.model, 'closed');
    assert.ok((s.rps as number) > 0);
    for (const k of ['p50', 'p90', 'p99', 'max']) assert.equal(typeof s.latencyMs[k], 'number');
    assert.deepEqual(s.statusCodes, { '200': s.requests });
    assert.ok(Array.isArray(s.series));
  });

  it('reports requested vs achieved rate and late requests in the open model', async () => {
    const { code, stdout } = await load([srv.url, '--rate', '100/s', '-d', '500ms', '--json']);
    assert.equal(code, 0);
    const s = JSON.parse(stdout) as Record<string, number>;
    assert.equal(s.requests, 50);
    assert.equal(s.requestedRate, 100);
    assert.equal(typeof s.achievedRate, 'number');
    assert.equal(typeof s.lateRequests, 'number');
  });

  it('prints a readable summary, with a weighted mix from a file', async () => {
    const dir = await tempDir();
    try {
      const mix = join(dir.path, 'mix.yaml');
      await writeFile(mix, '- path: /\n  weight: 3\n- path: /gone\n');
      const { code, stdout } = await load([srv.url, '-c', '2', '-d', '300ms', '--mix', mix, '-H', 'x-test: 1']);
      assert.equal(code, 0);
      assert.match(stdout, /closed model, 2 connections/);
      assert.match(stdout, /requests {2}[\d,]+ {3}[\d,.]+ rps {3}errors [\d,]+ \(2\d(\.\d+)?%\)/);
      assert.match(stdout, /p50 .*p90 .*p99 .*max/);
      assert.match(stdout, /503 × /);
    } finally {
      await dir.cleanup();
    }
  });

  it('says which requests never reached the server and which were cut off', async () => {
    const holding = await startHoldingServer();
    try {
      const json = await load([holding.url, '--rate', '20/s', '-c', '1', '-d', '500ms', '--json']);
      assert.equal(json.code, 0);
      const s = JSON.parse(json.stdout) as Record<string, number>;
      // 10 due, 1 connection held by the server: 1 sent and cut off, 9 never sent.
      assert.deepEqual([s.requests, s.sent, s.cutOff, s.notSent, s.errors], [10, 1, 1, 9, 10]);
      assert.equal(holding.count, s.sent);
      const text = await load([holding.url, '--rate', '20/s', '-c', '1', '-d', '500ms']);
      assert.match(text.stdout, /unanswered 9 never sent \(due, but no connection was free before the end\), 1 sent but cut off unanswered at the end: counted as errors/);
    } finally {
      await holding.close();
    }
  });

  it('exits 2 with a clear message for bad input and unreachable URLs', async () => {
    const cases: [string[], RegExp][] = [
      [[srv.url, '--rate', 'fast'], /^--rate: expected a rate such as 500\/s/],
      [[srv.url, '-d', 'forever'], /^--duration: expected a duration such as 500ms/],
      [[srv.url, '-d', '0s'], /^--duration: expected a duration above 0/],
      [[srv.url, '-c', 'many'], /^--connections: expected a whole number/],
      [[srv.url, '--workers', '0'], /^--workers: expected a whole number of worker threads from 1 to 64, or "auto", got 0/],
      [[srv.url, '-w', '1.5'], /^--workers: expected a whole number of worker threads from 1 to 64, or "auto", got "1\.5"/],
      [[srv.url, '-w', 'many'], /^--workers: expected a whole number of worker threads/],
      [[srv.url, '-w', '65'], /^--workers: expected a whole number of worker threads from 1 to 64/],
      [[srv.url, '-H', 'nocolon'], /^--header: expected "Name: value"/],
      [['ftp://example/'], /^URL: expected an http:\/\/ or https:\/\/ URL/],
      [[srv.url, '--mix', '/nonexistent/mix.yaml'], /^--mix: cannot read \/nonexistent\/mix.yaml: ENOENT/],
      [[`http://127.0.0.1:${await closedPort()}/`, '-d', '5s'], /^cannot reach http:\/\/127\.0\.0\.1:\d+\/: connection refused/],
    ];
    for (const [args, message] of cases) {
      const r = await load(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.error?.message ?? '', message);
    }
  });
});
