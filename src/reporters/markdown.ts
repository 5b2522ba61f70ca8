/**
 * The Markdown summary: fits a GitHub job summary (`cat report.md >> $GITHUB_STEP_SUMMARY`) or a
 * PR comment. Verdicts, score, recovery, cascades, load; no time series (that is the HTML report).
 */
import { analysisOf } from '../analysis/analyze-journal.js';
import type { Journal, SubScore } from '../journal/types.js';
import { describeUnanswered } from '../load/unanswered.js';
import { formatDuration } from '../util/duration.js';
import { at, checkLabel, mdCell, ms, pct, runLine, STATUS_TEXT } from './text.js';

const ICON = { held: '✅', deviated: '❌', aborted: '⛔', 'revert-failed': '🚨' } as const;

export function renderMarkdown(j: Journal): string {
  const a = analysisOf(j);
  const out: string[] = [];
  out.push(`## ${ICON[j.status]} ${mdCell(j.title)} — ${STATUS_TEXT[j.status]}`, '');
  out.push(`<sub>${mdCell(runLine(j))} · exit ${j.exitCode}</sub>`, '');
  for (const reason of j.reasons) out.push(`> ${mdCell(reason)}`);
  if (j.reasons.length) out.push('');

  const score = a.score.total === null ? 'not scored' : `**${a.score.total}/100**`;
  const ttr = a.timeToRecoverMs !== null ? ` · time to recover **${formatDuration(a.timeToRecoverMs)}**` : a.allRecovered ? '' : a.services.some((s) => s.impacted && s.timeToRecoverMs === null && !s.notMeasured) ? ' · **a service did not recover**' : ' · recovery not measured (aborted)';
  out.push(`Resilience score ${score} · maturity **${a.maturity.level} — ${a.maturity.name}**${ttr}`);
  if (a.errorBudget) out.push(`Error budget: burn rate **${a.errorBudget.burnRate.toFixed(1)}×**, ${a.errorBudget.usedPercent.toFixed(3)}% of a 30-day budget`);
  out.push('');

  if (j.verdicts.length) {
    out.push('### Checks', '', '| | check | observed | expected |', '|---|---|---|---|');
    for (const v of j.verdicts) out.push(`| ${v.ok ? '✅' : '❌'} | ${mdCell(checkLabel(v))} | ${mdCell(v.observed)} | ${mdCell(v.expected)} |`);
    out.push('');
  }

  if (a.services.length) {
    out.push('### Recovery', '', '| service | impact after | recovered after | outage | restarts | availability under chaos | expectation |', '|---|---|---|---|---|---|---|');
    for (const s of a.services) {
      const expectation = s.expectedWithinMs === undefined ? '' : `${s.met ? '✅' : '❌'} within ${formatDuration(s.expectedWithinMs)}`;
      const recovered = !s.impacted ? 'not impacted' : s.timeToRecoverMs === null ? (s.notMeasured ? 'not measured (aborted)' : '**did not recover**') : ms(s.timeToRecoverMs);
      out.push(`| ${mdCell(s.service)}${s.critical ? ' (critical)' : ''} | ${ms(s.timeToImpactMs)} | ${recovered} | ${ms(s.outageMs)} | ${s.restarts} | ${pct(s.availabilityUnderChaos)} | ${expectation} |`);
    }
    out.push('');
  }

  if (a.cascades.length) {
    out.push('### Cascade', '');
    for (const c of a.cascades) out.push(`- \`${c.summary.replace(/`/g, "'")}\`${c.unexplained.length ? ` ⚠️ not explained by dependsOn: ${c.unexplained.join(', ')}` : ''}${c.contained.length ? ` · contained: ${c.contained.join(', ')}` : ''}`);
    if (!j.system) out.push('', '_The journal has no dependsOn graph, so propagation was not compared with it._');
    out.push('');
  }

  out.push('### Score', '', '| | score | how |', '|---|---|---|');
  const row = (name: string, s: SubScore) => out.push(`| ${name} (${Math.round(s.weight * 100)}%) | ${s.score ?? 'n/a'} | ${mdCell(s.explanation)} |`);
  row('recovery', a.score.recovery);
  row('isolation', a.score.isolation);
  row('degradation', a.score.degradation);
  row('safety', a.score.safety);
  out.push(`| **total** | **${a.score.total ?? 'n/a'}** | ${mdCell(a.score.explanation)} |`, '');
  out.push(`Maturity: ${mdCell(a.maturity.explanation)}`, '');
  if (a.errorBudget) out.push(`Error budget: ${mdCell(a.errorBudget.explanation)} (objective: ${mdCell(a.errorBudget.objectiveSource)})`, '');

  if (j.load) {
    out.push(`### Load (${mdCell(j.load.tool)})`, '', '| phase | requests | req/s | error rate | p50 | p95 | p99 | max |', '|---|---|---|---|---|---|---|---|');
    for (const p of j.load.phases) {
      const l = p.latencyMs;
      out.push(`| ${p.phase} | ${p.requests} | ${p.rps.toFixed(1)} | ${pct(p.errorRate, 2)} | ${ms(l?.p50)} | ${ms(l?.p95)} | ${ms(l?.p99)} | ${ms(l?.max)} |`);
    }
    if (j.load.requestedRate !== undefined) out.push('', `Requested ${j.load.requestedRate} req/s, achieved ${j.load.achievedRate?.toFixed(1) ?? '—'} req/s.`);
    const unanswered = describeUnanswered(j.load);
    if (unanswered) out.push('', mdCell(unanswered));
    if (j.load.error) out.push('', `Load error: ${mdCell(j.load.error)}`);
    out.push('');
  }

  if (j.faults.length) {
    out.push('<details><summary>Faults</summary>', '', '| fault | target | injected | ended | status |', '|---|---|---|---|---|');
    for (const f of j.faults) out.push(`| ${mdCell(f.kind)} | ${mdCell(f.target)} | ${at(f.injectedT)} | ${f.revertedT === undefined ? '—' : at(f.revertedT)} | ${f.status}${f.error ? `: ${mdCell(f.error)}` : ''} |`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
