/**
 * `--notify URL`: a Slack-compatible JSON summary (incoming-webhook shape: `text` plus `blocks`)
 * POSTed when a run deviates, aborts, fails a revert, or regresses. Any endpoint that takes JSON
 * works (Slack, Mattermost, Rocket.Chat, a custom webhook). A failed post is reported, never fatal.
 */
import { analysisOf } from '../analysis/analyze-journal.js';
import type { Journal } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';
import { checkLabel, STATUS_TEXT } from './text.js';
import type { Reporter } from './types.js';

export interface NotifyPayload {
  text: string;
  blocks: unknown[];
  /** Not part of Slack's format (Slack ignores it): the facts for other receivers. */
  faultline: { runId: string; title: string; status: string; exitCode: number; score: number | null; reasons: string[]; regressions: string[]; reportDir?: string };
}

/** Whether a run is worth a notification: not held, or regressed. */
export function shouldNotify(journal: Journal, regressions: readonly string[] = []): boolean {
  return journal.status !== 'held' || regressions.length > 0;
}

export function notificationFor(journal: Journal, options: { regressions?: readonly string[]; reportDir?: string } = {}): NotifyPayload {
  const regressions = [...(options.regressions ?? [])];
  const a = analysisOf(journal);
  const icon = journal.status === 'held' ? ':warning:' : journal.status === 'deviated' ? ':x:' : ':rotating_light:';
  const headline = `${STATUS_TEXT[journal.status]}${journal.status === 'held' && regressions.length ? ' but REGRESSED' : ''}: ${journal.title}`;
  const failed = journal.verdicts.filter((v) => !v.ok).map((v) => `• ${checkLabel(v)}: observed ${v.observed}; expected ${v.expected}`);
  const lines = [
    ...(journal.status === 'aborted' || journal.status === 'revert-failed' ? journal.reasons.map((r) => `• ${r}`) : failed),
    ...regressions.map((r) => `• regression: ${r}`),
  ];
  const facts = [
    `*Score* ${a.score.total ?? 'n/a'}/100 · maturity ${a.maturity.level} (${a.maturity.name})`,
    `*Time to recover* ${a.timeToRecoverMs !== null ? formatDuration(a.timeToRecoverMs) : a.allRecovered ? 'no impact' : a.services.some((s) => s.impacted && s.timeToRecoverMs === null && !s.notMeasured) ? 'did not recover' : 'not measured (aborted)'}`,
    `*Run* \`${journal.runId}\` · exit ${journal.exitCode} · ${formatDuration(journal.durationMs)}`,
  ];
  const detail = lines.slice(0, 10).join('\n') + (lines.length > 10 ? `\n… and ${lines.length - 10} more` : '');
  return {
    text: `${icon} faultline ${headline}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `faultline: ${headline}`.slice(0, 150) } },
      ...(detail ? [{ type: 'section', text: { type: 'mrkdwn', text: detail.slice(0, 3000) } }] : []),
      { type: 'section', fields: facts.map((f) => ({ type: 'mrkdwn', text: f })) },
      ...(options.reportDir ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `Reports: \`${options.reportDir}\`` }] }] : []),
    ],
    faultline: {
      runId: journal.runId,
      title: journal.title,
      status: journal.status,
      exitCode: journal.exitCode,
      score: a.score.total,
      reasons: journal.reasons,
      regressions,
      ...(options.reportDir ? { reportDir: options.reportDir } : {}),
    },
  };
}

/** POSTs the payload as JSON; resolves to an error message, or undefined on a 2xx. */
export async function postNotification(url: string, payload: NotifyPayload, timeoutMs = 10_000): Promise<string | undefined> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? undefined : `the notify URL answered ${res.status} ${res.statusText}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `could not post to the notify URL: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
  }
}

/** For library users: posts when the run does not hold. (`faultline run --notify` also includes regressions.) */
export class NotifyReporter implements Reporter {
  readonly name = 'notify';
  error: string | undefined;
  posted = false;

  constructor(private readonly url: string) {}

  async onRunEnd(journal: Journal): Promise<void> {
    if (!shouldNotify(journal)) return;
    this.error = await postNotification(this.url, notificationFor(journal));
    this.posted = this.error === undefined;
  }
}
