import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureStateDir, resolveStateDir, STATE_DIR_ENV } from '../../src/safety/state-dir.js';
import { removeDir, tempDir } from './helpers.js';

describe('resolveStateDir', () => {
  const cwd = '/srv/shop';
  it('prefers the flag, then the environment, then ./.faultline', () => {
    assert.equal(resolveStateDir('state', cwd, { [STATE_DIR_ENV]: '/var/faultline' }), '/srv/shop/state');
    assert.equal(resolveStateDir(undefined, cwd, { [STATE_DIR_ENV]: '/var/faultline' }), '/var/faultline');
    assert.equal(resolveStateDir(undefined, cwd, { [STATE_DIR_ENV]: 'rel' }), '/srv/shop/rel');
    assert.equal(resolveStateDir(undefined, cwd, { [STATE_DIR_ENV]: '' }), '/srv/shop/.faultline');
    assert.equal(resolveStateDir(undefined, cwd, {}), '/srv/shop/.faultline');
  });

  it('rejects an empty flag', () => {
    assert.throws(() => resolveStateDir('  ', cwd, {}), { code: 'E_USAGE' });
  });
});

describe('ensureStateDir', () => {
  let root: string;
  before(async () => {
    root = await tempDir();
  });
  after(() => removeDir(root));

  it('creates the directory and its parents, and is happy if it exists', async () => {
    const dir = resolveStateDir(undefined, join(root, 'a', 'b'), {});
    assert.equal(await ensureStateDir(dir), dir);
    assert.equal(await ensureStateDir(dir), dir);
    assert.ok(statSync(dir).isDirectory());
  });
});
