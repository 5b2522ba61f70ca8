/**
 * What a demo found, from the journals of its runs: the verdict per experiment (expected vs got),
 * time to recover per service, the cascades, and where the reports are. `demoSummary()` builds the
 * record (written as summary.json); the renderers print it for the console and as summary.md.
 * Nothing here computes a verdict: every figure comes from a journal and its analysis.
 */
import { analysisOf } from '../../analysis/analyze-journal.js';
import type { Journal, RunStatus } from '../../journal/types.js';
import { checkLabel, mdCell, STATUS_TEXT } from '../../reporters/text.js';
import type { ShopMode } from '../shop/topology.js';
import type { SuiteEntry, Verdict } from '../experiments/suite.js';
import { clock, paintFor, secs, type Output } from './paint.js';

export type DemoSet = 'quick' | 'default' | 'all';

export interface DemoServiceRecovery {
  service: string;
  targeted: boolean;
  impacted: boolean;
  /** null: did not recover (or was not impacted). */
  timeToRecoverMs: number | null;
  met?: boolean;
  restarts: number;
}

export interface DemoCascade {
  faults: string[];
  /** e.g. `kill store: store down at +0.21 s -> cart 5xx at +0.43 s`. */
  summary: string;
  /** It reached a service that no fault of the experiment targeted. */
  spread: boolean;
  steps: { service: string; offsetMs: number; state: string; root: boolean }[];
  unexplained: string[];
}

export interface DemoExperiment {
  name: string;
  shows: string;
  expected: Verdict;
  /** `not run`: the demo was stopped before it. */
  status: RunStatus | 'not run';
  asExpected: boolean;
  exitCode: number | null;
  durationMs: number | null;
  /** Relative to the report dir. */
  reportDir: string;
  reports: { journal?: string; html?: string; markdown?: string; junit?: string };
  score: number | null;
  recovery: DemoServiceRecovery[];
  cascades: DemoCascade[];
  failedChecks: string[];
  reasons: string[];
}

export interface DemoServiceFigures {
  service: string;
  /** Experiments in which it was impacted (failed a health probe). */
  impactedIn: string[];
  /** Experiments in which it did not recover. */
  notRecoveredIn: string[];
  /** Longest time to recover over the experiments it recovered in. */
  worstTimeToRecoverMs: number | null;
  restarts: number;
}

export interface DemoSummary {
  version: 1;
  mode: ShopMode;
  set: DemoSet;
  startedAt: string;
  durationMs: number;
  basePort: number;
  reportDir: string;
  experiments: DemoExperiment[];
  /** Experiments this faultline cannot run (a driver it does not have). */
  skipped: { name: string; missing: string[] }[];
  services: DemoServiceFigures[];
  /** Worst of the runs: 0 all held, 1 one deviated, 3 aborted (or stopped), 4 a revert failed. */
  exitCode: number;
  /** Every experiment ran and got the verdict the suite expects of this build. */
  asExpected: boolean;
  /** Why the demo stopped early (Ctrl-C, SIGTERM). */
  stopped?: string;
}

export interface DemoRun {
  entry: SuiteEntry;
  /** Relative to the report dir. */
  reportDir: string;
  journal?: Journal;
  reports: DemoExperiment['reports'];
}

export function demoSummary(o: { mode: ShopMode; set: DemoSet; startedAt: Date; durationMs: number; basePort: number; reportDir: string; runs: DemoRun[]; skipped: DemoSummary['skipped']; stopped?: string }): DemoSummary {
  const experiments = o.runs.map((r) => experimentFigures(r, o.mode));
  const worst = Math.max(0, ...experiments.map((e) => e.exitCode ?? 0));
  const exitCode = o.stopped ? Math.max(3, worst) : worst;
  return {
    version: 1,
    mode: o.mode,
    set: o.set,
    startedAt: o.startedAt.toISOString(),
    durationMs: Math.round(o.durationMs),
    basePort: o.basePort,
    reportDir: o.reportDir,
    experiments,
    skipped: o.skipped,
    services: serviceFigures(experiments),
    exitCode,
    asExpected: !o.stopped && experiments.every((e) => e.asExpected),
    ...(o.stopped ? { stopped: o.stopped } : {}),
  };
}

