/** Which statuses count as success: codes (404) and classes ("2xx"). */
export type StatusMatch = number | string;

/** Every status code the list names, for a lookup table. Unknown entries are ignored (the schema rejects them). */
export function expandStatuses(items: readonly StatusMatch[]): number[] {
  const out = new Set<number>();
  for (const item of items) {
    if (typeof item === 'number') out.add(item);
    else if (/^[1-5]xx$/.test(item)) for (let s = Number(item[0]) * 100; s < Number(item[0]) * 100 + 100; s++) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}
