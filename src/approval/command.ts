/**
 * The exact `faultline approve` command that approves what a run loaded: the same file, the same
 * system (--system only where the default would find another), a catalog template's parameters,
 * and the state dir when it is not the default here. Paths relative to the current directory
 * when they are below it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { resolveStateDir } from '../safety/state-dir.js';
import { isCatalog } from './content-hash.js';

export function approveCommand(loaded: LoadedExperiment, stateDir: string, by = 'NAME', cwd = process.cwd()): string {
  const args = ['faultline', 'approve', isCatalog(loaded) ? loaded.file : shown(loaded.absPath, cwd), '--by', by];
  if (!systemFoundByDefault(loaded, cwd)) args.push('--system', shown(loaded.system.absPath, cwd));
  if (loaded.catalogArgs?.target !== undefined) args.push('--target', loaded.catalogArgs.target);
  for (const pair of loaded.catalogArgs?.set ?? []) args.push('--set', pair);
  if (resolve(stateDir) !== defaultStateDir(cwd)) args.push('--state-dir', shown(stateDir, cwd));
  return args.map(quote).join(' ');
}

/** Would `faultline approve FILE` without --system load the same system file? */
function systemFoundByDefault(loaded: LoadedExperiment, cwd: string): boolean {
  const actual = loaded.system.absPath;
  if (isCatalog(loaded)) return actual === resolve(cwd, 'faultline.yaml');
  const named = loaded.experiment.system;
  if (named !== undefined) return actual === resolve(loaded.dir, named);
  // The loader's fallbacks: faultline.yaml beside the experiment, then in the current directory.
  const beside = resolve(loaded.dir, 'faultline.yaml');
  return actual === beside || (actual === resolve(cwd, 'faultline.yaml') && !existsSync(beside));
}

function defaultStateDir(cwd: string): string | undefined {
  try {
    return resolveStateDir(undefined, cwd);
  } catch {
    return undefined;
  }
}

/** A path relative to `cwd` when it is below it, else as it is: how messages show files. */
export function shown(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** POSIX shell quoting, only where needed. */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