function experimentFigures(r: DemoRun, mode: ShopMode): DemoExperiment {
  const expected = r.entry.expected[mode];
  const base = { name: r.entry.name, shows: r.entry.shows, expected, reportDir: r.reportDir, reports: r.reports };
  const j = r.journal;
  if (!j) return { ...base, status: 'not run', asExpected: false, exitCode: null, durationMs: null, score: null, recovery: [], cascades: [], failedChecks: [], reasons: [] };
  const a = analysisOf(j);
  const targeted = new Set(j.faults.map((f) => f.service));
  // A cascade is news when it reached a service no fault targeted.
  const spread = (steps: { service: string }[]) => steps.some((s) => !targeted.has(s.service));
  return {
    ...base,
    status: j.status,
    asExpected: j.status === expected,
    exitCode: j.exitCode,
    durationMs: j.durationMs,
    score: a.score.total,
    recovery: j.recovery
      .filter((x) => x.impacted || targeted.has(x.service))
      .map((x) => ({ service: x.service, targeted: targeted.has(x.service), impacted: x.impacted, timeToRecoverMs: x.timeToRecoverMs, ...(x.met !== undefined ? { met: x.met } : {}), restarts: x.restarts })),
    cascades: a.cascades
      .filter((c) => c.steps.length > 0)
      .map((c) => ({ faults: c.faults, summary: c.summary, spread: spread(c.steps), steps: c.steps.map((s) => ({ service: s.service, offsetMs: s.offsetMs, state: s.state, root: s.root })), unexplained: c.unexplained })),
    failedChecks: j.verdicts.filter((v) => !v.ok).map((v) => `${checkLabel(v)}: observed ${v.observed}`),
    reasons: j.reasons,
  };
}

function serviceFigures(experiments: DemoExperiment[]): DemoServiceFigures[] {
  const by = new Map<string, DemoServiceFigures>();
  for (const e of experiments) {
    for (const r of e.recovery) {
      const s = by.get(r.service) ?? { service: r.service, impactedIn: [], notRecoveredIn: [], worstTimeToRecoverMs: null, restarts: 0 };
      by.set(r.service, s);
      s.restarts += r.restarts;
      if (!r.impacted) continue;
      s.impactedIn.push(e.name);
      if (r.timeToRecoverMs === null) s.notRecoveredIn.push(e.name);
      else s.worstTimeToRecoverMs = Math.max(s.worstTimeToRecoverMs ?? 0, r.timeToRecoverMs);
    }
  }
  return [...by.values()].filter((s) => s.impactedIn.length > 0 || s.restarts > 0);
}

/** One cell: the impacted services and their time to recover (`catalog 0.73s, 1 restart`). */
export function recoveryCell(e: DemoExperiment): string {
  const hit = e.recovery.filter((r) => r.impacted);
  if (e.status === 'not run') return '';
  if (hit.length === 0) return e.status === 'aborted' ? '' : 'no service impacted';
  return hit.map((r) => `${r.service} ${r.timeToRecoverMs === null ? 'did not recover' : secs(r.timeToRecoverMs)}${r.restarts ? ` (${r.restarts} restart${r.restarts > 1 ? 's' : ''})` : ''}`).join(', ');
}

function serviceLine(s: DemoServiceFigures): string {
  const n = s.impactedIn.length;
  const parts = [n === 0 ? 'never impacted' : `impacted in ${n} experiment${n === 1 ? '' : 's'}`];
  const recovered = n - s.notRecoveredIn.length;
  if (s.worstTimeToRecoverMs !== null) parts.push(`${s.notRecoveredIn.length ? `recovered in ${recovered}, ` : ''}worst time to recover ${secs(s.worstTimeToRecoverMs)}`);
  if (s.notRecoveredIn.length) parts.push(`did not recover in ${s.notRecoveredIn.join(', ')}`);
  if (s.restarts) parts.push(`${s.restarts} restart${s.restarts > 1 ? 's' : ''}`);
  return parts.join(' · ');
}

/** The closing line: what the demo shows, and the exit code. */
export function conclusion(s: DemoSummary): string {
  const ran = s.experiments.filter((e) => e.status !== 'not run');
  const deviated = ran.filter((e) => e.status === 'deviated').length;
  const build = s.mode === 'resilient' ? 'Resilient build' : 'Fragile build';
  if (s.stopped) return `Stopped (${s.stopped}) after ${ran.length} of ${s.experiments.length} experiments; everything was reverted and the shop stopped (exit ${s.exitCode}).`;
  const unexpected = ran.filter((e) => !e.asExpected).map((e) => `${e.name} ${STATUS_TEXT[e.status as RunStatus].toLowerCase()}, expected ${e.expected}`);
  const tail = unexpected.length ? ` Not as expected: ${unexpected.join('; ')}.` : '';
  if (s.exitCode === 0) return `${build}: every hypothesis held (exit 0).${tail}`;
  if (s.exitCode === 1) {
    const what = s.mode === 'fragile' ? ' — the cascades above show how failures spread when nothing protects the calls' : '';
    return `${build}: ${deviated} of ${ran.length} experiments deviated${unexpected.length ? '' : ', as expected'}${what} (exit 1).${tail}`;
  }
  return `${build}: a run ${s.exitCode === 4 ? 'could not revert a fault — run `faultline recover`' : 'was aborted'} (exit ${s.exitCode}).${tail}`;
}

