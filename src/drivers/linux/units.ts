/** Sizes (`64m`, `1g`), rates (`1mbit`, `500kbps`) and percentages as the linux faults accept them. */
import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `64m`, `1.5g`, `512k`, `64MiB`, `100mb` (all binary: 1m = 1024 × 1024 bytes) or a number of bytes. */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(input.trim());
  if (!m) return undefined;
  const bytes = Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatSize(bytes: number): string {
  for (const [unit, factor] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes >= factor) return `${Number((bytes / factor).toFixed(1))}${unit}`;
  }
  return `${bytes}b`;
}

export const sizeParam = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 64m, 1g or 512k (or a number of bytes), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bytes;
  })
  .describe('A size: 512k, 64m, 1.5g, or a number of bytes (binary units: 1m = 1 MiB)');

/** tc's units: bit/kbit/mbit/gbit are bits per second, bps/kbps/mbps/gbps bytes per second (decimal, as tc reads them). */
const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** A rate in bits per second, from `1mbit`, `500kbit`, `2mbps` (bytes/s, as in tc) or a number of bits per second. */
export function parseRate(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? Math.round(input) : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/i.exec(input.trim());
  if (!m) return undefined;
  const bits = Math.round(Number(m[1]) * RATE_UNITS[m[2]!.toLowerCase()]!);
  return bits > 0 ? bits : undefined;
}

export const rateParam = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const bits = parseRate(value);
    if (bits === undefined || bits < 8000) {
      ctx.addIssue({ code: 'custom', message: `expected a rate of at least 8kbit such as 1mbit, 500kbit or 2mbps (tc units: bit = bits/s, bps = bytes/s), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bits;
  })
  .describe('A rate: 1mbit, 500kbit, 2mbps (bytes/s as in tc), or a number of bits per second');

/** `20`, `20%`, `0.5%`: a share in percent, 0 < p <= 100. */
export const percentParam = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?%?$/, 'expected a percentage such as 20 or 20%')])
  .transform((value) => (typeof value === 'number' ? value : Number(value.replace('%', ''))))
  .refine((p) => p > 0 && p <= 100, { message: 'expected a percentage above 0 and at most 100' })
  .describe('A percentage: 20 or "20%"');
