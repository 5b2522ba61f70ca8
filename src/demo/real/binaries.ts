/**
 * Finding the real servers for `faultline demo --real`: redis-server and redis-cli on PATH;
 * postgres, initdb and pg_isready on PATH or in Debian's /usr/lib/postgresql/<version>/bin (the
 * newest version first: Debian puts only wrappers for the client tools on PATH).
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

export const INSTALL_HINT = 'install them: Debian/Ubuntu `apt-get install redis-server postgresql`, macOS `brew install redis postgresql@15` (then `brew link postgresql@15` or put its bin on PATH)';

export interface FindOptions {
  /** Default: $PATH. */
  path?: string;
  /** Where Debian keeps PostgreSQL's versions. Default /usr/lib/postgresql. */
  postgresRoot?: string;
}

/** Every binary, or a UsageError (exit 2) naming what is missing and the packages that have it. */
export function findRealBinaries(options: FindOptions = {}): RealBinaries {
  const dirs = (options.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgDirs = postgresBinDirs(options.postgresRoot ?? '/usr/lib/postgresql');
  const found: Partial<RealBinaries> = {};
  const missing: string[] = [];
  for (const key of Object.keys(NAMES) as (keyof RealBinaries)[]) {
    const where = POSTGRES_TOOLS.has(key) ? [...pgDirs, ...dirs] : dirs;
    const file = where.map((d) => join(d, NAMES[key])).find(executable);
    if (file) found[key] = file;
    else missing.push(NAMES[key]);
  }
  if (missing.length) {
    throw new UsageError(`--real needs a real Redis and PostgreSQL; not found: ${missing.join(', ')} (looked on PATH and in ${options.postgresRoot ?? '/usr/lib/postgresql'}/*/bin). To ${INSTALL_HINT}.`);
  }
  return found as RealBinaries;
}

function postgresBinDirs(root: string): string[] {
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return [];
  }
  return versions.sort((a, b) => Number(b) - Number(a) || b.localeCompare(a)).map((v) => join(root, v, 'bin'));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
