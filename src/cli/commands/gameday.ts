/** `faultline gameday PLAN` (the day, with the facilitator's console) and `faultline gameday ctl COMMAND` (drive it from another terminal). */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command as Cli } from 'commander';
import { approvalStatus } from '../../approval/index.js';
import { ApprovalError, UsageError } from '../../errors/index.js';
import { COMMANDS, sendCommand, startControlServer, type CommandName } from '../../gameday/control.js';
import { defaultFacilitator, GameDay } from '../../gameday/day.js';
import { startKeyboard } from '../../gameday/keyboard.js';
import { loadPlan, type GamedayPlan } from '../../gameday/plan.js';
import { currentUser } from '../../safety/audit.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import { formatDuration } from '../../util/duration.js';
import { printJson, stateDirFrom } from '../context.js';

interface GamedayOptions {
  system?: string;
  stateDir?: string;
  out?: string;
  facilitator?: string;
  auto?: boolean;
  yes?: boolean;
  reaper?: boolean;
  console?: boolean;
  check?: boolean;
}

export function registerGameday(program: Cli, setExit: (code: number) => void): void {
  const cmd = program
    .command('gameday')
    .description("Run a planned game day: the plan's experiments in order, paced by a facilitator (next / skip / pause / abort), notes recorded, one combined report")
    .argument('<plan>', 'game day plan (.yaml/.json): title, facilitator, announce webhook, experiments in order')
    .option('-s, --system <file>', "system file for every experiment (wins over the plan's `system`)")
    .option('--state-dir <dir>', 'ledger, history and run reports (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('-o, --out <dir>', 'where gameday.json, gameday.md and gameday.html go (default: <state dir>/gamedays/<start>-<title>)')
    .option('--facilitator <name>', "who runs the day (default: the plan's, else your user name)")
    .option('--auto', "start each experiment the plan's `gap` after the previous one instead of waiting for `next`")
    .option('-y, --yes', 'allow experiments that target systems beyond this machine (the room has agreed)')
    .option('--no-reaper', "do not start a reaper per run (then only `faultline recover` reverts a run's faults if faultline dies)")
    .option('--console', 'read commands from stdin even when it is not a terminal')
    .option('--no-console', 'do not read commands from stdin (drive the day with `faultline gameday ctl`)')
    .option('--check', 'validate the plan and every experiment in it, print the order, and exit')
    .addHelpText(
      'after',
      `
Commands, typed in this terminal or sent with \`faultline gameday ctl COMMAND\` from another:
  next (n)      start the next experiment now
  skip (s)      pass over the next one; while one runs: abort it (its faults reverted) and move on
  pause (p)     hold the day; while one runs: hold once it ends
  resume (r)    go on after a pause
  abort         revert the run in progress and end the day (the report is still written)
  status        where the day is
  note TEXT     a note with the time (any other line typed here is a note too)

Exit codes: 0 every run held; 1 one deviated; 2 invalid plan; 3 the day was aborted or a run was;
4 a revert failed (run \`faultline recover\`).

Example plan:
  title: Checkout game day
  facilitator: Ana
  announce: { env: GAMEDAY_WEBHOOK }
  experiments:
    - ./kill-api.yaml
    - experiment: catalog:dependency-latency
      target: api
      brief: expect p99 over 1s on /checkout; the cart team watches its dashboard`,
    )
    .action(async (planFile: string, opts: GamedayOptions) => {
      const plan = await loadPlan(planFile, opts.system !== undefined ? { system: opts.system } : {});
      if (opts.check) {
        process.stdout.write(`${planFile}: "${plan.title}", ${plan.items.length} experiment(s), every one valid; ${opts.auto || plan.auto ? `auto, ${formatDuration(plan.gapMs)} apart` : 'paced by `next`'}\n`);
        plan.items.forEach((item, i) => process.stdout.write(`  ${i + 1}. ${item.name} (${item.loaded.file})${item.brief ? `\n     brief: ${item.brief}` : ''}\n`));
        setExit(0);
        return;
      }
      const stateDir = await stateDirFrom(opts);
      await requireApprovals(plan, stateDir);
      const started = new Date();
      const outDir = resolve(opts.out ?? join(stateDir, 'gamedays', `${started.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${slug(plan.title)}`));
      const facilitator = opts.facilitator ?? plan.facilitator ?? defaultFacilitator();
      const interrupt = new AbortController();
      const day = new GameDay(plan, {
        stateDir,
        outDir,
        out: process.stdout,
        facilitator,
        ...(opts.auto ? { auto: true } : {}),
        ...(opts.yes ? { yes: true } : {}),
        ...(opts.reaper === false ? { reaper: false } : {}),
        signal: interrupt.signal,
      });
      const control = await startControlServer(stateDir, (c) => day.command(c));
      await mkdir(outDir, { recursive: true }); // after the refusals: a refused day leaves nothing behind
      const onSignal = (name: NodeJS.Signals) => {
        if (interrupt.signal.aborted) return void process.stderr.write(`faultline gameday: still reverting the run in progress after ${name}; it is undone before exit\n`);
        interrupt.abort(new Error(name === 'SIGINT' ? 'interrupted (Ctrl-C)' : `received ${name}`));
      };
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.on(s, onSignal);
      const useConsole = opts.console ?? process.stdin.isTTY === true;
      const stopKeyboard = useConsole ? startKeyboard(process.stdin, facilitator, (c) => day.command(c), (t) => process.stdout.write(`${t}\n`)) : undefined;
      process.stdout.write(
        `faultline gameday: "${plan.title}", ${plan.items.length} experiment(s), facilitated by ${facilitator}; record and report in ${outDir}\n` +
          `  control: ${useConsole ? 'type commands here, or ' : ''}\`faultline gameday ctl next|skip|pause|resume|abort|status|note TEXT${opts.stateDir !== undefined ? ` --state-dir ${opts.stateDir}` : ''}\`\n`,
      );
      try {
        const result = await day.run();
        setExit(result.exitCode);
      } finally {
        stopKeyboard?.();
        await control.close();
        for (const s of signals) process.off(s, onSignal);
        if (useConsole) process.stdin.unref?.();
      }
    });

  cmd
    .command('ctl')
    .description('Send a command to the game day running with this state dir: next, skip, pause, resume, abort, status, note TEXT')
    .argument('<command>', COMMANDS.join(' | '))
    .argument('[text...]', 'note: the text of the note')
    .option('--state-dir <dir>', 'the state dir the game day runs with (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--by <name>', 'who sends it (recorded with notes and commands; default: your user name)')
    .option('--json', 'print the reply as JSON')
    .action(async (name: string, text: string[], _opts: unknown, command: Cli) => {
      const opts = command.optsWithGlobals<{ stateDir?: string; by?: string; json?: boolean }>();
      if (!COMMANDS.includes(name as CommandName)) throw new UsageError(`gameday ctl: unknown command "${name}"; expected one of ${COMMANDS.join(', ')}`);
      if (name !== 'note' && text.length) throw new UsageError(`gameday ctl ${name} takes no text (only \`note TEXT\` does)`);
      const reply = await sendCommand(resolveStateDir(opts.stateDir), { name: name as CommandName, ...(text.length ? { text: text.join(' ') } : {}), by: opts.by ?? currentUser() });
      if (opts.json) printJson(reply);
      else process.stdout.write(`${reply.ok ? '' : 'refused: '}${reply.message}\n`);
      setExit(reply.ok ? 0 : 1);
    });
}

/** Every experiment that needs an approval has one now, or the day does not start (exit 2): better at 9 am than at 3 pm. */
async function requireApprovals(plan: GamedayPlan, stateDir: string): Promise<void> {
  const missing: string[] = [];
  for (const item of plan.items) {
    const s = await approvalStatus(item.loaded, stateDir);
    if (s.required && !s.approval) missing.push(`  - ${item.name} (${item.loaded.file}) needs an approval (${s.why}): ${s.problem ?? 'none found'}\n    ${s.command}`);
  }
  if (missing.length) throw new ApprovalError(`the game day cannot start: ${missing.length} experiment(s) lack a valid approval\n${missing.join('\n')}`, plan.absPath);
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'gameday'
  );
}
