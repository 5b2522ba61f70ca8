/**
 * Durations as Chaos Mesh's webhook reads them: Go's time.ParseDuration (`1m30s`, `1500ms`). A
 * NetworkChaos latency is stricter (one number and one unit: `^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$`),
 * hence goLatency.
 */

/** 1500 → "1500ms", 60000 → "1m", 90000 → "1m30s", 0 → "0s". Milliseconds are rounded to microseconds. */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`expected a duration of 0 ms or more, got ${ms}`);
  const us = Math.round(ms * 1000);
  if (us === 0) return '0s';
  if (us % 1000 !== 0) return `${us}us`;
  const whole = us / 1000;
  if (whole % 1000 !== 0) return `${whole}ms`;
  let s = whole / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A signed offset (TimeChaos timeOffset): -600000 → "-10m". */
export function signedGoDuration(ms: number): string {
  return ms < 0 ? `-${goDuration(-ms)}` : goDuration(ms);
}

/** One number, one unit, as NetworkChaos delay.latency and jitter require: 1500 → "1500ms", 0.25 → "250us". */
export function goLatency(ms: number): string {
  const us = Math.round(ms * 1000);
  return us % 1000 === 0 ? `${us / 1000}ms` : `${us}us`;
}
