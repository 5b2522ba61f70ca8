/**
 * The game day's announcements: a Slack-compatible message (`text` plus `blocks`, like
 * `--notify`) when the day starts — what will run, who facilitates, where the report will be — and
 * when it ends, with every verdict. A failed post is recorded in the day's events, never fatal.
 */
import { postNotification, type NotifyPayload } from '../reporters/notify.js';
import type { GamedayRecord } from './record.js';

export function startAnnouncement(record: GamedayRecord, outDir: string): NotifyPayload {
  const list = record.items.map((item, i) => `${i + 1}. ${item.name}`).join('\n');
  const headline = `Game day starting: ${record.title}`;
  return payload(
    `:calendar: ${headline}`,
    headline,
    [`${record.facilitator ? `Facilitator: *${record.facilitator}*. ` : ''}${record.items.length} experiment(s), in this order:`, list, `Reports: \`${outDir}\``],
    record,
  );
}

export function endAnnouncement(record: GamedayRecord, reportPath: string | undefined): NotifyPayload {
  const lines = record.items.map((item, i) => `${i + 1}. ${item.name}: ${verdictOf(item)}`);
  const headline = `Game day ${record.outcome === 'completed' ? 'completed' : 'aborted'}: ${record.title}`;
  return payload(`${record.outcome === 'completed' ? ':checkered_flag:' : ':octagonal_sign:'} ${headline}`, headline, [lines.join('\n'), ...(reportPath ? [`Report: \`${reportPath}\``] : [])], record);
}

export async function announce(url: string, body: NotifyPayload): Promise<string | undefined> {
  return postNotification(url, body);
}

function verdictOf(item: GamedayRecord['items'][number]): string {
  if (item.state === 'ran') return item.exitCode === 0 ? 'held' : item.exitCode === 1 ? 'deviated' : item.exitCode === 3 ? 'aborted' : item.exitCode === 4 ? 'REVERT FAILED' : `exit ${item.exitCode}`;
  if (item.state === 'failed-to-start') return `did not start (${item.error ?? 'error'})`;
  return item.state === 'pending' ? 'not reached' : item.state;
}

function payload(text: string, headline: string, sections: string[], record: GamedayRecord): NotifyPayload {
  return {
    text,
    blocks: [{ type: 'header', text: { type: 'plain_text', text: `faultline: ${headline}`.slice(0, 150) } }, ...sections.filter(Boolean).map((s) => ({ type: 'section', text: { type: 'mrkdwn', text: s.slice(0, 3000) } }))],
    faultline: {
      runId: '',
      title: record.title,
      status: record.outcome,
      exitCode: 0,
      score: null,
      reasons: [],
      regressions: [],
    },
  };
}
