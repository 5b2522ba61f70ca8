/**
 * Pushes a registry to a Pushgateway (PUT: the group's previous figures are replaced). Label
 * values in the path are base64url-encoded (`label@base64/…`, Pushgateway >= 1.0), so an
 * experiment name with `/` or spaces cannot break the URL. Never throws: the caller gets the
 * failure as text to warn about, and the run goes on.
 */
import type { Registry } from 'prom-client';

export const PUSH_JOB = 'faultline';
export const PUSH_TIMEOUT_MS = 5000;

/** The group's URL: <gateway>/metrics/job/faultline/<label>@base64/<value>… */
export function pushUrl(gateway: string, grouping: Record<string, string>): string {
  const base = gateway.replace(/\/+$/, '');
  const labels = Object.entries(grouping).map(([name, value]) => `/${name}@base64/${Buffer.from(value).toString('base64url') || '='}`);
  return `${base}/metrics/job/${PUSH_JOB}${labels.join('')}`;
}

/** Pushes; resolves to undefined when the Pushgateway took it, else to why not. */
export async function pushRegistry(registry: Registry, gateway: string, grouping: Record<string, string>, timeoutMs = PUSH_TIMEOUT_MS): Promise<string | undefined> {
  const url = pushUrl(gateway, grouping);
  try {
    const res = await fetch(url, { method: 'PUT', headers: { 'content-type': registry.contentType }, body: await registry.metrics(), signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) return undefined;
    return `${gateway} answered ${res.status} ${res.statusText}: ${(await res.text()).trim().slice(0, 300)}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return `${gateway} did not answer within ${timeoutMs / 1000} s`;
    return `${gateway}: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
  }
}
