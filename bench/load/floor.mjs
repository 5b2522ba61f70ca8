// The floor of a Node HTTP/1.1 load client, for comparison with faultline's (bench/RESULTS.md, Load):
// net sockets, one pre-built request Buffer, responses parsed only as far as the status line and
// Content-Length need (no chunked, no timeouts, no errors handled — a probe, not a client).
//   node bench/load/floor.mjs URL CONNECTIONS SECONDS   → prints {"requests":N,"rps":R}
import { connect } from 'node:net';

const [url, c = '50', s = '10'] = process.argv.slice(2);
const { hostname, port, pathname } = new URL(url);
const request = Buffer.from(`GET ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n\r\n`, 'latin1');
const CL = Buffer.from('\r\ncontent-length:', 'latin1');
let requests = 0;
let running = true;
const started = performance.now();
for (let i = 0; i < Number(c); i++) {
  const socket = connect(Number(port), hostname, () => socket.write(request));
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = buf.subarray(0, end).toString('latin1').toLowerCase();
      const at = head.indexOf('\r\ncontent-length:');
      const length = at < 0 ? 0 : parseInt(head.slice(at + CL.length), 10);
      if (buf.length < end + 4 + length) break;
      void buf[9]; // the status: bytes 9–11
      buf = buf.subarray(end + 4 + length);
      requests++;
      if (running) socket.write(request);
    }
    pending = buf;
  });
  socket.on('error', () => {});
}
setTimeout(() => {
  running = false;
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ requests, rps: Math.round((requests / ms) * 1000) })}\n`);
  process.exit(0);
}, Number(s) * 1000);
