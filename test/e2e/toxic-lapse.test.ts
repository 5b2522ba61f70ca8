// A proxy fault whose keep-alive lapses no longer holds: the run notices, records the fault as
// ended early, and aborts (exit 3) instead of reporting a fault it stopped holding.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { freePort, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, killHard, startServer } from '../helpers/processes.js';

describe('a proxy fault whose keep-alive lapses', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let backend: ChildProcess;
  let backendPort: number;
  let n = 0;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    backendPort = await freePort();
    backend = startServer(backendPort);
    await waitFor(() => httpOk(`http://127.0.0.1:${backendPort}/`), { what: 'the backend' });
    await writeFile(join(dir, 'hold.yaml'), 'title: hold latency\nmethod:\n  - { fault: latency, target: app.db, latency: 300ms, duration: 30s }\n');
  });
  after(async () => {
    killHard(backend?.pid);
    await cleanup();
  });

  /** A `faultline proxy` server with the link on it, and the system file that uses it. */
  async function proxyServer(): Promise<{ server: ReturnType<typeof startCli>; api: string }> {
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const server = startCli(['proxy', '--listen', `127.0.0.1:${apiPort}`, '--quiet'], { cwd: dir });
    await waitFor(async () => (await fetch(`${api}/version`).catch(() => undefined))?.ok, { what: 'faultline proxy' });
    const linkPort = await freePort();
    await writeFile(join(dir, 'faultline.yaml'), `services:\n  app:\n    endpoint: "127.0.0.1:${backendPort}"\n    proxies: [{ name: db, listen: "127.0.0.1:${linkPort}", upstream: "127.0.0.1:${backendPort}" }]\n`);
    return { server, api };
  }

  async function toxics(api: string): Promise<{ proxy: string; name: string }[]> {
    const proxies = (await (await fetch(`${api}/proxies`)).json()) as Record<string, { name: string; toxics: { name: string }[] }>;
    return Object.values(proxies).flatMap((p) => p.toxics.map((t) => ({ proxy: p.name, name: t.name })));
  }

  async function journal(out: string): Promise<Journal> {
    return JSON.parse(await readFile(join(dir, out, 'journal.json'), 'utf8')) as Journal;
  }

  test('a toxic that disappears from the server (expired, or removed by someone) ends the fault and aborts the run', async () => {
    const { server, api } = await proxyServer();
    try {
      const out = `out-${++n}`;
      const run = startCli(['run', 'hold.yaml', '-r', out], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, `.state-${n}`), FAULTLINE_PROXY_API: api, FAULTLINE_PROXY_TTL: '900' } });
      const [toxic] = await waitFor(async () => ((await toxics(api)).length ? toxics(api) : undefined), { what: 'the toxic on the server', timeoutMs: 30_000 });
      const removed = await fetch(`${api}/proxies/${toxic!.proxy}/toxics/${toxic!.name}`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      const res = await run.done;
      assert.equal(res.code, 3, res.stdout + res.stderr);
      const j = await journal(out);
      assert.equal(j.status, 'aborted');
      const [fault] = j.faults;
      assert.match(fault!.endedEarly!.reason, /refreshed 0 of the 1 toxic\(s\) this run holds there/);
      assert.equal(fault!.revertedT, fault!.endedEarly!.t, 'the fault window ends when the fault stopped acting');
      assert.ok(fault!.endedEarly!.t - fault!.injectedT < 10_000, 'noticed long before the 30 s hold would have ended');
      assert.ok(j.reasons.some((r) => /fault latency on app → db .* ended early at \+\d+\.\d+ s/.test(r)), j.reasons.join('\n'));
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  test('a proxy server that stops answering for longer than the TTL ends the fault too', async () => {
    const { server, api } = await proxyServer();
    const out = `out-${++n}`;
    const run = startCli(['run', 'hold.yaml', '-r', out], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, `.state-${n}`), FAULTLINE_PROXY_API: api, FAULTLINE_PROXY_TTL: '900' } });
    await waitFor(async () => (await toxics(api)).length > 0, { what: 'the toxic on the server', timeoutMs: 30_000 });
    server.child.kill('SIGKILL'); // the proxy and its toxics are gone; the heartbeat fails from now on
    const res = await run.done;
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const [fault] = (await journal(out)).faults;
    assert.match(fault!.endedEarly!.reason, /no keep-alive reached the proxy server .* for \d+ ms \(TTL 900 ms/);
  });
});
