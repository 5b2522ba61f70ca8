// Commands without a faultline.yaml: the Compose file here (or --compose) is the system, mapped in
// memory, and one line on stderr says so. The engine is pointed at a socket that does not exist,
// so the project falls back to the directory's name and says why (the running-project choice is
// tested on a real engine in test/system/docker/compose-project.test.ts). The health check is
// served by a real HTTP server on port 0, published in the compose file.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { workspace } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
const noEngine = { DOCKER_HOST: 'unix:///nonexistent/faultline-test.sock' };
let server: Server;
let port: number;

before(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await Promise.all(cleanups.map((c) => c()));
});

const composeText = () => `services:\n  web:\n    image: nginx\n    ports: ["127.0.0.1:${port}:80"]\n`;

describe('a Compose file instead of faultline.yaml', () => {
  test('health in a directory with only docker-compose.yml: uses it, says so in one line, probes the published port', async () => {
    const ws = await workspace(cleanups);
    await writeFile(join(ws.dir, 'docker-compose.yml'), composeText());
    const res = await runCli(['health'], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const project = ws.dir.split('/').at(-1)!.toLowerCase().replace(/[^-_a-z0-9]/g, '');
    const using = res.stderr.split('\n').filter((l) => l.startsWith('using '));
    assert.deepEqual(using, [
      `using docker-compose.yml: compose project ${project} (the Docker engine at unix:///nonexistent/faultline-test.sock did not answer (connect ENOENT /nonexistent/faultline-test.sock); from the directory name), 1 service — no faultline.yaml here; \`faultline init --compose docker-compose.yml\` writes a faultline.yaml to edit`,
    ]);
    assert.match(res.stdout, /^web +healthy +[\d.]+ms +status 200/m);

    const json = await runCli(['health', '--json', '--project', 'Shop'], { cwd: ws.dir, env: noEngine });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { services: { status: string }[] }).services[0]!.status, 'healthy');
    assert.match(json.stderr, /^using docker-compose\.yml: compose project shop \(--project\), 1 service/m);
  });

  test('compose.yaml comes before docker-compose.yml, as in docker compose; the other is named', async () => {
    const ws = await workspace(cleanups);
    await writeFile(join(ws.dir, 'docker-compose.yml'), 'services:\n  old:\n    image: nginx\n');
    await writeFile(join(ws.dir, 'compose.yaml'), composeText());
    const res = await runCli(['health', '--json'], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual((JSON.parse(res.stdout) as { services: { service: string }[] }).services.map((s) => s.service), ['web']);
    assert.match(res.stderr, /^using compose\.yaml: .*, 1 service — no faultline\.yaml here \(docker-compose\.yml ignored, as Compose does\);/m);
  });

  test('--compose FILE names one elsewhere, even beside a faultline.yaml', async () => {
    const ws = await workspace(cleanups);
    await writeFile(join(ws.dir, 'faultline.yaml'), 'services:\n  local:\n    endpoint: x\n    health: { tcp: "127.0.0.1:1" }\n');
    await writeFile(join(ws.dir, 'shop.yml'), composeText());
    const res = await runCli(['health', '--compose', 'shop.yml', '--json'], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual((JSON.parse(res.stdout) as { services: { service: string }[] }).services.map((s) => s.service), ['web']);
    assert.match(res.stderr, /^using shop\.yml: compose project \S+ \(.*\), 1 service; `faultline init --compose shop\.yml` writes a faultline\.yaml to edit$/m);
  });

  test('./faultline.yaml still comes first, without a word about Compose', async () => {
    const ws = await workspace(cleanups);
    await writeFile(join(ws.dir, 'faultline.yaml'), `services:\n  local:\n    endpoint: http://127.0.0.1:${port}/\n    health: { http: "http://127.0.0.1:${port}/" }\n`);
    await writeFile(join(ws.dir, 'docker-compose.yml'), composeText());
    const res = await runCli(['health', '--json'], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual((JSON.parse(res.stdout) as { services: { service: string }[] }).services.map((s) => s.service), ['local']);
    assert.equal(res.stderr, '');
  });
});

describe('a Compose file instead of faultline.yaml: what is refused (exit 2)', () => {
  const refused = async (args: string[], files: Record<string, string>, expected: RegExp) => {
    const ws = await workspace(cleanups);
    for (const [name, text] of Object.entries(files)) await writeFile(join(ws.dir, name), text);
    const res = await runCli(['health', ...args], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr.replaceAll(ws.dir, 'DIR'), expected);
    assert.equal(res.stdout, '');
  };

  test('no faultline.yaml and no Compose file: both options are named', () =>
    refused([], {}, /^faultline: no system file: \.\/faultline\.yaml does not exist here \(DIR\), nor does a Compose file \(compose\.yaml, compose\.yml, docker-compose\.yml, docker-compose\.yaml\); name a system file with --system FILE or a Compose file with --compose FILE \[E_USAGE\]$/m));

  test('--compose with --system', () =>
    refused(['--compose', 'docker-compose.yml', '--system', 'faultline.yaml'], {}, /--compose and --system cannot be combined: --system faultline\.yaml names a faultline system file, --compose docker-compose\.yml a Compose file/));

  test('a --compose file that does not exist', () => refused(['--compose', 'shop/compose.yaml'], {}, /^faultline: --compose shop\/compose\.yaml: no such file \(DIR\/shop\/compose\.yaml\) \[E_USAGE\]$/m));

  test('--project where faultline.yaml is used, or with --system', async () => {
    await refused(['--project', 'shop'], { 'faultline.yaml': 'services: {}\n', 'docker-compose.yml': composeText() }, /--project applies to a Compose file, and \.\/faultline\.yaml is used here \(DIR\).*add --compose FILE/);
    await refused(['--project', 'shop', '--system', 'faultline.yaml'], { 'faultline.yaml': 'services: {}\n' }, /--project applies to a Compose file \(--compose FILE\), not to --system faultline\.yaml/);
  });

  test('an invalid Compose file: the mapping\'s own error, naming the file', () => refused([], { 'compose.yaml': 'services: []\n' }, /compose\.yaml:1:\d+ at services: expected a map of service name to service definition/));
});

describe('init --compose when the engine does not answer', () => {
  test('falls back to the directory name and says so; exit 0', async () => {
    const ws = await workspace(cleanups);
    await writeFile(join(ws.dir, 'docker-compose.yml'), composeText());
    const res = await runCli(['init', '--compose', 'docker-compose.yml'], { cwd: ws.dir, env: noEngine });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^compose project \S+ \(the Docker engine at unix:\/\/\/nonexistent\/faultline-test\.sock did not answer \(connect ENOENT \/nonexistent\/faultline-test\.sock\); from the directory name\)\nwrote faultline\.yaml: 1 service/m);
  });
});
