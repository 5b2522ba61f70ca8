/** A duration in a file or a fault parameter (`500ms`, `5s`, `1m30s`, or milliseconds as a number), parsed to milliseconds. */
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 5s or 1m30s, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  })
  .describe('A duration: 250ms, 5s, 1m30s, 1h, or a number of milliseconds');
