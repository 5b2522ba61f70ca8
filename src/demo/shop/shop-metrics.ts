/**
 * The metrics every shop service exports at /metrics. Both builds count requests, latency and
 * dependency calls; only the resilient build has breakers, retries, bulkheads and fallbacks to
 * report, so only it registers those series.
 */
import { Registry, type Counter, type Gauge, type Histogram } from './metrics.js';
import type { ShopMode, ShopService } from './topology.js';

export interface ResilienceMetrics {
  /** 0 closed, 1 open, 0.5 half-open (isolated counts as open). */
  breakerState: Gauge;
  breakerOpened: Counter;
  retries: Counter;
  timeouts: Counter;
  bulkheadRejected: Counter;
  fallbacks: Counter;
}

export interface ShopMetrics {
  registry: Registry;
  requests: Counter;
  duration: Histogram;
  dependencyCalls: Counter;
  resilience?: ResilienceMetrics;
}

export function shopMetrics(service: ShopService, mode: ShopMode): ShopMetrics {
  const registry = new Registry();
  registry.gauge('shop_info', 'The service and its build (always 1)').set({ service, mode }, 1);
  const metrics: ShopMetrics = {
    registry,
    requests: registry.counter('shop_http_requests_total', 'HTTP requests served, by route, method and status'),
    duration: registry.histogram('shop_http_request_duration_seconds', 'Time to serve a request, by route'),
    dependencyCalls: registry.counter('shop_dependency_calls_total', 'Calls to a dependency, by outcome (ok, error, timeout, rejected, short-circuited)'),
  };
  if (mode === 'resilient') {
    metrics.resilience = {
      breakerState: registry.gauge('shop_breaker_state', 'Circuit breaker per dependency: 0 closed, 1 open, 0.5 half-open'),
      breakerOpened: registry.counter('shop_breaker_opened_total', 'Times the breaker of a dependency opened'),
      retries: registry.counter('shop_retries_total', 'Retries of calls to a dependency'),
      timeouts: registry.counter('shop_timeouts_total', 'Calls to a dependency cut off by its timeout'),
      bulkheadRejected: registry.counter('shop_bulkhead_rejected_total', 'Calls refused because the bulkhead of a dependency was full'),
      fallbacks: registry.counter('shop_fallbacks_total', 'Requests served by a fallback, by dependency and kind'),
    };
  }
  return metrics;
}
