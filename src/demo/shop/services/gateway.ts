/**
 * gateway: the shop's public HTTP API. Product reads go to catalog; carts, checkout and orders to
 * cart. Answers of the services (4xx included) are passed on as they are.
 *
 * Resilient: a product read that catalog cannot answer is served from the last answer this
 * gateway passed on (`source: gateway-last-good`); anything else a dependency cannot do is a
 * fast 503 with Retry-After. Fragile: a failure is a 500.
 */
import { unavailable, type Reply } from '../http/server.js';
import type { UpstreamResponse } from '../http/client.js';
import { describeFailure, type Dependency, type DependencyCall } from '../resilience.js';
import { callerHealth, dependencies, type ShopAppFactory } from './service.js';

const ROUTES = [
  'GET /api/products',
  'GET /api/products/:id',
  'GET /api/cart/:user',
  'POST /api/cart/:user/items   { "productId": "p1", "qty": 2 }',
  'POST /api/checkout/:user     { "items": [{ "productId": "p1", "qty": 1 }] } (or the cart)',
  'GET /api/orders/:id',
];

export const createGateway: ShopAppFactory = (config, metrics) => {
  const deps = dependencies(config, metrics, {
    // No retry here: catalog retries the store itself, and a product read has a fallback (last-good).
    catalog: { timeoutMs: 600, retries: 0 },
    cart: { timeoutMs: 3000, retries: 1 },
  });
  const resilient = config.mode === 'resilient';
  const lastGood = new Map<string, Record<string, unknown>>();

  async function forward(dep: Dependency, path: string, options: DependencyCall = {}): Promise<Reply> {
    try {
      return passOn(await dep.call(path, options));
    } catch (err) {
      if (!resilient) throw err;
      throw unavailable(`${dep.name} unavailable: ${describeFailure(err)}`);
    }
  }

  async function productRead(path: string): Promise<Reply> {
    try {
      const res = await deps.catalog.call(path);
      if (res.status === 200) lastGood.set(path, res.body as Record<string, unknown>);
      return passOn(res);
    } catch (err) {
      if (!resilient) throw err;
      const copy = lastGood.get(path);
      if (!copy) throw unavailable(`catalog unavailable: ${describeFailure(err)}`);
      deps.catalog.fellBack('last-good');
      return { body: { ...copy, source: 'gateway-last-good' }, headers: { 'x-shop-source': 'gateway-last-good' } };
    }
  }

  const seg = (s: string | undefined) => encodeURIComponent(s!);

  return {
    health: () => callerHealth(config, deps),
    routes: [
      { method: 'GET', path: '/', handler: () => ({ body: { service: 'gateway', mode: config.mode, routes: ROUTES } }) },
      { method: 'GET', path: '/api/products', handler: () => productRead('/products') },
      { method: 'GET', path: '/api/products/:id', handler: ({ params }) => productRead(`/products/${seg(params.id)}`) },
      { method: 'GET', path: '/api/cart/:user', handler: ({ params }) => forward(deps.cart, `/carts/${seg(params.user)}`) },
      {
        method: 'POST',
        path: '/api/cart/:user/items',
        // Setting an item's quantity is idempotent: safe to retry.
        handler: ({ params, body }) => forward(deps.cart, `/carts/${seg(params.user)}/items`, { method: 'POST', body, idempotent: true }),
      },
      { method: 'POST', path: '/api/checkout/:user', handler: ({ params, body }) => forward(deps.cart, `/checkout/${seg(params.user)}`, { method: 'POST', body: body ?? {} }) },
      { method: 'GET', path: '/api/orders/:id', handler: ({ params }) => forward(deps.cart, `/orders/${seg(params.id)}`) },
    ],
  };
};

function passOn(res: UpstreamResponse): Reply {
  const source = (res.body as { source?: unknown } | undefined)?.source;
  return { status: res.status, body: res.body, headers: typeof source === 'string' ? { 'x-shop-source': source } : {} };
}
