/**
 * Finding the real servers for `faultline demo --real`: redis-server and redis-cli on PATH;
 * postgres, initdb and pg_isready in Debian's /usr/lib/postgresql/<version>/bin (the newest
 * version first: Debian puts only wrappers for the client tools on PATH), in Homebrew's keg-only
 * postgresql@<version> (not linked onto PATH by default), or on PATH.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../../errors/index.js';

export interface RealBinaries {
  redisServer: string;
  redisCli: string;
  postgres: string;
  initdb: string;
  pgIsReady: string;
}

const NAMES: Record<keyof RealBinaries, string> = { redisServer: 'redis-server', redisCli: 'redis-cli', postgres: 'postgres', initdb: 'initdb', pgIsReady: 'pg_isready' };
const POSTGRES_TOOLS = new Set<keyof RealBinaries>(['postgres', 'initdb', 'pgIsReady']);

export const INSTALL_HINT = 'install them: Debian/Ubuntu `apt-get install redis-server postgresql`, macOS `brew install redis postgresql@15`';

export interface FindOptions {
  /** Default: $PATH. */
  path?: string;
  /** Where Debian keeps PostgreSQL's versions. Default /usr/lib/postgresql. */
  postgresRoot?: string;
  /** Where Homebrew keeps its kegs. Default /opt/homebrew/opt and /usr/local/opt. */
  brewRoots?: string[];
}

/** Every binary, or a UsageError (exit 2) naming what is missing and the packages that have it. */
export function findRealBinaries(options: FindOptions = {}): RealBinaries {
  const dirs = (options.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgDirs = [...debianBinDirs(options.postgresRoot ?? '/usr/lib/postgresql'), ...(options.brewRoots ?? ['/opt/homebrew/opt', '/usr/local/opt']).flatMap(brewBinDirs)];
  const found: Partial<RealBinaries> = {};
  const missing: string[] = [];
  for (const key of Object.keys(NAMES) as (keyof RealBinaries)[]) {
    const where = POSTGRES_TOOLS.has(key) ? [...pgDirs, ...dirs] : dirs;
    const file = where.map((d) => join(d, NAMES[key])).find(executable);
    if (file) found[key] = file;
    else missing.push(NAMES[key]);
  }
  if (missing.length) {
    throw new UsageError(`--real needs a real Redis and PostgreSQL; not found: ${missing.join(', ')} (looked on PATH, in ${options.postgresRoot ?? '/usr/lib/postgresql'}/*/bin and in Homebrew's postgresql@*). To ${INSTALL_HINT}.`);
  }
  return found as RealBinaries;
}

/** /usr/lib/postgresql/15/bin, …: the newest version first. */
function debianBinDirs(root: string): string[] {
  return newestFirst(entries(root).filter((v) => /^\d+$/.test(v)), (v) => v).map((v) => join(root, v, 'bin'));
}

/** /opt/homebrew/opt/postgresql@15/bin, …: the newest version first. */
function brewBinDirs(root: string): string[] {
  return newestFirst(entries(root).filter((k) => /^postgresql@\d+$/.test(k)), (k) => k.slice('postgresql@'.length)).map((k) => join(root, k, 'bin'));
}

function newestFirst(names: string[], version: (name: string) => string): string[] {
  return names.sort((a, b) => Number(version(b)) - Number(version(a)));
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
