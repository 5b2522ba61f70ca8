/** What every command needs: the fault registry, the state dir, the system file. Parsing stays in the commands. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { faultRegistry, revertRegistry } from '../drivers/index.js';
import { UsageError } from '../errors/index.js';
import { loadSystem, type LoadedSystem } from '../experiment/loader/load-system.js';
import { ensureStateDir, resolveStateDir } from '../safety/state-dir.js';

export interface CommonOptions {
  system?: string;
  stateDir?: string;
  json?: boolean;
}

export const kinds = faultRegistry();
/** For recover, stop and the reaper: the kinds plus the ledger's bookkeeping (processes a run started). */
export const revertKinds = revertRegistry();

export async function stateDirFrom(options: CommonOptions): Promise<string> {
  return ensureStateDir(resolveStateDir(options.stateDir));
}

/** `--system FILE`, else ./faultline.yaml. */
export async function systemFrom(options: CommonOptions): Promise<LoadedSystem> {
  const file = options.system ?? 'faultline.yaml';
  if (!options.system && !existsSync(resolve(file))) {
    throw new UsageError(`no system file: ./faultline.yaml does not exist here (${process.cwd()}); name one with --system FILE`);
  }
  return loadSystem(file);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
