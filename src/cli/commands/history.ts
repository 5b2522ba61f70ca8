/** `faultline history`: trends per experiment from the local run history. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import { readHistory, sparkline, trends, type ExperimentTrend, type HistoryEntry } from '../../history/index.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import { formatDuration } from '../../util/duration.js';
import { printJson, type CommonOptions } from '../context.js';

interface HistoryOptions extends CommonOptions {
  limit?: string;
  runs?: boolean;
}

export function registerHistory(program: Command, setExit: (code: number) => void): void {
  program
    .command('history')
    .description('Trends per experiment from past runs: time to recover, score, success rate, time between failures')
    .argument('[experiment]', 'only this experiment (its file, or its title)')
    .option('-n, --limit <n>', 'the last N runs of each experiment', '20')
    .option('--runs', 'also list the runs one by one')
    .option('--state-dir <dir>', 'where the history is (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'trends (and runs) as JSON')
    .addHelpText('after', '\nEvery `faultline run` appends to <state dir>/history/runs.jsonl. `faultline run --fail-on-regression`\ncompares a run with the previous run of the same experiment.')
    .action(async (experiment: string | undefined, opts: HistoryOptions) => {
      const limit = Number(opts.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${opts.limit}"`);
      const stateDir = resolveStateDir(opts.stateDir);
      const { entries, skipped } = await readHistory(stateDir);
      const selected = experiment === undefined ? entries : entries.filter((e) => matches(e, experiment));
      if (experiment !== undefined && selected.length === 0 && entries.length > 0) {
        throw new UsageError(`history: no runs of "${experiment}"; experiments with runs: ${[...new Set(entries.map((e) => e.key))].join(', ')}`);
      }
      const list = trends(selected, { limit });
      if (opts.json) {
        printJson({ trends: list, ...(opts.runs ? { runs: selected } : {}), skipped });
      } else {
        print(list, opts.runs ? selected : [], limit, stateDir);
        if (skipped) process.stderr.write(`faultline: skipped ${skipped} unreadable line(s) in the history\n`);
      }
      setExit(0);
    });
}

function matches(e: HistoryEntry, wanted: string): boolean {
  return e.key === wanted || e.title === wanted || e.experimentFile === resolve(wanted);
}

function print(list: ExperimentTrend[], runs: HistoryEntry[], limit: number, stateDir: string): void {
  const w = (s: string) => process.stdout.write(`${s}\n`);
  if (list.length === 0) {
    w(`No runs recorded yet in ${stateDir}/history (every \`faultline run\` adds one).`);
    return;
  }
  for (const t of list) {
    const ttr = t.timeToRecoverMs;
    const fmt = (v: number | null) => (v === null ? '—' : formatDuration(v));
    const num = (v: number | null) => (v === null ? '—' : String(Math.round(v)));
    w(`${t.title}  (${t.key})`);
    w(`  runs             ${t.runs}${t.runs === limit ? ` (the last ${limit})` : ''} · success ${Math.round(t.successRate * 100)}% (${t.held} held) · last ${t.last.status} at ${t.last.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`);
    w(`  time to recover  last ${fmt(ttr.last)} · mean ${fmt(ttr.mean)} · best ${fmt(ttr.min)} · worst ${fmt(ttr.max)}  ${sparkline(ttr.values)}`);
    w(`  score            last ${num(t.score.last)} · mean ${num(t.score.mean)} · min ${num(t.score.min)} · max ${num(t.score.max)}  ${sparkline(t.score.values)}`);
    const between = t.meanTimeBetweenFailuresMs === null ? `— (${t.failures} failure${t.failures === 1 ? '' : 's'})` : `${formatLong(t.meanTimeBetweenFailuresMs)} (${t.failures} failures)`;
    w(`  between failures ${between}${t.lastFailureAt ? ` · last failure ${t.lastFailureAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : ''}`);
    if (t.last.reportDir) w(`  last report      ${t.last.reportDir}`);
    w('');
  }
  if (runs.length) {
    w('RUN                        STATUS         SCORE  TIME TO RECOVER  EXPERIMENT');
    for (const r of runs) w(`${r.runId.padEnd(26)} ${r.status.padEnd(14)} ${String(r.score ?? '—').padStart(5)}  ${(r.timeToRecoverMs === null ? '—' : formatDuration(r.timeToRecoverMs)).padEnd(15)}  ${r.key}`);
  }
}

/** Days and hours for long spans (time between failures), else the usual duration. */
function formatLong(ms: number): string {
  const hour = 3_600_000;
  if (ms >= 24 * hour) return `${Math.floor(ms / (24 * hour))}d ${Math.round((ms % (24 * hour)) / hour)}h`;
  if (ms >= hour) return `${Math.floor(ms / hour)}h ${Math.round((ms % hour) / 60_000)}m`;
  return formatDuration(ms);
}
