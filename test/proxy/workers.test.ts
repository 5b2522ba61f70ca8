/**
 * `faultline proxy --workers N`: real worker processes behind the real CLI, real TCP servers on
 * port 0. Each sharing method this Node offers is tested (workers/sharing.ts: SO_REUSEPORT on Node
 * 22.12+, the primary's socket passed to the workers everywhere). No upper time bound is tight: a
 * toxic's effect is checked as "at least its delay", its absence as "well under it".
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideSharing } from '../../src/proxy/workers/sharing.js';
import { collect, dial, portOf, tcpServer, waitFor, type TcpServer } from './helpers.js';
import { existsSync } from 'node:fs';
import { alive, BUILT_CLI, echoOnce, many, runCli, startServer, untilEveryWorker, type ServerProcess } from './worker-server.js';

const DELAY = 2000;

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function createProxy(server: ServerProcess, upstream: string, name = 'echo'): Promise<number> {
  const r = await server.api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return portOf((r.json as { listen: string }).listen);
}

/** Opens connections (echo checked) until every worker holds at least one; returns them. */
async function heldOnEveryWorker(server: ServerProcess, port: number, workers: number): Promise<ReturnType<typeof collect>[]> {
  const held: ReturnType<typeof collect>[] = [];
  for (let i = 0; i < 200; i++) {
    const s = await dial(port);
    const rx = collect(s);
    s.write('x');
    await waitFor(() => rx.received() === 1, 20_000, 'the echo of a held connection');
    held.push(rx);
    const active = [...(await server.metrics()).matchAll(/^faultline_proxy_worker_connections_active\{proxy="echo",worker="\d+"\} (\d+)$/gm)].map((m) => Number(m[1]));
    if (active.length === workers && active.every((n) => n > 0)) return held;
  }
  throw new Error('200 connections held, and still some worker holds none');
}

for (const [sharing, transport] of [['handle', 'raw'], ['handle', 'net'], ['reuseport', 'raw'], ['reuseport', 'net']] as const) {
  const unavailable = await decideSharing({ FAULTLINE_PROXY_SHARING: sharing }).then(
    () => undefined,
    (err: Error) => err.message,
  );
  describe(`faultline proxy --workers 2, listeners shared by ${sharing}, ${transport} transport`, { skip: unavailable, timeout: 180_000 }, () => {
    let echo: TcpServer;
    let server: ServerProcess;
    let port: number;
    before(async () => {
      echo = await tcpServer();
      server = await startServer(2, { FAULTLINE_PROXY_SHARING: sharing, FAULTLINE_PROXY_TRANSPORT: transport });
      port = await createProxy(server, echo.address);
    });
    after(async () => {
      server?.child.kill('SIGKILL');
      await echo?.close();
    });

    it(`says it shares by ${sharing}, and serves many connections intact from more than one worker`, async () => {
      assert.match(server.out(), new RegExp(`proxy workers: 2 processes \\(\\d+, \\d+\\); listeners shared by ${sharing}`));
      assert.match(server.out(), new RegExp(`proxy transport: ${transport}`));
      const results = await many(200, 20, (i) => echoOnce(port, `connection ${i}`));
      results.forEach((r, i) => assert.deepEqual({ data: r.data, error: r.error }, { data: `connection ${i}`, error: undefined }));
      const counts = await server.perWorker('echo');
      assert.equal(counts.size, 2, await server.metrics());
      assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 200);
      assert.ok([...counts.values()].every((n) => n > 0), `every worker served some: ${JSON.stringify([...counts])}`);
      const total = /^faultline_proxy_connections_total\{proxy="echo"[^}]*\} (\d+)$/m.exec(await server.metrics());
      assert.equal(Number(total?.[1]), 200, 'the proxy total is the workers\' sum');
    });

    it('applies a latency toxic added through the API on every worker, and removing it removes it everywhere', async () => {
      const added = await server.api('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: DELAY } });
      assert.equal(added.status, 200);
      // Connections until both workers have served some: every one of them delayed.
      const slow = await untilEveryWorker(server, 'echo', 2, (i) => echoOnce(port, `slow ${i}`));
      slow.forEach((r, i) => {
        assert.equal(r.data, `slow ${i}`);
        assert.ok(r.ms >= DELAY - 100, `connection ${i}: ${r.ms.toFixed(0)} ms, expected the ${DELAY} ms toxic`);
      });

      assert.equal((await server.api('DELETE', '/proxies/echo/toxics/latency_downstream')).status, 204);
      const fast = await untilEveryWorker(server, 'echo', 2, (i) => echoOnce(port, `fast ${i}`));
      fast.forEach((r, i) => {
        assert.equal(r.data, `fast ${i}`);
        assert.ok(r.ms < DELAY - 100, `connection ${i}: ${r.ms.toFixed(0)} ms after the toxic was removed`);
      });
      assert.deepEqual((await server.api('GET', '/proxies/echo/toxics')).json, []);
    });

    it('a down toxic resets the open connections of every worker and refuses new ones, until removed', async () => {
      const held = await heldOnEveryWorker(server, port, 2);
      assert.equal((await server.api('POST', '/proxies/echo/toxics', { name: 'partition', type: 'down' })).status, 200);
      for (const rx of held) await rx.done; // every held connection closed, whichever worker had it
      const refused = await untilEveryWorker(server, 'echo', 2, (i) => echoOnce(port, `refused ${i}`));
      refused.forEach((r, i) => assert.equal(r.data, '', `connection ${i} got data through a down proxy`));
      const refusedTotal = /^faultline_proxy_connections_refused_total\{proxy="echo"[^}]*\} (\d+)$/m.exec(await server.metrics());
      assert.equal(Number(refusedTotal?.[1]), refused.length);

      assert.equal((await server.api('DELETE', '/proxies/echo/toxics/partition')).status, 204);
      const back = await many(40, 20, (i) => echoOnce(port, `back ${i}`));
      back.forEach((r, i) => assert.equal(r.data, `back ${i}`));
    });

    it('stops every worker on SIGTERM, exit 0, and leaves the port free', async () => {
      const pids = [...(await server.pids()).values()];
      assert.equal(pids.length, 2);
      server.child.kill('SIGTERM');
      assert.equal(await server.exit, 0, server.out());
      await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'the workers to exit');
      assert.equal(await portIsFree(port), true, `port ${port} still taken`);
    });
  });
}

