// faultline's proxy engine alone, as a benchmark subject.
// Usage: node --import tsx faultline-proxy.ts LISTEN_PORT UPSTREAM_PORT [TOXIC_JSON]
// (FAULTLINE_PROXY_TRANSPORT=net uses net sockets instead of the raw handles; see src/proxy/transport.ts.)
import { ProxyCollection } from '../../src/proxy/index.js';

const [listen, upstream, toxic] = process.argv.slice(2);
const collection = new ProxyCollection();
await collection.create({ name: 'bench', listen: `127.0.0.1:${listen}`, upstream: `127.0.0.1:${upstream}` });
if (toxic) collection.addToxic('bench', JSON.parse(toxic));
process.stdout.write('ready\n');
