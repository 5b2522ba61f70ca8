/**
 * JUnit XML: one test case per check in `journal.verdicts` (hypothesis checks before, throughout
 * and after, each recovery expectation, each SLO), a failure with observed vs expected when it
 * failed. An aborted run, or one that left a fault in place, adds one `run` case with an error.
 */
import type { CheckResult, Journal } from '../journal/types.js';
import { analysisOf } from '../analysis/analyze-journal.js';
import { checkLabel, escapeXml } from './text.js';

export function renderJunit(j: Journal): string {
  const cases = j.verdicts.map(checkCase);
  let errors = 0;
  if (j.status === 'aborted' || j.status === 'revert-failed') {
    errors = 1;
    const message = j.status === 'aborted' ? `run aborted: ${j.reasons.join('; ')}` : `faults left in place: ${j.reasons.join('; ')}`;
    cases.push(`    <testcase classname="${attr(suiteClass(j))}.run" name="run completes with every fault reverted" time="${secs(j.durationMs)}">
      <error message="${attr(message)}" type="${j.status}">${escapeXml(message)}</error>
    </testcase>`);
  }
  const tests = cases.length;
  const failures = j.verdicts.filter((v) => !v.ok).length;
  const props = [
    ['runId', j.runId],
    ['status', j.status],
    ['exitCode', String(j.exitCode)],
    ['experimentFile', j.experimentFile],
    ['seed', String(j.seed)],
    ['score', String(analysisOf(j).score.total ?? 'n/a')],
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="faultline" tests="${tests}" failures="${failures}" errors="${errors}" time="${secs(j.durationMs)}">
  <testsuite name="${attr(j.title)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(j.durationMs)}" timestamp="${attr(j.startedAt.replace(/\.\d+Z$/, ''))}">
    <properties>
${props.map(([k, v]) => `      <property name="${attr(k!)}" value="${attr(v!)}"/>`).join('\n')}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;

  function checkCase(c: CheckResult): string {
    const head = `    <testcase classname="${attr(suiteClass(j))}.${c.kind}" name="${attr(checkLabel(c))}" time="0"`;
    if (c.ok) return `${head}/>`;
    const message = `observed ${c.observed}; expected ${c.expected}`;
    return `${head}>
      <failure message="${attr(message)}" type="${c.kind}">observed: ${escapeXml(c.observed)}
expected: ${escapeXml(c.expected)}</failure>
    </testcase>`;
  }
}

/** A class name CI tools group by: the experiment file's base name. */
function suiteClass(j: Journal): string {
  const base = (j.experimentFile.split(/[\\/]/).pop() ?? 'experiment').replace(/\.(ya?ml|json|[cm]?[jt]s)$/i, '');
  return `faultline.${base.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
}

function attr(s: string): string {
  return escapeXml(s).replace(/\r?\n/g, '&#10;');
}

function secs(msValue: number): string {
  return (msValue / 1000).toFixed(3);
}
