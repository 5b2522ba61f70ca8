/** 1000000 → "1mbit", as tc would write it. */
export function formatRate(bits: number): string {
  for (const [unit, factor] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bits >= factor) return `${Number((bits / factor).toFixed(2))}${unit}`;
  }
  return `${bits}bit`;
}
