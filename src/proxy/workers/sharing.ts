/**
 * How the workers of `faultline proxy --workers N` share one listening port, decided once:
 *
 * - `reuseport`: each worker binds its own socket with SO_REUSEPORT and the kernel spreads new
 *   connections over them (one accept queue per worker, no thundering herd). Node has it since the
 *   `reusePort` listen option (nodejs/node#55408; tcp_wrap then exports UV_TCP_REUSEPORT):
 *   present on Node 22.23 and 24.22 here, absent on 20.20;
 * - `handle`: the primary binds one socket (without listening: it never accepts) and passes it to
 *   every worker over IPC (SCM_RIGHTS, as node:cluster does with SCHED_NONE); the workers listen
 *   on their copies and race to accept. libuv's UV_TCP_SINGLE_ACCEPT=1 makes a worker take one
 *   connection per wakeup, so one busy worker does not take them all. Needs Node's raw TCP
 *   handles (binding.ts) in the primary; worker threads cannot receive handles, hence processes.
 *
 * `FAULTLINE_PROXY_SHARING=reuseport|handle` forces one (tests and benchmarks use it to run both
 * on the same Node).
 */
import { createServer } from 'node:net';
import { rawBinding, rawBindingProblem } from '../binding.js';
import type { Sharing } from './protocol.js';

const ENV = 'FAULTLINE_PROXY_SHARING';

interface TcpConstants {
  UV_TCP_REUSEPORT?: number;
}

/** SO_REUSEPORT's libuv flag for a raw handle's bind(), when this Node has it. */
export function reusePortFlag(): number | undefined {
  try {
    const tcp = (process as unknown as { binding(name: string): { constants: TcpConstants } }).binding('tcp_wrap');
    return tcp.constants.UV_TCP_REUSEPORT;
  } catch {
    return undefined;
  }
}

/** Whether two sockets can listen on one port with net's `reusePort` (an older Node ignores the option, so the second fails). */
export async function netReusePortWorks(): Promise<boolean> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(undefined));
      s.listen({ host: '127.0.0.1', port, reusePort: true } as Parameters<typeof s.listen>[0], () => resolve(s));
    });
  const a = await listen(0);
  if (!a) return false;
  const b = await listen((a.address() as { port: number }).port);
  a.close();
  b?.close();
  return b !== undefined;
}

/** The sharing to use; throws (naming what is missing) when this Node offers neither. */
export async function decideSharing(env: NodeJS.ProcessEnv = process.env): Promise<{ sharing: Sharing; reason: string }> {
  const asked = (env[ENV] ?? '').trim().toLowerCase();
  if (!['', 'auto', 'reuseport', 'handle'].includes(asked)) throw new Error(`${ENV}=${env[ENV]}: expected reuseport, handle or auto`);
  const reuse = (await netReusePortWorks()) && reusePortFlag() !== undefined;
  const handles = rawBinding() !== undefined;
  if (asked === 'reuseport' && !reuse) throw new Error(`${ENV}=reuseport, but Node ${process.version} has no SO_REUSEPORT for TCP (Node 22.12+, 23.1+)`);
  if (asked === 'handle' && !handles) throw new Error(`${ENV}=handle, but ${rawBindingProblem()}`);
  if (asked === 'handle' || (asked !== 'reuseport' && !reuse && handles)) {
    return { sharing: 'handle', reason: asked === 'handle' ? `forced by ${ENV}=handle` : `Node ${process.version} has no SO_REUSEPORT for TCP: one socket passed to every worker, which race to accept (connections opened in a burst may land on one worker; Node 22 or later balances them)` };
  }
  if (reuse) return { sharing: 'reuseport', reason: asked === 'reuseport' ? `forced by ${ENV}=reuseport` : 'SO_REUSEPORT: one socket per worker, balanced by the kernel' };
  throw new Error(`--workers needs SO_REUSEPORT (Node 22.12+) or Node's raw TCP handles, and Node ${process.version} has neither: ${rawBindingProblem()}`);
}
