/**
 * Whether a running `faultline up` serves THIS system: it records the system file it started
 * from (absolute path and a SHA-256 of its bytes) in up.json. Service names alone say nothing —
 * two systems may both have an `api` — and adopting another system's daemon would inject into
 * processes the experiment never meant.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UpState } from '../../drivers/process/up-state.js';

export interface SystemFingerprint {
  /** Absolute path of the system file. */
  file: string;
  /** SHA-256 (hex) of its bytes. */
  sha256: string;
}

export async function systemFingerprint(absPath: string): Promise<SystemFingerprint> {
  return { file: absPath, sha256: createHash('sha256').update(await readFile(absPath)).digest('hex') };
}

/** undefined when `up` serves this system file as it is now; otherwise why it does not. */
export function upMismatch(up: Pick<UpState, 'pid'> & { system?: SystemFingerprint | undefined }, mine: SystemFingerprint): string | undefined {
  const who = `faultline up (pid ${up.pid})`;
  if (!up.system) return `${who} does not record which system file it serves (an older faultline started it); restart it with \`faultline down\` then \`faultline up\``;
  if (up.system.file !== mine.file) return `${who} serves ${up.system.file}, not ${mine.file}`;
  if (up.system.sha256 !== mine.sha256) return `${who} serves ${mine.file} as it was when up started; the file has changed since: restart it with \`faultline down\` then \`faultline up\``;
  return undefined;
}
