/**
 * The cache and the store of `faultline demo --real` as `process` services of the shop's system
 * file: a real redis-server and a real postgres, started and supervised by faultline like the
 * stand-ins they replace (same ports, same restart policy, reached through the same proxies), and
 * the addresses their callers get (redis://, postgres://: shop/backends/ picks the client).
 */
import type { SystemInput } from '../../experiment/define.js';
import type { RealBinaries } from './binaries.js';
import { PG_DATABASE, PG_USER, postgresCommand, type PostgresCluster } from './postgres-dir.js';

export interface RealParts {
  bins: RealBinaries;
  postgres: Pick<PostgresCluster, 'dataDir' | 'runAs'>;
  /** redis-server's working directory (nothing is saved in it: no RDB, no AOF). */
  redisDir: string;
}

type ServiceInput = SystemInput['services'][string];
type ProcessInput = NonNullable<ServiceInput['process']>;

export const REAL_DESCRIPTIONS = { cache: 'a real redis-server (no persistence)', store: 'a real PostgreSQL (a throwaway cluster)' } as const;

/** The process and health of the real cache or store listening on `port`. */
export function realService(name: 'cache' | 'store', real: RealParts, port: number, restart: ProcessInput['restart']): Pick<ServiceInput, 'process' | 'health'> {
  const { bins } = real;
  if (name === 'cache') {
    return {
      process: {
        command: [bins.redisServer, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', real.redisDir],
        restart,
        readyTimeout: '15s',
        stopTimeout: '2s',
      },
      health: { command: [bins.redisCli, '-h', '127.0.0.1', '-p', String(port), 'ping'], timeout: '1s' },
    };
  }
  return {
    process: {
      command: postgresCommand(bins, real.postgres, port),
      restart,
      readyTimeout: '20s',
      // Fast shutdown: the postmaster ends its backends itself (a smart one would wait for the pools).
      stopSignal: 'SIGINT',
      stopTimeout: '5s',
    },
    // A connection that gets no answer within 1 s: a frozen postmaster accepts TCP, nothing more.
    health: { command: [bins.pgIsReady, '-q', '-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', PG_DATABASE, '-t', '1'], timeout: '1s' },
  };
}

/** What a caller of the real cache or store is given as SHOP_CACHE_URL / SHOP_STORE_URL. */
export function realUrl(name: 'cache' | 'store', port: number): string {
  return name === 'cache' ? `redis://127.0.0.1:${port}` : `postgres://${PG_USER}@127.0.0.1:${port}/${PG_DATABASE}`;
}
