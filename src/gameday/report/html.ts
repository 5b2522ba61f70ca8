/**
 * The game day's combined report as ONE self-contained HTML file (gameday.html): inline CSS (the
 * run report's, plus a few rules) and SVG, no script, nothing fetched. Every user-typed string —
 * the title, names, notes, commands' details, errors — is escaped.
 */
import { join } from 'node:path';
import { escapeHtml as esc, ms } from '../../reporters/text.js';
import { cascadeChart } from '../../reporters/html/svg.js';
import { CSS } from '../../reporters/html/style.js';
import { clock, dateTime, duration, linkFrom, sinceStart, spansDays, VERDICT_TEXT, verdictDetail } from './format.js';
import { dayScores, outcomeText, recoveryRows, summaryLine } from './summary.js';
import { dayScoresChart, trendChart } from './trend-chart.js';
import type { GamedayReport, LoadedItem, TimelineEntry } from './types.js';
import { htmlPage } from '../../reporters/html/page.js';

const EXTRA_CSS = `
.badge.skipped, .badge.not-reached, .badge.running, .badge.in-progress { background: var(--muted); }
.badge.failed-to-start, .badge.interrupted, .badge.no-journal { background: var(--warn); }
.badge.completed { background: var(--ok); }
td .badge { font-size: 11px; padding: 1px 8px; white-space: nowrap; }
.detail { color: var(--muted); font-size: 12px; }
tr.note td.text { white-space: pre-wrap; }
tr.event td.what, tr.experiment td.what { color: var(--muted); }
.trend { background: var(--card); border: 1px solid var(--line); border-radius: 6px; vertical-align: middle; }
.trend polyline { stroke: var(--mark); stroke-width: 1.6; }
.trend .grid { stroke: var(--grid); stroke-width: 1; }
.trend .pt { fill: var(--mark); } .trend .pt.current { stroke: var(--fg); stroke-width: 1.2; }
.trend .pt.deviated, .trend .pt.aborted, .trend .pt.revert-failed { fill: var(--fail); }
`;

/** `outDir`: where gameday.html is written (links to the runs' reports are relative to it). */
export function renderGamedayHtml(report: GamedayReport, outDir: string): string {
  const { record } = report;
  const body = [
    header(report),
    section('experiments', 'Experiments', experiments(report.items, outDir)),
    section('recovery', 'Recovery', recovery(report.items)),
    section('cascades', 'Cascades', cascades(report.items)),
    section('timeline', 'Timeline', timeline(report)),
    section('score-trend', 'Score trend', scoreTrend(report)),
    `<footer>faultline game day · ${esc(record.planFile)} · state dir ${esc(record.stateDir)}. Each run's figures come from its journal's analysis; the trend from the history (docs/gameday.md).</footer>`,
  ].join('\n');
  return htmlPage(`Game day ${outcomeText(record.outcome)} · ${record.title} · faultline`, CSS + EXTRA_CSS, body);
}

function section(id: string, title: string, html: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${html}\n</section>`;
}

function header(report: GamedayReport): string {
  const { record } = report;
  const outcome = record.outcome === 'running' ? 'in-progress' : record.outcome;
  const span = record.endedAt ? `${dateTime(record.startedAt)} → ${dateTime(record.endedAt)} (${duration(Date.parse(record.endedAt) - Date.parse(record.startedAt))})` : `started ${dateTime(record.startedAt)}, not ended`;
  const who = record.facilitator ? `facilitator <strong id="facilitator">${esc(record.facilitator)}</strong> · ` : '';
  return `<header><h1><span class="badge ${outcome}" id="outcome">${outcomeText(record.outcome)}</span> <span id="title">${esc(record.title)}</span></h1><div class="run">${who}<span id="span">${esc(span)}</span> · plan ${esc(record.planFile)}</div><p id="summary">${esc(summaryLine(report.items))}</p></header>`;
}

function experiments(items: readonly LoadedItem[], outDir: string): string {
  if (items.length === 0) return '<p class="muted">The plan has no experiments.</p>';
  const rows = items
    .map((l) => {
      const detail = verdictDetail(l);
      const score = l.analysis ? (l.analysis.score.total === null ? 'n/a' : `${l.analysis.score.total}/100`) : '—';
      const link = !l.reportDir ? '—' : `<a href="${esc(linkFrom(outDir, l.reports.html ? join(l.reportDir, 'report.html') : l.reportDir))}">${l.reports.html ? 'report' : 'report dir'}</a>`;
      const run = l.item.runId ? `<div class="detail">run ${esc(l.item.runId)}</div>` : '';
      const brief = l.item.brief ? `<div class="detail">${esc(l.item.brief)}</div>` : '';
      return `<tr class="item" data-n="${l.n}" data-verdict="${l.verdict}"><td class="num">${l.n}</td><td>${esc(l.item.name)}<div class="detail"><code>${esc(l.item.file)}</code></div>${brief}</td><td><span class="badge ${l.verdict}">${VERDICT_TEXT[l.verdict]}</span>${detail ? `<div class="detail verdict-detail">${esc(detail)}</div>` : ''}</td><td class="num score">${score}</td><td class="num">${duration(l.durationMs)}</td><td>${link}${run}</td></tr>`;
    })
    .join('');
  return `<table id="experiments-table"><thead><tr><th>#</th><th>experiment</th><th>verdict</th><th>score</th><th>duration</th><th>report</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function recovery(items: readonly LoadedItem[]): string {
  const rows = recoveryRows(items);
  if (rows.length === 0) return '<p class="muted">No run measured recovery (no run reached its end with health checks).</p>';
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  const body = rows
    .map(({ l, s }) => {
      const recovered = !s.impacted ? 'not impacted' : ms(s.timeToRecoverMs, s.notMeasured ? 'not measured (aborted)' : 'did not recover');
      const expectation = s.expectedWithinMs === undefined ? '—' : `<span class="${s.met ? 'pass' : 'fail-text'}">${s.met ? 'met' : 'missed'}</span> (within ${ms(s.expectedWithinMs)})`;
      const data = `data-n="${l.n}" data-service="${esc(s.service)}" data-tti-ms="${num(s.timeToImpactMs)}" data-ttr-ms="${num(s.timeToRecoverMs)}" data-met="${s.met === undefined ? '' : String(s.met)}"`;
      return `<tr class="recovery" ${data}><td>${l.n}. ${esc(l.item.name)}</td><td>${esc(s.service)}${s.critical ? ' <span class="warn">critical</span>' : ''}</td><td class="num">${ms(s.timeToImpactMs)}</td><td class="num${s.impacted && s.timeToRecoverMs === null && !s.notMeasured ? ' fail-text' : ''}">${recovered}</td><td class="num">${ms(s.outageMs)}</td><td>${expectation}</td></tr>`;
    })
    .join('');
  return `<table id="recovery-table"><thead><tr><th>experiment</th><th>service</th><th>impact after</th><th>recovered after</th><th>outage</th><th>expectation</th></tr></thead><tbody>${body}</tbody></table>`;
}

