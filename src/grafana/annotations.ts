/**
 * The bodies of Grafana's annotations API (POST /api/annotations): `time`/`timeEnd` in epoch
 * milliseconds (a region when both are given), `tags` and `text`. Without dashboardUID they are
 * organization annotations, which any dashboard shows through an annotation query on the tag
 * `faultline` (the dashboard of `faultline grafana dashboard` has one).
 */
import type { FaultRecord, Journal } from '../journal/types.js';

export interface AnnotationBody {
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}

export interface RunLabels {
  runId: string;
  experiment: string;
}

/** The tag every faultline annotation carries, for the dashboard's annotation query. */
export const ANNOTATION_TAG = 'faultline';

/** A region from the fault's injection to its end (its revert; the injection's return for a kill). */
export function faultAnnotation(f: FaultRecord, run: RunLabels, now = Date.now()): AnnotationBody {
  const time = Date.parse(f.injectedAt);
  const end = f.revertedAt !== undefined ? Date.parse(f.revertedAt) : now;
  const outcome = f.status === 'revert-failed' ? ` — REVERT FAILED: ${f.error ?? 'unknown error'} (run faultline recover)` : '';
  return {
    time,
    timeEnd: Math.max(time, end),
    tags: [ANNOTATION_TAG, 'fault', `kind:${f.kind}`, `target:${f.service}`, `experiment:${run.experiment}`, `run:${run.runId}`],
    text: `${f.kind} on ${f.target}${outcome} · experiment ${run.experiment} · run ${run.runId}`,
  };
}

/** A point at the run's end with its verdict and why. */
export function verdictAnnotation(journal: Journal, run: RunLabels): AnnotationBody {
  const why = journal.reasons.length ? `: ${journal.reasons.join('; ')}` : '';
  return {
    time: Date.parse(journal.endedAt),
    tags: [ANNOTATION_TAG, 'verdict', `result:${journal.status}`, `experiment:${run.experiment}`, `run:${run.runId}`],
    text: `${run.experiment}: ${journal.status} (exit ${journal.exitCode})${why} · run ${run.runId}`,
  };
}
