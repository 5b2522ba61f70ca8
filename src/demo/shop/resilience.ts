/**
 * One dependency of a shop service, as its code calls it. The resilient build puts every call
 * through cockatiel policies, outermost first:
 *
 *   bulkhead (bounded concurrency and queue) → retry (jittered exponential backoff; idempotent
 *   calls only) → circuit breaker (opens after consecutive failures, half-opens after a pause)
 *   → timeout (per attempt, aborting the request)
 *
 * and exports what they do at /metrics. The fragile build calls the dependency directly: no
 * timeout, no retry, no breaker, no limit.
 */
import {
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  timeout,
  wrap,
  TimeoutStrategy,
  type IPolicy,
} from 'cockatiel';
import { UpstreamError, type CallOptions, type UpstreamClient, type UpstreamResponse } from './http/client.js';
import type { ShopMetrics } from './shop-metrics.js';
import type { ShopMode } from './topology.js';

export interface PolicySettings {
  /** Per attempt. */
  timeoutMs: number;
  /** Retries after the first attempt (idempotent calls only). */
  retries: number;
  /** Consecutive failures that open the breaker. */
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Calls in flight at once, and calls that may wait for a slot. */
  concurrency: number;
  queue: number;
}

export const DEFAULT_POLICY: PolicySettings = { timeoutMs: 250, retries: 2, breakerThreshold: 5, halfOpenAfterMs: 1500, concurrency: 32, queue: 64 };

export type BreakerState = 'closed' | 'open' | 'half-open';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export interface DependencyCall extends Omit<CallOptions, 'signal'> {
  /** Safe to repeat, so it may be retried. Default: true for GET, HEAD, PUT and DELETE; say so for a POST with an idempotency key. */
  idempotent?: boolean;
}

const STATE_VALUE: Record<CircuitState, number> = { [CircuitState.Closed]: 0, [CircuitState.Open]: 1, [CircuitState.HalfOpen]: 0.5, [CircuitState.Isolated]: 1 };
const STATE_NAME: Record<CircuitState, BreakerState> = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'open' };

/** The per-attempt timeout fired (whichever of cockatiel's error and the aborted request's won the race). */
const isTimeout = (err: unknown) => err instanceof TaskCancelledError || (err instanceof Error && err.name === 'AbortError');
/**
 * Failures a breaker counts and a retry repeats: the dependency failed, or took too long. A 503
 * is not one of them: it is a working service saying "not now" (its own dependency is down), so
 * it is passed on without retrying and without opening this service's breaker.
 */
const isTransient = (err: Error) => (err instanceof UpstreamError && err.status !== 503) || isTimeout(err);

export class Dependency {
  readonly name: string;
  readonly #client: UpstreamClient;
  readonly #metrics: ShopMetrics;
  readonly #policies?: { retrying: IPolicy; once: IPolicy; state: () => CircuitState };

  constructor(client: UpstreamClient, mode: ShopMode, metrics: ShopMetrics, settings: Partial<PolicySettings> = {}) {
    this.name = client.dependency;
    this.#client = client;
    this.#metrics = metrics;
    if (mode === 'resilient') this.#policies = this.#build({ ...DEFAULT_POLICY, ...settings });
  }

  /** Calls the dependency through the policies (resilient) or straight (fragile). */
  async call(path: string, options: DependencyCall = {}): Promise<UpstreamResponse> {
    const { idempotent = IDEMPOTENT.has(options.method ?? 'GET'), ...rest } = options;
    try {
      const res = this.#policies
        ? await (idempotent ? this.#policies.retrying : this.#policies.once).execute(({ signal }) => this.#client.call(path, { ...rest, signal }))
        : await this.#client.call(path, rest);
      this.#count('ok');
      return res;
    } catch (err) {
      this.#count(outcome(err));
      throw err;
    }
  }

  breakerState(): BreakerState | undefined {
    return this.#policies ? STATE_NAME[this.#policies.state()] : undefined;
  }

  /** Records that a request was served by a fallback because this dependency failed. */
  fellBack(kind: string): void {
    this.#metrics.resilience?.fallbacks.inc({ dependency: this.name, kind });
  }

  #count(result: string): void {
    this.#metrics.dependencyCalls.inc({ dependency: this.name, outcome: result });
  }

  #build(s: PolicySettings) {
    const m = this.#metrics.resilience!;
    const dependency = this.name;
    const breaker = circuitBreaker(handleWhen(isTransient), { halfOpenAfter: s.halfOpenAfterMs, breaker: new ConsecutiveBreaker(s.breakerThreshold) });
    m.breakerState.set({ dependency }, 0);
    breaker.onStateChange((state) => m.breakerState.set({ dependency }, STATE_VALUE[state]));
    breaker.onBreak(() => m.breakerOpened.inc({ dependency }));
    const retrying = retry(handleWhen(isTransient), { maxAttempts: s.retries, backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 250 }) });
    retrying.onRetry(() => m.retries.inc({ dependency }));
    const perAttempt = timeout(s.timeoutMs, TimeoutStrategy.Aggressive);
    perAttempt.onTimeout(() => m.timeouts.inc({ dependency }));
    const limit = bulkhead(s.concurrency, s.queue);
    limit.onReject(() => m.bulkheadRejected.inc({ dependency }));
    return {
      retrying: wrap(limit, retrying, breaker, perAttempt) as IPolicy,
      once: wrap(limit, breaker, perAttempt) as IPolicy,
      state: () => breaker.state,
    };
  }
}

function outcome(err: unknown): string {
  if (isBrokenCircuitError(err)) return 'short-circuited';
  if (err instanceof BulkheadRejectedError) return 'rejected';
  if (isTimeout(err)) return 'timeout';
  return 'error';
}

/** A dependency failure in a few words, for error messages and logs. */
export function describeFailure(err: unknown): string {
  if (isBrokenCircuitError(err)) return 'circuit breaker open';
  if (err instanceof BulkheadRejectedError) return 'too many calls in flight (bulkhead full)';
  if (isTimeout(err)) return 'timed out';
  return err instanceof Error ? err.message : String(err);
}
