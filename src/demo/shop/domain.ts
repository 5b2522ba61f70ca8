/** The shop's records, the seed catalog, and checks on what clients send. Prices are in cents. */
import { badRequest } from './services/service.js';

export interface Product {
  id: string;
  name: string;
  price: number;
}

export interface CartItem {
  productId: string;
  qty: number;
}

export interface Cart {
  user: string;
  items: CartItem[];
}

export type OrderStatus = 'new' | 'paid' | 'payment-pending';

export interface Order {
  id: string;
  user: string;
  items: (CartItem & { price: number })[];
  total: number;
  status: OrderStatus;
  chargeId?: string;
  createdAt: string;
}

export const SEED_PRODUCTS: Product[] = [
  ['p1', 'Fault-tolerant teapot', 2400],
  ['p2', 'Circuit breaker (decorative)', 1800],
  ['p3', 'Jittered backoff socks', 900],
  ['p4', 'Bulkhead bookends', 3200],
  ['p5', 'Stale-cache sourdough starter', 1200],
  ['p6', 'Idempotency key ring', 700],
  ['p7', 'Partition-proof umbrella', 2900],
  ['p8', 'Graceful degradation mug', 1100],
  ['p9', 'Retry-after alarm clock', 2200],
  ['p10', 'Chaos monkey plush', 1900],
  ['p11', 'Steady-state scented candle', 1500],
  ['p12', 'Blast radius frisbee', 800],
].map(([id, name, price]) => ({ id: id as string, name: name as string, price: price as number }));

const USER = /^[A-Za-z0-9_-]{1,64}$/;

export function checkUser(user: string): string {
  if (!USER.test(user)) throw badRequest('a user is 1-64 letters, digits, "_" or "-"');
  return user;
}

export function checkItems(value: unknown): CartItem[] {
  if (!Array.isArray(value)) throw badRequest('items must be a list of { productId, qty }');
  return value.map((raw, i) => checkItem(raw, `items[${i}]`));
}

export function checkItem(raw: unknown, where = 'the item'): CartItem {
  const item = raw as Partial<CartItem> | null;
  if (!item || typeof item.productId !== 'string' || !item.productId) throw badRequest(`${where}: productId must be a non-empty string`);
  if (!Number.isInteger(item.qty) || item.qty! < 0 || item.qty! > 99) throw badRequest(`${where}: qty must be a whole number from 0 to 99`);
  return { productId: item.productId, qty: item.qty! };
}

export function emptyCart(user: string): Cart {
  return { user, items: [] };
}

/** Sets an item's quantity (0 removes it). */
export function withItem(cart: Cart, item: CartItem): Cart {
  const items = cart.items.filter((i) => i.productId !== item.productId);
  if (item.qty > 0) items.push(item);
  return { user: cart.user, items };
}
