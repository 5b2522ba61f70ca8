// `faultline ci init` through the real CLI: what it writes, where, what it refuses, what it prints.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runCli, tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function project(): Promise<string> {
  const { path, cleanup } = await tempDir('faultline-ci-init-');
  cleanups.push(cleanup);
  await writeFile(join(path, 'faultline.yaml'), 'services:\n  api:\n    process: { command: "true" }\n');
  return path;
}

describe('faultline ci init --github', () => {
  let dir: string;
  before(async () => {
    dir = await project();
  });

  test('writes .github/workflows/chaos.yml and prints the next steps', async () => {
    const res = await runCli(['ci', 'init', '--github', '--compose', 'compose.yaml', '--notify-secret', 'SLACK_WEBHOOK'], { cwd: dir });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const file = join(dir, '.github/workflows/chaos.yml');
    const workflow = parse(await readFile(file, 'utf8')) as { jobs: { chaos: { steps: { name?: string }[] } } };
    assert.ok(workflow.jobs.chaos.steps.some((s) => s.name === 'Start the system'));
    assert.match(res.stdout, /^wrote \.github\/workflows\/chaos\.yml\nnext:\n/);
    assert.match(res.stdout, /add the secret SLACK_WEBHOOK holding a Slack-compatible webhook URL/);
    assert.match(res.stdout, /gh workflow run chaos\.yml/);
    assert.match(res.stderr, /warning: compose\.yaml \(--compose\) does not exist here/);
    assert.doesNotMatch(res.stderr, /faultline\.yaml/, 'the system file exists: no warning about it');
  });

  test('an existing file is never overwritten without --force: exit 2 names the file and the flag', async () => {
    const file = join(dir, '.github/workflows/chaos.yml');
    await writeFile(file, '# mine\n');
    const res = await runCli(['ci', 'init', '--github'], { cwd: dir });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /\.github\/workflows\/chaos\.yml already exists; nothing was written\. Use --force to overwrite it/);
    assert.equal(await readFile(file, 'utf8'), '# mine\n');
    const forced = await runCli(['ci', 'init', '--github', '--force'], { cwd: dir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(file, 'utf8'), /^# Chaos experiments on a schedule/);
  });

  test('--output elsewhere, --stdout prints without writing, a bad flag writes nothing', async () => {
    const out = await runCli(['ci', 'init', '--github', '-o', 'ci/nightly-chaos.yml', '--cron', '0 3 * * *'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    assert.match(await readFile(join(dir, 'ci/nightly-chaos.yml'), 'utf8'), /cron: "0 3 \* \* \*"/);
    assert.match(out.stdout, /gh workflow run nightly-chaos\.yml/);
    const printed = await runCli(['ci', 'init', '--github', '--stdout'], { cwd: dir });
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, /^# Chaos experiments/);
    const bad = await runCli(['ci', 'init', '--github', '-o', 'never.yml', '--cron', '0 6 * *'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cron "0 6 \* \*": expected five fields/);
    assert.equal(existsSync(join(dir, 'never.yml')), false);
  });

  test('exactly one platform', async () => {
    const none = await runCli(['ci', 'init'], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /expected one of --github or --gitlab/);
    assert.equal((await runCli(['ci', 'init', '--github', '--gitlab', '--stdout'], { cwd: dir })).code, 2);
  });

  test('--help explains every option', async () => {
    const help = await runCli(['ci', 'init', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    for (const flag of ['--github', '--gitlab', '--output', '--force', '--experiments', '--system', '--compose', '--start', '--stop', '--cron', '--notify-secret', '--node', '--faultline']) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    assert.match(help.stdout, /--fail-on-regression/);
    assert.match(help.stdout, /worst exit code/);
  });
});

describe('faultline ci init --gitlab', () => {
  test('writes .gitlab-ci.yml, and says to create the schedule in the UI', async () => {
    const dir = await project();
    const res = await runCli(['ci', 'init', '--gitlab', '--cron', '30 5 * * 2'], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(existsSync(join(dir, '.gitlab-ci.yml')));
    assert.match(res.stdout, /create the schedule .*Build > Pipeline schedules > New schedule, interval pattern "30 5 \* \* 2", .*FAULTLINE_CHAOS = true/);
  });

  test('an existing .gitlab-ci.yml is refused with the --output to include instead', async () => {
    const dir = await project();
    await writeFile(join(dir, '.gitlab-ci.yml'), 'build:\n  script: [make]\n');
    const res = await runCli(['ci', 'init', '--gitlab'], { cwd: dir });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /\.gitlab-ci\.yml already exists \(the project's pipeline\); nothing was written\. .*faultline ci init --gitlab --output \.gitlab\/chaos\.yml, then add {2}include: \[\{ local: \.gitlab\/chaos\.yml \}\]/);
    assert.equal(await readFile(join(dir, '.gitlab-ci.yml'), 'utf8'), 'build:\n  script: [make]\n');

    const included = await runCli(['ci', 'init', '--gitlab', '--output', '.gitlab/chaos.yml'], { cwd: dir });
    assert.equal(included.code, 0, included.stderr);
    assert.ok(existsSync(join(dir, '.gitlab/chaos.yml')));
    assert.match(included.stdout, /1\. add {2}include: \[\{ local: \.gitlab\/chaos\.yml \}\] {2}to \.gitlab-ci\.yml/);
    const again = await runCli(['ci', 'init', '--gitlab', '--output', '.gitlab/chaos.yml'], { cwd: dir });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /\.gitlab\/chaos\.yml already exists; nothing was written\. Use --force/);
  });
});