export function printSummary(s: DemoSummary, out: Output, relReportDir: string, color?: boolean): void {
  const p = paintFor(out, color);
  const w = (line = '') => out.write(`${line}\n`);
  const nameWidth = Math.max(10, ...s.experiments.map((e) => e.name.length));
  w();
  w(p.bold(`Summary · ${s.mode} build · ${s.experiments.length} experiment${s.experiments.length === 1 ? '' : 's'} in ${clock(s.durationMs)}`));
  w(p.dim(`    ${'experiment'.padEnd(nameWidth)}  expected  got        time    time to recover (impacted services)`));
  for (const e of s.experiments) {
    const mark = e.status === 'not run' ? p.dim('·') : e.asExpected ? p.green('✓') : p.yellow('!');
    const got = e.status === 'not run' ? 'not run' : STATUS_TEXT[e.status].toLowerCase();
    const gotCell = e.status === 'held' ? p.green(got.padEnd(9)) : e.status === 'not run' ? p.dim(got.padEnd(9)) : p.red(got.padEnd(9));
    w(`  ${mark} ${e.name.padEnd(nameWidth)}  ${e.expected.padEnd(8)}  ${gotCell}  ${(e.durationMs === null ? '' : secs(e.durationMs)).padStart(6)}  ${recoveryCell(e)}`);
  }
  for (const k of s.skipped) w(p.dim(`  - ${k.name.padEnd(nameWidth)}  skipped: needs ${k.missing.join(', ')}`));
  if (s.services.length) {
    w();
    w(p.bold('Recovery per service'));
    for (const svc of s.services) w(`    ${svc.service.padEnd(10)} ${serviceLine(svc)}`);
  }
  const spread = s.experiments.flatMap((e) => e.cascades.filter((c) => c.spread || c.unexplained.length).map((c) => ({ e, c })));
  w();
  w(p.bold('What cascaded where'));
  if (spread.length === 0) w(p.dim('    nothing: every failure stayed with the service the fault hit'));
  for (const { e, c } of spread) w(`    ${p.bold(e.name)}: ${c.unexplained.length ? p.yellow(c.summary) : c.summary}`);
  w();
  w(p.bold('Reports'));
  w(`    ${relReportDir}/summary.md (index) · ${relReportDir}/summary.json`);
  for (const e of s.experiments.filter((x) => x.reports.journal)) {
    const files = [e.reports.journal, e.reports.html, e.reports.markdown, e.reports.junit].filter((f): f is string => f !== undefined).map((f) => f.split('/').pop());
    w(p.dim(`    ${relReportDir}/${e.reportDir}/ {${files.join(', ')}}`));
  }
  w();
  const line = conclusion(s);
  w(p.bold(s.exitCode === 0 ? p.green(line) : s.mode === 'fragile' && s.exitCode === 1 && s.asExpected ? p.yellow(line) : p.red(line)));
}

/** summary.md: the index of the report dir. */
export function summaryMarkdown(s: DemoSummary): string {
  const out: string[] = [];
  out.push(`# faultline demo: ${s.mode} build`, '');
  out.push(`${s.experiments.length} experiments (${s.set} set) against the demo shop, ${s.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, in ${clock(s.durationMs)}.`, '');
  out.push(`**${mdCell(conclusion(s))}**`, '');
  out.push('| experiment | expected | got | time | time to recover (impacted services) | score | reports |', '|---|---|---|---|---|---|---|');
  for (const e of s.experiments) {
    const got = e.status === 'not run' ? 'not run' : `${STATUS_TEXT[e.status].toLowerCase()}${e.asExpected ? '' : ' ⚠'}`;
    const links = [
      e.reports.html && `[html](${e.reports.html})`,
      e.reports.markdown && `[md](${e.reports.markdown})`,
      e.reports.journal && `[journal](${e.reports.journal})`,
      e.reports.junit && `[junit](${e.reports.junit})`,
    ].filter(Boolean);
    out.push(`| ${mdCell(e.name)} | ${e.expected} | ${got} | ${e.durationMs === null ? '' : secs(e.durationMs)} | ${mdCell(recoveryCell(e))} | ${e.score ?? ''} | ${links.join(' · ')} |`);
  }
  for (const k of s.skipped) out.push(`| ${mdCell(k.name)} | | skipped: needs ${k.missing.join(', ')} | | | | |`);
  if (s.services.length) {
    out.push('', '## Recovery per service', '', '| service | |', '|---|---|');
    for (const svc of s.services) out.push(`| ${svc.service} | ${mdCell(serviceLine(svc))} |`);
  }
  out.push('', '## What cascaded where', '');
  const spread = s.experiments.flatMap((e) => e.cascades.filter((c) => c.spread || c.unexplained.length).map((c) => ({ e, c })));
  if (spread.length === 0) out.push('Nothing: every failure stayed with the service the fault hit.');
  for (const { e, c } of spread) out.push(`- **${mdCell(e.name)}**: ${mdCell(c.summary)}`);
  const failed = s.experiments.filter((e) => e.failedChecks.length);
  if (failed.length) {
    out.push('', '## Failed checks', '');
    for (const e of failed) {
      out.push(`### ${mdCell(e.name)}`, '');
      for (const c of e.failedChecks) out.push(`- ${mdCell(c)}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
