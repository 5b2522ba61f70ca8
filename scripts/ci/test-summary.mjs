// Reads the output of node's test runner (TAP or spec reporter) and fails when the run skipped
// anything (a test, or a whole describe), left a todo, or has no summary or no passing test: CI's system step must not pass
// with tests that did not run. Usage: node scripts/ci/test-summary.mjs LOG
// Prints the counts, and each skipped test with its reason; exit 0 only when nothing was skipped.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/ci/test-summary.mjs LOG (the test runner\'s output)');
  process.exit(2);
}

/** The runner's final counts, or undefined when there are none: scripts/run-tests.mjs's closing line
 * (`N passed, N failed, N skipped`, the totals of every file), else node's own last summary. */
function summaryOf(text) {
  const closing = [...text.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
  if (closing) return { tests: Number(closing[1]) + Number(closing[2]) + Number(closing[3]), pass: Number(closing[1]), fail: Number(closing[2]), skipped: Number(closing[3]) };
  const counts = {};
  for (const line of text.split('\n')) {
    const m = /^(?:# |ℹ )(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)\s*$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
  return counts.tests === undefined || counts.skipped === undefined ? undefined : counts;
}

/** Lines naming a skipped or todo test: TAP `ok N - name # SKIP reason`, spec `﹣ name # reason`. */
function skippedLines(text) {
  return text
    .split('\n')
    .filter((l) => /^\s*ok \d+ - .*# (SKIP|TODO)\b/.test(l) || /^\s*﹣ /.test(l))
    .map((l) => l.trim());
}

const text = readFileSync(file, 'utf8');
const counts = summaryOf(text);
if (!counts) {
  console.error(`${file}: no test runner summary found (expected "# tests N" and "# skipped N" lines, or the spec reporter's "ℹ tests N"): cannot tell whether tests were skipped`);
  process.exit(1);
}
console.log(`test summary: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
const problems = [];
// A skipped describe() is not in the "skipped" count (node counts tests, and none of its tests
// ran): its `# SKIP` line is what shows it.
const skips = skippedLines(text);
const skipped = Math.max(counts.skipped, skips.filter((l) => !/# TODO\b/.test(l)).length);
if (skipped > 0) problems.push(`${skipped} skipped`);
if ((counts.todo ?? 0) > 0) problems.push(`${counts.todo} todo`);
if ((counts.pass ?? 0) === 0) problems.push('none passed');
if (problems.length > 0) {
  console.error(`${file}: ${problems.join(', ')}: every system test must run here`);
  for (const l of skips) console.error(`  ${l}`);
  process.exit(1);
}
