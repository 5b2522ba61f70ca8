/**
 * `faultline approve FILE --by NAME`: records that NAME approved this exact content (the resolved
 * experiment and system, hashed) until an expiry; `faultline approvals` lists what was approved
 * and what each approval is worth now. docs/approvals.md.
 */
import type { Command } from 'commander';
import { collect, loadExperimentOrCatalog } from '../../catalog/resolve.js';
import { contentHash, experimentIdentity } from '../../approval/content-hash.js';
import { listApprovals, type ListedApproval } from '../../approval/list.js';
import { approvalReasons } from '../../approval/policy.js';
import { appendApproval, approvalsPath, newApprovalId } from '../../approval/store.js';
import { runApproval } from '../../approval/check.js';
import { UsageError } from '../../errors/index.js';
import { appendAudit } from '../../safety/audit.js';
import { parseDuration } from '../../util/duration.js';
import { kinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';

interface ApproveOptions extends CommonOptions {
  by: string;
  expires: string;
  system?: string;
  target?: string;
  set?: string[];
  reason?: string;
}

export const DEFAULT_EXPIRY = '7d';

export function registerApprove(program: Command, setExit: (code: number) => void): void {
  program
    .command('approve')
    .description('Approve the exact content of an experiment and its system (hashed) for runs until an expiry: needed when either says requiresApproval: true or the system\'s environment is production')
    .argument('<file>', 'experiment file, or catalog:<name> (with the --target/--set the runs will use)')
    .requiredOption('--by <name>', 'who approves: a person\'s name (required; never taken from $USER)')
    .option('--expires <duration>', 'how long the approval lasts: 30m, 12h, 7d, …', DEFAULT_EXPIRY)
    .option('-s, --system <file>', "system file (default: the experiment's `system`, or faultline.yaml beside it), as `faultline run` takes it")
    .option('-t, --target <service>', 'catalog experiments: the service to aim at')
    .option('--set <name=value>', 'catalog experiments: a template parameter (repeatable)', collect)
    .option('--reason <text>', 'why it is approved (kept with the approval, shown in the journal)')
    .option('--state-dir <dir>', 'where approvals are kept (default: $FAULTLINE_STATE_DIR or ./.faultline): the one the runs use')
    .option('--json', 'print the approval recorded as JSON')
    .addHelpText('after', '\nExamples:\n  faultline approve experiments/kill-db.yaml --by "Ada Lovelace" --expires 12h --reason "CHG-1234"\n  faultline approve catalog:service-kill --target api --by ada\n\nSee what is approved: faultline approvals')
    .action(async (file: string, opts: ApproveOptions) => {
      const by = opts.by.trim();
      if (!by) throw new UsageError('--by: expected the name of the person who approves, got an empty string');
      const ttl = expiryFlag(opts.expires);
      // Loaded and validated exactly as `faultline run` would: an invalid experiment cannot be approved.
      const loaded = await loadExperimentOrCatalog(file, { systemFile: opts.system, target: opts.target, set: opts.set, kinds });
      const content = await contentHash(loaded);
      const stateDir = await stateDirFrom(opts);
      const at = new Date();
      const approval = await appendApproval(stateDir, {
        id: newApprovalId(),
        at: at.toISOString(),
        by,
        expiresAt: new Date(at.getTime() + ttl).toISOString(),
        hash: content.hash,
        parts: { experiment: content.experiment, system: content.system },
        title: loaded.experiment.title,
        experimentFile: experimentIdentity(loaded),
        systemFile: loaded.system.absPath,
        ...(loaded.catalogArgs ? { catalogArgs: loaded.catalogArgs } : {}),
        ...(opts.reason ? { reason: opts.reason } : {}),
      });
      await appendAudit(stateDir, { event: 'approve', what: loaded.experiment.title, detail: approval.experimentFile, approval: runApproval(approval) });
      if (opts.json) printJson(approval);
      else {
        const say = (s: string) => process.stdout.write(`${s}\n`);
        say(`approved "${approval.title}"`);
        say(`  file:    ${approval.experimentFile}${loaded.catalogArgs ? ` ${catalogFlags(loaded.catalogArgs)}` : ''}`);
        say(`  system:  ${approval.systemFile}`);
        say(`  by:      ${approval.by}${approval.reason ? ` (${approval.reason})` : ''}`);
        say(`  content: sha256 ${approval.hash.slice(0, 12)}`);
        say(`  expires: ${approval.expiresAt} (in ${opts.expires})`);
        say(`  kept in: ${approvalsPath(stateDir)}`);
        if (approvalReasons(loaded).length === 0) say('  note: this run does not need an approval (neither file says requiresApproval: true, and the environment is not production); recorded anyway');
      }
      setExit(0);
    });

  program
    .command('approvals')
    .description('List the approvals recorded, each with its state for the files as they are now: valid, expired, or files changed since')
    .option('--state-dir <dir>', 'where approvals are kept (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print them as JSON')
    .action(async (opts: CommonOptions) => {
      const listed = await listApprovals(await stateDirFrom(opts), kinds);
      if (opts.json) printJson(listed);
      else if (listed.length === 0) process.stdout.write('no approvals\n');
      else for (const l of listed) process.stdout.write(`${describe(l)}\n`);
      setExit(0);
    });
}

function describe({ approval: a, state, detail }: ListedApproval): string {
  const status = state === 'valid' ? `VALID until ${a.expiresAt}` : state === 'expired' ? `EXPIRED ${a.expiresAt}` : state === 'changed' ? `FILES CHANGED (${detail})` : `UNRESOLVED (${detail})`;
  const file = `${a.experimentFile}${a.catalogArgs ? ` ${catalogFlags(a.catalogArgs)}` : ''}`;
  return [a.at, a.id, `by ${a.by}`, status, `"${a.title}"`, file, `system ${a.systemFile}`, `sha256 ${a.hash.slice(0, 12)}`, a.reason ? `(${a.reason})` : ''].filter(Boolean).join('  ');
}

/** A lifetime with its unit (a bare number would be milliseconds: surely not what was meant), short of Date's range. */
function expiryFlag(value: string): number {
  const ttl = /^\s*[\d.]+\s*$/.test(value) ? undefined : parseDuration(value);
  if (ttl === undefined || ttl <= 0 || !Number.isFinite(new Date(Date.now() + ttl).getTime())) {
    throw new UsageError(`--expires: expected a duration with its unit such as 30m, 12h or 7d, got "${value}"`);
  }
  return ttl;
}

function catalogFlags(args: { target?: string; set: string[] }): string {
  return [...(args.target !== undefined ? [`--target ${args.target}`] : []), ...args.set.map((s) => `--set ${s}`)].join(' ');
}
