// Reports through the real CLI: `faultline run` writes every format into the report dir, appends
// to the history, trips the regression gate on a real slower recovery, and notifies a local
// HTTP server; `faultline report` renders the same reports from the journal alone; `faultline
// history` shows the trend.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { freePort, repoRoot, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { depService, killStoreExperiment, shopPorts, writeShopSystem } from '../reporters/real-run.js';

const sourceCli = join(repoRoot, 'test', 'reporters', 'fixtures', 'cli.ts');
// Resolved here: the child runs in a temp dir, where a bare `--import tsx` would not be found.
const tsx = import.meta.resolve('tsx');

/** The CLI from source (with `report` and `history`), as a child process. */
function runSourceCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, sourceCli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

interface Received {
  method: string;
  contentType: string;
  body: { text: string; blocks: { type: string }[]; faultline: { status: string; exitCode: number; regressions: string[]; runId: string } };
}
let hook: Server;
let hookUrl: string;
const received: Received[] = [];

before(async () => {
  hook = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', contentType: req.headers['content-type'] ?? '', body: JSON.parse(data) as Received['body'] });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hooks/slack`;
});
after(() => new Promise<void>((r) => hook.close(() => r())));

describe('faultline run: report files', () => {
  test('writes journal.json, report.html, report.md and junit.xml by default; `faultline report` renders the same from the journal', async () => {
    const { path: dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const ports = await shopPorts();
    await writeShopSystem(dir, ports);
    await writeFile(join(dir, 'kill-store.yaml'), killStoreExperiment(ports));
    const env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
    const res = await runCli(['run', 'kill-store.yaml', '--report-dir', 'out'], { cwd: dir, env });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /Cascade:\n {4}kill store: .*store down at \+\d\.\d\d s/);
    assert.match(res.stdout, /Score \d+\/100 \(recovery \d+ · isolation \d+ · degradation \d+ · safety \d+\) · maturity \d/);
    // Refused once it is dead; a probe in flight at the kill sees the connection closed or reset instead.
    assert.match(res.stdout, /store failing: (ECONNREFUSED|ECONNRESET|other side closed)/, 'progress shows probe states changing (plain, not a terminal)');
    assert.match(res.stdout, /reports: .*report\.html, .*report\.md, .*junit\.xml/);
    assert.deepEqual((await readdir(join(dir, 'out'))).sort(), ['journal.json', 'junit.xml', 'report.html', 'report.md']);

    // Every format again, from the journal alone: identical to what the run wrote.
    for (const [format, file] of [['html', 'report.html'], ['md', 'report.md'], ['junit', 'junit.xml']] as const) {
      const out = join(dir, `again.${format}`);
      const r = await runSourceCli(['report', 'out/journal.json', '--format', format, '--out', out], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await readFile(out, 'utf8'), await readFile(join(dir, 'out', file), 'utf8'), `${format} from the journal matches the run's`);
    }
    const json = await runSourceCli(['report', 'out', '--format', 'json'], dir);
    assert.equal(json.code, 0, json.stderr);
    const fromReport = JSON.parse(json.stdout) as Journal;
    assert.equal(typeof fromReport.analysis!.score.total, 'number', 'the analysis is there even when the runner did not store one');
    const md = await runSourceCli(['report', 'out/journal.json'], dir);
    assert.match(md.stdout, /^## ❌ Store outage — DEVIATED/, 'md to stdout by default');

    const missing = await runSourceCli(['report', 'nope.json', '--format', 'html'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /file not found: .*nope\.json/);
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ version: 1, runId: 'x' }));
    const bad = await runSourceCli(['report', 'bad.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json at title: .*not a faultline journal/);
    const unknown = await runSourceCli(['report', 'out', '--format', 'pdf'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown format "pdf"; expected json, html, md, junit/);

    const only = await runCli(['run', 'kill-store.yaml', '--report-dir', 'out2', '--format', 'md'], { cwd: dir, env });
    assert.equal(only.code, 1, only.stderr);
    assert.deepEqual((await readdir(join(dir, 'out2'))).sort(), ['journal.json', 'report.md'], 'journal.json is always written');
  });
});

describe('faultline run: history, regression gate, notify', () => {
  let dir: string;
  let port: number;
  const env = () => ({ FAULTLINE_STATE_DIR: join(dir, '.faultline') });
  const system = (restartDelay: string, policy = 'always') => `probeInterval: 100ms
services:
  api:
    process:
      command: ["${process.execPath}", "${depService}"]
      env: { PORT: "${port}" }
      restart: { policy: ${policy}, delay: ${restartDelay} }
    health: { http: "http://127.0.0.1:${port}/", timeout: 1500ms }
`;

  before(async () => {
    ({ path: dir } = await tempDir());
    cleanups.push(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })));
    port = await freePort();
    await writeFile(join(dir, 'kill-api.yaml'), `title: api comes back\nsystem: ./faultline.yaml\nmethod:\n  - { fault: kill, target: api }\nrecovery: { within: 10s, sustained: 3 }\n`);
  });

  test('a real slower recovery trips the gate: exit 1 with the reason, and the notification says so', async () => {
    received.splice(0);
    await writeFile(join(dir, 'faultline.yaml'), system('200ms'));
    const first = await runCli(['run', 'kill-api.yaml', '--fail-on-regression', '--notify', hookUrl], { cwd: dir, env: env() });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /no previous run of this experiment to compare with/);
    assert.equal(received.length, 0, 'a run that passes notifies nobody');

    // 2.8 s slower: a busy machine's slow restarts add to both runs, and must not close the gap
    // to under the gate's +20%.
    await writeFile(join(dir, 'faultline.yaml'), system('3000ms'));
    const second = await runCli(['run', 'kill-api.yaml', '--fail-on-regression', '--notify', hookUrl], { cwd: dir, env: env() });
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stdout, /REGRESSED in .* \(exit 1\): held, but worse than run /, 'the hypothesis itself held; the gate failed it');
    assert.match(second.stdout, /REGRESSION: time to recover of api rose from \d+ms to \d\.\d\ds \(\+\d+%; the limit is \+20%\)/);
    assert.match(second.stderr, /failing the run \(--fail-on-regression\): time to recover of api rose/);

    assert.equal(received.length, 1);
    const [post] = received.splice(0);
    assert.equal(post!.method, 'POST');
    assert.equal(post!.contentType, 'application/json');
    assert.match(post!.body.text, /faultline HELD but REGRESSED: api comes back/);
    assert.equal(post!.body.blocks[0]!.type, 'header');
    assert.equal(post!.body.faultline.status, 'held');
    assert.match(post!.body.faultline.regressions[0]!, /time to recover of api rose/);

    // Without the flag the regression is reported, not fatal.
    const third = await runCli(['run', 'kill-api.yaml'], { cwd: dir, env: env() });
    assert.equal(third.code, 0, third.stdout + third.stderr);

    const history = await runSourceCli(['history', '--json', '--runs'], dir, env());
    assert.equal(history.code, 0, history.stderr);
    const { trends, runs } = JSON.parse(history.stdout) as { trends: { key: string; runs: number; successRate: number; timeToRecoverMs: { values: number[] } }[]; runs: { runId: string }[] };
    assert.equal(trends.length, 1);
    assert.equal(trends[0]!.key, 'kill-api.yaml');
    assert.equal(trends[0]!.runs, 3);
    assert.equal(trends[0]!.successRate, 1);
    const [a, b] = trends[0]!.timeToRecoverMs.values;
    assert.ok(b! > a! + 2000, `slower second recovery: ${trends[0]!.timeToRecoverMs.values}`);
    assert.equal(runs.length, 3);
    const text = await runSourceCli(['history'], dir, env());
    assert.match(text.stdout, /api comes back {2}\(kill-api\.yaml\)\n {2}runs {13}3 · success 100% \(3 held\)/);
    assert.match(text.stdout, /time to recover {2}last \S+ · mean \S+ · best \S+ · worst \d\.\d\ds {2}[▁-█]{3}/);
  });

  test('a deviating run posts a Slack-compatible summary with the failed check', async () => {
    received.splice(0); // a failure above must not fail this test too
    await writeFile(join(dir, 'faultline.yaml'), system('200ms', 'never'));
    await writeFile(join(dir, 'stays-down.yaml'), `title: api stays down\nsystem: ./faultline.yaml\nmethod:\n  - { fault: kill, target: api }\nrecovery: { within: 800ms, sustained: 2 }\n`);
    const res = await runCli(['run', 'stays-down.yaml', '--notify', hookUrl], { cwd: dir, env: env() });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /notified 127\.0\.0\.1:\d+/);
    assert.equal(received.length, 1);
    const [post] = received.splice(0);
    assert.match(post!.body.text, /^:x: faultline DEVIATED: api stays down$/);
    assert.equal(post!.body.faultline.status, 'deviated');
    assert.equal(post!.body.faultline.exitCode, 1);
    assert.match(JSON.stringify(post!.body.blocks), /api recovers within 800ms: observed did not recover/);

    const unreachable = await runCli(['run', 'stays-down.yaml', '--notify', `http://127.0.0.1:${await freePort()}/`], { cwd: dir, env: env() });
    assert.equal(unreachable.code, 1, 'a failed notification does not change the exit code');
    assert.match(unreachable.stderr, /warning: notification not sent: could not post to the notify URL: ECONNREFUSED/);
    const badUrl = await runCli(['run', 'stays-down.yaml', '--notify', 'slack'], { cwd: dir, env: env() });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--notify: expected an http\(s\) URL, got "slack"/);
  });
});
