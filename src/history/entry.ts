/** One run in the history: the figures trends and the regression gate need, small enough to keep forever. */
import { relative, sep } from 'node:path';
import { analysisOf } from '../analysis/analyze-journal.js';
import type { CheckResult, Journal, RunStatus } from '../journal/types.js';

export const HISTORY_VERSION = 1;

export interface HistoryEntry {
  v: typeof HISTORY_VERSION;
  runId: string;
  /** Which experiment: its file relative to the project (the state dir's parent), with / separators. */
  key: string;
  title: string;
  experimentFile: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  status: RunStatus;
  exitCode: number;
  reasons: string[];
  probeIntervalMs: number;
  score: number | null;
  maturity: number;
  /** Longest time to recover over impacted services (null: none impacted, or one never recovered). */
  timeToRecoverMs: number | null;
  allRecovered: boolean;
  services: { service: string; impacted: boolean; timeToImpactMs: number | null; timeToRecoverMs: number | null; met?: boolean; notMeasured?: 'aborted' }[];
  checks: { kind: CheckResult['kind']; name: string; ok: boolean; observed: string; expected: string }[];
  reportDir?: string;
  /** Catalog runs: the template's parameters as resolved (given with --target/--set, else the literal defaults); part of the key. */
  parameters?: Record<string, string>;
  /** The service(s) a random choice hit (`faultline random`): one experiment, a different target per run. */
  target?: string;
  /** The regression gate, when the run was compared: its verdict and the exit code it led to. */
  gate?: RegressionGate;
}

export interface RegressionGate {
  /** Run with --fail-on-regression (else the comparison was only reported). */
  enforced: boolean;
  /** The run compared with; absent when there was none. */
  previousRunId?: string;
  regressions: string[];
  /** The exit code after the gate (1 when it failed a run that held). */
  exitCode: number;
}

/** Who a run is, for the history, beyond its file: set by the command that ran it. */
export interface RunIdentity {
  /** Replaces the key derived from the experiment file (`faultline random`). */
  key?: string;
  parameters?: Record<string, string>;
  target?: string;
}

/** The experiment's identity across runs and clones: its path relative to the project directory. */
export function experimentKey(experimentFile: string, projectDir: string, title?: string): string {
  // Not a file: a quick command ("faultline kill api": the target is in the name) or a catalog
  // template, whose title names what it was aimed at ("catalog:service-kill · Killing api: …").
  if (experimentFile.startsWith('faultline ')) return experimentFile;
  const template = catalogName(experimentFile);
  if (template) return title ? `${template} · ${title}` : template;
  const rel = relative(projectDir, experimentFile);
  return (rel === '' ? experimentFile : rel).split(sep).join('/');
}

/** `catalog:<name>` from the journal's experiment file, which the runner may have made absolute (`/project/catalog:service-kill`). */
function catalogName(experimentFile: string): string | undefined {
  return /(?:^|[\\/])(catalog:[^\\/]+)$/.exec(experimentFile)?.[1];
}

/**
 * A catalog template and its resolved parameters as one key, then the title (which names what a
 * derived default, such as the entry service, resolved to): `catalog:service-kill target=api within=10s · Killing api: …`.
 */
export function catalogKey(experimentFile: string, parameters: Record<string, string>, title?: string): string {
  const pairs = Object.keys(parameters)
    .sort()
    .map((k) => `${k}=${parameters[k]}`);
  return [experimentFile, ...pairs].join(' ') + (title ? ` · ${title}` : '');
}

export function historyEntryFor(journal: Journal, options: { projectDir: string; reportDir?: string; identity?: RunIdentity }): HistoryEntry {
  const a = analysisOf(journal);
  const id = options.identity ?? {};
  const template = catalogName(journal.experimentFile);
  const key = id.key ?? (id.parameters && template ? catalogKey(template, id.parameters, journal.title) : experimentKey(journal.experimentFile, options.projectDir, journal.title));
  const entry: HistoryEntry = {
    v: HISTORY_VERSION,
    runId: journal.runId,
    key,
    title: journal.title,
    experimentFile: journal.experimentFile,
    startedAt: journal.startedAt,
    endedAt: journal.endedAt,
    durationMs: journal.durationMs,
    status: journal.status,
    exitCode: journal.exitCode,
    reasons: journal.reasons,
    probeIntervalMs: journal.probeIntervalMs,
    score: a.score.total,
    maturity: a.maturity.level,
    timeToRecoverMs: a.timeToRecoverMs,
    allRecovered: a.allRecovered,
    services: journal.recovery.map((r) => ({
      service: r.service,
      impacted: r.impacted,
      timeToImpactMs: r.timeToImpactMs,
      timeToRecoverMs: r.timeToRecoverMs,
      ...(r.met !== undefined ? { met: r.met } : {}),
      ...(r.notMeasured ? { notMeasured: r.notMeasured } : {}),
    })),
    checks: journal.verdicts.map((v) => ({ kind: v.kind, name: v.name, ok: v.ok, observed: v.observed, expected: v.expected })),
  };
  if (options.reportDir) entry.reportDir = options.reportDir;
  if (id.parameters) entry.parameters = id.parameters;
  if (id.target) entry.target = id.target;
  return entry;
}
