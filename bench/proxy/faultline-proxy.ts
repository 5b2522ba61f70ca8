// faultline's proxy engine alone, as a benchmark subject.
// Usage: node --import tsx faultline-proxy.ts LISTEN_PORT UPSTREAM_PORT [TOXIC_JSON]
// (FAULTLINE_PROXY_TRANSPORT=net uses net sockets instead of the raw handles; see src/proxy/transport.ts.
// FAULTLINE_BENCH_WORKERS=N serves it from N worker processes, as `faultline proxy --workers N`:
// the bundle needs worker-main.mjs beside it, which run.sh builds.)
// SIGINT/SIGTERM exit normally, so `node --cpu-prof` writes its profile (bench/proxy/profile.sh).
import { ProxyCollection, startProxyServer } from '../../src/proxy/index.js';

const [listen, upstream, toxic] = process.argv.slice(2);
const workers = Number(process.env.FAULTLINE_BENCH_WORKERS ?? '1');
const server = workers > 1 ? await startProxyServer({ listen: '127.0.0.1:0', workers }) : undefined;
const collection = server?.collection ?? new ProxyCollection();
await collection.create({ name: 'bench', listen: `127.0.0.1:${listen}`, upstream: `127.0.0.1:${upstream}` });
if (toxic) collection.addToxic('bench', JSON.parse(toxic));
await collection.flush();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void (server ? server.close() : Promise.resolve()).then(() => process.exit(0)));
}
process.stdout.write('ready\n');
