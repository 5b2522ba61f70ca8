/**
 * Which TCP transport the proxies of this process use, decided once, before the first one listens:
 *
 * - `FAULTLINE_PROXY_TRANSPORT=net` (or the older `FAULTLINE_PROXY_NET=1`): `net` sockets;
 * - `FAULTLINE_PROXY_TRANSPORT=raw`: Node's raw TCP handles, without the self-test (an error when
 *   this Node has none);
 * - unset or `auto`: raw handles if they load and pass the echo self-test (self-test.ts), else
 *   `net`. A failed self-test only costs speed: `net` behaves the same.
 *
 * The choice and its reason are logged once per process (the first proxy that starts with a log),
 * and each proxy shows its transport in /metrics. A proxy given a transport explicitly
 * (ProxyOptions.transport) skips all this.
 */
import { rawBinding, rawBindingProblem } from './binding.js';
import type { Transport } from './endpoint.js';
import { rawSelfTest, type SelfTestOptions, type SelfTestResult, type SimulatedFailure } from './self-test.js';

export interface TransportChoice {
  transport: Transport;
  /** Why, in a phrase: "raw TCP self-test passed: …", "forced by FAULTLINE_PROXY_TRANSPORT=net", … */
  reason: string;
}

const ENV = 'FAULTLINE_PROXY_TRANSPORT';
const SIMULATE_ENV = 'FAULTLINE_PROXY_SELFTEST';

/** Decides from `env`; `selfTest` runs only when the choice depends on it. Rejects on a bad setting. */
export async function decideTransport(
  env: NodeJS.ProcessEnv,
  selfTest: (options: SelfTestOptions) => Promise<SelfTestResult> = rawSelfTest,
): Promise<TransportChoice> {
  const asked = (env[ENV] ?? '').trim().toLowerCase();
  if (!['', 'auto', 'raw', 'net'].includes(asked)) throw new Error(`${ENV}=${env[ENV]}: expected raw, net or auto`);
  if (asked === 'net') return { transport: 'net', reason: `forced by ${ENV}=net` };
  if (asked === '' && env.FAULTLINE_PROXY_NET === '1') return { transport: 'net', reason: 'forced by FAULTLINE_PROXY_NET=1' };
  const problem = rawBinding() ? undefined : rawBindingProblem();
  if (asked === 'raw') {
    if (problem) throw new Error(`${ENV}=raw, but the raw TCP transport is not available: ${problem}`);
    return { transport: 'raw', reason: `forced by ${ENV}=raw (self-test skipped)` };
  }
  if (problem) return { transport: 'net', reason: `raw TCP handles unavailable (${problem})` };
  const simulate = env[SIMULATE_ENV] as SimulatedFailure | undefined;
  if (simulate !== undefined && !['mismatch', 'throw', 'timeout'].includes(simulate)) throw new Error(`${SIMULATE_ENV}=${simulate}: expected mismatch, throw or timeout`);
  const result = await selfTest(simulate !== undefined ? { simulate, timeoutMs: 500 } : {});
  return result.ok
    ? { transport: 'raw', reason: `raw TCP self-test passed: ${result.detail}` }
    : { transport: 'net', reason: `raw TCP self-test failed: ${result.detail}; using net sockets` };
}

let decided: Promise<TransportChoice> | undefined;
let announced = false;

/** The process's transport: decided on the first call (from process.env), the same answer after. */
export function proxyTransport(): Promise<TransportChoice> {
  decided ??= decideTransport(process.env);
  return decided;
}

/** Logs the process's choice, the first time a proxy starts with somewhere to log it. */
export function announceTransport(choice: TransportChoice, log: ((message: string) => void) | undefined): void {
  if (announced || !log) return;
  announced = true;
  log(`proxy transport: ${choice.transport} (${choice.reason})`);
}
