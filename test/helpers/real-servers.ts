/**
 * A real Redis and a real PostgreSQL for tests, from Debian's packages: each on a free loopback
 * port with its data in a temporary directory, and `stop()` ends it (and its backends) and removes
 * the directory.
 *
 * Skipping: without the binaries, `redisSkip()` / `postgresSkip()` give the reason naming the
 * Debian packages — except under CI=true (where .ci/run installs them) or with
 * FAULTLINE_REQUIRE_SYSTEM=1, where a skip would hide a broken setup, so they throw instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './cli.js';
import { waitFor } from './wait.js';

export interface RealServer {
  port: number;
  /** The temporary directory holding its data (and, for PostgreSQL, its Unix socket). */
  dir: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface PostgresServer extends RealServer {
  /** The directory of initdb, postgres, pgbench and psql of the version started. */
  binDir: string;
  /** The superuser to connect as (trust authentication on loopback). */
  user: string;
}

const REDIS_INSTALL = 'apt-get install -y redis-server redis-tools';
const POSTGRES_INSTALL = 'apt-get install -y postgresql';

/** An executable named `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Debian keeps initdb and postgres out of PATH, in /usr/lib/postgresql/<version>/bin (and its
 * /usr/bin/pgbench is a wrapper that picks a version): use the newest version's own directory,
 * else the directory of an initdb on PATH (Homebrew, other distributions).
 */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const needed = ['initdb', 'postgres', 'pgbench', 'psql'];
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (needed.every((b) => existsSync(join(dir, b)))) return dir;
  }
  const initdb = onPath('initdb');
  if (!initdb) return undefined;
  const dir = join(initdb, '..');
  return needed.every((b) => existsSync(join(dir, b))) ? dir : undefined;
}

function skipOrThrow(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  if (process.env.CI === 'true' || process.env.FAULTLINE_REQUIRE_SYSTEM === '1') {
    throw new Error(`these tests would skip (${reason}), but this is CI, whose setup installs them (.ci/run): this is a failure`);
  }
  return reason;
}

/** Why the Redis tests cannot run here, or undefined. Throws where they must run (CI). */
export function redisSkip(): string | undefined {
  const missing = ['redis-server', 'redis-cli', 'redis-benchmark'].filter((b) => !onPath(b));
  return skipOrThrow(missing.length ? `${missing.join(', ')} not on PATH: install Debian's redis-server and redis-tools (${REDIS_INSTALL})` : undefined);
}

/** Why the PostgreSQL tests cannot run here, or undefined. Throws where they must run (CI). */
export function postgresSkip(): string | undefined {
  if (postgresBinDir()) return skipOrThrow(userInfo().uid === 0 && !unprivilegedUser() ? 'running as root, and no user "postgres" or "nobody" to run initdb as' : undefined);
  return skipOrThrow(`initdb, postgres, pgbench and psql not found under /usr/lib/postgresql/*/bin or on PATH: install Debian's postgresql (${POSTGRES_INSTALL})`);
}

/** A child whose output is kept, and a promise of its exit. */
function launch(cmd: string, args: string[], cwd: string): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, output: () => out, exited };
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Signal `pid` (default: the child), SIGKILL the child after 10 s, and wait for its exit. */
async function stopChild(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals, pid = child.pid): Promise<void> {
  if (running(child) && pid) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Start `attempt(port)` on a free port until it is ready; a port taken between freePort() and the
 * server's bind is retried (up to 5 times), any other failure throws with the server's output.
 */
async function onFreePort<T>(name: string, attempt: (port: number) => Promise<T>, inUse: (err: Error) => boolean): Promise<T> {
  let last: Error | undefined;
  for (let i = 0; i < 5; i++) {
    try {
      return await attempt(await freePort());
    } catch (err) {
      last = err as Error;
      if (!inUse(last)) break;
    }
  }
  throw new Error(`could not start ${name}: ${last?.message}`, { cause: last });
}

/** A real redis-server on 127.0.0.1, no persistence, its working directory a temporary one. */
export async function startRedis(): Promise<RealServer> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-redis-'));
  try {
    return await onFreePort(
      'redis-server',
      async (port) => {
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
        const p = launch('redis-server', args, dir);
        try {
          await waitFor(
            () => {
              if (!running(p.child)) throw new Error('redis-server exited');
              return /Ready to accept connections/.test(p.output());
            },
            { what: `redis-server to accept connections on port ${port}`, timeoutMs: 30_000 },
          );
        } catch (err) {
          await stopChild(p.child, p.exited, 'SIGKILL');
          throw new Error(`${(err as Error).message}\n${p.output().slice(-2000)}`, { cause: err });
        }
        const stop = async () => {
          await stopChild(p.child, p.exited, 'SIGTERM');
          await rm(dir, { recursive: true, force: true });
        };
        return { port, dir, output: p.output, stop };
      },
      (err) => /Address already in use/i.test(err.message),
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The user to run initdb and postgres as when we are root (they refuse to run as root). */
function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { name, uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  return undefined;
}

/** `cmd args` as the unprivileged user when root (setpriv execs it, so the pid is the program's), else as is. */
function asUser(user: ReturnType<typeof unprivilegedUser>, cmd: string, args: string[]): [string, string[]] {
  if (!user) return [cmd, args];
  if (onPath('setpriv')) return ['setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--', cmd, ...args]];
  return ['runuser', ['-u', user.name, '--', cmd, ...args]];
}

/**
 * A real PostgreSQL: `initdb` into a temporary directory (trust authentication, superuser
 * `postgres`), then `postgres` on 127.0.0.1 with its Unix socket in that directory and fsync off.
 * As root both run as the user postgres (or nobody), who owns the directory.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error(`initdb not found under /usr/lib/postgresql/*/bin or on PATH (${POSTGRES_INSTALL})`);
  const user = userInfo().uid === 0 ? unprivilegedUser() : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'faultline-pg-'));
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    const [initCmd, initArgs] = asUser(user, join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    const init = spawnSync(initCmd, initArgs, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) throw new Error(`initdb into ${data} failed (exit ${init.status}): ${init.error?.message ?? ''}${init.stderr}${init.stdout}`.slice(0, 4000));
    return await onFreePort(
      'postgres',
      async (port) => {
        const [cmd, args] = asUser(user, join(binDir, 'postgres'), ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off']);
        const p = launch(cmd, args, dir);
        try {
          await waitFor(
            () => {
              if (!running(p.child)) throw new Error('postgres exited');
              return /database system is ready to accept connections/.test(p.output());
            },
            { what: `postgres to accept connections on port ${port}`, timeoutMs: 60_000, intervalMs: 100 },
          );
        } catch (err) {
          await stopChild(p.child, p.exited, 'SIGKILL');
          throw new Error(`${(err as Error).message}\n${p.output().slice(-2000)}`, { cause: err });
        }
        // SIGINT to the postmaster is PostgreSQL's fast shutdown: it ends every backend, then
        // itself. Through runuser the child is runuser, so the postmaster's pid comes from its file.
        const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        const stop = async () => {
          await stopChild(p.child, p.exited, 'SIGINT', postmaster);
          await rm(dir, { recursive: true, force: true });
        };
        return { port, dir, binDir, user: 'postgres', output: p.output, stop };
      },
      (err) => /could not bind|Address already in use/i.test(err.message),
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
