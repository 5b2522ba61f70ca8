/** `faultline proxy`: the standalone server, its --config, Ctrl-C, and its errors. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Cleanup, collect, dial, portOf, tcpServer, waitFor } from './helpers.js';

const CLI = fileURLToPath(new URL('./fixtures/proxy-cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

describe('faultline proxy', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it('serves the API and the proxies from --config until SIGINT, then exits 0', async () => {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const dir = mkdtempSync(join(tmpdir(), 'faultline-proxy-'));
    const config = join(dir, 'proxies.json');
    writeFileSync(config, JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address }]));
    const p = run(['proxy', '--listen', '127.0.0.1:0', '--config', config]);
    cleanup.add(p.child, (c) => c.kill('SIGKILL'));
    await waitFor(() => /API on (http:\S+)/.test(p.out()), 20_000, 'the API to start');
    const url = /API on (http:\S+)/.exec(p.out())![1]!;
    const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { listen: string }>;
    const s = await dial(portOf(proxies.echo!.listen));
    const rx = collect(s);
    s.end('via the standalone proxy');
    assert.equal((await rx.done).data.toString(), 'via the standalone proxy');
    p.child.kill('SIGINT');
    assert.equal(await p.exit, 0);
    assert.match(p.out(), /faultline proxy: stopped/);
  });

  it('says what is wrong with a bad config, and with an API address in use (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-proxy-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"name": "not a list"}');
    const r1 = run(['proxy', '--listen', '127.0.0.1:0', '--config', bad]);
    assert.equal(await r1.exit, 2);
    assert.match(r1.out(), /bad\.json: expected a list of proxies/);

    const busy = cleanup.add(await tcpServer(), (s) => s.close());
    const r2 = run(['proxy', '--listen', busy.address]);
    assert.equal(await r2.exit, 2);
    assert.match(r2.out(), /address already in use/);
  });

  it('--help explains the API and lists the toxic types', async () => {
    const r = run(['proxy', '--help']);
    await r.exit;
    assert.match(r.out(), /Toxiproxy-compatible/);
    assert.match(r.out(), /--listen <host:port>/);
    assert.match(r.out(), /http_error/);
  });
});
