// Console lines in time order although their events arrive out of it (issue 14, item 8).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ConsoleReporter } from '../../src/reporters/console-reporter.js';
import { ReorderBuffer } from '../../src/reporters/reorder-buffer.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { runCli } from '../helpers/cli.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The stamps of progress lines, in the order printed. */
export function stamps(text: string): number[] {
  return [...text.matchAll(/^\[\s*([\d.]+)s\]/gm)].map((m) => Number(m[1]));
}

test('the reporter prints late events in stamp order (an exit noticed after the probe that saw it recover)', () => {
  const out = new Capture();
  const r = new ConsoleReporter(out, { color: false });
  r.onPhase('method', 50);
  r.onSample({ t: 2820, series: 'service:api', ok: false, latencyMs: 1, observed: 'ECONNREFUSED' });
  r.onSample({ t: 2900, series: 'service:api', ok: true, latencyMs: 1, observed: 'status 200' });
  r.onServiceEvent({ service: 'api', type: 'exit', t: 100, at: new Date().toISOString(), signal: 'SIGKILL' });
  r.onRunEnd(journalFrom({ health: { api: 'oooo' }, faults: [fault('api', 100)], within: 5000 }));
  const order = stamps(out.text);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), out.text);
  assert.match(out.text, /\[ {3}0\.10s\] {3}api exited \(SIGKILL\)\n.*\n.*api healthy again/);
});

test('held no longer than the hold: a line is written once the run clock is past its stamp + hold, late ones at once', () => {
  let now = 1000; // performance.now() at t = 0 is 1000
  const written: string[] = [];
  const b = new ReorderBuffer(500, (s) => written.push(s), () => now);
  b.add(0, 'a@0');
  now = 1300;
  b.add(300, 'c@300');
  b.add(100, 'b@100');
  assert.deepEqual(written, [], 'nothing is 500 ms old yet');
  now = 1650;
  b.add(650, 'd@650');
  assert.deepEqual(written, ['a@0', 'b@100'], 'the two lines at least 500 ms old, in stamp order');
  b.add(50, 'late@50');
  assert.deepEqual(written, ['a@0', 'b@100', 'late@50'], 'later than the hold: written at once rather than dropped');
  b.add(undefined, 'log');
  b.flush();
  assert.deepEqual(written, ['a@0', 'b@100', 'late@50', 'c@300', 'd@650', 'log']);
});

test('a real run: every progress line in stamp order (a SIGTERM kill reports its inject after the exit it caused)', async (t) => {
  const { freePort, repoRoot, tempDir } = await import('../helpers/cli.js');
  const { copyFile, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { path: dir, cleanup } = await tempDir();
  t.after(cleanup);
  const port = await freePort();
  await copyFile(join(repoRoot, 'examples/quickstart/server.mjs'), join(dir, 'server.mjs'));
  await writeFile(
    join(dir, 'faultline.yaml'),
    `services:\n  api:\n    process:\n      command: node server.mjs\n      env: { PORT: "${port}", WARMUP_MS: "300" }\n      restart: { policy: always, delay: 100ms }\n    health:\n      http: http://127.0.0.1:${port}/health\n      timeout: 500ms\n`,
  );
  await writeFile(
    join(dir, 'kill.yaml'),
    `title: order\nprobeInterval: 50ms\nhypothesis:\n  probes:\n    - name: slow probe\n      command: ["node", "-e", "setTimeout(() => fetch('http://127.0.0.1:${port}/health').then(() => process.exit(0), () => process.exit(1)), 400)"]\n      timeout: 3s\nmethod:\n  - fault: kill\n    target: api\n    signal: SIGTERM\nrecovery: { within: 10s, sustained: 2 }\n`,
  );
  const r = await runCli(['run', 'kill.yaml', '-r', 'out'], { cwd: dir });
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  const order = stamps(r.stdout);
  assert.ok(order.length > 8, r.stdout);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), r.stdout);
});
