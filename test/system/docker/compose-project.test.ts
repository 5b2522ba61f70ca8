// The Compose project of the running containers, on the real engine: a project started with
// `docker-compose -p NAME up -d` from a directory whose name is another; `init --compose` and the
// in-memory mapping (`faultline health` with only a compose file) find it by the containers'
// compose labels, refuse to guess between two, fall back to the directory's name when nothing
// runs, and take --project. Every project is brought down (-v) in after().
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, runCli, tempDir } from '../../helpers/cli.js';
import { parseSystemText } from '../../compose/helpers.js';
import { repoRoot, skipReason, uniqueName, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'compose', 'running-projects.js'));
const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessRequired(skipReason() ?? (!compose ? 'needs docker-compose (apt-get install docker-compose; scripts/ci/docker.sh does)' : built ? undefined : 'needs the build (npm run build)'), import.meta.url);

const COMPOSE_FILE = `services:
  web:
    image: local/httpd:1
    ports: ["127.0.0.1:\${WEB_PORT}:8080"]
  db:
    image: local/httpd:1
`;

describe('the Compose project of the running containers', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  /** The project docker-compose would name after the directory (nothing runs under it). */
  let dirProject: string;
  const projects: { name: string; port: number }[] = [];
  const composeCmd = (p: { name: string; port: number }, cwd: string, ...args: string[]) => {
    const r = spawnSync('docker-compose', ['-p', p.name, ...args], { cwd, encoding: 'utf8', env: { ...process.env, WEB_PORT: String(p.port) }, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`docker-compose -p ${p.name} ${args.join(' ')}: ${r.stderr}`);
  };
  /** `fromParent`: run as `docker-compose -f DIR/docker-compose.yml` from the parent directory (v1 then records that relative path). */
  const up = async (what: string, fromParent = false) => {
    const p = { name: uniqueName(what), port: await freePort() };
    projects.push(p);
    if (fromParent) composeCmd(p, dirname(dir), '-f', `${basename(dir)}/docker-compose.yml`, 'up', '-d');
    else composeCmd(p, dir, 'up', '-d');
    await waitFor(`project ${p.name}'s web answering`, async () => (await fetch(`http://127.0.0.1:${p.port}/`, { signal: AbortSignal.timeout(2000) })).ok, 30_000, 200);
    return p;
  };
  const cli = (args: string[], port?: number) => runCli(args, { cwd: dir, env: port === undefined ? {} : { WEB_PORT: String(port) }, timeoutMs: 60_000 });
  const written = (file: string) => {
    const system = parseSystemText(readFileSync(join(dir, file), 'utf8'));
    return { name: system.name, projects: [...new Set(Object.values(system.services).map((s) => s.compose.project))] };
  };

  before(async () => {
    ({ path: dir, cleanup: cleanupDir } = await tempDir('flt-Compose.Dir-'));
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_FILE);
    dirProject = dir.split('/').at(-1)!.toLowerCase().replace(/[^-_a-z0-9]/g, '');
  });
  after(async () => {
    for (const p of projects) spawnSync('docker-compose', ['-p', p.name, 'down', '-v', '-t', '1'], { cwd: dir, env: { ...process.env, WEB_PORT: String(p.port) }, stdio: 'ignore', timeout: 120_000 });
    await cleanupDir?.();
  });

  test('nothing running from the file: the directory\'s name, and the line says why', async () => {
    const res = await cli(['init', '--compose', 'docker-compose.yml', '-o', 'none.yaml'], 18000);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^compose project ${dirProject} \\(nothing from docker-compose\\.yml is running; from the directory name\\)$`, 'm'));
    assert.deepEqual(written('none.yaml'), { name: dirProject, projects: [dirProject] });
  });

  test('one project started with -p: init picks it, whatever the directory is called', async () => {
    const shop = await up('shop');
    const res = await cli(['init', '--compose', 'docker-compose.yml', '-o', 'one.yaml'], shop.port);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^compose project ${shop.name} \\(its containers are running: db, web\\)\\nwrote one\\.yaml: 2 services from docker-compose\\.yml \\(compose project ${shop.name}\\)$`, 'm'));
    assert.deepEqual(written('one.yaml'), { name: shop.name, projects: [shop.name] });
    assert.match(readFileSync(join(dir, 'one.yaml'), 'utf8'), new RegExp(`^# Compose project: ${shop.name} \\(its containers are running: db, web\\)`, 'm'));
  });

  test('health in a directory with only the compose file: uses it with the running project, and the service is healthy', async () => {
    const [shop] = projects;
    const res = await cli(['health'], shop!.port);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stderr, new RegExp(`^using docker-compose\\.yml: compose project ${shop!.name} \\(its containers are running: db, web\\), 2 services — no faultline\\.yaml here; \`faultline init --compose docker-compose\\.yml\` writes a faultline\\.yaml to edit$`, 'm'));
    assert.match(res.stdout, /^web +healthy +[\d.]+ms +status 200/m);
    // db has no health: it is watched through the engine, as the containers of the chosen project: healthy only if that project is the running one.
    assert.match(res.stdout, /^db +healthy +[\d.]+ms +exit 0/m);
  });

  test('two projects from the same file (one started with -f from the parent directory): exit 2 naming both, nothing written; --project selects', async () => {
    const [shop] = projects;
    const other = await up('shop2', true);
    const both = [shop!.name, other.name].sort();
    const refused = await cli(['init', '--compose', 'docker-compose.yml', '-o', 'two.yaml'], other.port);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`^faultline: 2 Compose projects are running from docker-compose\\.yml: ${both[0]} \\(db, web\\); ${both[1]} \\(db, web\\)\\. Say which one with --project NAME \\[E_USAGE\\]$`, 'm'));
    assert.equal(existsSync(join(dir, 'two.yaml')), false);
    const health = await cli(['health'], other.port);
    assert.equal(health.code, 2, health.stdout + health.stderr);
    assert.match(health.stderr, /2 Compose projects are running from docker-compose\.yml: .*Say which one with --project NAME/);

    const chosen = await cli(['init', '--compose', 'docker-compose.yml', '-o', 'two.yaml', '--project', other.name], other.port);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.match(chosen.stdout, new RegExp(`^compose project ${other.name} \\(--project; its containers are running: db, web\\)$`, 'm'));
    assert.deepEqual(written('two.yaml'), { name: other.name, projects: [other.name] });

    const checked = await cli(['health', '--project', other.name, '--json'], other.port);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stderr, new RegExp(`^using docker-compose\\.yml: compose project ${other.name} \\(--project; its containers are running: db, web\\), 2 services`, 'm'));
    assert.deepEqual((JSON.parse(checked.stdout) as { services: { service: string; status: string }[] }).services.map((s) => `${s.service} ${s.status}`), ['web healthy', 'db healthy']);
    // A project with no containers: db, watched through the engine, is not there.
    const wrong = await cli(['health', '--project', 'nothere', '--json'], other.port);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.equal((JSON.parse(wrong.stdout) as { services: { service: string; status: string }[] }).services.find((s) => s.service === 'db')!.status, 'unhealthy');

    const elsewhere = await cli(['init', '--compose', 'docker-compose.yml', '--stdout', '--project', 'prod'], other.port);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.match(elsewhere.stderr, new RegExp(`^warning --project: the containers started from docker-compose\\.yml belong to projects ${both[0]} \\(db, web\\), ${both[1]} \\(db, web\\), not prod: faultline will look for containers of project prod$`, 'm'));
    assert.match(elsewhere.stderr, /^compose project prod \(--project\)$/m);
  });
});
