/** Where faultline keeps its ledger and run registry: `--state-dir`, `$FAULTLINE_STATE_DIR`, or `./.faultline`. */
import { resolve } from 'node:path';
import { UsageError } from '../errors/index.js';
import { mkdirDurable } from './durable.js';

export const STATE_DIR_ENV = 'FAULTLINE_STATE_DIR';

export function resolveStateDir(flag?: string, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UsageError('--state-dir needs a directory');
    return resolve(cwd, flag);
  }
  const fromEnv = env[STATE_DIR_ENV];
  // An empty variable counts as unset, as shells commonly treat it.
  if (fromEnv !== undefined && fromEnv.trim() !== '') return resolve(cwd, fromEnv);
  return resolve(cwd, '.faultline');
}

/** Creates the directory (and parents) if needed, durably (their parents fsync'd); returns it. */
export async function ensureStateDir(dir: string): Promise<string> {
  await mkdirDurable(dir);
  return dir;
}
