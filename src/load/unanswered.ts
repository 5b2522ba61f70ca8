/** One sentence on the requests of a load that got no answer, for the reports; undefined when there were none. */
import type { LoadRecord } from '../journal/types.js';

export function describeUnanswered(record: Pick<LoadRecord, 'notSent' | 'cutOff'>): string | undefined {
  const notSent = record.notSent ?? 0;
  const cutOff = record.cutOff ?? 0;
  if (notSent === 0 && cutOff === 0) return undefined;
  const parts: string[] = [];
  if (notSent > 0) parts.push(`${notSent} never sent (due, but no connection was free before the load stopped: they never reached the server)`);
  if (cutOff > 0) parts.push(`${cutOff} sent but still unanswered when the load ended (cut off)`);
  return `Unanswered requests: ${parts.join('; ')}. Each counts as an error, with its age as latency, in the phase it was given up in.`;
}
