/**
 * A proxy endpoint reset while its FIN is still on the way must still be closed. libuv refuses a
 * reset while a shutdown is in flight, and Node then marks the handle closing anyway, so a
 * fallback close() did nothing: the handle stayed open for good, and the process, once its work
 * was done, never exited — it spun at 100% CPU in Node's exit cleanup, waiting for that handle
 * (seen as a `faultline run` that wrote its reports and never exited). Each case runs in a fresh
 * process that must exit on its own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Transport } from '../../src/proxy/index.js';
import { TRANSPORTS } from './transports.js';

const ENDPOINT = new URL('../../src/proxy/endpoint.ts', import.meta.url).href;
const EXIT_WITHIN_MS = 20_000;

/** Connects an endpoint to a server in a fresh process, runs `steps` on it, prints what the server saw; resolves when the process exits (or is killed). */
function runEndpoint(transport: Transport, steps: string): Promise<{ code: number | null; killed: boolean; out: string }> {
  const code = `
    import { createServer } from 'node:net';
    import { connectTcp } from ${JSON.stringify(ENDPOINT)};
    const server = createServer((s) => {
      let seen = false;
      const saw = (what) => { if (!seen) console.log('server saw: ' + what); seen = true; s.destroy(); server.close(); };
      s.on('end', () => saw('end'));
      s.on('error', (err) => saw(err.code));
      s.resume();
    });
    server.listen(0, '127.0.0.1', () => {
      connectTcp('127.0.0.1', server.address().port, (err, ep) => {
        if (err) throw new Error(err);
        ep.handler = { onData() {}, onEnd() {}, onError() {}, onDrain() {} };
        ${steps}
      }, ${JSON.stringify(transport)});
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, EXIT_WITHIN_MS);
  return new Promise((resolve) =>
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, killed, out });
    }),
  );
}

for (const { transport, skip } of TRANSPORTS) {
  describe(`a reset endpoint lets the process exit (${transport} sockets)`, { timeout: 60_000, skip }, () => {
    it('reset right after end(), while the FIN is in flight: closed plainly, and the process exits', async () => {
      const res = await runEndpoint(transport, 'ep.end(); ep.reset();');
      assert.equal(res.killed, false, `still running ${EXIT_WITHIN_MS / 1000}s later (a handle never closed): ${res.out}`);
      assert.equal(res.code, 0, res.out);
      assert.match(res.out, /server saw: (end|ECONNRESET)/);
    });

    it('a reset without end() still sends RST, and the process exits', async () => {
      const res = await runEndpoint(transport, 'ep.reset();');
      assert.equal(res.killed, false, `still running ${EXIT_WITHIN_MS / 1000}s later: ${res.out}`);
      assert.equal(res.code, 0, res.out);
      assert.match(res.out, /server saw: ECONNRESET/);
    });
  });
}
