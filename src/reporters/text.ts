/** Small formatting helpers shared by the reporters (text only: no figures are computed here). */
import type { CheckResult, Journal, RunStatus } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';

export function checkLabel(c: CheckResult): string {
  switch (c.kind) {
    case 'steady-state-before':
      return `steady state before: ${c.name}`;
    case 'steady-state-after':
      return `steady state after: ${c.name}`;
    case 'throughout':
      return `holds throughout: ${c.name}`;
    case 'slo':
      return `SLO: ${c.name}`;
    case 'recovery':
      return c.name;
  }
}

export const STATUS_TEXT: Record<RunStatus, string> = {
  held: 'HELD',
  deviated: 'DEVIATED',
  aborted: 'ABORTED',
  'revert-failed': 'REVERT FAILED',
};

export function ms(value: number | null | undefined, none = '—'): string {
  return value === null || value === undefined ? none : formatDuration(value);
}

/** Run time as `+1.23s` (ms since the run started). */
export function at(t: number): string {
  return `+${(t / 1000).toFixed(2)}s`;
}

export function pct(fraction: number | null | undefined, digits = 1): string {
  return fraction === null || fraction === undefined ? '—' : `${(fraction * 100).toFixed(digits)}%`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** XML 1.0 text: escaped, and without the control characters XML cannot carry. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD'));
}

/** Text in Markdown (table cells too): no pipes, newlines or raw HTML. */
export function mdCell(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** What ran, as a short line: experiment file name and run id. */
export function runLine(j: Journal): string {
  const file = j.experimentFile.split(/[\\/]/).pop() ?? j.experimentFile;
  const approved = j.approval ? ` · approved by ${j.approval.by}` : '';
  return `run ${j.runId} · ${file} · ${j.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} · ${formatDuration(j.durationMs)}${approved}`;
}
