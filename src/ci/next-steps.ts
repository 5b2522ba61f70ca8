/** What is left to do by hand after the CI file is written: secrets, the GitLab schedule, a first run. */
import { DEFAULT_OUTPUT } from './write-ci-file.js';
import { SCHEDULE_VARIABLE } from './gitlab.js';
import type { CiPlatform } from './generated-by.js';
import type { CiOptions } from './options.js';

export function nextSteps(platform: CiPlatform, o: CiOptions, output: string): string[] {
  return platform === 'github' ? githubSteps(o, output) : gitlabSteps(o, output);
}

function githubSteps(o: CiOptions, output: string): string[] {
  const workflow = output.split('/').pop()!;
  return [
    `commit and push ${output}: the schedule (${o.cron}, UTC) runs on the default branch`,
    `optional: add the secret ${o.notifySecret} holding a Slack-compatible webhook URL, for --notify when a run does not pass ` +
      `(Settings > Secrets and variables > Actions, or  gh secret set ${o.notifySecret}); without it nothing is notified`,
    `run it once by hand (Actions > chaos > Run workflow, or  gh workflow run ${workflow}): it starts the history the scheduled runs are compared with`,
    ...startNote(o, 'GitHub\'s runner'),
  ];
}

function gitlabSteps(o: CiOptions, output: string): string[] {
  const included = output !== DEFAULT_OUTPUT.gitlab;
  return [
    included ? `add  include: [{ local: ${output} }]  to .gitlab-ci.yml, then commit and push both` : `commit and push ${output}`,
    `create the schedule (GitLab keeps schedules outside the file): Build > Pipeline schedules > New schedule, interval pattern "${o.cron}", ` +
      `the branch to test, and the variable ${SCHEDULE_VARIABLE} = true (the job runs only in a schedule that sets it)`,
    `optional: add the CI/CD variable ${o.notifySecret} (Settings > CI/CD > Variables, masked) holding a Slack-compatible webhook URL, ` +
      'for --notify when a run does not pass; without it nothing is notified',
    'run it once by hand (Build > Pipelines > Run pipeline): it starts the history the scheduled runs are compared with',
    ...(o.start.kind === 'compose'
      ? ['--compose runs the containers in a docker:dind service: the runner must allow privileged containers, and the system file must reach them at the host "docker", not 127.0.0.1']
      : []),
    ...startNote(o, 'the job'),
  ];
}

function startNote(o: CiOptions, where: string): string[] {
  return o.start.kind === 'none'
    ? [`nothing starts the system: it must be reachable from ${where} (or be process services that faultline run starts); --compose FILE or --start COMMAND start it in the job`]
    : [];
}
