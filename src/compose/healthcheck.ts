/** A compose service's `healthcheck:` — what it runs, and the HTTP URL it calls when it calls one. */
import type { DocPath } from '../experiment/loader/read-document.js';
import { fail, isRecord, shown, type MappingContext } from './context.js';

export interface HealthcheckInfo {
  /** `test: ["NONE"]` or `disable: true`: the image's health check is turned off. */
  disabled: boolean;
  /** The command as one line, when the compose file gives one. */
  command?: string;
  /** `interval:` as written. */
  interval?: string;
  /** An http(s) URL the command calls (curl, wget, …), if any. */
  url?: URL;
}

export function parseHealthcheck(ctx: MappingContext, value: unknown, path: DocPath): HealthcheckInfo | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    fail(ctx, path, `expected a map with test, interval, timeout, retries, start_period or disable, got ${shown(value)}`);
    return undefined;
  }
  const interval = typeof value.interval === 'string' ? value.interval : undefined;
  if (value.disable === true) return { disabled: true };
  const test = value.test;
  if (test === undefined || test === null) return { disabled: false, ...(interval ? { interval } : {}) };
  let command: string;
  if (typeof test === 'string') command = test;
  else if (Array.isArray(test) && test.length > 0 && test.every((t) => typeof t === 'string')) {
    const [kind, ...args] = test as string[];
    if (kind === 'NONE') return { disabled: true };
    if (kind === 'CMD-SHELL') command = args.join(' ');
    else if (kind === 'CMD') command = args.map(quoteArg).join(' ');
    else {
      fail(ctx, [...path, 'test'], `expected a list starting with "CMD", "CMD-SHELL" or "NONE", got ${JSON.stringify(kind)}`);
      return undefined;
    }
  } else {
    fail(ctx, [...path, 'test'], `expected a command string or a list such as ["CMD", "curl", "-f", "http://localhost/"], got ${shown(test)}`);
    return undefined;
  }
  const urlText = /https?:\/\/[^\s'"|;&)]+/.exec(command)?.[0];
  let url: URL | undefined;
  try {
    url = urlText ? new URL(urlText) : undefined;
  } catch {
    url = undefined;
  }
  return { disabled: false, command: command.trim(), ...(interval ? { interval } : {}), ...(url ? { url } : {}) };
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The container port a health check URL calls (its port, else 80/443). */
export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Whether a URL is the container calling itself (localhost, 127.0.0.1, 0.0.0.0, ::1). */
export function isLocalUrl(url: URL): boolean {
  return ['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '::1'].includes(url.hostname);
}
