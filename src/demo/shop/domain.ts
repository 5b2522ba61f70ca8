/** The shop's records, the seed catalog, and checks on what clients send. Prices are in cents. */
import { badRequest } from './services/service.js';

export { SEED_PRODUCTS, type Product } from './seed.js';

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
