/**
 * writeGamedayReport(): the combined report of a game day, gameday.md and gameday.html in
 * `outDir` (usually the day's own directory, beside gameday.json). Each file is written
 * atomically, so a reader (or a rerun after a crash) sees the old report or the new one, never half.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../safety/atomic-write.js';
import type { GamedayRecord } from '../record.js';
import { renderGamedayHtml } from './html.js';
import { loadGameday } from './load.js';
import { renderGamedayMarkdown } from './markdown.js';

export async function writeGamedayReport(record: GamedayRecord, outDir: string): Promise<{ markdown: string; html: string }> {
  const dir = resolve(outDir);
  const report = await loadGameday(record);
  await mkdir(dir, { recursive: true });
  const markdown = join(dir, 'gameday.md');
  const html = join(dir, 'gameday.html');
  await writeFileAtomic(markdown, renderGamedayMarkdown(report, dir));
  await writeFileAtomic(html, renderGamedayHtml(report, dir));
  return { markdown, html };
}
