/**
 * The standalone fault proxy as users run it: the built CLI's `faultline proxy` on a free API port,
 * driven through its Toxiproxy-compatible HTTP API (docs/proxy.md#the-api).
 */
import type { Transport } from '../../src/proxy/index.js';
import { repoRoot, startCli } from './cli.js';
import { STARTUP_MS, waitForOutput } from './wait.js';

export interface ToxicSpec {
  name?: string;
  type: string;
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes?: Record<string, unknown>;
}

export interface ProxyCli {
  /** The API's base URL, e.g. http://127.0.0.1:40123. */
  api: string;
  /** Create a proxy listening on a free loopback port in front of `upstream`; returns that port. */
  createProxy(name: string, upstream: string): Promise<number>;
  addToxic(proxy: string, toxic: ToxicSpec): Promise<void>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  /** Everything the CLI printed so far (for failure messages). */
  output(): string;
  /** Ctrl-C, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

async function call(api: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${api}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`faultline proxy API: ${method} ${path} answered ${res.status}, expected 2xx: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/**
 * Start `faultline proxy --listen 127.0.0.1:0` (bin/faultline.js: needs `npm run build`), on the
 * given transport (FAULTLINE_PROXY_TRANSPORT; default: as users get it, raw when its self-test passes).
 */
export async function startProxyCli(transport?: Transport): Promise<ProxyCli> {
  const env: Record<string, string> = transport ? { FAULTLINE_PROXY_TRANSPORT: transport } : {};
  const cli = startCli(['proxy', '--listen', '127.0.0.1:0'], { cwd: repoRoot, env, timeoutMs: 30 * 60_000 });
  let api: string;
  try {
    api = (await waitForOutput(cli.output, /API on (http:\/\/\S+)/, { timeoutMs: STARTUP_MS, what: 'faultline proxy to print its API address' }))[1]!;
  } catch (err) {
    cli.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${cli.output()}`, { cause: err });
  }
  return {
    api,
    output: cli.output,
    async createProxy(name, upstream) {
      const proxy = (await call(api, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream })) as { listen: string };
      return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
    },
    async addToxic(proxy, toxic) {
      await call(api, 'POST', `/proxies/${proxy}/toxics`, toxic);
    },
    async removeToxic(proxy, toxic) {
      await call(api, 'DELETE', `/proxies/${proxy}/toxics/${toxic}`);
    },
    async stop() {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGINT');
      // A proxy that does not stop on Ctrl-C must not hang the test file's after().
      const timer = setTimeout(() => cli.child.kill('SIGKILL'), 10_000);
      const { code } = await cli.done;
      clearTimeout(timer);
      return code;
    },
  };
}
