/** The demo shop for tests: free ports, and the whole shop started under faultline's own ProcessSupervisor. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessSupervisor } from '../../src/drivers/process/supervisor.js';
import { systemSchema } from '../../src/experiment/schema/system.js';
import { shopSystem, shopUrl, type ShopRuntime } from '../../src/demo/shop/system.js';
import { SHOP_SERVICES, type ShopMode, type ShopService } from '../../src/demo/shop/topology.js';
import { reservePortSpan } from '../helpers/port-spans.js';

/**
 * A free span (not the default one, which a developer's shop may be using), reserved for this test
 * process: files that run at the same time never get the same one.
 */
export function freeBasePort(): Promise<number> {
  return reservePortSpan();
}

export interface RunningShop {
  mode: ShopMode;
  basePort: number;
  dataDir: string;
  supervisor: ProcessSupervisor;
  url(service?: ShopService): string;
  /** Starts a service again after supervisor.stop(), and waits until it is healthy. */
  startService(service: ShopService): Promise<void>;
  stop(): Promise<void>;
}

export async function startShop(mode: ShopMode, options: { runtime?: ShopRuntime } = {}): Promise<RunningShop> {
  const basePort = await freeBasePort();
  const dir = await mkdtemp(join(tmpdir(), `faultline-shop-${mode}-`));
  const dataDir = join(dir, 'data');
  const system = systemSchema.parse(shopSystem({ mode, basePort, dataDir, proxies: false, runtime: options.runtime ?? 'source' }));
  const supervisor = new ProcessSupervisor();
  const stop = async () => {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  };
  const startService = async (name: ShopService) => {
    const url = `${shopUrl(basePort, name)}/health`;
    await supervisor.start(name, system.services[name]!.process!, { baseDir: dir, logDir: join(dir, 'logs'), isReady: () => healthy(url) });
  };
  try {
    for (const name of SHOP_SERVICES) await startService(name);
  } catch (err) {
    await stop();
    throw err;
  }
  return { mode, basePort, dataDir, supervisor, url: (service = 'gateway') => shopUrl(basePort, service), startService, stop };
}

export async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
  headers: Headers;
}

/** One request to the shop; a request that fails outright is status 0. */
export async function shopRequest(url: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    return { status: res.status, body, ms: performance.now() - started, headers: res.headers };
  } catch (err) {
    return { status: 0, body: { error: String(err) }, ms: performance.now() - started, headers: new Headers() };
  }
}

/** The value of one Prometheus series in a /metrics text, or undefined when it is not there. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

export async function metricsOf(shop: RunningShop, service: ShopService): Promise<string> {
  const res = await fetch(`${shop.url(service)}/metrics`);
  return res.text();
}
