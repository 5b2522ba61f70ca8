/**
 * Starts one shop service: `node dist/demo/shop/main.js <service>` (or from source,
 * `node --import tsx src/demo/shop/main.ts <service>`), configured by its environment (config.ts).
 * Exit code 2 for a configuration error.
 */
import { ConfigError, configFromEnv } from './config.js';
import { createShopServer, serve } from './http/server.js';
import { createCache } from './services/cache.js';
import { createCart } from './services/cart.js';
import { createCatalog } from './services/catalog.js';
import { createGateway } from './services/gateway.js';
import { createPayments } from './services/payments.js';
import type { ShopAppFactory } from './services/service.js';
import { createStore } from './services/store.js';
import { shopMetrics } from './shop-metrics.js';
import { isShopService, SHOP_SERVICES, type ShopService } from './topology.js';
import { warmOwnReads, warmUp } from './warm-up.js';

const FACTORIES: Record<ShopService, ShopAppFactory> = {
  store: createStore,
  cache: createCache,
  payments: createPayments,
  catalog: createCatalog,
  cart: createCart,
  gateway: createGateway,
};

function main(): void {
  const name = process.argv[2] ?? '';
  if (!isShopService(name)) fail(`usage: main.js <service>, one of ${SHOP_SERVICES.join(', ')} (got ${JSON.stringify(name)})`);
  let config;
  try {
    config = configFromEnv(name);
  } catch (err) {
    if (err instanceof ConfigError) fail(`${name}: ${err.message}`);
    throw err;
  }
  const metrics = shopMetrics(name, config.mode);
  const app = FACTORIES[name](config, metrics);
  const server = createShopServer({ service: name, routes: app.routes, metrics, health: () => app.health() });
  server.on('error', (err) => {
    console.error(`${name}: cannot listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(1);
  });
  // Listen (and so pass health checks) only once the connections to the dependencies, and the
  // service's own most common read, are warm.
  void warmUp(config.upstreams)
    .then(() => warmOwnReads(app))
    .then(() =>
      serve(server, config.host, config.port, () => {
        const deps = Object.entries(config.upstreams).map(([d, u]) => `${d}=${u}`);
        console.log(`${name} (${config.mode}) listening on http://${config.host}:${config.port} (pid ${process.pid})${deps.length ? `; calls ${deps.join(', ')}` : ''}`);
      }),
    );
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

main();
