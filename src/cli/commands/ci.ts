/** `faultline ci init --github|--gitlab`: write a CI file that runs the experiments on a schedule. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import type { CiPlatform } from '../../ci/generated-by.js';
import { renderGithubWorkflow } from '../../ci/github.js';
import { renderGitlabCi } from '../../ci/gitlab.js';
import { nextSteps } from '../../ci/next-steps.js';
import { CI_DEFAULTS, faultlineVersion, resolveCiOptions, type CiFlags, type CiOptions } from '../../ci/options.js';
import { DEFAULT_OUTPUT, GITLAB_INCLUDE_OUTPUT, outputFor, writeCiFile } from '../../ci/write-ci-file.js';

interface CiInitFlags extends CiFlags {
  github?: boolean;
  gitlab?: boolean;
  output?: string;
  force?: boolean;
  stdout?: boolean;
}

const RENDER: Record<CiPlatform, (o: CiOptions) => string> = { github: renderGithubWorkflow, gitlab: renderGitlabCi };

export function registerCi(program: Command, setExit: (code: number) => void): void {
  const ci = program.command('ci').description('CI templates: run your experiments in GitHub Actions or GitLab CI, weekly and by hand');
  ci.command('init')
    .description('Write a CI file that runs every experiment on a schedule, gates on regressions, and publishes the reports')
    .option('--github', `GitHub Actions: write ${DEFAULT_OUTPUT.github}`)
    .option('--gitlab', `GitLab CI: write ${DEFAULT_OUTPUT.gitlab} (when one exists: refused, use --output ${GITLAB_INCLUDE_OUTPUT} and include it)`)
    .option('-o, --output <file>', 'the file to write instead (folders are created)')
    .option('--force', 'overwrite the output file if it exists')
    .option('--stdout', 'print the file instead of writing it')
    .option('--experiments <glob>', 'the experiment files to run, as bash glob patterns separated by spaces (** works)', CI_DEFAULTS.experiments)
    .option('--system <file>', 'the system file every run gets as --system ("": none, each experiment uses the system file it names)', CI_DEFAULTS.system)
    .option('--compose <file>', 'start the system with  docker compose -f FILE up -d --wait  before the experiments, and  down -v  after them, always')
    .option('--start <command>', 'start the system with your command instead (it must return once the system is up)')
    .option('--stop <command>', 'with --start: the command that stops it, run at the end even when experiments failed')
    .option('--cron <expr>', 'when the schedule runs: five cron fields (minute hour day month weekday; default Mondays 06:00), UTC on GitHub; on GitLab, for the schedule you create in its UI', CI_DEFAULTS.cron)
    .option('--notify-secret <name>', 'the secret (GitHub) or CI/CD variable (GitLab) holding the webhook URL for --notify; when it is unset nothing is notified', CI_DEFAULTS.notifySecret)
    .option('--node <major>', 'Node.js major version of the job', CI_DEFAULTS.node)
    .option('--faultline <spec>', `the faultline to install: a version or range (faultline@SPEC), or a full npm spec such as a git URL (default: ${faultlineVersion()}, this one)`)
    .addHelpText(
      'after',
      `
Examples:
  faultline ci init --github --compose docker-compose.yml
  faultline ci init --github --experiments "chaos/**/*.yaml" --cron "0 3 * * *" --notify-secret SLACK_WEBHOOK
  faultline ci init --gitlab --start "nohup npm start > app.log 2>&1 &" --output .gitlab/chaos.yml

The job installs faultline, restores the run history (so --fail-on-regression has a previous run
to compare with: the CI machine starts empty), starts the system, and runs each experiment with
  faultline run FILE --yes --fail-on-regression --report-dir reports/NAME [--notify URL]
going on after one fails. It exits with the worst exit code (4 a revert failed, then 3 aborted,
2 invalid, 1 deviated or regressed, 0 held), saves the history, uploads reports/ (journal, HTML,
Markdown, JUnit), publishes the JUnit results, and stops the system. On GitHub each Markdown report
goes to the job summary. Without --compose or --start, the system must already be reachable.

Exit 2 when a flag is invalid or the file exists (without --force); nothing is written then.
See docs/ci.md.`,
    )
    .action(async (flags: CiInitFlags) => {
      if (flags.github === flags.gitlab) throw new UsageError('expected one of --github or --gitlab');
      const platform: CiPlatform = flags.github ? 'github' : 'gitlab';
      if (flags.stdout && (flags.output !== undefined || flags.force)) throw new UsageError('--stdout prints the file: --output and --force do not apply');
      const options = resolveCiOptions(flags);
      const text = RENDER[platform](options);
      if (flags.stdout) {
        process.stdout.write(text);
        setExit(0);
        return;
      }
      const output = outputFor(platform, flags);
      await writeCiFile(output, text);
      process.stdout.write(`wrote ${output}\n`);
      for (const warning of missingFiles(options)) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write('next:\n');
      nextSteps(platform, options, output).forEach((step, i) => process.stdout.write(`  ${i + 1}. ${step}\n`));
      setExit(0);
    });
}

/** Files the job will need that are not here: a hint, not an error (the file may be generated elsewhere). */
function missingFiles(o: CiOptions): string[] {
  const files: [string, string][] = o.system === '' ? [] : [[o.system, '--system']];
  if (o.start.kind === 'compose') files.push([o.start.file, '--compose']);
  return files.filter(([file]) => !existsSync(file)).map(([file, flag]) => `${file} (${flag}) does not exist here; the job expects it in the repository`);
}
