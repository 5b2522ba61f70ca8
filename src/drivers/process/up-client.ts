/** Talks to a running `faultline up` daemon: what it supervises, and restarting a service through it. */
import { TargetError } from '../../errors/index.js';
import type { ProcessController, ProcessIdentity } from './types.js';
import { readUpState, type UpServicesResponse, type UpState } from './up-state.js';

export interface UpClientOptions {
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** For restart, which waits for the service's stopTimeout (default 60 s). */
  restartTimeoutMs?: number;
}

export class UpClient implements ProcessController {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #restartTimeoutMs: number;

  constructor(
    readonly state: UpState,
    options: UpClientOptions = {},
  ) {
    this.#base = `http://127.0.0.1:${state.port}`;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#restartTimeoutMs = options.restartTimeoutMs ?? 60_000;
  }

  /** A client for the daemon running under `stateDir`, or undefined when there is none. */
  static async connect(stateDir: string, options?: UpClientOptions): Promise<UpClient | undefined> {
    const state = await readUpState(stateDir);
    return state && new UpClient(state, options);
  }

  async services(): Promise<UpServicesResponse['services']> {
    return (await this.#request<UpServicesResponse>('GET', '/services', this.#timeoutMs)).services;
  }

  /** The service's running process, or undefined while it is down or unknown to the daemon. */
  async current(service: string): Promise<ProcessIdentity | undefined> {
    const s = (await this.services())[service];
    return s?.running && s.pid !== null && s.startTicks !== null ? { pid: s.pid, startTicks: s.startTicks } : undefined;
  }

  async restart(service: string): Promise<{ pid: number }> {
    return this.#request<{ pid: number }>('POST', `/services/${encodeURIComponent(service)}/restart`, this.#restartTimeoutMs, service);
  }

  /** Asks the daemon to stop every service and exit. */
  async shutdown(): Promise<void> {
    await this.#request('POST', '/shutdown', this.#timeoutMs);
  }

  async #request<T>(method: string, path: string, timeoutMs: number, service?: string): Promise<T> {
    const what = `faultline up (pid ${this.state.pid}, port ${this.state.port}): ${method} ${path}`;
    let res: Response;
    let body: unknown;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: { authorization: `Bearer ${this.state.token}` },
        signal: AbortSignal.timeout(timeoutMs), // covers reading the body too
      });
      body = await res.json();
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new TargetError(`${what} failed: ${reason}`, service, { cause: err });
    }
    if (!res.ok) throw new TargetError(`${what} failed: ${res.status} ${(body as { error?: string }).error ?? res.statusText}`, service);
    return body as T;
  }
}
