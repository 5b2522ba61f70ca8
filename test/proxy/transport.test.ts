/**
 * The raw TCP transport is used only after it has echoed bytes intact: the self-test passes on
 * this Node, fails on a simulated mismatch, exception or timeout, and a failure makes the proxy
 * fall back to `net` sockets — shown on a real `faultline proxy` process that still proxies
 * bytes, says why in its startup log, and shows the transport in /metrics.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { rawBinding } from '../../src/proxy/binding.js';
import { decideTransport, rawSelfTest, type SelfTestResult } from '../../src/proxy/index.js';
import { Cleanup, collect, dial, payload, portOf, sha256, tcpServer, waitFor } from './helpers.js';

const CLI = fileURLToPath(new URL('./fixtures/proxy-cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const noRaw = rawBinding() ? false : 'this Node has no raw TCP handles';

const passing = async (): Promise<SelfTestResult> => ({ ok: true, detail: 'stub passed' });
const failing = async (): Promise<SelfTestResult> => ({ ok: false, detail: 'stub mismatch' });
const mustNotRun = async (): Promise<SelfTestResult> => assert.fail('the self-test ran although the transport was forced');

describe('raw transport self-test', { timeout: 60_000 }, () => {
  it('passes on this Node: bytes echoed intact through raw listen, connect, reads, queued writes and FIN', { skip: noRaw }, async () => {
    const r = await rawSelfTest();
    assert.equal(r.ok, true, r.detail);
    assert.match(r.detail, /^256 KiB echoed intact over loopback in \d+ ms$/);
  });

  it('fails on a mismatch (one flipped bit), naming the offset', { skip: noRaw }, async () => {
    assert.deepEqual(await rawSelfTest({ simulate: 'mismatch' }), { ok: false, detail: 'the echoed bytes differ from those sent at offset 0 of 262144' });
  });

  it('fails on an exception, with its message', { skip: noRaw }, async () => {
    assert.deepEqual(await rawSelfTest({ simulate: 'throw' }), { ok: false, detail: 'it threw: simulated exception (FAULTLINE_PROXY_SELFTEST=throw)' });
  });

  it('fails on a timeout (no echo), saying how much came back', { skip: noRaw }, async () => {
    assert.deepEqual(await rawSelfTest({ simulate: 'timeout', timeoutMs: 300 }), { ok: false, detail: 'no complete echo within 300 ms (0 of 262144 bytes came back)' });
  });
});

describe('choosing the transport', () => {
  it('auto (the default): raw when the self-test passes, net with the reason when it fails', { skip: noRaw }, async () => {
    assert.deepEqual(await decideTransport({}, passing), { transport: 'raw', reason: 'raw TCP self-test passed: stub passed' });
    assert.deepEqual(await decideTransport({ FAULTLINE_PROXY_TRANSPORT: 'auto' }, failing), {
      transport: 'net',
      reason: 'raw TCP self-test failed: stub mismatch; using net sockets',
    });
  });

  it('FAULTLINE_PROXY_TRANSPORT=net|raw forces it without a self-test; FAULTLINE_PROXY_NET=1 still means net', async () => {
    assert.deepEqual(await decideTransport({ FAULTLINE_PROXY_TRANSPORT: 'net' }, mustNotRun), { transport: 'net', reason: 'forced by FAULTLINE_PROXY_TRANSPORT=net' });
    assert.deepEqual(await decideTransport({ FAULTLINE_PROXY_NET: '1' }, mustNotRun), { transport: 'net', reason: 'forced by FAULTLINE_PROXY_NET=1' });
    if (!noRaw) assert.deepEqual(await decideTransport({ FAULTLINE_PROXY_TRANSPORT: 'RAW' }, mustNotRun), { transport: 'raw', reason: 'forced by FAULTLINE_PROXY_TRANSPORT=raw (self-test skipped)' });
  });

  it('a setting it does not know is an error naming the variable and the choices', async () => {
    await assert.rejects(decideTransport({ FAULTLINE_PROXY_TRANSPORT: 'fast' }, mustNotRun), { message: 'FAULTLINE_PROXY_TRANSPORT=fast: expected raw, net or auto' });
    await assert.rejects(decideTransport({ FAULTLINE_PROXY_SELFTEST: 'sometimes' }, mustNotRun), { message: 'FAULTLINE_PROXY_SELFTEST=sometimes: expected mismatch, throw or timeout' });
  });
});

describe('faultline proxy after a failed self-test', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  function start(env: Record<string, string>): { child: ChildProcess; out: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'proxy', '--listen', '127.0.0.1:0'], {
      cwd: ROOT,
      env: { ...process.env, FAULTLINE_PROXY_TRANSPORT: '', FAULTLINE_PROXY_NET: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.add(child, (c) => c.kill('SIGKILL'));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { child, out: () => out };
  }

  /** Starts a proxy through the API in front of an echo server, sends 1 MiB through it, returns the proxy's /metrics transport line. */
  async function proxyThrough(url: string): Promise<string> {
    const echo = cleanup.add(await tcpServer(), (s) => s.close());
    const res = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address }) });
    assert.equal(res.status, 201);
    const { listen } = (await res.json()) as { listen: string };
    const s = cleanup.add(await dial(portOf(listen)), (x) => x.destroy());
    const rx = collect(s);
    const data = payload(1024 * 1024);
    s.end(data);
    assert.equal(sha256((await rx.done).data), sha256(data));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    return metrics.split('\n').find((l) => l.startsWith('faultline_proxy_transport_info{')) ?? '(no transport line)';
  }

  for (const simulate of ['mismatch', 'throw', 'timeout']) {
    it(`falls back to net sockets on a ${simulate}, says so at startup, and still proxies every byte`, { skip: noRaw }, async () => {
      const p = start({ FAULTLINE_PROXY_SELFTEST: simulate });
      await waitFor(() => /API on (http:\S+)/.test(p.out()), 30_000, 'the API to start');
      assert.match(p.out(), /^proxy transport: net \(raw TCP self-test failed: .+; using net sockets\)$/m);
      const url = /API on (http:\S+)/.exec(p.out())![1]!;
      assert.equal(await proxyThrough(url), 'faultline_proxy_transport_info{proxy="echo",transport="net"} 1');
      assert.equal(p.out().match(/proxy transport:/g)?.length, 1, 'the choice is logged once');
    });
  }

  it('uses raw handles when the self-test passes', { skip: noRaw }, async () => {
    const p = start({});
    await waitFor(() => /API on (http:\S+)/.test(p.out()), 30_000, 'the API to start');
    assert.match(p.out(), /^proxy transport: raw \(raw TCP self-test passed: 256 KiB echoed intact over loopback in \d+ ms\)$/m);
    const url = /API on (http:\S+)/.exec(p.out())![1]!;
    assert.equal(await proxyThrough(url), 'faultline_proxy_transport_info{proxy="echo",transport="raw"} 1');
  });
});
