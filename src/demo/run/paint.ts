/** Colour for the demo's output: only on a terminal, never with NO_COLOR. */
import type { Writable } from 'node:stream';

export type Output = Writable & { isTTY?: boolean; columns?: number };

export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function paintFor(out: Output, color = Boolean(out.isTTY) && !process.env.NO_COLOR): Paint {
  const p = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: p(32), red: p(31), yellow: p(33), cyan: p(36), dim: p(2), bold: p(1) };
}

/** Elapsed time as m:ss (0:07, 1:42). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A duration in seconds with two decimals under 10 s (0.73s, 12.4s). */
export function secs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : `${(ms / 1000).toFixed(1)}s`;
}
