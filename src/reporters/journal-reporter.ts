/** Writes journal.json into the report directory: the run record every other report derives from (secrets redacted, mode 0600). */
import { join } from 'node:path';
import type { Journal } from '../journal/types.js';
import { redact } from './redact.js';
import { ensureReportDir, writePrivately } from './write-report.js';
import type { Reporter } from './types.js';

export class JournalReporter implements Reporter {
  readonly name = 'journal';
  path: string | undefined;

  constructor(private readonly reportDir: string) {}

  async onRunEnd(journal: Journal): Promise<void> {
    await ensureReportDir(this.reportDir);
    this.path = join(this.reportDir, 'journal.json');
    await writePrivately(this.path, `${JSON.stringify(redact(journal), null, 2)}\n`);
  }
}
