/** Writes journal.json into the report directory: the run record every other report derives from. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal } from '../journal/types.js';
import type { Reporter } from './types.js';

export class JournalReporter implements Reporter {
  readonly name = 'journal';
  path: string | undefined;

  constructor(private readonly reportDir: string) {}

  async onRunEnd(journal: Journal): Promise<void> {
    await mkdir(this.reportDir, { recursive: true });
    this.path = join(this.reportDir, 'journal.json');
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`);
    await rename(tmp, this.path);
  }
}
