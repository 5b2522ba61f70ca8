/** `faultline report JOURNAL --format html|md|junit|json [--out FILE]`: any report, from a journal alone. */
import { readFile, stat } from 'node:fs/promises';
import { redact } from '../../reporters/redact.js';
import { ensureReportDir, writePrivately } from '../../reporters/write-report.js';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { analysisOf } from '../../analysis/analyze-journal.js';
import { UsageError, ValidationError } from '../../errors/index.js';
import type { Journal } from '../../journal/types.js';
import { journalSchema } from '../../reporters/journal-schema.js';
import { parseFormats, REPORT_FORMATS, reportFormats, type ReportFormatName } from '../../reporters/formats.js';

interface ReportOptions {
  format?: string;
  out?: string;
}

const BY_EXTENSION: Record<string, ReportFormatName> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.xml': 'junit', '.json': 'json' };

export function registerReport(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('Render a report (HTML, Markdown, JUnit XML or JSON) from a run\'s journal.json')
    .argument('<journal>', 'a journal.json, or the report directory that holds one')
    .option('-f, --format <format>', `${REPORT_FORMATS.join(', ')} (default: from --out's extension, else md)`)
    .option('-o, --out <file>', 'write to this file (default: stdout)')
    .addHelpText(
      'after',
      `
The analysis (score, cascades, error budget) is derived from the journal when it has none, so
journals of older runs render too.

Examples:
  faultline report .faultline/reports/<run id> --format html --out report.html
  faultline report out/journal.json --format md >> "$GITHUB_STEP_SUMMARY"
  faultline report out/journal.json --format junit --out junit.xml`,
    )
    .action(async (file: string, opts: ReportOptions) => {
      const format = chooseFormat(opts);
      const journal = await readJournal(file);
      // Journals written before redaction existed may still hold secrets.
      const content = reportFormats[format].render(redact(journal));
      if (opts.out) {
        const out = resolve(opts.out);
        await ensureReportDir(dirname(out));
        await writePrivately(out, content);
        process.stderr.write(`faultline: wrote ${out}\n`);
      } else {
        process.stdout.write(content);
      }
      setExit(0);
    });
}

function chooseFormat(opts: ReportOptions): ReportFormatName {
  if (opts.format !== undefined) {
    const formats = parseFormats(opts.format);
    if (formats.length > 1) throw new UsageError(`--format: report renders one format at a time, got ${formats.join(', ')}`);
    return formats[0]!;
  }
  return (opts.out && BY_EXTENSION[extname(opts.out).toLowerCase()]) || 'md';
}

/** Reads and checks a journal (a file, or a directory holding journal.json); fills `analysis` when missing. */
export async function readJournal(file: string): Promise<Journal> {
  let path = resolve(file);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`file not found: ${path}`);
  if (info.isDirectory()) path = join(path, 'journal.json');
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`file not found: ${path} (a report directory holds journal.json)`);
    throw new ValidationError([{ file: path, path: '', message: `not JSON: ${(err as Error).message}` }]);
  }
  const parsed = journalSchema.safeParse(data);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.slice(0, 5).map((issue) => ({
        file: path,
        path: issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join(''),
        message: `${issue.message} (not a faultline journal, or a damaged one; see schema/journal.schema.json)`,
      })),
    );
  }
  const journal = data as Journal;
  journal.analysis = analysisOf(journal);
  return journal;
}
