/**
 * Reporters that write one report file at the end of the run: HTML, Markdown, JUnit. (The journal
 * itself is written by JournalReporter.) Files are written atomically: a reader never sees half.
 */
import { join } from 'node:path';
import type { Journal } from '../journal/types.js';
import { JournalReporter } from './journal-reporter.js';
import { reportFormats, type ReportFormatName } from './formats.js';
import { redact } from './redact.js';
import type { Reporter } from './types.js';
import { ensureReportDir, writePrivately } from './write-report.js';

/** Atomic, and private (0600): reports quote the experiment. */
export const writeAtomically = writePrivately;

export class FileReporter implements Reporter {
  readonly name: string;
  /** Where the report was written, once it was. */
  path: string | undefined;

  constructor(
    readonly format: Exclude<ReportFormatName, 'json'>,
    private readonly reportDir: string,
  ) {
    this.name = format;
  }

  async onRunEnd(journal: Journal): Promise<void> {
    await ensureReportDir(this.reportDir);
    const path = join(this.reportDir, reportFormats[this.format].file);
    await writePrivately(path, reportFormats[this.format].render(redact(journal)));
    this.path = path;
  }
}

export class HtmlReporter extends FileReporter {
  constructor(reportDir: string) {
    super('html', reportDir);
  }
}

export class MarkdownReporter extends FileReporter {
  constructor(reportDir: string) {
    super('md', reportDir);
  }
}

export class JunitReporter extends FileReporter {
  constructor(reportDir: string) {
    super('junit', reportDir);
  }
}

/** The reporters that write these formats into reportDir (json: the JournalReporter). */
export function fileReportersFor(formats: readonly ReportFormatName[], reportDir: string): (FileReporter | JournalReporter)[] {
  return formats.map((f) => (f === 'json' ? new JournalReporter(reportDir) : new FileReporter(f, reportDir)));
}
