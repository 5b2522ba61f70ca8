/** Request rates in flags and files: `500/s`, `30/m`, `2000/h`, or a bare number per second. */
const PER_SECOND: Record<string, number> = { s: 1, sec: 1, second: 1, m: 1 / 60, min: 1 / 60, minute: 1 / 60, h: 1 / 3600, hour: 1 / 3600 };
const RATE = /^(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?$/;

/** Requests per second, or undefined when the text is not a rate (or is not above 0). */
export function parseRate(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? input : undefined;
  const m = RATE.exec(input.trim().toLowerCase());
  if (!m) return undefined;
  const factor = m[2] === undefined ? 1 : PER_SECOND[m[2]];
  if (factor === undefined) return undefined;
  const rate = Number(m[1]) * factor;
  return rate > 0 ? rate : undefined;
}

export const RATE_HINT = 'expected a rate such as 500/s, 30/m or 2000/h (a bare number is per second)';
