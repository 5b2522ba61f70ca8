// The run script of the generated workflow, executed for real: bash runs it as GitHub does, with
// `faultline` on PATH as this repository's built CLI, against a real service the runs start and kill.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HistoryEntry } from '../../src/history/index.js';
import { bin, freePort, repoRoot, tempDir } from '../helpers/cli.js';
import { experimentsStep, faultlineOnPath, githubWorkflow, runBash, type BashResult } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** A project as the workflow finds it after checkout: a system file, experiments in chaos/, nothing else. */
async function project(experiments: Record<string, string>): Promise<string> {
  const { path, cleanup } = await tempDir('faultline-ci-');
  cleanups.push(cleanup);
  const port = await freePort();
  await copyFile(join(repoRoot, 'examples/quickstart/server.mjs'), join(path, 'server.mjs'));
  // api comes back 1 s after a crash (plus a 50 ms warm-up).
  await writeFile(
    join(path, 'faultline.yaml'),
    `services:\n  api:\n    process:\n      command: node server.mjs\n      env: { PORT: "${port}", WARMUP_MS: "50" }\n      restart: { policy: always, delay: 1s }\n    health:\n      http: http://127.0.0.1:${port}/health\n      timeout: 500ms\n`,
  );
  await mkdir(join(path, 'chaos'));
  for (const [name, text] of Object.entries(experiments)) await writeFile(join(path, 'chaos', name), text);
  return path;
}

const kill = (title: string, within: string) => `title: ${title}\nprobeInterval: 50ms\nmethod:\n  - fault: kill\n    target: api\nrecovery: { within: ${within}, sustained: 2 }\n`;

/** The generated workflow's run step, run in `cwd` with the step's env (the notify secret unset) and the job's. */
async function runWorkflowScript(cwd: string): Promise<BashResult & { summary: string }> {
  const { workflow } = githubWorkflow();
  const step = experimentsStep(workflow);
  // Beside the checkout, as the runner keeps it: the project holds only what the user committed.
  const runner = `${cwd}-runner`;
  cleanups.push(() => rm(runner, { recursive: true, force: true }));
  const shim = await faultlineOnPath(runner, `exec "${process.execPath}" "${bin}" "$@"`);
  const script = join(runner, 'run.sh');
  await writeFile(script, step.run);
  const summaryFile = join(runner, 'step-summary.md');
  await writeFile(summaryFile, '');
  const env = {
    ...workflow.jobs.chaos.env,
    ...step.env,
    FAULTLINE_NOTIFY_URL: '', // ${{ secrets.X }} of a secret that is not set
    GITHUB_STEP_SUMMARY: summaryFile,
    PATH: `${shim}:${process.env.PATH ?? ''}`,
    XDG_STATE_HOME: join(runner, 'xdg'),
  };
  const result = await runBash(script, { cwd, env });
  return { ...result, summary: await readFile(summaryFile, 'utf8') };
}

describe('the generated run script, executed', { concurrency: false }, () => {
  let dir: string;
  let result: BashResult & { summary: string };

  before(async () => {
    // 1-… runs first and deviates: the script must go on to 2-….
    dir = await project({ '1-too-slow.yaml': kill('api is back within 300ms', '300ms'), '2-comes-back.yaml': kill('api is back within 15s', '15s') });
    result = await runWorkflowScript(dir);
  });

  test('runs every experiment, keeps going after one deviates, and exits 1', () => {
    const log = result.stdout + result.stderr;
    assert.equal(result.code, 1, log);
    assert.match(result.stdout, /=== faultline run chaos\/1-too-slow\.yaml \(reports in reports\/1-too-slow\)/);
    assert.match(result.stdout, /=== faultline run chaos\/2-comes-back\.yaml \(reports in reports\/2-comes-back\)/);
    assert.match(result.stdout, /faultline: 2 experiment file\(s\); exit 1 \(deviated or regressed\)/);
    assert.match(result.stdout, / {2}1 {7}chaos\/1-too-slow\.yaml: deviated or regressed/);
    assert.match(result.stdout, / {2}0 {7}chaos\/2-comes-back\.yaml: held/);
  });

  test('each experiment has its reports directory with journal and JUnit', async () => {
    for (const name of ['1-too-slow', '2-comes-back']) {
      for (const file of ['journal.json', 'junit.xml', 'report.md']) assert.ok(existsSync(join(dir, 'reports', name, file)), `reports/${name}/${file}`);
    }
    const slow = JSON.parse(await readFile(join(dir, 'reports', '1-too-slow', 'journal.json'), 'utf8')) as { status: string };
    assert.equal(slow.status, 'deviated');
    assert.match(await readFile(join(dir, 'reports', '1-too-slow', 'junit.xml'), 'utf8'), /<failure/);
  });

  test('the job summary holds both Markdown reports, then a table of exit codes', async () => {
    for (const name of ['1-too-slow', '2-comes-back']) {
      const report = await readFile(join(dir, 'reports', name, 'report.md'), 'utf8');
      assert.ok(result.summary.includes(report), `the summary holds reports/${name}/report.md`);
    }
    assert.ok(result.summary.indexOf('api is back within 300ms') < result.summary.indexOf('api is back within 15s'));
    assert.match(result.summary, /\| chaos\/1-too-slow\.yaml \| 1 \| deviated or regressed \|\n\| chaos\/2-comes-back\.yaml \| 0 \| held \|\n$/);
  });

  test('the runs went through the regression gate and into the history the workflow caches', async () => {
    const history = (await readFile(join(dir, '.faultline', 'history', 'runs.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryEntry);
    assert.deepEqual(
      history.map((e) => [e.key, e.gate?.enforced]),
      [
        ['chaos/1-too-slow.yaml', true],
        ['chaos/2-comes-back.yaml', true],
      ],
    );
  });
});

test('an invalid experiment is exit 2, which outranks a deviation, and the summary says it wrote no report', async () => {
  const dir = await project({ 'a-invalid.yaml': 'title: broken\nmethod:\n  - fault: explode\n    target: api\n', 'b-too-slow.yaml': kill('api is back within 300ms', '300ms') });
  const result = await runWorkflowScript(dir);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /unknown fault kind "explode"/);
  assert.ok(existsSync(join(dir, 'reports', 'b-too-slow', 'junit.xml')), 'the experiment after the invalid one ran');
  assert.match(result.summary, /^### chaos\/a-invalid\.yaml\n\nfaultline exited 2 \(invalid input: nothing was injected\) before writing a report: see the job log\.\n/);
  assert.match(result.stdout, /exit 2 \(invalid input: nothing was injected\)/);
});