function cascades(items: readonly LoadedItem[]): string {
  const parts = items.flatMap((l) =>
    (l.analysis?.cascades ?? []).map((c, i) => {
      const flags = [
        c.unexplained.length ? `<p class="warn">Not explained by dependsOn: ${esc(c.unexplained.join(', '))}</p>` : '',
        c.contained.length ? `<p class="muted">Contained: ${esc(c.contained.join(', '))}</p>` : '',
      ].join('');
      const chart = c.steps.length ? cascadeChart({ id: `chart-cascade-${l.n}-${i + 1}`, title: `Cascade after ${c.faults.join(' + ')} (${l.item.name})`, steps: c.steps.map((s) => ({ name: s.service, offsetMs: s.offsetMs, state: s.state, root: s.root, explained: s.explained })) }) : '';
      return `<div class="cascade" data-n="${l.n}"><h3>${l.n}. ${esc(l.item.name)}: ${esc(c.faults.join(' + '))}</h3><div class="cascade-summary">${esc(c.summary)}</div>${chart}${flags}</div>`;
    }),
  );
  return parts.length ? parts.join('\n') : '<p class="muted">No fault was applied in any run.</p>';
}

function timeline(report: GamedayReport): string {
  if (report.timeline.length === 0) return '<p class="muted">Nothing was recorded.</p>';
  const withDate = spansDays(report.record.startedAt, report.record.endedAt, report.timeline.map((e) => e.at));
  const rows = report.timeline.map((e) => `<tr class="${e.kind}" data-what="${esc(e.what)}"><td class="num"><time datetime="${esc(e.at)}">${esc(clock(e.at, withDate))}</time></td><td class="num">${sinceStart(e.sinceStartMs)}</td><td class="what">${what(e)}</td><td class="during">${e.during ? esc(e.during) : ''}</td><td class="text">${esc(e.text)}</td></tr>`).join('');
  return `<table id="timeline-table"><thead><tr><th>time (UTC)</th><th>since start</th><th>what</th><th>during</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function what(e: TimelineEntry): string {
  if (e.kind === 'note') return `<strong>note</strong>${e.by ? ` by ${esc(e.by)}` : ''}`;
  if (e.kind === 'experiment') return esc(e.what);
  return `${esc(e.what)}${e.from ? ` <span class="detail">(${esc(e.from)})</span>` : ''}`;
}

function scoreTrend(report: GamedayReport): string {
  const warn = report.historyError ? `<p class="warn">${esc(report.historyError)}; each run shows its own score only.</p>` : '';
  const scores = dayScores(report.items);
  const day = scores.length
    ? `<h3>The day's scores, in order</h3>${dayScoresChart('chart-day-scores', 'Resilience score of each run (0–100), in the order of the day', scores.map((s) => ({ label: `${s.n}. ${s.name}`, score: s.score, held: s.held })))}`
    : '';
  const trended = report.items.filter((l) => l.trend);
  if (trended.length === 0) return `${warn}<p class="muted">No run of the day has a journal to score.</p>`;
  const rows = trended
    .map((l) => {
      const t = l.trend!;
      const previous = t.previous ? `${t.previous.score ?? 'n/a'} <span class="detail">(${esc(t.previous.runId)})</span>` : '<span class="muted">first run</span>';
      const delta = t.previous?.score != null && t.current !== null ? ` <span class="detail">(${t.current - t.previous.score >= 0 ? '+' : ''}${t.current - t.previous.score})</span>` : '';
      return `<tr class="trend-row" data-n="${l.n}" data-values="${esc(t.values.map((v) => v ?? 'null').join(','))}"><td>${l.n}. ${esc(l.item.name)}<div class="detail">${esc(t.key)}</div></td><td>${trendChart(`trend-${l.n}`, `Score of ${l.item.name} over its last ${t.points.length} runs`, t.points)}</td><td class="num"><strong>${t.current ?? 'n/a'}</strong>${delta}</td><td class="num">${previous}</td><td class="num">${t.earlierMean === null ? '—' : t.earlierMean.toFixed(1)}</td><td class="num">${t.points.length}</td></tr>`;
    })
    .join('');
  return `${warn}${day}<h3>Each experiment against its earlier runs</h3><table id="trend-table"><thead><tr><th>experiment</th><th>score over its runs (oldest left)</th><th>this run</th><th>previous run</th><th>mean of earlier runs</th><th>runs</th></tr></thead><tbody>${rows}</tbody></table>`;
}
