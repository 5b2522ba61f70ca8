// The GitHub workflow's fallback when the history cache was evicted, executed by bash with a
// stand-in `gh` (GitHub's API cannot be reached here): it asks for this workflow's finished runs
// and takes the history artifact of the newest one that has it.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/cli.js';
import { githubWorkflow, runBash } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** `gh run list` prints $RUNS; `gh run download ID … --dir D` succeeds only for $HAS_HISTORY, writing D/runs.jsonl. */
const GH = `#!/bin/bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "run list" ]; then printf '%s\\n' $RUNS; exit 0; fi
if [ "$1 $2" = "run download" ] && [ "$3" = "$HAS_HISTORY" ]; then
  while [ "$#" -gt 0 ]; do if [ "$1" = --dir ]; then mkdir -p "$2" && echo '{"run":"'"$HAS_HISTORY"'"}' > "$2/runs.jsonl"; fi; shift; done
  exit 0
fi
echo "no artifact faultline-history" >&2
exit 1
`;

async function fallback(runs: string, hasHistory: string) {
  const { path: dir, cleanup } = await tempDir('faultline-ci-gh-');
  cleanups.push(cleanup);
  const runner = `${dir}-runner`;
  cleanups.push(() => rm(runner, { recursive: true, force: true }));
  const step = githubWorkflow().workflow.jobs.chaos.steps.find((s) => s.name === "Restore the run history from an earlier run's artifact")!;
  await mkdir(runner, { recursive: true });
  await writeFile(join(runner, 'gh'), GH, { mode: 0o755 });
  await writeFile(join(runner, 'step.sh'), step.run!);
  await writeFile(join(runner, 'gh.log'), '');
  const result = await runBash(join(runner, 'step.sh'), {
    cwd: dir,
    env: {
      PATH: `${runner}:${process.env.PATH ?? ''}`,
      GH_LOG: join(runner, 'gh.log'),
      RUNS: runs,
      HAS_HISTORY: hasHistory,
      // A branch name may hold an @: only the ref's own @refs/ separates it from the file.
      GITHUB_WORKFLOW_REF: 'acme/shop/.github/workflows/chaos.yml@refs/heads/fix@home',
    },
    timeoutMs: 30_000,
  });
  const calls = (await readFile(join(runner, 'gh.log'), 'utf8')).trim().split('\n');
  return { ...result, calls, dir };
}

test('takes the history from the newest finished run that uploaded it', async () => {
  const r = await fallback('333 222 111', '222');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.calls, [
    'run list --workflow chaos.yml --status completed --limit 10 --json databaseId --jq .[].databaseId',
    'run download 333 --name faultline-history --dir .faultline/history',
    'run download 222 --name faultline-history --dir .faultline/history',
  ]);
  assert.match(r.stdout, /history restored from run 222/);
  assert.equal(await readFile(join(r.dir, '.faultline/history/runs.jsonl'), 'utf8'), '{"run":"222"}\n');
});

test('no earlier run with a history: the step says so and does not fail the job', async () => {
  const none = await fallback('', ''); // gh prints an empty line here: never a run id
  assert.equal(none.code, 0);
  assert.match(none.stdout, /no earlier history: the regression gate has nothing to compare with this time/);
  const without = await fallback('2 1', 'none');
  assert.equal(without.code, 0);
  assert.equal(without.calls.length, 3);
});
