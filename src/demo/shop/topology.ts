/**
 * The shop's services, who calls whom, and where each listens. One place, read by the services
 * (which dependencies to expect) and by the system file generator (ports, proxies, dependsOn).
 */

export const SHOP_SERVICES = ['store', 'cache', 'payments', 'catalog', 'cart', 'gateway'] as const;
export type ShopService = (typeof SHOP_SERVICES)[number];

export const SHOP_MODES = ['resilient', 'fragile'] as const;
export type ShopMode = (typeof SHOP_MODES)[number];

/** Every service-to-service call, by caller. Each edge is one faultline proxy (`caller.dependency`). */
export const DEPENDENCIES: Record<ShopService, readonly ShopService[]> = {
  store: [],
  cache: [],
  payments: [],
  catalog: ['store', 'cache'],
  cart: ['store', 'cache', 'payments'],
  gateway: ['catalog', 'cart'],
};

/** Offsets from the base port: services first, then one port per proxy. */
const SERVICE_OFFSET: Record<ShopService, number> = { gateway: 0, catalog: 1, cart: 2, payments: 3, cache: 4, store: 5 };
const PROXY_BASE_OFFSET = 10;

export const DEFAULT_BASE_PORT = 17300;
/** How many ports from the base port the shop uses (services and proxies). */
export const PORT_SPAN = PROXY_BASE_OFFSET + edges().length;

export function servicePort(basePort: number, service: ShopService): number {
  return basePort + SERVICE_OFFSET[service];
}

/** Every caller → dependency edge, in a fixed order (the order of proxy ports). */
export function edges(): { caller: ShopService; dependency: ShopService }[] {
  return SHOP_SERVICES.flatMap((caller) => DEPENDENCIES[caller].map((dependency) => ({ caller, dependency })));
}

export function proxyPort(basePort: number, caller: ShopService, dependency: ShopService): number {
  const i = edges().findIndex((e) => e.caller === caller && e.dependency === dependency);
  if (i < 0) throw new Error(`${caller} does not call ${dependency}`);
  return basePort + PROXY_BASE_OFFSET + i;
}

/** The environment variable that gives a caller the address of a dependency: SHOP_STORE_URL. */
export function upstreamVar(dependency: ShopService): string {
  return `SHOP_${dependency.toUpperCase()}_URL`;
}

export function isShopService(name: string): name is ShopService {
  return (SHOP_SERVICES as readonly string[]).includes(name);
}

export function isShopMode(name: string): name is ShopMode {
  return (SHOP_MODES as readonly string[]).includes(name);
}
