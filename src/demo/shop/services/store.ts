/**
 * store: the shop's database. Products, carts and orders, kept in an append-only file under
 * SHOP_DATA_DIR (see store-log.ts). Healthy while its data dir is readable and writable.
 */
import { checkItems, checkUser, emptyCart, SEED_PRODUCTS, type Cart, type Order, type OrderStatus } from '../domain.js';
import { StoreLog } from './store-log.js';
import { badRequest, notFound, objectBody, type ShopAppFactory } from './service.js';

const STATUSES: OrderStatus[] = ['new', 'paid', 'payment-pending'];

export const createStore: ShopAppFactory = (config) => {
  const log = new StoreLog(config.dataDir!);
  if (log.list('products').length === 0) for (const p of SEED_PRODUCTS) log.put('products', p.id, p);

  const order = (id: string) => {
    const found = log.get('orders', id) as Order | undefined;
    if (!found) throw notFound(`no order ${id}`);
    return found;
  };

  return {
    health: () => {
      const { ok, problem } = log.check();
      return { ok, service: 'store', dataFile: log.file, ...(problem ? { problem } : {}), products: log.list('products').length };
    },
    routes: [
      { method: 'GET', path: '/products', handler: () => ({ body: { products: log.list('products') } }) },
      {
        method: 'GET',
        path: '/products/:id',
        handler: ({ params }) => {
          const product = log.get('products', params.id!);
          if (!product) throw notFound(`no product ${params.id}`);
          return { body: product };
        },
      },
      {
        method: 'GET',
        path: '/carts/:user',
        handler: ({ params }) => ({ body: (log.get('carts', checkUser(params.user!)) as Cart | undefined) ?? emptyCart(params.user!) }),
      },
      {
        method: 'PUT',
        path: '/carts/:user',
        handler: ({ params, body }) => {
          const cart: Cart = { user: checkUser(params.user!), items: checkItems(objectBody(body).items) };
          log.put('carts', cart.user, cart);
          return { body: cart };
        },
      },
      {
        method: 'DELETE',
        path: '/carts/:user',
        handler: ({ params }) => {
          log.delete('carts', checkUser(params.user!));
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        path: '/orders',
        handler: ({ body }) => {
          const o = objectBody(body) as unknown as Order;
          if (typeof o.id !== 'string' || !o.id) throw badRequest('an order needs an id');
          // Idempotent by id: a retried create finds the order it already made.
          const existing = log.get('orders', o.id);
          if (existing) return { status: 200, body: existing };
          log.put('orders', o.id, o);
          return { status: 201, body: o };
        },
      },
      { method: 'GET', path: '/orders/:id', handler: ({ params }) => ({ body: order(params.id!) }) },
      {
        method: 'PATCH',
        path: '/orders/:id',
        handler: ({ params, body }) => {
          const patch = objectBody(body);
          if (!STATUSES.includes(patch.status as OrderStatus)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
          const updated: Order = { ...order(params.id!), status: patch.status as OrderStatus };
          if (typeof patch.chargeId === 'string') updated.chargeId = patch.chargeId;
          log.put('orders', updated.id, updated);
          return { body: updated };
        },
      },
    ],
  };
};
