export type { Expectation, HealthCheckInput, HttpRequestSpec, JsonPathCheck, ProbeCall, ProbeKind, ProbeOptions, ProbeResult, StatusExpectation } from './types.js';
export { MAX_CAPTURE_BYTES } from './types.js';
export { runProbe, probeKind, type RunProbeOptions } from './run-probe.js';
export { httpProbe } from './http-probe.js';
export { tcpProbe, parseHostPort } from './tcp-probe.js';
export { commandProbe } from './command-probe.js';
export { evaluate, describeExpectation, healthToProbe, type Verdict } from './tolerance.js';
