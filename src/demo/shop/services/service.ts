/** What each shop service module provides, and helpers they share. */
import type { ShopConfig } from '../config.js';
import { upstreamClient } from '../backends/upstream-client.js';
import { HttpError, type HealthReport, type Route } from '../http/server.js';
import { Dependency, type PolicySettings } from '../resilience.js';
import type { ShopMetrics } from '../shop-metrics.js';
import type { ShopService } from '../topology.js';

export interface ShopApp {
  routes: Route[];
  health(): Promise<HealthReport> | HealthReport;
  /**
   * Before the service listens: the read its callers make most, made once through its own code
   * and policies (warm-up.ts), so a fresh or restarted process answers its first requests warm.
   */
  warm?(): Promise<unknown>;
}

export type ShopAppFactory = (config: ShopConfig, metrics: ShopMetrics) => ShopApp;

/** The dependencies a service calls, each with its policy settings (used by the resilient build only). */
export function dependencies<D extends ShopService>(config: ShopConfig, metrics: ShopMetrics, settings: Record<D, Partial<PolicySettings>>): Record<D, Dependency> {
  const out = {} as Record<D, Dependency>;
  for (const name of Object.keys(settings) as D[]) {
    const url = config.upstreams[name];
    if (!url) throw new Error(`${config.service}: no address for ${name}`);
    out[name] = new Dependency(upstreamClient(name, url), config.mode, metrics, { halfOpenAfterMs: config.breakerHalfOpenMs, ...settings[name] });
  }
  return out;
}

/**
 * Health of a service that calls others. Resilient: its own ability to serve, which its fallbacks
 * keep up while a dependency is down (the breakers are reported, not judged). Fragile: without
 * fallbacks it can serve only while every dependency can, so it asks each one's /health — the
 * deep health check that makes one failure show up all the way up the call graph.
 */
export async function callerHealth(config: ShopConfig, deps: Record<string, Dependency>): Promise<HealthReport> {
  const report: HealthReport = { ok: true, service: config.service, mode: config.mode, pid: process.pid };
  if (config.mode === 'resilient') {
    report.breakers = Object.fromEntries(Object.values(deps).map((d) => [d.name, d.breakerState()]));
    return report;
  }
  const results = await Promise.all(
    Object.values(deps).map(async (d) => {
      try {
        await d.call('/health');
        return [d.name, 'ok'] as const;
      } catch (err) {
        return [d.name, err instanceof Error ? err.message : String(err)] as const;
      }
    }),
  );
  report.dependencies = Object.fromEntries(results);
  report.ok = results.every(([, r]) => r === 'ok');
  return report;
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}

/** An object body, or a 400. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a JSON object');
  return body as Record<string, unknown>;
}
