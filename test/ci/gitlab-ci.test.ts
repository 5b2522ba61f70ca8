// The generated GitLab CI file, read back as YAML: the job, its rules, cache, resource group,
// artifacts and JUnit report, the Docker-in-Docker parts only with --compose, and the very same run
// script as the GitHub workflow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultlineVersion } from '../../src/ci/options.js';
import { runScript } from '../../src/ci/run-script.js';
import { experimentsStep, githubWorkflow, gitlabCi } from './helpers.js';

interface GitlabJob {
  image: string;
  rules: { if: string }[];
  resource_group: string;
  services?: { name: string; alias: string; command: string[] }[];
  variables: Record<string, string>;
  cache: { key: string; paths: string[]; when: string };
  before_script: string[];
  script: string[];
  after_script?: string[];
  artifacts: { when: string; paths: string[]; reports: { junit: string } };
}

const job = (flags = {}) => {
  const { text, doc } = gitlabCi(flags);
  assert.deepEqual(Object.keys(doc), ['faultline-chaos'], 'one job');
  return { text, job: doc['faultline-chaos'] as GitlabJob };
};

test('the job: node image, schedule and web rules, one run at a time, history cached always, reports always', () => {
  const { job: j } = job({ node: '22' });
  assert.equal(j.image, 'node:22');
  assert.deepEqual(j.rules, [{ if: '$CI_PIPELINE_SOURCE == "schedule" && $FAULTLINE_CHAOS == "true"' }, { if: '$CI_PIPELINE_SOURCE == "web"' }]);
  assert.equal(j.resource_group, 'faultline-chaos');
  assert.deepEqual(j.cache, { key: 'faultline-history', paths: ['.faultline/history/'], when: 'always' });
  assert.deepEqual(j.artifacts, { when: 'always', expire_in: '30 days', paths: ['reports/'], reports: { junit: 'reports/*/junit.xml' } });
  assert.deepEqual(j.variables, { FAULTLINE_STATE_DIR: '.faultline', FAULTLINE_EXPERIMENTS: 'chaos/*.yaml', FAULTLINE_SYSTEM: 'faultline.yaml' });
  assert.deepEqual(j.before_script, [`npm install --global "faultline@${faultlineVersion()}"`]);
  assert.equal(j.services, undefined, 'no Docker-in-Docker without --compose');
  assert.equal(j.after_script, undefined);
});

test('the same run script as the GitHub workflow, byte for byte', () => {
  const { job: j } = job();
  assert.equal(j.script.at(-1), runScript());
  assert.equal(experimentsStep(githubWorkflow().workflow).run, runScript());
});

test('the cron is for the schedule made in the UI: in the header, with the variable it must set', () => {
  const { text } = job({ cron: '30 2 * * 1-5' });
  assert.match(text, /Build > Pipeline schedules: interval\n# pattern "30 2 \* \* 1-5"/);
  assert.match(text, /# FAULTLINE_CHAOS = true\./);
});

test('--notify-secret: the variable of another name is handed to the script under the name it reads', () => {
  assert.equal(job().job.script.length, 1, 'FAULTLINE_NOTIFY_URL itself needs no export');
  const { job: j } = job({ notifySecret: 'SLACK_WEBHOOK' });
  assert.deepEqual(j.script.slice(0, -1), ['export FAULTLINE_NOTIFY_URL="${SLACK_WEBHOOK:-}"']);
});

test('--compose: docker:dind with DOCKER_HOST, a Docker client, up --wait before, logs and down -v in after_script', () => {
  const { job: j, text } = job({ compose: 'compose.yaml' });
  assert.deepEqual(j.services, [{ name: 'docker:27-dind', alias: 'docker', command: ['--tls=false'] }]);
  assert.equal(j.variables.DOCKER_HOST, 'tcp://docker:2375');
  for (const name of ['DOCKER_TLS_CERTDIR', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) assert.equal(j.variables[name], '', name);
  assert.match(j.before_script[1]!, /apt-get install -y -qq docker-ce-cli docker-compose-plugin/);
  assert.equal(j.before_script[2], 'docker compose -f "compose.yaml" up -d --wait');
  assert.equal(j.after_script?.length, 1);
  assert.match(j.after_script![0]!, /logs --no-color --timestamps > reports\/compose\.log 2>&1 \|\| true\ndocker compose -f "compose\.yaml" down -v\n$/);
  assert.match(text, /# --compose: the containers run in a Docker-in-Docker service \(the runner must allow privileged\n/);
  assert.match(text, /must use it \(http:\/\/docker:8080\/health\)/);
});

test('--start/--stop: the commands as given, the stop in after_script', () => {
  const { job: j } = job({ start: 'nohup npm start > app.log 2>&1 &\nsleep 5', stop: 'kill "$(cat app.pid)"' });
  assert.equal(j.before_script[1], 'nohup npm start > app.log 2>&1 &\nsleep 5\n');
  assert.deepEqual(j.after_script, ['kill "$(cat app.pid)"\n']);
  assert.equal(j.services, undefined);
});
