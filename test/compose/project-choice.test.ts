// The pure parts of choosing a Compose project: which containers were started from a file (by
// their compose labels, as docker-compose v1 1.29 and Compose v2 write them), how they group into
// projects, the rule that picks one, and which Compose file a directory means.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { chooseProject } from '../../src/compose/choose-project.js';
import { findComposeFile } from '../../src/compose/compose-file-names.js';
import { invocationDirs, startedFromFile } from '../../src/compose/label-match.js';
import { groupByProject, type ProjectsLookup } from '../../src/compose/running-projects.js';
import { isUsageError } from '../../src/errors/index.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

const plain = (p: string) => resolve(p);
const labels = (configFiles: string | undefined, workingDir: string | undefined): Record<string, string> => ({
  'com.docker.compose.project': 'p',
  ...(configFiles !== undefined ? { 'com.docker.compose.project.config_files': configFiles } : {}),
  ...(workingDir !== undefined ? { 'com.docker.compose.project.working_dir': workingDir } : {}),
});

describe('startedFromFile: compose labels against a compose file', () => {
  test('docker-compose v1 run in the project directory: a bare file name, resolved against working_dir', () => {
    const l = labels('docker-compose.yml', '/srv/shop');
    assert.equal(startedFromFile(l, '/srv/shop/docker-compose.yml', plain), true);
    assert.equal(startedFromFile(l, '/srv/other/docker-compose.yml', plain), false);
    assert.equal(startedFromFile(l, '/srv/shop/compose.yaml', plain), false);
  });

  test('docker-compose v1 run from a parent with -f sub/file: the path as typed, working_dir the file\'s directory', () => {
    // Exactly what `docker-compose -p X -f Sub.Dir/docker-compose.yml up -d` wrote here (1.29.2).
    const l = labels('Sub.Dir/docker-compose.yml', '/tmp/flt-probe-Eq2F/Sub.Dir');
    assert.equal(startedFromFile(l, '/tmp/flt-probe-Eq2F/Sub.Dir/docker-compose.yml', plain), true);
    assert.equal(startedFromFile(l, '/tmp/flt-probe-Eq2F/Sub.Dir/Sub.Dir/docker-compose.yml', plain), true, 'also the other reading (run from working_dir): a file there would be the same relative path');
    assert.equal(startedFromFile(l, '/tmp/other/Sub.Dir/docker-compose.yml', plain), false);
    assert.deepEqual(invocationDirs('Sub.Dir/docker-compose.yml', '/tmp/flt-probe-Eq2F/Sub.Dir/'), ['/tmp/flt-probe-Eq2F', '/tmp/flt-probe-Eq2F/Sub.Dir']);
    assert.deepEqual(invocationDirs('./docker-compose.yml', '/srv/shop'), ['/srv/shop']);
    assert.deepEqual(invocationDirs('../shop/docker-compose.yml', '/srv/shop'), ['/srv/shop'], 'a parent reference leaves where it ran unknown');
    assert.deepEqual(invocationDirs('docker-compose.yml', 'relative/dir'), [], 'a relative working_dir is no anchor');
  });

  test('several -f files (comma-separated): any of them matches', () => {
    const v1 = labels('app/docker-compose.yml,ops/extra.yml', '/p/app');
    assert.equal(startedFromFile(v1, '/p/app/docker-compose.yml', plain), true);
    assert.equal(startedFromFile(v1, '/p/ops/extra.yml', plain), true);
    assert.equal(startedFromFile(v1, '/p/app/ops/extra.yml', plain), true);
    assert.equal(startedFromFile(v1, '/p/extra.yml', plain), false);
  });

  test('Compose v2: absolute paths', () => {
    const l = labels('/home/u/shop/compose.yaml,/home/u/shop/compose.override.yaml', '/home/u/shop');
    assert.equal(startedFromFile(l, '/home/u/shop/compose.yaml', plain), true);
    assert.equal(startedFromFile(l, '/home/u/shop/compose.override.yaml', plain), true);
    assert.equal(startedFromFile(l, '/home/u/shop/docker-compose.yml', plain), false);
  });

  test('no config_files label (Compose before 1.25): the project directory decides', () => {
    assert.equal(startedFromFile(labels(undefined, '/srv/shop'), '/srv/shop/docker-compose.yml', plain), true);
    assert.equal(startedFromFile(labels(undefined, '/srv/other'), '/srv/shop/docker-compose.yml', plain), false);
    assert.equal(startedFromFile(labels(undefined, undefined), '/srv/shop/docker-compose.yml', plain), false);
  });

  test('symlinks are followed on both sides (the default canonical path)', async () => {
    const t = await tempDir('faultline-labels-');
    cleanups.push(t.cleanup);
    await mkdir(join(t.path, 'real'));
    await writeFile(join(t.path, 'real', 'docker-compose.yml'), 'services: {}\n');
    await symlink(join(t.path, 'real'), join(t.path, 'link'));
    assert.equal(startedFromFile(labels('docker-compose.yml', join(t.path, 'link')), join(t.path, 'real', 'docker-compose.yml')), true);
    assert.equal(startedFromFile(labels(join(t.path, 'real', 'docker-compose.yml'), '/elsewhere'), join(t.path, 'link', 'docker-compose.yml')), true);
  });
});

