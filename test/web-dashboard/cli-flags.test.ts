// The dashboard flags on the real CLI (bin/faultline.js): offered by run, demo, the quick
// commands and dashboard; bad values are usage errors (exit 2) before anything runs; and a run
// with --dashboard but no linger still exits when it ends, taking its page down with it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let web: Server;
const env = () => ({ FAULTLINE_STATE_DIR: join(dir, '.state') });

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  web = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => web.once('listening', r));
  const { port } = web.address() as { port: number };
  await writeFile(join(dir, 'faultline.yaml'), `services:\n  web:\n    endpoint: http://127.0.0.1:${port}/\n    health: { http: "http://127.0.0.1:${port}/" }\n`);
  await writeFile(join(dir, 'wait.yaml'), 'title: Only a wait\nmethod:\n  - wait: 300ms\n');
});
after(async () => {
  await new Promise((r) => web.close(r));
  await cleanup();
});

test('run, demo, the quick commands and dashboard offer the flags', async () => {
  for (const args of [['run', '--help'], ['demo', '--help'], ['kill', '--help'], ['pause', '--help']]) {
    const res = await runCli(args, { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    for (const flag of ['--dashboard ', '--dashboard-listen <host:port>', '--dashboard-linger <duration>']) assert.ok(res.stdout.includes(flag), `${args.join(' ')}: ${flag}`);
  }
  const dash = await runCli(['dashboard', '--help'], { cwd: dir });
  assert.match(dash.stdout, /--web /);
  assert.match(dash.stdout, /--listen <host:port>/);
});

test('bad --dashboard-listen, a taken address and a bad --dashboard-linger exit 2 before the run', async () => {
  const bad = await runCli(['run', 'wait.yaml', '--dashboard-listen', '8080'], { cwd: dir, env: env() });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--dashboard-listen: expected HOST:PORT \(e\.g\. 127\.0\.0\.1:8080, or port 0 for a free one\), got "8080"/);
  const { port } = web.address() as { port: number };
  const taken = await runCli(['run', 'wait.yaml', '--dashboard-listen', `127.0.0.1:${port}`], { cwd: dir, env: env() });
  assert.equal(taken.code, 2, taken.stderr);
  assert.match(taken.stderr, new RegExp(`--dashboard-listen: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  const linger = await runCli(['run', 'wait.yaml', '--dashboard', '--dashboard-linger', 'soon'], { cwd: dir, env: env() });
  assert.equal(linger.code, 2, linger.stderr);
  assert.match(linger.stderr, /--dashboard-linger: expected a duration such as 30s or 5m, got "soon"/);
  for (const res of [bad, taken, linger]) assert.doesNotMatch(res.stdout, /steady state|injected/i);
});

test('without a linger the run exits when it ends, and its page is gone', async () => {
  const res = await runCli(['run', 'wait.yaml', '--dashboard'], { cwd: dir, env: env() });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const url = /faultline: live dashboard: (http:\/\/127\.0\.0\.1:\d+\/[\w-]{22}\/)\n/.exec(res.stderr)?.[1];
  assert.ok(url, res.stderr);
  await assert.rejects(
    new Promise((resolve, reject) => request(url, { agent: false }, resolve).on('error', reject).end()),
    /ECONNREFUSED/,
  );
});
