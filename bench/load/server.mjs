// The benchmark's target: one plain Node HTTP server. `node server.mjs [port] [plain|stall]`.
// stall: the process blocks its event loop for 200 ms once every second (a GC pause, a sync call),
// so requests that arrive in the stall wait for its end.
import { createServer } from 'node:http';

const [port = '0', mode = 'plain'] = process.argv.slice(2);
const server = createServer((_req, res) => res.end('hello world'));
if (mode === 'stall') {
  setInterval(() => {
    const end = Date.now() + 200;
    while (Date.now() < end);
  }, 1000);
}
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
