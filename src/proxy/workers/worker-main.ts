/**
 * A worker process of `faultline proxy --workers N` (pool.ts starts it): it keeps a copy of each
 * of the primary's proxies, serves its share of their connections, and reconciles each copy to
 * the state the primary sends (listen or not, upstream, toxics in order), then acknowledges.
 * It exits when told to, or when the primary is gone (the IPC channel closes, even after a
 * kill -9), so no listener outlives the primary.
 */
import type { RawTcpHandle } from '../binding.js';
import { formatHostPort, type ListenShare, type Transport } from '../endpoint.js';
import { Proxy } from '../proxy.js';
import type { Toxic } from '../toxic.js';
import { toxicType } from '../toxics/index.js';
import type { FromWorker, ProxySnapshot, Sharing, ToWorker, WireToxic } from './protocol.js';
import { reusePortFlag } from './sharing.js';

if (!process.send) {
  process.stderr.write('worker-main: started by `faultline proxy --workers N`, not by hand\n');
  process.exit(2);
}

const send = (msg: FromWorker): void => void process.send?.(msg);
const log = (message: string): void => send({ op: 'log', message });
const replicas = new Map<number, Proxy>();
let setup: { transport: Transport; sharing: Sharing } | undefined;

// Ctrl-C in a terminal reaches the whole process group: the primary decides when workers stop.
process.on('SIGINT', () => undefined);
process.on('disconnect', () => process.exit(0));

let queue: Promise<void> = Promise.resolve();
process.on('message', (msg: ToWorker, handle?: RawTcpHandle) => {
  // One message at a time, in order: a sync may wait for a listen.
  queue = queue.then(() => handleMessage(msg, handle));
});
send({ op: 'ready' });

async function handleMessage(msg: ToWorker, handle: RawTcpHandle | undefined): Promise<void> {
  switch (msg.op) {
    case 'init':
      setup = { transport: msg.transport, sharing: msg.sharing };
      return;
    case 'sync':
      try {
        await sync(msg.proxy, handle);
        return send({ op: 'ack', seq: msg.seq });
      } catch (err) {
        handle?.close();
        const code = (err as { code?: unknown }).code;
        return send({ op: 'ack', seq: msg.seq, error: { code: typeof code === 'string' ? code : 'EIO', message: (err as Error).message } });
      }
    case 'forget': {
      const p = replicas.get(msg.id);
      p?.stop();
      p?.removeAllToxics();
      replicas.delete(msg.id);
      return send({ op: 'ack', seq: msg.seq });
    }
    case 'stats':
      return send({
        op: 'stats',
        seq: msg.seq,
        proxies: [...replicas].map(([id, p]) => ({ id, ...p.stats, up: p.up.bytes, down: p.down.bytes, connections: p.connections })),
      });
    case 'exit':
      for (const p of replicas.values()) p.stop();
      setImmediate(() => process.exit(0));
  }
}

async function sync(s: ProxySnapshot, handle: RawTcpHandle | undefined): Promise<void> {
  if (!setup) throw new Error('sync before init');
  let p = replicas.get(s.id);
  const want = s.listen ? formatHostPort(s.listen.host, s.listen.port) : undefined;
  if (!p) {
    p = new Proxy({ name: s.name, listen: want ?? '127.0.0.1:0', upstream: s.upstream }, { transport: setup.transport, log, replica: true });
    replicas.set(s.id, p);
  }
  // As in the primary's update: a new upstream (or address) restarts the proxy, closing its connections.
  if (p.upstream !== s.upstream) {
    p.stop();
    p.upstream = s.upstream;
  }
  if (p.enabled && p.listen !== want) p.stop();
  reconcile(p, s.toxics); // before listening: no connection is accepted without its toxics
  if (!want || p.enabled) return void handle?.close();
  p.listen = want;
  await p.start(share(handle));
}

function share(handle: RawTcpHandle | undefined): ListenShare {
  if (setup!.sharing === 'handle') {
    if (!handle) throw new Error('no listening socket came with the sync (handle sharing)');
    return { handle };
  }
  return { reusePortFlag: reusePortFlag() ?? 0 };
}

/** Makes the copy's toxics the primary's: same names, types, streams, attributes, toxicity and order. */
function reconcile(p: Proxy, wanted: WireToxic[]): void {
  const byName = new Map(wanted.map((t) => [t.name, t]));
  for (const t of [...p.toxics]) {
    const w = byName.get(t.name);
    if (!w || w.type !== t.type || w.stream !== t.stream) p.removeToxic(t);
  }
  for (const w of wanted) {
    const t = p.toxic(w.name);
    if (!t) p.addToxic(toxic(w));
    else if (t.toxicity !== w.toxicity || JSON.stringify(t.attributes) !== JSON.stringify(w.attributes)) p.updateToxic(t, w.attributes, w.toxicity);
  }
}

function toxic(w: WireToxic): Toxic {
  const def = toxicType(w.type);
  if (!def) throw new Error(`toxic ${w.name}: unknown type ${w.type}`);
  return { name: w.name, type: w.type, stream: w.stream, toxicity: w.toxicity, attributes: w.attributes, def };
}
