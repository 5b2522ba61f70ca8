/** The `faultline` command: parsing only; each command calls the library. Errors become exit codes in one place. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeError, exitCodeFor } from './exit-codes.js';
import { registerExperiments } from './commands/experiments.js';
import { registerHealth } from './commands/health.js';
import { registerQuickCommands } from './commands/quick.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerHistory } from './commands/history.js';
import { registerLinuxQuick } from './commands/linux-quick.js';
import { registerLoad } from './commands/load.js';
import { registerProxy } from './commands/proxy.js';
import { registerReport } from './commands/report.js';
import { registerRecover } from './commands/recover.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerStop } from './commands/stop.js';
import { registerUp, registerDown } from './commands/up.js';
import { registerValidate } from './commands/validate.js';
import { registerInit } from './commands/init.js';
import { registerGraph } from './commands/graph.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerGrafana } from './commands/grafana.js';
import { registerExport } from './commands/export.js';
import { registerSchedule } from './commands/schedule.js';
import { registerCi } from './commands/ci.js';
import { registerGameday } from './commands/gameday.js';
import { registerApprove } from './commands/approve.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('faultline')
    .description('Chaos experiments on real systems: inject faults under a hypothesis, measure recovery, never leave a fault behind.')
    .version(version())
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Start here:
  faultline demo                           the bundled shop and its resilience suite (no Docker, no root)
  faultline init --compose compose.yml     write a system file from a Compose file
  faultline experiments list               the catalog of standard experiments
  faultline validate kill-api.yaml         check files, touch nothing
  faultline run kill-api.yaml -r out       run an experiment, write out/journal.json
  faultline up                             supervise the system's processes for quick commands
  faultline kill api                       kill a service and time its recovery
  faultline recover                        revert faults left open by a crash
  faultline schedule chaos/schedule.yaml   run experiments on a cron schedule (status: schedule status FILE)
  faultline gameday plan.yaml              a facilitated game day with one combined report
  faultline ci init --github               run the experiments weekly in GitHub Actions (or --gitlab)

Docs: docs/ in the package (experiment format, faults, drivers, safety, CLI, errors).`,
    );
  registerRun(program, setExit);
  registerValidate(program, setExit);
  registerExperiments(program, setExit);
  registerHealth(program, setExit);
  registerQuickCommands(program, setExit);
  registerLinuxQuick(program, setExit);
  registerProxy(program, setExit);
  registerLoad(program, setExit);
  registerReport(program, setExit);
  registerHistory(program, setExit);
  registerRecover(program, setExit);
  registerStop(program, setExit);
  registerSchema(program, setExit);
  registerUp(program, setExit);
  registerDown(program, setExit);
  registerAudit(program, setExit);
  registerDemo(program, setExit);
  registerInit(program, setExit);
  registerGraph(program, setExit);
  registerDashboard(program, setExit);
  registerGrafana(program, setExit);
  registerExport(program, setExit);
  registerSchedule(program, setExit);
  registerCi(program, setExit);
  registerGameday(program, setExit);
  registerApprove(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes with 1, which we report as 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${describeError(err)}\n`);
    return exitCodeFor(err);
  }
}
