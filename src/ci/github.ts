/**
 * `.github/workflows/chaos.yml`: the experiments on a cron and by hand, their reports as an
 * artifact, a JUnit check and the job summary, the history kept between runs for the regression
 * gate. The experiments themselves run in the shared script (run-script.ts).
 */
import { HISTORY_DIR, REPORTS_DIR, STATE_DIR, type CiOptions } from './options.js';
import { generatedBy } from './generated-by.js';
import { RUN_ENV, runScript } from './run-script.js';
import { literal, scalar } from './yaml-text.js';

/** Name of the artifact that also carries the history, for when the cache is gone. */
export const HISTORY_ARTIFACT = 'faultline-history';

export function renderGithubWorkflow(o: CiOptions): string {
  return `${generatedBy('github', o)}
name: chaos

on:
  schedule:
    # Minute hour day-of-month month day-of-week, in UTC. GitHub may start a scheduled run late.
    - cron: ${JSON.stringify(o.cron)}
  workflow_dispatch: # Actions > chaos > Run workflow

# The least the steps need: read the code, create the JUnit check run, list earlier runs of this
# workflow and download their history artifact.
permissions:
  contents: read
  checks: write
  actions: read

# One chaos run at a time: a second one waits rather than injecting faults into a system under
# test. Never cancelled mid-run by a newer one: a cancelled run has to revert its faults first.
concurrency:
  group: faultline-chaos
  cancel-in-progress: false

jobs:
  chaos:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    env:
      FAULTLINE_STATE_DIR: ${STATE_DIR}
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: ${o.node}

      - name: Install faultline
        run: ${scalar(`npm install --global "${o.installSpec}"`)}

      # --fail-on-regression compares each run with the previous run of the same experiment, which
      # the history in ${HISTORY_DIR} holds; a CI machine starts empty. The cache brings it back:
      # a cache key can be written only once, so each run saves under its own key and restores the
      # newest whose key starts with faultline-history- (restore-keys).
      - name: Restore the run history
        id: history
        uses: actions/cache/restore@v4
        with:
          path: ${HISTORY_DIR}
          key: faultline-history-\${{ github.run_id }}-\${{ github.run_attempt }}
          restore-keys: faultline-history-

      # GitHub drops caches unused for 7 days, as long as a weekly schedule's gap: then take the
      # history from the artifact of the newest earlier run of this workflow that uploaded one.
      - name: Restore the run history from an earlier run's artifact
        if: steps.history.outputs.cache-matched-key == ''
        env:
          GH_TOKEN: \${{ github.token }}
          GH_REPO: \${{ github.repository }}
        run: ${literal(artifactFallback(), 10)}
${startStep(o)}
      - name: Run the experiments
        id: experiments
        shell: bash
        env:
          ${RUN_ENV.experiments}: ${scalar(o.experiments)}
          ${RUN_ENV.system}: ${scalar(o.system)}
          # Empty when the secret is not set: then nothing is notified.
          ${RUN_ENV.notifyUrl}: \${{ secrets.${o.notifySecret} }}
        run: ${literal(runScript(), 10)}
${stopStep(o)}
      # always(): a run that deviated is history the next run compares with.
      - name: Save the run history
        if: always()
        uses: actions/cache/save@v4
        with:
          path: ${HISTORY_DIR}
          key: faultline-history-\${{ github.run_id }}-\${{ github.run_attempt }}

      - name: Upload the run history
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: ${HISTORY_ARTIFACT}
          path: ${HISTORY_DIR}/
          include-hidden-files: true
          if-no-files-found: ignore
          retention-days: 90

      - name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: faultline-reports
          path: ${REPORTS_DIR}/
          if-no-files-found: warn

      - name: Publish the JUnit results
        if: always()
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: ${REPORTS_DIR}/*/junit.xml
          check_name: faultline chaos
          include_passed: true
          # The job summary already holds each experiment's Markdown report.
          job_summary: false
`;
}

function artifactFallback(): string {
  return `workflow="\${GITHUB_WORKFLOW_REF%%@refs/*}"
mapfile -t runs < <(gh run list --workflow "\${workflow##*/}" --status completed --limit 10 --json databaseId --jq '.[].databaseId')
for run in "\${runs[@]}"; do
  if [ -n "$run" ] && gh run download "$run" --name ${HISTORY_ARTIFACT} --dir ${HISTORY_DIR}; then
    echo "history restored from run $run"
    exit 0
  fi
done
echo "no earlier history: the regression gate has nothing to compare with this time"
`;
}

function startStep(o: CiOptions): string {
  switch (o.start.kind) {
    case 'compose':
      return `
      - name: Start the system
        run: ${scalar(`docker compose -f "${o.start.file}" up -d --wait`)}
`;
    case 'command':
      return `
      # Your command: it must return once the system is up (start servers in the background).
      - name: Start the system
        run: ${literal(o.start.command, 10)}
`;
    case 'none':
      return `
      # No start step: the system is assumed reachable from the runner (a staging environment), or
      # made of process services that faultline run starts itself. faultline ci init --compose FILE
      # or --start COMMAND adds a step here.
`;
  }
}

function stopStep(o: CiOptions): string {
  switch (o.start.kind) {
    case 'compose':
      return `
      - name: Stop the system
        if: always()
        run: ${literal(composeDown(o.start.file), 10)}
`;
    case 'command':
      return o.start.stop !== undefined
        ? `
      - name: Stop the system
        if: always()
        run: ${literal(o.start.stop, 10)}
`
        : `
      # What --start started goes with the runner at the end of the job (faultline ci init --stop COMMAND adds a step here).
`;
    case 'none':
      return '';
  }
}

/** The containers' logs go with the reports, then everything the file started goes, volumes too. */
export function composeDown(file: string): string {
  return `mkdir -p ${REPORTS_DIR}
docker compose -f "${file}" logs --no-color --timestamps > ${REPORTS_DIR}/compose.log 2>&1 || true
docker compose -f "${file}" down -v
`;
}
