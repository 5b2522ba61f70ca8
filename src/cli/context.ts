/** What every command needs: the fault registry, the state dir, the system file. Parsing stays in the commands. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { COMPOSE_FILE_NAMES, findComposeFile } from '../compose/compose-file-names.js';
import { loadComposeSystem, type ComposeSystem } from '../compose/compose-system.js';
import { faultRegistry, revertRegistry } from '../drivers/index.js';
import { UsageError, formatIssue } from '../errors/index.js';
import { loadSystem, type LoadedSystem } from '../experiment/loader/load-system.js';
import { ensureStateDir, resolveStateDir } from '../safety/state-dir.js';

export interface CommonOptions {
  system?: string;
  stateDir?: string;
  json?: boolean;
  /** composeFlags(): a Compose file to use as the system, and its project. */
  compose?: string;
  project?: string;
}

export const kinds = faultRegistry();
/** For recover, stop and the reaper: the kinds plus the ledger's bookkeeping (processes a run started). */
export const revertKinds = revertRegistry();

export async function stateDirFrom(options: CommonOptions): Promise<string> {
  return ensureStateDir(resolveStateDir(options.stateDir));
}

/** Adds --compose and --project, read by systemFrom(). */
export function composeFlags(cmd: Command): Command {
  return cmd
    .option('--compose <file>', 'use this Docker Compose file as the system, mapped in memory as `faultline init --compose` maps it (default when there is no ./faultline.yaml: compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml here)')
    .option('--project <name>', 'the Compose project of that file (default: the project whose containers run from it, else its name:, else its directory\'s name)');
}

/**
 * `--system FILE`; else ./faultline.yaml; else `--compose FILE` or the Compose file here, mapped
 * in memory (one line on stderr says so, and which project). A system from Compose has `compose`.
 */
export async function systemFrom(options: CommonOptions): Promise<LoadedSystem | ComposeSystem> {
  if (options.system !== undefined) {
    if (options.compose !== undefined) throw new UsageError(`--compose and --system cannot be combined: --system ${options.system} names a faultline system file, --compose ${options.compose} a Compose file to use instead of one`);
    if (options.project !== undefined) throw new UsageError(`--project applies to a Compose file (--compose FILE), not to --system ${options.system}: a system file names its projects itself (compose.project)`);
    return loadSystem(options.system);
  }
  if (options.compose !== undefined) {
    const path = resolve(options.compose);
    if (!existsSync(path)) throw new UsageError(`--compose ${options.compose}: no such file (${path})`);
    if (statSync(path).isDirectory()) throw new UsageError(`--compose ${options.compose}: expected a Compose file, got a directory (${path})`);
    return fromCompose(options.compose, options.project, '');
  }
  const here = process.cwd();
  if (existsSync(resolve('faultline.yaml'))) {
    if (options.project !== undefined) {
      throw new UsageError(`--project applies to a Compose file, and ./faultline.yaml is used here (${here}): it names its projects itself (compose.project); add --compose FILE to use a Compose file instead`);
    }
    return loadSystem('faultline.yaml');
  }
  const found = findComposeFile(here);
  if (!found) {
    throw new UsageError(
      `no system file: ./faultline.yaml does not exist here (${here}), nor does a Compose file (${COMPOSE_FILE_NAMES.join(', ')}); name a system file with --system FILE or a Compose file with --compose FILE`,
    );
  }
  const ignored = found.ignored.length > 0 ? ` (${found.ignored.join(', ')} ignored, as Compose does)` : '';
  return fromCompose(found.file, options.project, ` — no faultline.yaml here${ignored}`);
}

async function fromCompose(file: string, project: string | undefined, why: string): Promise<ComposeSystem> {
  const system = await loadComposeSystem(file, project !== undefined ? { project } : {});
  for (const w of system.compose.warnings) process.stderr.write(`warning ${formatIssue(w)}\n`);
  const n = Object.keys(system.system.services).length;
  process.stderr.write(
    `using ${file}: compose project ${system.compose.project} (${system.compose.reason}), ${n} service${n === 1 ? '' : 's'}${why}; \`faultline init --compose ${file}\` writes a faultline.yaml to edit\n`,
  );
  return system;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
