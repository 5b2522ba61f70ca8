/**
 * The game day's combined report in Markdown (gameday.md): fits a GitHub job summary or a wiki
 * page. Every planned experiment's verdict, recovery per service, cascades, the timeline of notes
 * and commands, and the score trend. User text (title, names, notes, errors) goes through mdCell.
 */
import { join } from 'node:path';
import { sparkline } from '../../history/trends.js';
import { mdCell, ms } from '../../reporters/text.js';
import { clock, dateTime, duration, linkFrom, sinceStart, spansDays, VERDICT_TEXT, verdictDetail } from './format.js';
import { outcomeText, recoveryRows, summaryLine, dayScores } from './summary.js';
import type { GamedayReport, ItemVerdict, LoadedItem, TimelineEntry } from './types.js';

const ICON: Record<ItemVerdict, string> = {
  held: '✅',
  deviated: '❌',
  aborted: '⛔',
  'revert-failed': '🚨',
  skipped: '⏭️',
  'not-reached': '⏸️',
  'failed-to-start': '⚠️',
  running: '⏳',
  interrupted: '💥',
  'no-journal': '❓',
};

const EVENT_ICON: Record<string, string> = { start: '▶️', next: '⏩', skip: '⏭️', pause: '⏸️', resume: '▶️', abort: '⛔', end: '🏁', 'announce-failed': '📣' };

/** `outDir`: where gameday.md is written (links to the runs' reports are relative to it). */
export function renderGamedayMarkdown(report: GamedayReport, outDir: string): string {
  const { record } = report;
  const out: string[] = [];
  out.push(`# Game day: ${mdCell(record.title)} — ${outcomeText(record.outcome)}`, '');
  const who = record.facilitator ? `facilitator **${mdCell(record.facilitator)}** · ` : '';
  const span = record.endedAt ? `${dateTime(record.startedAt)} → ${dateTime(record.endedAt)} (${duration(Date.parse(record.endedAt) - Date.parse(record.startedAt))})` : `started ${dateTime(record.startedAt)}, not ended`;
  out.push(`<sub>${who}${span} · plan ${mdCell(record.planFile)}</sub>`, '');
  out.push(mdCell(summaryLine(report.items)), '');

  out.push('## Experiments', '', '| # | experiment | verdict | score | duration | report |', '|---|---|---|---|---|---|');
  for (const l of report.items) out.push(experimentRow(l, outDir));
  out.push('');

  const rows = recoveryRows(report.items);
  out.push('## Recovery', '');
  if (rows.length === 0) out.push('_No run measured recovery (no run reached its end with health checks)._', '');
  else {
    out.push('| experiment | service | impact after | recovered after | outage | expectation |', '|---|---|---|---|---|---|');
    for (const { l, s } of rows) {
      const recovered = !s.impacted ? 'not impacted' : s.timeToRecoverMs === null ? (s.notMeasured ? 'not measured (aborted)' : '**did not recover**') : ms(s.timeToRecoverMs);
      const expectation = s.expectedWithinMs === undefined ? '—' : `${s.met ? '✅ met' : '❌ missed'} (within ${ms(s.expectedWithinMs)})`;
      out.push(`| ${l.n}. ${mdCell(l.item.name)} | ${mdCell(s.service)}${s.critical ? ' (critical)' : ''} | ${ms(s.timeToImpactMs)} | ${recovered} | ${ms(s.outageMs)} | ${expectation} |`);
    }
    out.push('');
  }

  out.push('## Cascades', '');
  const cascades = report.items.flatMap((l) => (l.analysis?.cascades ?? []).map((c) => ({ l, c })));
  if (cascades.length === 0) out.push('_No fault was applied in any run._', '');
  else {
    for (const { l, c } of cascades) {
      const flags = `${c.unexplained.length ? ` ⚠️ not explained by dependsOn: ${mdCell(c.unexplained.join(', '))}` : ''}${c.contained.length ? ` · contained: ${mdCell(c.contained.join(', '))}` : ''}`;
      out.push(`- **${l.n}. ${mdCell(l.item.name)}**: \`${c.summary.replace(/`/g, "'")}\`${flags}`);
    }
    out.push('');
  }

  out.push('## Timeline', '');
  if (report.timeline.length === 0) out.push('_Nothing was recorded._', '');
  else {
    const withDate = spansDays(record.startedAt, record.endedAt, report.timeline.map((e) => e.at));
    out.push('| time (UTC) | since start | what | during | |', '|---|---|---|---|---|');
    for (const e of report.timeline) out.push(`| ${clock(e.at, withDate)} | ${sinceStart(e.sinceStartMs)} | ${timelineWhat(e)} | ${e.during ? mdCell(e.during) : ''} | ${mdCell(e.text)} |`);
    out.push('');
  }

  out.push('## Score trend', '');
  if (report.historyError) out.push(`_${mdCell(report.historyError)}; each run shows its own score only._`, '');
  const scores = dayScores(report.items);
  if (scores.length) out.push(`The day's scores, in order: \`${sparkline(scores.map((s) => s.score))}\` ${scores.map((s) => `${s.n}. ${mdCell(s.name)} **${s.score ?? 'n/a'}**`).join(' → ')}`, '');
  const trended = report.items.filter((l) => l.trend);
  if (trended.length === 0) out.push('_No run of the day has a journal to score._', '');
  else {
    out.push('| experiment | runs (oldest first) | this run | previous run | mean of earlier runs |', '|---|---|---|---|---|');
    for (const l of trended) {
      const t = l.trend!;
      const previous = t.previous ? `${t.previous.score ?? 'n/a'} (${mdCell(t.previous.runId)})` : 'first run';
      const delta = t.previous?.score != null && t.current !== null ? ` (${signed(t.current - t.previous.score)})` : '';
      out.push(`| ${l.n}. ${mdCell(l.item.name)} | \`${sparkline(t.values)}\` ${t.values.map((v) => v ?? 'n/a').join(', ')} | **${t.current ?? 'n/a'}**${delta} | ${previous} | ${t.earlierMean === null ? '—' : t.earlierMean.toFixed(1)} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function experimentRow(l: LoadedItem, outDir: string): string {
  const detail = verdictDetail(l);
  const verdict = `${ICON[l.verdict]} ${VERDICT_TEXT[l.verdict]}${detail ? `: ${mdCell(detail)}` : ''}`;
  const score = l.analysis ? (l.analysis.score.total === null ? 'n/a' : `${l.analysis.score.total}/100`) : '—';
  const link = !l.reportDir ? '—' : l.reports.md ? `[report](${linkFrom(outDir, join(l.reportDir, 'report.md'))})` : `[dir](${linkFrom(outDir, l.reportDir)})`;
  const run = l.item.runId ? ` <sub>run ${mdCell(l.item.runId)}</sub>` : '';
  return `| ${l.n} | ${mdCell(l.item.name)}<br><sub>${mdCell(l.item.file)}</sub> | ${verdict} | ${score} | ${duration(l.durationMs)} | ${link}${run} |`;
}

function timelineWhat(e: TimelineEntry): string {
  if (e.kind === 'note') return `📝 note${e.by ? ` by ${mdCell(e.by)}` : ''}`;
  if (e.kind === 'experiment') return e.what === 'started' ? '🧪 started' : '🧪 ended';
  return `${EVENT_ICON[e.what] ?? '•'} ${mdCell(e.what)}${e.from ? ` (${mdCell(e.from)})` : ''}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : '±0';
}
