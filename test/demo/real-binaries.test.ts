// Finding the real servers for `faultline demo --real`, on fake install trees (no server runs).
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findRealBinaries } from '../../src/demo/real/binaries.js';
import { isUsageError } from '../../src/errors/index.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function tree(files: string[]): Promise<string> {
  const dir = await tempDir('faultline-real-bins-');
  cleanups.push(dir.cleanup);
  for (const f of files) {
    await mkdir(join(dir.path, f, '..'), { recursive: true });
    await writeFile(join(dir.path, f), '#!/bin/sh\n');
    await chmod(join(dir.path, f), 0o755);
  }
  return dir.path;
}

const PG = ['postgres', 'initdb', 'pg_isready'];

test('redis on PATH, PostgreSQL from the newest Debian version (13 < 15, not the PATH wrappers)', async () => {
  const root = await tree(['bin/redis-server', 'bin/redis-cli', 'bin/pg_isready', ...PG.map((b) => `pg/13/bin/${b}`), ...PG.map((b) => `pg/15/bin/${b}`)]);
  const found = findRealBinaries({ path: join(root, 'bin'), postgresRoot: join(root, 'pg'), brewRoots: [] });
  assert.deepEqual(found, {
    redisServer: join(root, 'bin/redis-server'),
    redisCli: join(root, 'bin/redis-cli'),
    postgres: join(root, 'pg/15/bin/postgres'),
    initdb: join(root, 'pg/15/bin/initdb'),
    pgIsReady: join(root, 'pg/15/bin/pg_isready'),
  });
});

test("Homebrew's keg-only postgresql@N, newest first", async () => {
  const root = await tree(['bin/redis-server', 'bin/redis-cli', ...PG.map((b) => `opt/postgresql@14/bin/${b}`), ...PG.map((b) => `opt/postgresql@16/bin/${b}`)]);
  const found = findRealBinaries({ path: join(root, 'bin'), postgresRoot: join(root, 'none'), brewRoots: [join(root, 'opt')] });
  assert.equal(found.postgres, join(root, 'opt/postgresql@16/bin/postgres'));
});

test('what is missing, and the packages that have it, as a usage error (exit 2)', async () => {
  const root = await tree(['bin/redis-server', 'bin/initdb']);
  assert.throws(
    () => findRealBinaries({ path: join(root, 'bin'), postgresRoot: join(root, 'none'), brewRoots: [] }),
    (err: Error) => isUsageError(err) && /not found: redis-cli, postgres, pg_isready/.test(err.message) && /apt-get install redis-server postgresql/.test(err.message) && /brew install redis postgresql@15/.test(err.message),
  );
});
