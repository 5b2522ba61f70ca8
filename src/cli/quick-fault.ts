/**
 * `kill`, `pause`, `restart` and `random` are one-step experiments built in memory and run by the
 * same runner as `faultline run` — so they go through the ledger, measure recovery the same way,
 * and `--json` gives the journal's own fields.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { readUpState } from '../drivers/process/up-state.js';
import { systemFingerprint, upMismatch } from '../experiment/runtime/up-match.js';
import { UsageError } from '../errors/index.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import { unknownService } from '../experiment/loader/load-system.js';
import { newRunId, runExperiment } from '../experiment/runner/run-experiment.js';
import type { Step, TargetRef } from '../experiment/schema/experiment.js';
import { DEFAULT_GUARDRAILS } from '../experiment/schema/guardrails.js';
import { ConsoleReporter } from '../reporters/console-reporter.js';
import { recordRun } from '../history/index.js';
import { JournalReporter } from '../reporters/journal-reporter.js';
import type { Reporter } from '../reporters/types.js';
import type { Journal } from '../journal/types.js';
import { parseDuration } from '../util/duration.js';
import { confirmRemote } from './confirm.js';
import { guardedRun } from './guarded-run.js';
import { kinds, printJson, stateDirFrom, systemFrom, type CommonOptions } from './context.js';

export interface QuickOptions extends CommonOptions {
  timeout?: string;
  sustained?: string;
  reportDir?: string;
  reaper?: boolean;
  yes?: boolean;
}

export interface QuickFault {
  fault: string;
  target: TargetRef;
  duration?: number;
  params?: Record<string, unknown>;
  title: string;
  /** A system built in memory (a `host:port` target needs no system file): used instead of --system. */
  system?: LoadedSystem;
  /** The run history's key when the title is not stable (`random`: its title lists the candidates). */
  historyKey?: string;
}

export function durationFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: expected a duration such as 500ms, 10s or 1m, got "${value}"`);
  return ms;
}

export async function runQuickFault(spec: QuickFault, opts: QuickOptions): Promise<number> {
  const system = spec.system ?? (await systemFrom(opts));
  const names = Object.keys(system.system.services);
  const refs = typeof spec.target === 'string' ? [spec.target] : Array.isArray(spec.target) ? spec.target : spec.target.random;
  for (const ref of refs) if (!Object.hasOwn(system.system.services, ref)) throw new UsageError(unknownService(ref, names));

  const kind = kinds[spec.fault]!;
  const params = kind.params.safeParse(spec.params ?? {});
  if (!params.success) throw new UsageError(`${spec.fault}: ${params.error.issues.map((i) => `${i.path.join('.') || 'parameters'}: ${i.message}`).join('; ')}`);
  const within = durationFlag(opts.timeout, '--timeout', 30_000);
  const sustained = Number(opts.sustained ?? 3);
  if (!Number.isInteger(sustained) || sustained < 1) throw new UsageError(`--sustained: expected a whole number >= 1, got "${opts.sustained}"`);

  const step: Step = { type: 'fault', fault: spec.fault, target: spec.target, ...(spec.duration !== undefined ? { duration: spec.duration } : {}), params: spec.params ?? {} };
  const watched = refs.filter((r) => system.system.services[r]!.health);
  const loaded: LoadedExperiment = {
    file: `faultline ${spec.title}`,
    absPath: `faultline ${spec.title}`,
    dir: process.cwd(),
    system,
    experiment: {
      title: spec.title,
      tags: ['quick'],
      baseline: 0,
      hypothesis: { probes: [] },
      method: [step],
      rollbacks: [],
      maxDuration: within + (spec.duration ?? 0) + 60_000,
      // Naming a service on the command line is explicit consent, critical or not (`random` filters itself).
      guardrails: { ...DEFAULT_GUARDRAILS, allowCritical: true },
      slos: [],
      ...(watched.length ? { recovery: { within, sustained, services: watched } } : {}),
    },
  };

  const stateDir = await stateDirFrom(opts);
  // Quick commands act on running services; say so up front rather than abort a run (exit 2, not 3).
  const up = await readUpState(stateDir);
  // The daemon must serve this very system file: another system's `api` is not this one's.
  const mismatch = up && !spec.system ? upMismatch(up, await systemFingerprint(system.absPath)) : undefined;
  for (const ref of refs) {
    if (system.system.services[ref]!.process && (!up?.services.includes(ref) || mismatch)) {
      throw new UsageError(
        mismatch
          ? `service ${ref}: ${mismatch}`
          : `service ${ref} is not running under faultline up (state dir ${stateDir}): start it with \`faultline up\` in another terminal, or attach to a running process with pid, pidFile or match in ${system.file}`,
      );
    }
  }
  const runId = newRunId();
  const reporters: Reporter[] = [new ConsoleReporter(opts.json ? process.stderr : process.stdout)];
  if (opts.reportDir) reporters.push(new JournalReporter(resolve(opts.reportDir)));
  const journal = await guardedRun(stateDir, runId, { reaper: opts.reaper, maxDurationMs: loaded.experiment.maxDuration }, (signal) => runExperiment(loaded, { kinds, stateDir, runId, reporters, signal, startServices: false, confirm: confirmRemote(opts.yes) }));
  // Quick faults count in `faultline history` too, keyed by their title ("kill api"); `random` is
  // one experiment whatever it picked, with the service it hit recorded per run.
  const hit = [...new Set(journal.faults.map((f) => f.service))].join(',');
  const identity = spec.historyKey !== undefined ? { key: spec.historyKey, ...(hit ? { target: hit } : {}) } : undefined;
  await recordRun(stateDir, journal, { ...(opts.reportDir ? { reportDir: resolve(opts.reportDir) } : {}), ...(identity ? { identity } : {}) }).catch((err: unknown) => {
    process.stderr.write(`faultline: warning: could not update the run history: ${(err as Error).message}\n`);
  });
  if (opts.json) {
    printJson({
      runId: journal.runId,
      status: journal.status,
      exitCode: journal.exitCode,
      reasons: journal.reasons,
      faults: journal.faults,
      recovery: journal.recovery,
      serviceEvents: journal.serviceEvents,
      // The common case, flat: the service the fault hit.
      ...flatRecovery(journal),
    });
  }
  return journal.exitCode;
}

function flatRecovery(journal: Journal): Record<string, unknown> {
  const hit = journal.recovery.find((r) => r.faultIds.length > 0);
  if (!hit) return {};
  return { service: hit.service, timeToImpactMs: hit.timeToImpactMs, timeToRecoverMs: hit.timeToRecoverMs, outageMs: hit.outageMs, restarts: hit.restarts };
}

/** Flags every quick fault command shares; `systemHelp` says when the system file is needed. */
export function quickFlags(cmd: Command, systemHelp = 'system file (default: ./faultline.yaml)'): Command {
  return cmd
    .option('-s, --system <file>', systemHelp)
    .option('--timeout <duration>', 'how long to wait for the service to be healthy again', '30s')
    .option('--sustained <n>', 'consecutive healthy probes that count as recovered', '3')
    .option('-r, --report-dir <dir>', 'also write journal.json here')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the result as JSON (fields as in journal.json: timeToRecoverMs, …)')
    .option('-y, --yes', 'do not ask before touching targets beyond this machine (needed when stdin is not a terminal)')
    .option('--no-reaper', 'do not start the reaper that reverts the fault if faultline dies');
}
