/**
 * The HTML report: ONE self-contained file (inline CSS and SVG, no script, nothing fetched):
 * throughput, error rate, latency percentiles and per-service health over time with fault windows
 * shaded; the verdict table; the cascade timeline; recovery times; the score and how it was computed.
 */
import { analysisOf } from '../../analysis/analyze-journal.js';
import type { Analysis, Journal, Sample, SubScore } from '../../journal/types.js';
import { describeUnanswered } from '../../load/unanswered.js';
import { formatDuration } from '../../util/duration.js';
import { at, checkLabel, escapeHtml as esc, ms, pct, runLine, STATUS_TEXT } from '../text.js';
import { barChart, cascadeChart, laneChart, lineChart, type Band, type Lane, type LineSeries } from './svg.js';
import { CSS } from './style.js';
import { htmlPage } from './page.js';

const COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#57606a'];

export function renderHtml(j: Journal): string {
  const a = analysisOf(j);
  const domain = timeDomain(j);
  const faultBands: Band[] = j.faults
    .filter((f) => f.status !== 'inject-failed')
    .map((f) => ({ start: f.injectedT, end: f.revertedT ?? domain[1], label: `${f.kind} ${f.target}` }));
  const body = [
    header(j),
    cards(j, a),
    section('Over time', overTime(j, domain, faultBands)),
    section('Verdicts', verdicts(j)),
    section('Cascade', cascades(j, a)),
    section('Recovery', recovery(a)),
    section('Resilience score', score(a)),
    j.load ? section('Load', loadTable(j)) : '',
    section('Faults', faultsTable(j)),
    events(j),
    `<footer>faultline journal v${j.version} · ${esc(j.experimentFile)} · system ${esc(j.systemFile)} · seed ${j.seed} · probes every ${formatDuration(j.probeIntervalMs)}. Every figure is derived from journal.json; see docs/reports.md.</footer>`,
  ].join('\n');
  return htmlPage(`${STATUS_TEXT[j.status]} · ${j.title} · faultline`, CSS, body);
}