describe('groupByProject', () => {
  const c = (name: string, project: string, service: string, state: string, extra: Record<string, string> = {}) => ({
    Names: [`/${name}`],
    State: state,
    Labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': service, 'com.docker.compose.project.config_files': 'docker-compose.yml', 'com.docker.compose.project.working_dir': '/srv/shop', ...extra },
  });
  test('containers from the file, by project, sorted; run containers and other files left out', () => {
    const projects = groupByProject(
      [
        c('shop_web_1', 'shop', 'web', 'running'),
        c('shop_db_1', 'shop', 'db', 'exited'),
        c('old_web_1', 'old', 'web', 'exited'),
        c('shop_web_run_1', 'shop', 'web', 'running', { 'com.docker.compose.oneoff': 'True' }),
        c('other_web_1', 'other', 'web', 'running', { 'com.docker.compose.project.working_dir': '/srv/other' }),
      ],
      '/srv/shop/docker-compose.yml',
    );
    assert.deepEqual(projects, [
      { project: 'old', running: false, containers: [{ name: 'old_web_1', service: 'web', state: 'exited' }] },
      {
        project: 'shop',
        running: true,
        containers: [
          { name: 'shop_db_1', service: 'db', state: 'exited' },
          { name: 'shop_web_1', service: 'web', state: 'running' },
        ],
      },
    ]);
  });
});

describe('chooseProject', () => {
  const project = (name: string, running: boolean, services: [string, string][]) => ({ project: name, running, containers: services.map(([service, state], i) => ({ name: `${name}_${service}_${i}`, service, state })) });
  const answered = (...projects: ReturnType<typeof project>[]): ProjectsLookup => ({ answered: true, engine: 'unix:///var/run/docker.sock', projects });
  const base = { composeFile: 'docker-compose.yml', dir: '/srv/Shop Dir' };

  test('one project running from the file: its name, whatever name: or the directory say', () => {
    const choice = chooseProject({ ...base, nameKey: 'storefront', lookup: answered(project('shop', true, [['web', 'running'], ['db', 'exited'], ['web', 'running']]), project('old', false, [['web', 'exited']])) });
    assert.deepEqual(choice, { project: 'shop', by: 'running', given: 'shop', reason: 'its containers are running: web, db (exited)' });
  });

  test('several running: a usage error that names each and asks for --project', () => {
    assert.throws(
      () => chooseProject({ ...base, lookup: answered(project('shop', true, [['web', 'running']]), project('shop2', true, [['web', 'paused']])) }),
      (err: Error) => isUsageError(err) && err.message === '2 Compose projects are running from docker-compose.yml: shop (web); shop2 (web (paused)). Say which one with --project NAME',
    );
  });

  test('only stopped containers: their project (docker-compose start brings them back)', () => {
    const choice = chooseProject({ ...base, lookup: answered(project('shop', false, [['web', 'exited']])) });
    assert.deepEqual(choice, { project: 'shop', by: 'stopped', given: 'shop', reason: 'its containers exist but none is running: web (exited)' });
  });

  test('nothing from the file: name:, else the directory, normalised; and why', () => {
    assert.deepEqual(chooseProject({ ...base, lookup: answered() }), { project: 'shopdir', by: 'directory', given: 'Shop Dir', reason: 'nothing from docker-compose.yml is running; from the directory name' });
    assert.deepEqual(chooseProject({ ...base, nameKey: 'Storefront', lookup: answered() }), { project: 'storefront', by: 'name', given: 'Storefront', reason: 'nothing from docker-compose.yml is running; from its name: key' });
  });

  test('the engine did not answer: the fallback, saying so', () => {
    const choice = chooseProject({ ...base, lookup: { answered: false, engine: 'unix:///nope.sock', why: 'connect ENOENT /nope.sock' } });
    assert.equal(choice.project, 'shopdir');
    assert.equal(choice.reason, 'the Docker engine at unix:///nope.sock did not answer (connect ENOENT /nope.sock); from the directory name');
  });

  test('--project wins; a warning when this file\'s containers run under other names only', () => {
    const lookup = answered(project('shop', true, [['web', 'running']]), project('shop2', true, [['web', 'running']]));
    assert.deepEqual(chooseProject({ ...base, flag: 'shop2', lookup }), { project: 'shop2', by: '--project', given: 'shop2', reason: '--project; its containers are running: web' });
    const other = chooseProject({ ...base, flag: 'Prod', lookup });
    assert.equal(other.project, 'prod');
    assert.equal(other.given, 'Prod');
    assert.equal(other.reason, '--project');
    assert.equal(other.warning, 'the containers started from docker-compose.yml belong to projects shop (web), shop2 (web), not prod: faultline will look for containers of project prod');
    assert.equal(chooseProject({ ...base, flag: 'prod', lookup: answered() }).warning, undefined);
  });
});

describe('findComposeFile: the names and precedence of docker compose', () => {
  const inDir = (...names: string[]) => (path: string) => names.some((n) => path === join('/d', n));
  test('compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, in that order; the others are reported', () => {
    assert.deepEqual(findComposeFile('/d', inDir('docker-compose.yaml', 'docker-compose.yml')), { file: 'docker-compose.yml', ignored: ['docker-compose.yaml'] });
    assert.deepEqual(findComposeFile('/d', inDir('docker-compose.yml', 'compose.yml', 'compose.yaml')), { file: 'compose.yaml', ignored: ['compose.yml', 'docker-compose.yml'] });
    assert.deepEqual(findComposeFile('/d', inDir('compose.yml')), { file: 'compose.yml', ignored: [] });
    assert.equal(findComposeFile('/d', inDir('faultline.yaml', 'docker-compose.override.yml')), undefined);
  });
});
