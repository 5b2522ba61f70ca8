// The run script's own logic — which exit code wins, recover after a failed revert, the arguments
// each run gets — with a stand-in `faultline` on PATH: a real revert failure (exit 4) cannot be
// produced on demand, so the stand-in exits with the code written in each experiment file. The
// real CLI runs the same script in run-script.test.ts.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/cli.js';
import { experimentsStep, faultlineOnPath, githubWorkflow, runBash, type BashResult } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** `run FILE … --report-dir DIR`: logs its arguments, writes DIR/report.md, exits with FILE's `exit:`; `recover`: exits $RECOVER_EXIT. */
const STAND_IN = `log="$STAND_IN_LOG"
if [ "$1" = recover ]; then echo "recover" >> "$log"; exit "\${RECOVER_EXIT:-0}"; fi
echo "$*" >> "$log"
file="$2"
while [ "$#" -gt 0 ]; do
  if [ "$1" = --report-dir ]; then mkdir -p "$2" && printf '# report of %s\\n' "$file" > "$2/report.md"; fi
  shift
done
exit "$(sed -n 's/^exit: //p' "$file")"`;

interface Outcome extends BashResult {
  calls: string[];
  summary: string;
}

async function run(experiments: Record<string, number>, env: Record<string, string> = {}, flags = {}): Promise<Outcome> {
  const { path: dir, cleanup } = await tempDir('faultline-ci-codes-');
  cleanups.push(cleanup);
  for (const [file, code] of Object.entries(experiments)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), `exit: ${code}\n`);
  }
  const { workflow } = githubWorkflow(flags);
  const step = experimentsStep(workflow);
  const runner = `${dir}-runner`;
  cleanups.push(() => rm(runner, { recursive: true, force: true }));
  const bin = await faultlineOnPath(runner, STAND_IN);
  await writeFile(join(runner, 'run.sh'), step.run);
  await writeFile(join(runner, 'calls.log'), '');
  await writeFile(join(runner, 'summary.md'), '');
  const result = await runBash(join(runner, 'run.sh'), {
    cwd: dir,
    env: { ...step.env, FAULTLINE_NOTIFY_URL: '', GITHUB_STEP_SUMMARY: join(runner, 'summary.md'), STAND_IN_LOG: join(runner, 'calls.log'), PATH: `${bin}:${process.env.PATH ?? ''}`, ...env },
    timeoutMs: 30_000,
  });
  const calls = (await readFile(join(runner, 'calls.log'), 'utf8')).split('\n').filter(Boolean);
  return { ...result, calls, summary: await readFile(join(runner, 'summary.md'), 'utf8') };
}

test('a failed revert (4) wins over every other code, wherever it comes, and recover runs after it', async () => {
  const r = await run({ 'chaos/a.yaml': 1, 'chaos/b.yaml': 4, 'chaos/c.yaml': 3 });
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.deepEqual(
    r.calls.map((c) => c.split(' ').slice(0, 2).join(' ')),
    ['run chaos/a.yaml', 'run chaos/b.yaml', 'recover', 'run chaos/c.yaml'],
  );
  assert.match(r.stderr, /a revert failed in chaos\/b\.yaml; running faultline recover before going on/);
  assert.match(r.stdout, /exit 4 \(a revert failed: faults may remain\)/);
});

test('when recover fails too, the remaining experiments are not run and say so', async () => {
  const r = await run({ 'chaos/a.yaml': 4, 'chaos/b.yaml': 0, 'chaos/c.yaml': 0 }, { RECOVER_EXIT: '4' });
  assert.equal(r.code, 4);
  assert.deepEqual(r.calls.map((c) => c.split(' ').slice(0, 2).join(' ')), ['run chaos/a.yaml', 'recover']);
  assert.match(r.stderr, /recover failed too: faults may remain, so the experiments after chaos\/a\.yaml are not run/);
  assert.match(r.summary, /\| chaos\/b\.yaml \| skipped \| not run: faults of an earlier experiment may remain \|/);
  assert.match(r.summary, /\| chaos\/c\.yaml \| skipped \|/);
});

test('the order of severity: 3 over 2 over 1 over 0; an unknown failure of faultline over 3 but not over 4', async () => {
  assert.equal((await run({ 'chaos/a.yaml': 1, 'chaos/b.yaml': 3, 'chaos/c.yaml': 2, 'chaos/d.yaml': 0 })).code, 3);
  assert.equal((await run({ 'chaos/a.yaml': 2, 'chaos/b.yaml': 1 })).code, 2);
  assert.equal((await run({ 'chaos/a.yaml': 0, 'chaos/b.yaml': 1, 'chaos/c.yaml': 0 })).code, 1);
  assert.equal((await run({ 'chaos/a.yaml': 3, 'chaos/b.yaml': 70 })).code, 70);
  assert.equal((await run({ 'chaos/a.yaml': 70, 'chaos/b.yaml': 4 })).code, 4);
  assert.equal((await run({ 'chaos/a.yaml': 0, 'chaos/b.yaml': 0 })).code, 0);
});

test('each run gets --yes --fail-on-regression, its report dir and --system; --notify only when the secret is set', async () => {
  const quiet = await run({ 'chaos/a.yaml': 0 });
  assert.deepEqual(quiet.calls, ['run chaos/a.yaml --yes --fail-on-regression --report-dir reports/a --system faultline.yaml']);
  const loud = await run({ 'chaos/a.yaml': 0 }, { FAULTLINE_NOTIFY_URL: 'https://hooks.example.test/x y' });
  assert.deepEqual(loud.calls, ['run chaos/a.yaml --yes --fail-on-regression --report-dir reports/a --system faultline.yaml --notify https://hooks.example.test/x y']);
  assert.doesNotMatch(loud.stdout + loud.stderr, /hooks\.example/, 'the webhook URL is never printed');
  const own = await run({ 'chaos/a.yaml': 0 }, {}, { system: '' });
  assert.deepEqual(own.calls, ['run chaos/a.yaml --yes --fail-on-regression --report-dir reports/a'], 'with --system "" the experiment names its own');
});

test('several patterns, ** and files of the same name in different folders: each gets its own report dir', async () => {
  const r = await run({ 'chaos/x.yaml': 0, 'chaos/db/x.yaml': 0, 'more/y.yml': 0 }, {}, { experiments: 'chaos/**/*.yaml more/*.yml' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.calls.map((c) => c.split(' ').filter((_, i, a) => i === 1 || a[i - 1] === '--report-dir').join(' ')),
    ['chaos/db/x.yaml reports/x', 'chaos/x.yaml reports/x-2', 'more/y.yml reports/y'],
  );
  assert.equal(r.summary.match(/^# report of/gm)?.length, 3);
});

test('no file matches: exit 2, saying which patterns and where', async () => {
  const r = await run({ 'other/a.yaml': 0 });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no experiment file matches 'chaos\/\*\.yaml' in \//);
  assert.deepEqual(r.calls, []);
});