function section(title: string, html: string): string {
  const id = title.toLowerCase().replace(/[^a-z]+/g, '-');
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${html}\n</section>`;
}

function header(j: Journal): string {
  const reasons = j.reasons.length ? `<ul class="reasons">${j.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  return `<header><h1><span class="badge ${j.status}" id="status">${STATUS_TEXT[j.status]}</span> ${esc(j.title)}</h1><div class="run">${esc(runLine(j))} · exit ${j.exitCode}</div>${reasons}</header>`;
}

function cards(j: Journal, a: Analysis): string {
  const passed = j.verdicts.filter((v) => v.ok).length;
  const card = (label: string, value: string, note: string, id = '') => `<div class="card"${id ? ` id="${id}"` : ''}><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`;
  const ttr = a.timeToRecoverMs !== null ? formatDuration(a.timeToRecoverMs) : a.services.some((s) => s.impacted) ? 'not recovered' : 'no impact';
  return `<div class="cards">${[
    card('Resilience score', a.score.total === null ? 'n/a' : `${a.score.total}/100`, 'recovery · isolation · degradation · safety', 'score'),
    card('Maturity', `${a.maturity.level} / 5`, a.maturity.name, 'maturity'),
    card('Checks', `${passed} / ${j.verdicts.length}`, j.verdicts.length - passed ? `${j.verdicts.length - passed} failed` : 'all passed'),
    card('Time to recover', ttr, 'longest over impacted services'),
    card('Error budget', a.errorBudget ? `${a.errorBudget.burnRate.toFixed(1)}×` : 'n/a', a.errorBudget ? `burn rate; ${a.errorBudget.usedPercent.toFixed(3)}% of 30 days` : 'nothing measured'),
  ].join('')}</div>`;
}

function overTime(j: Journal, domain: [number, number], faultBands: Band[]): string {
  const parts: string[] = [];
  const buckets = j.load?.buckets ?? [];
  if (buckets.length > 0) {
    const mid = (b: (typeof buckets)[number]) => b.t + b.durationMs / 2;
    parts.push(
      '<h3>Throughput</h3>',
      lineChart({ id: 'chart-throughput', title: 'Throughput (requests per second)', unit: (v) => `${round(v)}/s`, domain, bands: faultBands, series: [{ name: 'requests/s', color: COLORS[0]!, points: buckets.map((b) => ({ t: mid(b), v: b.durationMs > 0 ? b.requests / (b.durationMs / 1000) : 0 })) }] }),
      '<h3>Error rate</h3>',
      lineChart({ id: 'chart-errors', title: 'Error rate (%)', unit: (v) => `${round(v)}%`, domain, bands: faultBands, yMax: Math.max(1, ...buckets.map((b) => (b.requests ? (100 * b.errors) / b.requests : 0))), series: [{ name: 'errors %', color: COLORS[5]!, points: buckets.filter((b) => b.requests > 0).map((b) => ({ t: mid(b), v: (100 * b.errors) / b.requests })) }] }),
      '<h3>Latency percentiles</h3>',
      lineChart({
        id: 'chart-latency',
        title: 'Latency percentiles (ms)',
        unit: (v) => `${round(v)}ms`,
        domain,
        bands: faultBands,
        series: (['p50', 'p95', 'p99'] as const).map((p, i) => ({ name: p, color: COLORS[i]!, points: buckets.filter((b) => b.latencyMs).map((b) => ({ t: mid(b), v: b.latencyMs![p] })) })),
      }),
    );
  } else {
    parts.push(
      `<p class="muted">No load ran in this run, so there is no throughput or error-rate series; add <code>load:</code> to the experiment. Below: the latency of every probe.</p>`,
      '<h3>Probe latency</h3>',
      lineChart({ id: 'chart-latency', title: 'Probe latency (ms)', unit: (v) => `${round(v)}ms`, domain, bands: faultBands, series: probeLatency(j.timeSeries) }),
    );
  }
  parts.push(
    '<h3>Health</h3>',
    laneChart({ id: 'chart-health', title: 'Health of every service and probe (green: ok, red: failing); fault windows shaded', lanes: lanes(j.timeSeries, j.probeIntervalMs, domain[1]), domain, bands: faultBands }),
  );
  return parts.join('\n');
}

/** From a little before the first observation (samples, load, faults) to the end of the run. */
function timeDomain(j: Journal): [number, number] {
  const end = Math.max(...j.phases.map((p) => p.endT), ...j.timeSeries.map((s) => s.t), ...(j.load?.buckets.map((b) => b.t + b.durationMs) ?? []), 0);
  const first = Math.min(...j.timeSeries.map((s) => s.t), ...(j.load?.buckets.map((b) => b.t) ?? []), ...j.faults.map((f) => f.injectedT), end);
  const start = Math.max(0, first - (end - first) * 0.02);
  return [start, Math.max(end, start + 1000)];
}

function probeLatency(samples: Sample[]): LineSeries[] {
  const names = [...new Set(samples.map((s) => s.series))].sort();
  return names.map((name, i) => ({ name, color: COLORS[i % COLORS.length]!, points: samples.filter((s) => s.series === name).map((s) => ({ t: s.t, v: s.latencyMs })) }));
}

/** Consecutive samples in the same state become one segment, from its first probe to the next state's first. */
function lanes(samples: Sample[], interval: number, end: number): Lane[] {
  const names = [...new Set(samples.map((s) => s.series))].sort((x, y) => Number(x.startsWith('probe:')) - Number(y.startsWith('probe:')) || x.localeCompare(y));
  return names.map((name) => {
    const list = samples.filter((s) => s.series === name).sort((x, y) => x.t - y.t);
    const segments: Lane['segments'] = [];
    let i = 0;
    while (i < list.length) {
      let k = i;
      while (k + 1 < list.length && list[k + 1]!.ok === list[i]!.ok) k++;
      const start = list[i]!.t;
      const stop = list[k + 1]?.t ?? Math.min(end, list[k]!.t + interval);
      const count = k - i + 1;
      segments.push({ start, end: stop, ok: list[i]!.ok, label: `${name}: ${list[i]!.ok ? 'ok' : 'failing'} ${at(start)} to ${at(stop)} (${count} probe${count > 1 ? 's' : ''}; last: ${list[k]!.observed})` });
      i = k + 1;
    }
    return { name, segments };
  });
}

function verdicts(j: Journal): string {
  if (j.verdicts.length === 0) return '<p class="muted">This run made no checks (no hypothesis probes, recovery expectation or SLOs).</p>';
  const rows = j.verdicts
    .map((v) => `<tr class="verdict ${v.ok ? 'ok' : 'failed'}"><td class="${v.ok ? 'pass' : 'fail-text'}">${v.ok ? 'PASS' : 'FAIL'}</td><td>${esc(checkLabel(v))}</td><td>${esc(v.observed)}</td><td>${esc(v.expected)}</td><td class="num">${at(v.t)}</td></tr>`)
    .join('');
  return `<table id="verdicts-table"><thead><tr><th>result</th><th>check</th><th>observed</th><th>expected</th><th>decided</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function cascades(j: Journal, a: Analysis): string {
  if (a.cascades.length === 0) return '<p class="muted">No fault was applied.</p>';
  const note = j.system ? '' : '<p class="muted">The journal has no dependsOn graph, so propagation was not compared with it.</p>';
  return (
    note +
    a.cascades
      .map((c, i) => {
        const flags = [
          c.unexplained.length ? `<p class="warn">Not explained by dependsOn: ${esc(c.unexplained.join(', '))} — a missing dependency in the system file, or a shared resource it does not show.</p>` : '',
          c.contained.length ? `<p class="muted">Contained (depend on the faulted service and stayed healthy): ${esc(c.contained.join(', '))}</p>` : '',
        ].join('');
        const chart = c.steps.length ? cascadeChart({ id: `chart-cascade-${i + 1}`, title: `Cascade after ${c.faults.join(' + ')}`, steps: c.steps.map((s) => ({ name: s.service, offsetMs: s.offsetMs, state: s.state, root: s.root, explained: s.explained })) }) : '';
        return `<h3>${esc(c.faults.join(' + '))} at ${at(c.startT)}</h3><div class="cascade-summary">${esc(c.summary)}</div>${chart}${flags}`;
      })
      .join('\n')
  );
}

function recovery(a: Analysis): string {
  if (a.services.length === 0) return '<p class="muted">No service has a health check, so recovery was not measured.</p>';
  const chart = barChart({
    id: 'chart-recovery',
    title: 'Time to recover per service (bar) and the expectation (mark)',
    unit: (v) => formatDuration(v),
    bars: a.services.map((s) => ({
      name: s.service,
      value: s.impacted ? s.timeToRecoverMs : null,
      ...(s.expectedWithinMs !== undefined ? { mark: s.expectedWithinMs } : {}),
      bad: s.met === false,
      note: !s.impacted ? 'not impacted' : s.notMeasured ? 'not measured (aborted)' : 'did not recover',
    })),
  });
  const rows = a.services
    .map((s) => {
      const phases = s.availability.map((p) => `${p.phase} ${pct(p.availability, 0)}`).join(', ');
      const expectation = s.expectedWithinMs === undefined ? '—' : `<span class="${s.met ? 'pass' : 'fail-text'}">${s.met ? 'met' : 'missed'}</span> (within ${formatDuration(s.expectedWithinMs)})`;
      return `<tr><td>${esc(s.service)}${s.critical ? ' <span class="warn">critical</span>' : ''}${s.targeted ? ' <span class="muted">targeted</span>' : ''}</td><td class="num">${ms(s.timeToImpactMs)}</td><td class="num">${s.impacted ? ms(s.timeToRecoverMs, s.notMeasured ? 'not measured (aborted)' : 'did not recover') : 'not impacted'}</td><td class="num">${ms(s.outageMs)}</td><td class="num">${s.restarts}</td><td>${expectation}</td><td>${esc(phases)}</td></tr>`;
    })
    .join('');
  return `${chart}<table id="recovery-table"><thead><tr><th>service</th><th>impact after</th><th>recovered after</th><th>outage</th><th>restarts</th><th>expectation</th><th>availability per phase</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function score(a: Analysis): string {
  const meter = (s: number | null) => (s === null ? '<span class="muted">n/a</span>' : `<span class="meter"><span class="${s >= 80 ? '' : s >= 50 ? 'mid' : 'low'}" style="width:${s}%"></span></span>${s}`);
  const row = (name: string, s: SubScore) => `<tr><td>${name}</td><td class="num">${Math.round(s.weight * 100)}%</td><td class="num">${meter(s.score)}</td><td>${esc(s.explanation)}</td></tr>`;
  const budget = a.errorBudget ? `<p><strong>Error budget:</strong> ${esc(a.errorBudget.explanation)}. Objective: ${esc(a.errorBudget.objectiveSource)}.</p>` : '';
  return `<table id="score-table"><thead><tr><th>sub-score</th><th>weight</th><th>score</th><th>how it was computed</th></tr></thead><tbody>${row('recovery', a.score.recovery)}${row('isolation', a.score.isolation)}${row('degradation', a.score.degradation)}${row('safety', a.score.safety)}<tr><td><strong>total</strong></td><td></td><td class="num"><strong>${a.score.total ?? 'n/a'}</strong></td><td>${esc(a.score.explanation)}</td></tr></tbody></table><p><strong>Maturity ${a.maturity.level} — ${esc(a.maturity.name)}:</strong> ${esc(a.maturity.explanation)}</p>${budget}`;
}

function loadTable(j: Journal): string {
  const load = j.load!;
  const rows = load.phases
    .map((p) => `<tr><td>${p.phase}</td><td class="num">${at(p.startT)} – ${at(p.endT)}</td><td class="num">${p.requests}</td><td class="num">${p.rps.toFixed(1)}</td><td class="num">${pct(p.errorRate, 2)}</td><td class="num">${ms(p.latencyMs?.p50)}</td><td class="num">${ms(p.latencyMs?.p95)}</td><td class="num">${ms(p.latencyMs?.p99)}</td><td class="num">${ms(p.latencyMs?.max)}</td></tr>`)
    .join('');
  const rate = load.requestedRate !== undefined ? `<p>Requested ${load.requestedRate} req/s, achieved ${load.achievedRate?.toFixed(1) ?? '—'} req/s${load.lateRequests ? `; ${load.lateRequests} requests were sent late` : ''}.</p>` : '';
  const error = load.error ? `<p class="fail-text">${esc(load.error)}</p>` : '';
  const unanswered = describeUnanswered(load);
  const lost = unanswered ? `<p>${esc(unanswered)}</p>` : '';
  return `<p>Tool: <code>${esc(load.tool)}</code></p>${rate}${lost}${error}<table id="load-table"><thead><tr><th>phase</th><th>window</th><th>requests</th><th>req/s</th><th>error rate</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function faultsTable(j: Journal): string {
  if (j.faults.length === 0) return '<p class="muted">No fault was applied.</p>';
  const rows = j.faults
    .map((f) => `<tr><td><code>${esc(f.kind)}</code></td><td>${esc(f.target)}</td><td class="num">${at(f.injectedT)}</td><td class="num">${f.revertedT === undefined ? '—' : at(f.revertedT)}</td><td class="${f.status === 'reverted' ? '' : 'fail-text'}">${esc(f.status)}${f.error ? `: ${esc(f.error)}` : ''}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>fault</th><th>target</th><th>injected</th><th>ended</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function events(j: Journal): string {
  if (j.serviceEvents.length === 0 && j.rollbacks.length === 0) return '';
  const ev = j.serviceEvents.map((e) => `<tr><td class="num">${at(e.t)}</td><td>${esc(e.service)}</td><td>${esc(e.type)}${e.restart ? ' (restart)' : ''}</td><td>${e.pid ?? ''}${e.signal ? ` ${esc(e.signal)}` : e.code !== undefined && e.code !== null ? ` code ${e.code}` : ''}</td></tr>`).join('');
  const rb = j.rollbacks.map((r) => `<tr><td class="num">${at(r.t)}</td><td>rollback</td><td class="${r.ok ? 'pass' : 'fail-text'}">${esc(r.name)}</td><td>${esc(r.output)}</td></tr>`).join('');
  return section('Events', `<table><thead><tr><th>time</th><th>service</th><th>event</th><th>detail</th></tr></thead><tbody>${ev}${rb}</tbody></table>`);
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(2).replace(/\.?0+$/, '');
}
