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
  services: { service: string; impacted: boolean; timeToImpactMs: number | null; timeToRecoverMs: number | null; met?: boolean }[];
  checks: { kind: CheckResult['kind']; name: string; ok: boolean; observed: string; expected: string }[];
  reportDir?: string;
}

/** The experiment's identity across runs and clones: its path relative to the project directory. */
export function experimentKey(experimentFile: string, projectDir: string, title?: string): string {
  // Not a file: a quick command ("faultline kill api": the target is in the name) or a catalog
  // template, whose title names what it was aimed at ("catalog:service-kill · Killing api: …").
  if (experimentFile.startsWith('faultline ')) return experimentFile;
  if (experimentFile.startsWith('catalog:')) return title ? `${experimentFile} · ${title}` : experimentFile;
  const rel = relative(projectDir, experimentFile);
  return (rel === '' ? experimentFile : rel).split(sep).join('/');
}

export function historyEntryFor(journal: Journal, options: { projectDir: string; reportDir?: string }): HistoryEntry {
  const a = analysisOf(journal);
  const entry: HistoryEntry = {
    v: HISTORY_VERSION,
    runId: journal.runId,
    key: experimentKey(journal.experimentFile, options.projectDir, journal.title),
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
    })),
    checks: journal.verdicts.map((v) => ({ kind: v.kind, name: v.name, ok: v.ok, observed: v.observed, expected: v.expected })),
  };
  if (options.reportDir) entry.reportDir = options.reportDir;
  return entry;
}
