/**
 * cart: shopping carts and checkout. Carts live in the store, with a copy in the cache; checkout
 * prices the items, records the order, charges it through payments and marks it paid.
 *
 * Resilient: a cart is read from its cached copy while the store is down; a write the store
 * cannot take is a fast 503. When payments is slow or down, checkout degrades: the order is
 * accepted as `payment-pending` (202) and charged in the background once payments answers again.
 * Fragile: any failure is a 500, and a slow payments service makes checkout just as slow.
 */
import { randomUUID } from 'node:crypto';
import { checkItem, checkItems, checkUser, emptyCart, withItem, type Cart, type CartItem, type Order, type Product } from '../domain.js';
import { HttpError, unavailable, type Reply } from '../http/server.js';
import { describeFailure, type Dependency } from '../resilience.js';
import { badRequest, callerHealth, dependencies, notFound, objectBody, type ShopAppFactory } from './service.js';

const CART_TTL_MS = 60 * 60_000;
const RECONCILE_EVERY_MS = 1000;

export const createCart: ShopAppFactory = (config, metrics) => {
  const deps = dependencies(config, metrics, {
    store: { timeoutMs: 200, retries: 1 },
    cache: { timeoutMs: 100, retries: 0, breakerThreshold: 3 },
    payments: { timeoutMs: 400, retries: 1, breakerThreshold: 3 },
  });
  const resilient = config.mode === 'resilient';
  /** Orders whose charge or status update is still owed (resilient only). */
  const pending = new Map<string, Order>();
  const pendingGauge = metrics.resilience ? metrics.registry.gauge('shop_pending_payments', 'Orders accepted while payments was unavailable, not yet charged') : undefined;
  pendingGauge?.set({}, 0);

  /** Resilient: a failure of `dep` becomes a 503 (with the failure in the message); fragile: it stays an error (500). */
  async function must<T>(dep: Dependency, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!resilient) throw err;
      throw unavailable(`cannot ${what}: ${dep.name} ${describeFailure(err)}`);
    }
  }

  /** Best effort in the resilient build (a cache is never required); fragile awaits and fails. */
  async function optional(fn: () => Promise<unknown>): Promise<void> {
    if (!resilient) return void (await fn());
    fn().catch(() => undefined);
  }

  const cacheCart = (cart: Cart) => optional(() => deps.cache.call(`/kv/cart:${cart.user}`, { method: 'PUT', body: { value: cart, ttlMs: CART_TTL_MS } }));

  async function readCart(user: string): Promise<{ cart: Cart; source: string }> {
    try {
      const res = await deps.store.call(`/carts/${user}`);
      const cart = res.body as Cart;
      await cacheCart(cart);
      return { cart, source: 'store' };
    } catch (err) {
      if (!resilient) throw err;
      const cached = await deps.cache.call(`/kv/cart:${user}`).catch(() => undefined);
      if (cached?.status === 200) {
        deps.store.fellBack('stale-cache');
        return { cart: (cached.body as { value: Cart }).value, source: 'stale-cache' };
      }
      throw unavailable(`cannot read the cart: store ${describeFailure(err)}, and no cached copy`);
    }
  }

  async function prices(): Promise<Map<string, number>> {
    const res = await must(deps.store, 'price the items', () => deps.store.call('/products'));
    return new Map((res.body as { products: Product[] }).products.map((p) => [p.id, p.price]));
  }

  async function charge(order: Order): Promise<Order> {
    const res = await deps.payments.call('/charges', { method: 'POST', body: { orderId: order.id, amount: order.total }, idempotent: true });
    return { ...order, status: 'paid', chargeId: (res.body as { id: string }).id };
  }

  async function saveStatus(order: Order): Promise<void> {
    await deps.store.call(`/orders/${order.id}`, { method: 'PATCH', body: { status: order.status, chargeId: order.chargeId }, idempotent: true });
  }

  async function checkout(user: string, body: unknown): Promise<Reply> {
    const given = objectBody(body).items;
    const fromCart = given === undefined;
    const items: CartItem[] = fromCart ? (await readCart(user)).cart.items : checkItems(given);
    if (items.length === 0) throw badRequest(`nothing to check out: the cart of ${user} is empty`);
    const priceOf = await prices();
    const priced = items.map((i) => {
      const price = priceOf.get(i.productId);
      if (price === undefined) throw badRequest(`unknown product ${i.productId}`);
      return { ...i, price };
    });
    let order: Order = {
      id: randomUUID(),
      user,
      items: priced,
      total: priced.reduce((sum, i) => sum + i.price * i.qty, 0),
      status: 'new',
      createdAt: new Date().toISOString(),
    };
    await must(deps.store, 'record the order', () => deps.store.call('/orders', { method: 'POST', body: order, idempotent: true }));
    let degraded: string | undefined;
    try {
      order = await charge(order);
    } catch (err) {
      if (!resilient) throw err;
      // Degraded checkout: take the order now, charge it when payments answers again.
      deps.payments.fellBack('degraded-checkout');
      order = { ...order, status: 'payment-pending' };
      degraded = `payment is taken later: payments ${describeFailure(err)}`;
    }
    try {
      await saveStatus(order);
    } catch (err) {
      if (!resilient) throw err;
      degraded ??= `the order's status is recorded later: store ${describeFailure(err)}`;
    }
    if (degraded) {
      pending.set(order.id, order);
      pendingGauge?.set({}, pending.size);
    }
    if (fromCart) await optional(() => deps.store.call(`/carts/${user}`, { method: 'DELETE', idempotent: true }));
    if (fromCart) await optional(() => deps.cache.call(`/kv/cart:${user}`, { method: 'DELETE', idempotent: true }));
    return degraded ? { status: 202, body: { order, degraded } } : { status: 201, body: { order } };
  }

  /** Charges and records what degraded checkouts left owing; the breakers keep this cheap while payments is down. */
  async function reconcile(): Promise<void> {
    for (const order of [...pending.values()]) {
      try {
        const done = order.status === 'paid' ? order : await charge(order);
        pending.set(done.id, done);
        await saveStatus(done);
        pending.delete(done.id);
        pendingGauge?.set({}, pending.size);
      } catch {
        return; // still down: try again next round
      }
    }
  }
  if (resilient) {
    let running = false;
    setInterval(() => {
      if (running || pending.size === 0) return;
      running = true;
      void reconcile().finally(() => (running = false));
    }, RECONCILE_EVERY_MS).unref();
  }

  return {
    health: () => callerHealth(config, deps),
    routes: [
      {
        method: 'GET',
        path: '/carts/:user',
        handler: async ({ params }) => {
          const { cart, source } = await readCart(checkUser(params.user!));
          return { body: { ...cart, source }, headers: { 'x-shop-source': source } };
        },
      },
      {
        method: 'POST',
        path: '/carts/:user/items',
        handler: async ({ params, body }) => {
          const user = checkUser(params.user!);
          const item = checkItem(body);
          const product = await must(deps.store, 'look up the product', () => deps.store.call(`/products/${encodeURIComponent(item.productId)}`));
          if (product.status === 404) throw notFound(`no product ${item.productId}`);
          const current = await must(deps.store, 'read the cart', () => deps.store.call(`/carts/${user}`));
          const cart = withItem((current.body as Cart | undefined) ?? emptyCart(user), item);
          await must(deps.store, 'save the cart', () => deps.store.call(`/carts/${user}`, { method: 'PUT', body: { items: cart.items } }));
          await cacheCart(cart);
          return { body: cart };
        },
      },
      { method: 'POST', path: '/checkout/:user', handler: ({ params, body }) => checkout(checkUser(params.user!), body) },
      {
        method: 'GET',
        path: '/orders/:id',
        handler: async ({ params }) => {
          const res = await must(deps.store, 'read the order', () => deps.store.call(`/orders/${encodeURIComponent(params.id!)}`));
          if (res.status !== 200) throw new HttpError(res.status, `no order ${params.id}`);
          return { body: res.body };
        },
      },
    ],
  };
};
