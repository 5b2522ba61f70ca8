import { UsageError } from '../errors/index.js';

/** `--notify URL`: an http(s) URL, or a usage error (exit 2) before anything runs. */
export function checkNotifyUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    /* reported below */
  }
  throw new UsageError(`--notify: expected an http(s) URL, got "${url}"`);
}
