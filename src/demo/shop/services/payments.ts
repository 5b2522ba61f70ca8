/**
 * payments: charges an order's amount. Idempotent by order id, so a caller may retry a charge
 * that timed out without charging twice. Each new charge takes SHOP_PAYMENTS_LATENCY_MS (a card
 * network is never instant).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { badRequest, notFound, objectBody, type ShopAppFactory } from './service.js';

interface Charge {
  id: string;
  orderId: string;
  amount: number;
  status: 'captured';
}

export const createPayments: ShopAppFactory = (config) => {
  const charges = new Map<string, Charge>();
  return {
    health: () => ({ ok: true, service: 'payments', charges: charges.size }),
    routes: [
      {
        method: 'POST',
        path: '/charges',
        handler: async ({ body }) => {
          const { orderId, amount } = objectBody(body);
          if (typeof orderId !== 'string' || !orderId) throw badRequest('orderId must be a non-empty string');
          if (!Number.isInteger(amount) || (amount as number) <= 0) throw badRequest('amount must be a positive whole number of cents');
          const existing = charges.get(orderId);
          if (existing) return { status: 200, body: existing };
          await sleep(config.paymentsLatencyMs);
          const charge: Charge = charges.get(orderId) ?? { id: randomUUID(), orderId, amount: amount as number, status: 'captured' };
          charges.set(orderId, charge);
          return { status: 201, body: charge };
        },
      },
      {
        method: 'GET',
        path: '/charges/:orderId',
        handler: ({ params }) => {
          const charge = charges.get(params.orderId!);
          if (!charge) throw notFound(`no charge for order ${params.orderId}`);
          return { body: charge };
        },
      },
    ],
  };
};
