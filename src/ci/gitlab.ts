/**
 * The GitLab CI job equivalent to the GitHub workflow: the same run script, its reports as
 * artifacts and as a JUnit report, the history in the cache. GitLab keeps schedules outside the
 * file, so the cron goes into the header and the next steps, for the schedule made in the UI.
 */
import { HISTORY_DIR, REPORTS_DIR, STATE_DIR, type CiOptions } from './options.js';
import { generatedBy } from './generated-by.js';
import { composeDown } from './github.js';
import { RUN_ENV, runScript } from './run-script.js';
import { literal, scalar } from './yaml-text.js';

export const GITLAB_JOB = 'faultline-chaos';
/** The variable the chaos schedule sets, so that the project's other schedules do not run chaos. */
export const SCHEDULE_VARIABLE = 'FAULTLINE_CHAOS';
const DIND_IMAGE = 'docker:27-dind';

export function renderGitlabCi(o: CiOptions): string {
  const compose = o.start.kind === 'compose';
  return `${generatedBy('gitlab', o)}
#
# GitLab keeps schedules outside this file. Create one in Build > Pipeline schedules: interval
# pattern ${JSON.stringify(o.cron)} (cron; the time zone is chosen there), the branch to test, and the variable
# ${SCHEDULE_VARIABLE} = true.

${GITLAB_JOB}:
  image: node:${o.node}
  rules:
    # Only the schedule that sets ${SCHEDULE_VARIABLE}, not every schedule of the project.
    - if: ${scalar(`$CI_PIPELINE_SOURCE == "schedule" && $${SCHEDULE_VARIABLE} == "true"`)}
    # Build > Pipelines > Run pipeline, by hand.
    - if: ${scalar('$CI_PIPELINE_SOURCE == "web"')}
  # One chaos run at a time, across pipelines: a second one waits rather than injecting faults into
  # a system under test.
  resource_group: faultline-chaos
  timeout: 1h
${compose ? dindService() : ''}  variables:
    FAULTLINE_STATE_DIR: ${STATE_DIR}
    ${RUN_ENV.experiments}: ${scalar(o.experiments)}
    ${RUN_ENV.system}: ${scalar(o.system)}
${compose ? dindVariables() : ''}  # --fail-on-regression compares each run with the previous run of the same experiment, which
  # the history in ${HISTORY_DIR} holds; a CI job starts empty. when: always, since a run
  # that deviated is history the next run compares with.
  cache:
    key: faultline-history
    paths:
      - ${HISTORY_DIR}/
    when: always
  before_script:
    - ${scalar(`npm install --global "${o.installSpec}"`)}
${startCommands(o)}  script:
${notifyExport(o)}    - ${literal(runScript(), 6)}
${stopCommands(o)}  artifacts:
    when: always
    expire_in: 30 days
    paths:
      - ${REPORTS_DIR}/
    reports:
      junit: ${REPORTS_DIR}/*/junit.xml
`;
}

function dindService(): string {
  return `  # --compose: the containers run in a Docker-in-Docker service (the runner must allow privileged
  # containers). Their published ports are on the host "docker", not on 127.0.0.1: the health
  # checks and probes of the system file must use it (http://docker:8080/health).
  # --tls=false: recent engines refuse a TCP socket without TLS unless told so explicitly.
  services:
    - name: ${DIND_IMAGE}
      alias: docker
      command: ["--tls=false"]
`;
}

function dindVariables(): string {
  return `    # The Docker client talks to the dind service over TCP without TLS (GitLab's simplest setup);
    # the empty values override a runner whose environment turns TLS on.
    DOCKER_HOST: tcp://docker:2375
    DOCKER_TLS_CERTDIR: ""
    DOCKER_TLS_VERIFY: ""
    DOCKER_CERT_PATH: ""
`;
}

function startCommands(o: CiOptions): string {
  switch (o.start.kind) {
    case 'compose':
      return `    # The node image has no Docker client: install it and the compose plugin from Docker's Debian
    # repository (or use an image of your own that has Node.js, docker and compose).
    - ${literal(dockerClientInstall(), 6)}
    - ${scalar(`docker compose -f "${o.start.file}" up -d --wait`)}
`;
    case 'command':
      return `    # Your command: it must return once the system is up (start servers in the background).
    - ${literal(o.start.command, 6)}
`;
    case 'none':
      return `    # No start command: the system is assumed reachable from the job (a staging environment), or
    # made of process services that faultline run starts itself. faultline ci init --compose FILE
    # or --start COMMAND adds one here.
`;
  }
}

/** GitLab hands CI/CD variables to the job under their own names; the run script reads one name. */
function notifyExport(o: CiOptions): string {
  const comment = `    # The webhook URL for --notify, from the masked CI/CD variable ${o.notifySecret}; unset: nothing is notified.\n`;
  if (o.notifySecret === RUN_ENV.notifyUrl) return comment;
  return `${comment}    - ${scalar(`export ${RUN_ENV.notifyUrl}="\${${o.notifySecret}:-}"`)}\n`;
}

function stopCommands(o: CiOptions): string {
  const always = '  # after_script runs even when the script failed.\n  after_script:\n';
  if (o.start.kind === 'compose') return `${always}    - ${literal(composeDown(o.start.file), 6)}\n`;
  if (o.start.kind === 'command' && o.start.stop !== undefined) return `${always}    - ${literal(o.start.stop, 6)}\n`;
  return '';
}

function dockerClientInstall(): string {
  return `apt-get update -qq
apt-get install -y -qq ca-certificates curl > /dev/null
install -m 0755 -d /etc/apt/keyrings
curl -fsSL https://download.docker.com/linux/debian/gpg -o /etc/apt/keyrings/docker.asc
echo "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian $(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release) stable" > /etc/apt/sources.list.d/docker.list
apt-get update -qq
apt-get install -y -qq docker-ce-cli docker-compose-plugin > /dev/null
`;
}
