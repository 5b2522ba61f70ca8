/** What a packet-filter fault does to the packets it selects. */
export type FilterAction = { type: 'drop' } | { type: 'reject' } | { type: 'loss'; percent: number };

export function describeAction(a: FilterAction): string {
  return a.type === 'loss' ? `drop ${a.percent}% at random` : a.type === 'reject' ? 'reject (TCP reset, ICMP port unreachable otherwise)' : 'drop';
}
