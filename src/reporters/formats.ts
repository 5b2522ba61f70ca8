/**
 * The report formats, in one registry typed by its keys. Each renders a finished journal to one
 * file; `faultline run` writes the ones asked for into the report dir, `faultline report` renders
 * any of them from a journal alone.
 */
import { analysisOf } from '../analysis/analyze-journal.js';
import { UsageError } from '../errors/index.js';
import type { Journal } from '../journal/types.js';
import { renderHtml } from './html/render-html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export interface ReportFormat {
  /** File name in the report dir. */
  file: string;
  description: string;
  render(journal: Journal): string;
}

export const reportFormats = {
  json: { file: 'journal.json', description: 'the journal (the run record), with its analysis', render: renderJson },
  html: { file: 'report.html', description: 'one self-contained HTML page with charts', render: renderHtml },
  md: { file: 'report.md', description: 'Markdown for a GitHub job summary or PR comment', render: renderMarkdown },
  junit: { file: 'junit.xml', description: 'JUnit XML: one test case per check', render: renderJunit },
} as const satisfies Record<string, ReportFormat>;

export type ReportFormatName = keyof typeof reportFormats;
export const REPORT_FORMATS = Object.keys(reportFormats) as ReportFormatName[];

export function isReportFormat(name: string): name is ReportFormatName {
  return Object.hasOwn(reportFormats, name);
}

/** `html,md` → ['html', 'md']; an unknown name is a usage error that lists the known ones. */
export function parseFormats(list: string, flag = '--format'): ReportFormatName[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`${flag} needs a format: one or more of ${REPORT_FORMATS.join(', ')}`);
  const aliases: Record<string, ReportFormatName> = { markdown: 'md', xml: 'junit', journal: 'json' };
  return [
    ...new Set(
      names.map((n) => {
        const name = aliases[n] ?? n;
        if (!isReportFormat(name)) throw new UsageError(`${flag}: unknown format "${n}"; expected ${REPORT_FORMATS.join(', ')} (comma-separated)`);
        return name;
      }),
    ),
  ];
}

/** The journal as JSON, with its analysis (derived now when the journal lacks one). */
export function renderJson(journal: Journal): string {
  return `${JSON.stringify({ ...journal, analysis: analysisOf(journal) }, null, 2)}\n`;
}
