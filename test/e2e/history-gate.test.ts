// The regression gate and the history's keys, through real runs of a real service (issue 14):
// item 16 — with --fail-on-regression the summary's last line is the real verdict and exit code,
// and the history records the gate; item 17 — catalog runs are keyed by their parameters.
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HistoryEntry } from '../../src/history/index.js';
import { freePort, repoRoot, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let port: number;

/** api restarts `delay` after a crash, so its time to recover is set by the system file. */
const system = (delay: string) => `services:
  api:
    process:
      command: node server.mjs
      env: { PORT: "${port}", WARMUP_MS: "50" }
      restart: { policy: always, delay: ${delay} }
    health:
      http: http://127.0.0.1:${port}/health
      timeout: 500ms
`;

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  port = await freePort();
  await copyFile(join(repoRoot, 'examples/quickstart/server.mjs'), join(dir, 'server.mjs'));
  await writeFile(join(dir, 'kill-api.yaml'), 'title: api comes back\nprobeInterval: 50ms\nmethod:\n  - fault: kill\n    target: api\nrecovery: { within: 10s, sustained: 2 }\n');
});
after(() => cleanup());

async function history(): Promise<HistoryEntry[]> {
  const text = await readFile(join(dir, '.faultline', 'history', 'runs.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEntry);
}

describe('history and the regression gate', { concurrency: false }, () => {
  test('--fail-on-regression: the last line says REGRESSED and exit 1, and the history records the gate', async () => {
    await writeFile(join(dir, 'faultline.yaml'), system('50ms'));
    const first = await runCli(['run', 'kill-api.yaml', '--fail-on-regression'], { cwd: dir });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    await writeFile(join(dir, 'faultline.yaml'), system('2s'));
    const second = await runCli(['run', 'kill-api.yaml', '--fail-on-regression'], { cwd: dir });
    assert.equal(second.code, 1, second.stdout + second.stderr);
    const lines = second.stdout.trimEnd().split('\n');
    assert.match(second.stdout, /REGRESSION: time to recover of api rose from/);
    assert.match(lines.at(-1)!, /^ {2}REGRESSED in [\d.]+m?s \(exit 1\): held, but worse than run \S+ \(--fail-on-regression\)$/);
    assert.doesNotMatch(second.stdout, /HELD .*\(exit 0\)/, 'no line claims exit 0');
    const [a, b] = await history();
    assert.equal(a!.key, b!.key);
    assert.deepEqual(a!.gate, { enforced: true, regressions: [], exitCode: 0 });
    assert.equal(b!.status, 'held');
    assert.equal(b!.exitCode, 1, 'the exit code the run really ended with');
    assert.equal(b!.gate?.enforced, true);
    assert.equal(b!.gate?.previousRunId, a!.runId);
    assert.equal(b!.gate?.exitCode, 1);
    assert.match(b!.gate!.regressions[0]!, /time to recover of api rose/);
  });

  test('catalog runs with different parameters are different experiments, never compared', async () => {
    await writeFile(join(dir, 'faultline.yaml'), system('50ms'));
    const common = ['run', 'catalog:service-kill', '--target', 'api', '--set', 'wait=200ms', '--fail-on-regression'];
    const kill9 = await runCli([...common, '--set', 'signal=SIGKILL'], { cwd: dir });
    assert.equal(kill9.code, 0, kill9.stdout + kill9.stderr);
    const term = await runCli([...common, '--set', 'signal=SIGTERM'], { cwd: dir });
    assert.equal(term.code, 0, term.stdout + term.stderr);
    assert.match(term.stdout, /no previous run of this experiment to compare with/);
    const again = await runCli([...common, '--set', 'signal=SIGTERM'], { cwd: dir });
    assert.match(again.stdout, /(no regression against|REGRESSION).*run /, 'the same parameters are compared');
    const entries = (await history()).filter((e) => e.key.startsWith('catalog:service-kill'));
    assert.equal(entries.length, 3);
    assert.match(entries[0]!.key, /^catalog:service-kill .*signal=SIGKILL .*target=api .*within=30s · Killing api/);
    assert.notEqual(entries[0]!.key, entries[1]!.key);
    assert.equal(entries[1]!.key, entries[2]!.key);
    assert.equal(entries[1]!.parameters?.signal, 'SIGTERM');
    assert.equal(entries[2]!.gate?.previousRunId, entries[1]!.runId);
  });
});