describe('faultline proxy --workers: the API view', { timeout: 180_000 }, () => {
  it('is the same with 2 workers as with 1 (proxies, toxics in order, enabled flags, errors)', async () => {
    const echo = await tcpServer();
    const views: unknown[] = [];
    for (const workers of [1, 2]) {
      const server = await startServer(workers);
      try {
        const steps: unknown[] = [];
        const step = async (method: string, path: string, body?: unknown) => {
          const r = await server.api(method, path, body);
          steps.push([method, path, r.status, normalize(r.json)]);
        };
        await step('POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: echo.address });
        await step('POST', '/proxies', { name: 'b', listen: '127.0.0.1:0', upstream: echo.address, enabled: false });
        await step('POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: echo.address });
        await step('POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 5 } });
        await step('POST', '/proxies/a/toxics', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 100 }, toxicity: 0.5 });
        await step('POST', '/proxies/a/toxics/latency_downstream', { attributes: { jitter: 2 } });
        await step('POST', '/proxies/a/toxics', { type: 'nope' });
        await step('POST', '/proxies/a', { enabled: false });
        await step('POST', '/proxies/b', { enabled: true });
        await step('DELETE', '/proxies/a/toxics/bandwidth_upstream');
        await step('GET', '/proxies');
        await step('POST', '/reset');
        await step('GET', '/proxies');
        await step('DELETE', '/proxies/b');
        await step('GET', '/proxies');
        views.push(steps);
      } finally {
        server.child.kill('SIGTERM');
        await server.exit;
      }
    }
    await echo.close();
    assert.deepEqual(views[1], views[0]);
  });
});

describe('faultline proxy --workers: a killed worker', { timeout: 180_000 }, () => {
  it('is reported and restarted with the current toxics; too many deaths in a minute stop the server (exit 1), leaving no listener', async () => {
    const echo = await tcpServer();
    const server = await startServer(2);
    try {
      const port = await createProxy(server, echo.address);
      assert.equal((await server.api('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 500 } })).status, 200);
      const first = await server.pids();
      process.kill(first.get('1')!, 'SIGKILL');
      await waitFor(() => /proxy worker 1 \(pid \d+\) exited \(SIGKILL\); its open connections are lost/.test(server.out()), 20_000, 'the crash report');
      await waitFor(() => /proxy worker 1 restarted \(pid \d+\)/.test(server.out()), 60_000, 'the restart');
      const second = await server.pids();
      assert.equal(second.size, 2);
      assert.notEqual(second.get('1'), first.get('1'));
      assert.equal(second.get('2'), first.get('2'));
      assert.match(await server.metrics(), /^faultline_proxy_worker_restarts_total 1$/m);
      // Until the restarted worker (and the other) served some: each connection has the toxic.
      const results = await untilEveryWorker(server, 'echo', 2, (i) => echoOnce(port, `after ${i}`));
      results.forEach((r, i) => {
        assert.equal(r.data, `after ${i}`);
        assert.ok(r.ms >= 400, `connection ${i}: ${r.ms.toFixed(0)} ms, expected the 500 ms toxic on every worker`);
      });

      // More deaths within the minute: every worker that shows up is killed, until the server gives up.
      const killed = new Set([first.get('1')!, ...second.values()]);
      process.kill(second.get('1')!, 'SIGKILL');
      process.kill(second.get('2')!, 'SIGKILL');
      const gone = 'still running';
      let code: number | null | typeof gone = gone;
      while (code === gone) {
        code = await Promise.race([server.exit, sleep(200).then((): typeof gone => gone)]);
        if (code !== gone) break;
        for (const pid of (await server.pids().catch(() => new Map<string, number>())).values()) {
          if (killed.has(pid)) continue;
          killed.add(pid);
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        }
      }
      assert.equal(code, 1, server.out());
      assert.match(server.out(), /6 worker exits within 60 s, giving up; stopped/);
      await waitFor(() => [...killed].every((pid) => !alive(pid)), 10_000, 'the workers to exit');
      assert.equal(await portIsFree(port), true);
    } finally {
      server.child.kill('SIGKILL');
      await echo.close();
    }
  });
});

describe('faultline proxy --workers: the primary killed with SIGKILL', { timeout: 120_000 }, () => {
  it('takes its workers with it (their IPC channel closes): no listener is left', async () => {
    const echo = await tcpServer();
    const server = await startServer(2);
    try {
      const port = await createProxy(server, echo.address);
      assert.equal((await echoOnce(port, 'hello')).data, 'hello');
      const pids = [...(await server.pids()).values()];
      server.child.kill('SIGKILL');
      await server.exit;
      await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'the orphaned workers to exit');
      assert.equal(await portIsFree(port), true);
    } finally {
      await echo.close();
    }
  });
});

describe('faultline proxy --workers from the built CLI (dist/), as users run it', { timeout: 120_000 }, () => {
  it('its workers start from dist/ and serve every connection; SIGTERM leaves the port free', async () => {
    assert.ok(existsSync(BUILT_CLI.replace(/bin\/faultline\.js$/, 'dist/proxy/workers/worker-main.js')), 'dist/ is built (npm test builds it first)');
    const echo = await tcpServer();
    const server = await startServer(2, {}, true);
    try {
      const port = await createProxy(server, echo.address);
      const results = await untilEveryWorker(server, 'echo', 2, (i) => echoOnce(port, `built ${i}`));
      assert.ok(results.every((r, i) => r.data === `built ${i}` && !r.error), JSON.stringify(results.find((r, i) => r.data !== `built ${i}` || r.error)));
      assert.equal((await server.perWorker('echo')).size, 2, 'both workers served');
      server.child.kill('SIGTERM');
      assert.equal(await server.exit, 0, server.out());
      assert.ok(await portIsFree(port), 'the listener is gone');
    } finally {
      server.child.kill('SIGKILL');
      await echo.close();
    }
  });
});

describe('faultline proxy --workers: usage', { timeout: 60_000 }, () => {
  for (const bad of ['0', '1.5', 'two', '-1']) {
    it(`--workers ${bad} is a usage error (exit 2)`, async () => {
      const r = runCli(['proxy', '--listen', '127.0.0.1:0', '--workers', bad]);
      assert.equal(await r.exit, 2);
      assert.match(r.out(), new RegExp(`--workers ${bad.replace('.', '\\.')}: expected a whole number of processes, 1 or more`));
    });
  }

  it('--help explains --workers', async () => {
    const r = runCli(['proxy', '--help']);
    await r.exit;
    assert.match(r.out(), /-w, --workers <n>/);
    assert.match(r.out(), /SO_REUSEPORT/);
  });
});

function normalize(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json ?? null).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')) as unknown;
}
