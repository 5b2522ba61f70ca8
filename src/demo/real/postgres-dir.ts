/**
 * A throwaway PostgreSQL cluster for `faultline demo --real`, made once before the suite:
 * `initdb` into a temporary directory (superuser `shop`, trust auth on loopback, no fsync), then
 * the store's tables and seed catalog through `postgres --single` (no server, no port). Each
 * experiment's run then starts `postgres` on it as the store's process service.
 *
 * PostgreSQL refuses to run as root. As root, the directory is given to the `postgres` user (the
 * Debian and Homebrew packages create it); initdb and single-user mode run through `runuser -u
 * postgres --`, and the service through `setpriv`, which execs postgres in its own place (runuser
 * forks and waits, so the supervised pid — what kill and pause hit — would be runuser's).
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../../errors/index.js';
import { storeSchemaSql } from '../shop/backends/postgres-schema.js';
import type { RealBinaries } from './binaries.js';

const run = promisify(execFile);

export const PG_USER = 'shop';
export const PG_DATABASE = 'postgres';

export interface PostgresCluster {
  /** The data directory (also where its Unix socket goes). */
  dataDir: string;
  /** Prefix of the postgres command: `setpriv …` as root, empty otherwise. */
  runAs: string[];
  dispose(): Promise<void>;
}

export async function preparePostgres(bins: RealBinaries): Promise<PostgresCluster> {
  const owner = process.getuid?.() === 0 ? await postgresUser() : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'faultline-demo-pg-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const dataDir = join(dir, 'data');
    if (owner) await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
    const asUser = owner ? ['runuser', '-u', 'postgres', '--'] : [];
    await exec([...asUser, bins.initdb, '-D', dataDir, '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--no-sync'], 'initdb');
    await exec([...asUser, bins.postgres, '--single', '-D', dataDir, '-c', 'fsync=off', PG_DATABASE], 'creating the store\'s tables (postgres --single)', storeSchemaSql());
    return { dataDir, runAs: owner ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : [], dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** The argv of the store's process service. */
export function postgresCommand(bins: RealBinaries, cluster: Pick<PostgresCluster, 'dataDir' | 'runAs'>, port: number): string[] {
  return [...cluster.runAs, bins.postgres, '-D', cluster.dataDir, '-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-k', cluster.dataDir, '-c', 'fsync=off'];
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new UsageError('--real runs PostgreSQL, which refuses to run as root, and there is no `postgres` user to run it as: create one (`useradd --system --user-group postgres`; the postgresql package does) or run the demo as an ordinary user');
  }
}

function exec(argv: string[], what: string, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`${what}: cannot run ${argv[0]}: ${err.message}`)));
    child.on('close', (code) => {
      // Single-user mode reports a failed statement as ERROR and still exits 0.
      if (code === 0 && !/^\s*ERROR:/m.test(output)) resolve();
      else reject(new Error(`${what} failed (exit ${code}): ${argv.join(' ')}\n${output.trim().split('\n').slice(-20).join('\n')}`));
    });
    child.stdin.end(input ?? '');
  });
}
