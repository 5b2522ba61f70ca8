/**
 * A webhook in a schedule or game day plan: a URL, or `{ env: NAME }` naming the environment
 * variable that holds it, so the secret stays out of the file. Resolved when it is used.
 */
import { z } from 'zod';

export const webhookSchema = z.union([
  z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. CHAOS_WEBHOOK') }),
]);

export type Webhook = z.output<typeof webhookSchema>;

/** The URL of a webhook setting, or why there is none (an unset or malformed variable). */
export function webhookUrl(hook: Webhook | undefined): { url?: string; problem?: string } {
  if (hook === undefined) return {};
  if (typeof hook === 'string') return { url: hook };
  const value = process.env[hook.env];
  if (!value) return { problem: `$${hook.env} is not set` };
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { url: value };
  } catch {
    /* below */
  }
  return { problem: `$${hook.env} is not an http(s) URL` };
}
