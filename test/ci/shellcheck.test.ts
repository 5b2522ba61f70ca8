// Every piece of bash the templates write, through ShellCheck (Debian's `shellcheck` package).
// actionlint runs it too, but only where the binary exists, so it is run here on its own. Without
// it the test is skipped and says so — except in CI (CI=true), whose setup installs it (.ci/run),
// where a skip would hide a broken setup. The run script is also executed for real in
// run-script.test.ts, which does not depend on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { githubWorkflow, gitlabCi } from './helpers.js';

const available = spawnSync('shellcheck', ['--version']).status === 0;
const missing = 'shellcheck is not installed (apt-get install shellcheck)';

test('the scripts in the generated files pass shellcheck', { skip: available || process.env.CI === 'true' ? false : missing }, () => {
  assert.ok(available, `${missing}, but this is CI, whose setup (.ci/run, APT_PKGS) installs it: this is a failure`);
  const github = githubWorkflow({ compose: 'compose.yaml' }).workflow.jobs.chaos.steps.filter((s) => s.run !== undefined);
  const gitlab = gitlabCi({ compose: 'compose.yaml', notifySecret: 'SLACK_WEBHOOK' }).doc['faultline-chaos'] as Record<string, string[]>;
  const scripts = [...github.map((s) => [`GitHub step "${s.name ?? s.id}"`, s.run!]), ...['before_script', 'script', 'after_script'].flatMap((k) => gitlab[k]!.map((s, i) => [`GitLab ${k}[${i}]`, s]))];
  assert.ok(scripts.length >= 10);
  for (const [where, script] of scripts) {
    const res = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
    assert.equal(res.status, 0, `${where}:\n${res.stdout}${res.stderr}`);
  }
});
