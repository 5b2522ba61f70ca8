/**
 * Posts annotations to Grafana. Each request gives up after a bounded time; a Grafana that is down,
 * slow or refusing is one warning on stderr (the first failure), never an error of the run.
 */
import type { AnnotationBody } from './annotations.js';

export const GRAFANA_TIMEOUT_MS = 3000;

/** The token, from the environment only: a flag value would stay in shell history and `ps`. */
export function grafanaToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.FAULTLINE_GRAFANA_TOKEN || env.GRAFANA_TOKEN || undefined;
}

export interface GrafanaClientOptions {
  url: string;
  token?: string;
  timeoutMs?: number;
  warn?: (message: string) => void;
}

export class GrafanaClient {
  #warned = false;
  readonly #endpoint: string;

  constructor(private readonly options: GrafanaClientOptions) {
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/api/annotations`;
  }

  /** Resolves when Grafana took it or the attempt failed (warned once); never rejects. */
  async post(body: AnnotationBody): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? GRAFANA_TIMEOUT_MS;
    try {
      const res = await fetch(this.#endpoint, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) this.#warn(`${this.#endpoint} answered ${res.status} ${res.statusText}: ${(await res.text().catch(() => '')).trim().slice(0, 200)}`);
      else await res.body?.cancel();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      this.#warn(e.name === 'TimeoutError' ? `${this.#endpoint} did not answer within ${timeoutMs / 1000} s` : `${this.#endpoint}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
    }
  }

  #warn(detail: string): void {
    if (this.#warned) return;
    this.#warned = true;
    (this.options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(`faultline: warning: Grafana annotation not posted (--grafana-url; later failures are not repeated): ${detail}`);
  }
}
