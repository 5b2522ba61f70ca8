/**
 * The transports the proxy suites run on: `net` always, and raw TCP handles when they pass their
 * self-test on this Node (skipped with the self-test's reason otherwise: the proxy then falls back
 * to `net`, which is what production would use too).
 */
import { rawSelfTest, type Transport } from '../../src/proxy/index.js';

const raw = await rawSelfTest();

export const TRANSPORTS: { transport: Transport; skip: string | false }[] = [
  { transport: 'raw', skip: raw.ok ? false : `raw TCP self-test failed on Node ${process.version}: ${raw.detail}` },
  { transport: 'net', skip: false },
];
