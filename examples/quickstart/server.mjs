// A tiny HTTP service for the quickstart: /health answers 200 once the server is listening.
// It takes a moment to start (like a real service warming up), so recovery takes measurable time.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 7101);
const warmupMs = Number(process.env.WARMUP_MS ?? 300);

setTimeout(() => {
  createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', pid: process.pid }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello from api\n');
  }).listen(port, '127.0.0.1', () => console.log(`api listening on 127.0.0.1:${port} (pid ${process.pid})`));
}, warmupMs);
