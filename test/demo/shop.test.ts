// The demo shop itself, both builds, started under faultline's own ProcessSupervisor from source:
// health and metrics of every service, and what each build does while a dependency is down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHOP_SERVICES } from '../../src/demo/shop/topology.js';
import { metricsOf, metricValue, shopRequest, startShop, type RunningShop } from './helpers.js';
import { waitFor } from '../helpers/cli.js';

/** Longer than the catalog's freshness window (1 s): the next read goes to the store. */
const PAST_FRESH_MS = 1200;
// "Fast" answers: well under a request's 5 s give-up (what a hang would take), with room for a
// busy machine above the shop's own 250 ms attempts.
const FAST_MS = 3000;

describe('resilient build', () => {
  let shop: RunningShop;
  before(async () => (shop = await startShop('resilient')));
  after(() => shop?.stop());

  test('every service answers /health and /metrics in Prometheus text format', async () => {
    for (const service of SHOP_SERVICES) {
      const health = await shopRequest(`${shop.url(service)}/health`);
      assert.equal(health.status, 200, `${service}: ${JSON.stringify(health.body)}`);
      assert.equal(health.body.status, 'ok');
      const res = await fetch(`${shop.url(service)}/metrics`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.equal(metricValue(text, 'shop_info', { service, mode: 'resilient' }), 1);
      assert.ok(metricValue(text, 'shop_http_requests_total', { route: '/health', method: 'GET', status: '200' })! >= 1, `${service} counts its requests`);
      assert.match(text, /# TYPE shop_http_request_duration_seconds histogram/);
      assert.match(text, /shop_http_request_duration_seconds_bucket\{route="\/health",le="\+Inf"\} \d+/);
    }
    const gateway = await metricsOf(shop, 'gateway');
    assert.equal(metricValue(gateway, 'shop_breaker_state', { dependency: 'catalog' }), 0);
    assert.equal(metricValue(gateway, 'shop_breaker_state', { dependency: 'cart' }), 0);
    assert.match(gateway, /# TYPE shop_retries_total counter/);
    assert.match(gateway, /# TYPE shop_fallbacks_total counter/);
  });

  test('before the gateway listens it reads catalog\'s product list once, around its policies: catalog\'s read path is warm, the gateway\'s own metrics saw nothing', async () => {
    // No product has been read yet (the test above asks only /health and /metrics).
    const catalog = await metricsOf(shop, 'catalog');
    assert.equal(metricValue(catalog, 'shop_http_requests_total', { route: '/products', method: 'GET', status: '200' }), 1, 'catalog served the warm-up read');
    assert.ok(metricValue(catalog, 'shop_dependency_calls_total', { dependency: 'store', outcome: 'ok' })! >= 1, 'and read the store for it');
    const gateway = await metricsOf(shop, 'gateway');
    assert.equal(metricValue(gateway, 'shop_dependency_calls_total', { dependency: 'catalog', outcome: 'ok' }), undefined, 'the warm-up is not a call the gateway\'s policies count');
    assert.equal(metricValue(gateway, 'shop_http_requests_total', { route: '/api/products', method: 'GET', status: '200' }), undefined);
  });

  test('a restarted catalog reads the product list itself before it listens, through its own policies', async () => {
    await shop.supervisor.stop('catalog');
    await shop.startService('catalog');
    // A new process: its counters start at zero, and nobody has asked it for a product yet.
    const catalog = await metricsOf(shop, 'catalog');
    assert.equal(metricValue(catalog, 'shop_http_requests_total', { route: '/products', method: 'GET', status: '200' }), undefined, 'no request has reached it');
    assert.ok(metricValue(catalog, 'shop_dependency_calls_total', { dependency: 'cache', outcome: 'ok' })! >= 1, 'it read the cache');
    const products = await shopRequest(`${shop.url('catalog')}/products`);
    assert.equal(products.status, 200);
    assert.ok(['cache', 'store'].includes(products.body.source as string), `first answer from ${String(products.body.source)}`);
  });

  test('the shop works end to end: browse, fill a cart, check out, read the order', async () => {
    const g = shop.url();
    const list = await shopRequest(`${g}/api/products`);
    assert.equal(list.status, 200);
    assert.equal((list.body.products as unknown[]).length, 12);
    assert.equal((await shopRequest(`${g}/api/products/nope`)).status, 404);
    const added = await shopRequest(`${g}/api/cart/ann/items`, { method: 'POST', body: { productId: 'p1', qty: 2 } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal((await shopRequest(`${g}/api/cart/ann/items`, { method: 'POST', body: { productId: 'p1', qty: 200 } })).status, 400);
    const bought = await shopRequest(`${g}/api/checkout/ann`, { method: 'POST' });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    const order = bought.body.order as { id: string; total: number; status: string };
    assert.equal(order.total, 4800);
    assert.equal(order.status, 'paid');
    const read = await shopRequest(`${g}/api/orders/${order.id}`);
    assert.equal((read.body as { status: string }).status, 'paid');
    assert.deepEqual((await shopRequest(`${g}/api/cart/ann`)).body.items, [], 'checkout empties the cart');
  });

  test('store down: reads come from the stale cache, writes fail fast with 503, the breaker opens and closes again', async () => {
    const g = shop.url();
    await shopRequest(`${g}/api/cart/bea/items`, { method: 'POST', body: { productId: 'p2', qty: 1 } });
    await shopRequest(`${g}/api/products`);
    await shopRequest(`${g}/api/cart/bea`);
    await shop.supervisor.stop('store');
    try {
      await sleep(PAST_FRESH_MS);
      for (let i = 0; i < 4; i++) {
        const products = await shopRequest(`${g}/api/products`);
        assert.equal(products.status, 200, JSON.stringify(products.body));
        assert.equal(products.body.source, 'stale-cache');
        assert.equal(products.headers.get('x-shop-source'), 'stale-cache');
        const cart = await shopRequest(`${g}/api/cart/bea`);
        assert.equal(cart.status, 200);
        assert.equal(cart.body.source, 'stale-cache');
        assert.deepEqual(cart.body.items, [{ productId: 'p2', qty: 1 }]);
        const write = await shopRequest(`${g}/api/cart/bea/items`, { method: 'POST', body: { productId: 'p3', qty: 1 } });
        assert.equal(write.status, 503, JSON.stringify(write.body));
        assert.equal(write.headers.get('retry-after'), '1');
        assert.ok(write.ms < FAST_MS, `a failing write answers fast (${write.ms}ms)`);
      }
      const catalog = await metricsOf(shop, 'catalog');
      assert.equal(metricValue(catalog, 'shop_breaker_state', { dependency: 'store' }), 1, 'the breaker to the store is open');
      assert.ok(metricValue(catalog, 'shop_breaker_opened_total', { dependency: 'store' })! >= 1);
      assert.ok(metricValue(catalog, 'shop_fallbacks_total', { dependency: 'store', kind: 'stale-cache' })! >= 4);
      const cart = await metricsOf(shop, 'cart');
      assert.ok(metricValue(cart, 'shop_retries_total', { dependency: 'store' })! >= 1, 'failed store calls were retried');
      assert.ok(metricValue(cart, 'shop_dependency_calls_total', { dependency: 'store', outcome: 'short-circuited' })! >= 1, 'then cut short by the open breaker');
      const health = await shopRequest(`${shop.url('catalog')}/health`);
      assert.equal(health.status, 200, 'catalog can still serve, so it stays healthy');
      assert.equal((health.body.breakers as Record<string, string>).store, 'open');
    } finally {
      await shop.startService('store');
    }
    // Once the store is back, the next trial call (after the half-open delay) closes the breaker.
    await waitFor(
      async () => {
        const res = await shopRequest(`${g}/api/products`);
        return res.body.source === 'store' || res.body.source === 'cache';
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'catalog reading the store again' },
    );
    const catalog = await metricsOf(shop, 'catalog');
    assert.equal(metricValue(catalog, 'shop_breaker_state', { dependency: 'store' }), 0, 'the breaker closed again');
    const write = await shopRequest(`${g}/api/cart/bea/items`, { method: 'POST', body: { productId: 'p3', qty: 1 } });
    assert.equal(write.status, 200);
  });

  test('the store keeps its data on disk: a restarted store still has the carts', async () => {
    const g = shop.url();
    await waitFor(async () => (await shopRequest(`${g}/api/cart/cid/items`, { method: 'POST', body: { productId: 'p5', qty: 3 } })).status === 200, {
      timeoutMs: 10_000,
      what: 'a cart write to succeed',
    });
    await shop.supervisor.stop('store');
    await shop.startService('store');
    const cart = await waitFor(
      async () => {
        const res = await shopRequest(`${g}/api/cart/cid`);
        return res.body.source === 'store' ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the cart read from the restarted store' },
    );
    assert.deepEqual(cart.body.items, [{ productId: 'p5', qty: 3 }]);
  });

  test('payments frozen: checkout degrades to 202 payment-pending, and the order is charged once payments is back', async () => {
    const g = shop.url();
    const pid = shop.supervisor.pid('payments')!;
    process.kill(pid, 'SIGSTOP');
    let orderId: string;
    try {
      const first = await shopRequest(`${g}/api/checkout/dan`, { method: 'POST', body: { items: [{ productId: 'p6', qty: 1 }] } });
      assert.equal(first.status, 202, JSON.stringify(first.body));
      assert.equal((first.body.order as { status: string }).status, 'payment-pending');
      assert.ok(first.ms < FAST_MS, `degraded within the payments timeouts and retries (${first.ms}ms)`);
      orderId = (first.body.order as { id: string }).id;
      const more = await Promise.all([1, 2, 3].map(() => shopRequest(`${g}/api/checkout/dan`, { method: 'POST', body: { items: [{ productId: 'p6', qty: 1 }] } })));
      assert.deepEqual(
        more.map((r) => r.status),
        [202, 202, 202],
      );
      const cart = await metricsOf(shop, 'cart');
      assert.ok(metricValue(cart, 'shop_fallbacks_total', { dependency: 'payments', kind: 'degraded-checkout' })! >= 4);
      assert.ok(metricValue(cart, 'shop_pending_payments')! >= 1);
      assert.ok(metricValue(cart, 'shop_timeouts_total', { dependency: 'payments' })! >= 1);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const paid = await waitFor(
      async () => {
        const res = await shopRequest(`${g}/api/orders/${orderId}`);
        return (res.body as { status?: string }).status === 'paid' ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'the pending order to be charged' },
    );
    assert.ok((paid.body as { chargeId?: string }).chargeId);
    await waitFor(async () => metricValue(await metricsOf(shop, 'cart'), 'shop_pending_payments') === 0, {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: 'every pending order to be charged',
    });
  });
});

describe('fragile build', () => {
  let shop: RunningShop;
  before(async () => (shop = await startShop('fragile')));
  after(() => shop?.stop());

  test('every service answers /health and /metrics, with no breakers, retries or fallbacks to report', async () => {
    for (const service of SHOP_SERVICES) {
      assert.equal((await shopRequest(`${shop.url(service)}/health`)).status, 200, service);
      const text = await metricsOf(shop, service);
      assert.equal(metricValue(text, 'shop_info', { service, mode: 'fragile' }), 1);
      assert.doesNotMatch(text, /shop_breaker_state|shop_retries_total|shop_fallbacks_total/);
    }
  });

  test('store down: errors become 500s, and the failure shows in every health check up the call graph', async () => {
    const g = shop.url();
    await shopRequest(`${g}/api/products`);
    await shopRequest(`${g}/api/cart/eve/items`, { method: 'POST', body: { productId: 'p1', qty: 1 } });
    await shop.supervisor.stop('store');
    await sleep(PAST_FRESH_MS);
    for (let i = 0; i < 3; i++) {
      const products = await shopRequest(`${g}/api/products`);
      assert.equal(products.status, 500, JSON.stringify(products.body));
      assert.equal((await shopRequest(`${g}/api/cart/eve`)).status, 500);
      assert.equal((await shopRequest(`${g}/api/cart/eve/items`, { method: 'POST', body: { productId: 'p3', qty: 1 } })).status, 500);
    }
    for (const service of ['catalog', 'cart', 'gateway'] as const) {
      const health = await shopRequest(`${shop.url(service)}/health`);
      assert.equal(health.status, 503, `${service} reports that it cannot serve: ${JSON.stringify(health.body)}`);
    }
    assert.equal((await shopRequest(`${shop.url('payments')}/health`)).status, 200, 'payments does not need the store');
    assert.equal(shop.supervisor.status('store')!.running, false, 'and nothing restarts the store');
  });
});
