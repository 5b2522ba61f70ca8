/**
 * The shop's faultline system file, generated: `shopSystem({ mode, basePort, dataDir })` returns
 * the object to write as faultline.yaml (or to hand to the library). Every service is a `process`
 * service started from this package's own files; every service-to-service call goes through a
 * faultline proxy named after the dependency (`gateway.catalog`, `cart.store`, …) when the proxy
 * driver is there, and straight to the dependency when it is not. With `real` (`faultline demo
 * --real`) the cache and the store are a real redis-server and PostgreSQL (real/real-services.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinDrivers } from '../../drivers/index.js';
import type { SystemInput } from '../../experiment/define.js';
import { REAL_DESCRIPTIONS, realService, realUrl, type RealParts } from '../real/real-services.js';
import { DEFAULT_BASE_PORT, DEPENDENCIES, proxyPort, SHOP_SERVICES, servicePort, upstreamVar, type ShopMode, type ShopService } from './topology.js';

export type ShopRuntime = 'compiled' | 'source';

export interface ShopSystemOptions {
  mode: ShopMode;
  /** Where the store keeps its data (made if missing). */
  dataDir: string;
  /** Services listen on basePort..basePort+5, proxies from basePort+10 (default 17300). */
  basePort?: number;
  /** Route calls through faultline proxies (default: when the proxy driver is registered). */
  proxies?: boolean;
  /**
   * `compiled`: `node dist/demo/shop/main.js` (what an installed package has);
   * `source`: `node --import tsx src/demo/shop/main.ts` (a repository checkout, no build needed).
   * Default: the way this module itself is running.
   */
  runtime?: ShopRuntime;
  /** Resilient build: how long the supervisor waits before restarting a crashed service (default 500ms). */
  restartDelay?: string;
  /** Extra environment for every service (e.g. SHOP_PAYMENTS_LATENCY_MS). */
  env?: Record<string, string>;
  /** `faultline demo --real`: the cache is a real redis-server and the store a real PostgreSQL. */
  real?: RealParts;
}

const DESCRIPTIONS: Record<ShopService, string> = {
  gateway: 'public HTTP API',
  catalog: 'products, read through the cache',
  cart: 'carts and checkout',
  payments: 'charges orders',
  cache: 'in-memory key-value cache',
  store: 'the database: an append-only file on disk',
};

export function shopSystem(options: ShopSystemOptions): SystemInput {
  const base = options.basePort ?? DEFAULT_BASE_PORT;
  const viaProxy = options.proxies ?? proxyDriverAvailable();
  const command = shopCommand(options.runtime ?? currentRuntime());
  const restart = options.mode === 'resilient' ? { policy: 'always' as const, delay: options.restartDelay ?? '500ms' } : { policy: 'never' as const };
  const services: SystemInput['services'] = {};
  for (const name of SHOP_SERVICES) {
    const deps = DEPENDENCIES[name];
    const env: Record<string, string> = { ...options.env, SHOP_MODE: options.mode, SHOP_PORT: String(servicePort(base, name)) };
    for (const dep of deps) {
      const port = viaProxy ? proxyPort(base, name, dep) : servicePort(base, dep);
      env[upstreamVar(dep)] = options.real && isReal(dep) ? realUrl(dep, port) : `http://127.0.0.1:${port}`;
    }
    if (name === 'store') env.SHOP_DATA_DIR = resolve(options.dataDir);
    const real = options.real && isReal(name) ? realService(name, options.real, servicePort(base, name), restart) : undefined;
    services[name] = {
      description: `${real ? REAL_DESCRIPTIONS[name as 'cache' | 'store'] : DESCRIPTIONS[name]} (${options.mode} build)`,
      ...(real ?? {
        process: { command: [...command, name], env, restart, readyTimeout: '15s', stopTimeout: '2s' },
        health: { http: `${shopUrl(base, name)}/health`, expectStatus: 200, timeout: '500ms' },
      }),
      dependsOn: [...deps],
      ...(viaProxy && deps.length
        ? { proxies: deps.map((dep) => ({ name: dep, listen: `127.0.0.1:${proxyPort(base, name, dep)}`, upstream: `127.0.0.1:${servicePort(base, dep)}` })) }
        : {}),
    };
  }
  return { name: `faultline demo shop (${options.mode})`, probeInterval: '250ms', services };
}

function isReal(service: ShopService): service is 'cache' | 'store' {
  return service === 'cache' || service === 'store';
}

/** Base URL of a service (the gateway's is the shop's public address). */
export function shopUrl(basePort: number, service: ShopService = 'gateway'): string {
  return `http://127.0.0.1:${servicePort(basePort, service)}`;
}

export function proxyDriverAvailable(): boolean {
  return 'proxy' in builtinDrivers;
}

function currentRuntime(): ShopRuntime {
  return import.meta.url.endsWith('.ts') ? 'source' : 'compiled';
}

/** argv that starts a shop service (the service name follows). */
export function shopCommand(runtime: ShopRuntime): string[] {
  const running = currentRuntime();
  // This file is src/demo/shop/system.ts or dist/demo/shop/system.js; the other tree is three levels up.
  const entry =
    runtime === running
      ? fileURLToPath(new URL(`./main.${running === 'source' ? 'ts' : 'js'}`, import.meta.url))
      : fileURLToPath(new URL(runtime === 'compiled' ? '../../../dist/demo/shop/main.js' : '../../../src/demo/shop/main.ts', import.meta.url));
  if (!existsSync(entry)) {
    throw new Error(runtime === 'compiled' ? `${entry} is missing: run \`npm run build\` first` : `${entry} is missing: the TypeScript sources are only in a repository checkout`);
  }
  if (runtime === 'compiled') return [process.execPath, entry];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, entry];
}
