/** The proxy driver: faults acted out by the built-in fault proxy on a service's link to a dependency. */
import { bandwidthFault } from './bandwidth.js';
import { httpDelayFault } from './http-delay.js';
import { httpErrorFault } from './http-error.js';
import { jitterFault } from './jitter.js';
import { latencyFault } from './latency.js';
import { lossFault } from './loss.js';
import { partitionFault } from './partition.js';
import { resetPeerFault } from './reset-peer.js';
import { timeoutFault } from './timeout.js';

export const proxyFaults = {
  latency: latencyFault,
  jitter: jitterFault,
  bandwidth: bandwidthFault,
  loss: lossFault,
  partition: partitionFault,
  'reset-peer': resetPeerFault,
  timeout: timeoutFault,
  'http-error': httpErrorFault,
  'http-delay': httpDelayFault,
} as const;

export { latencyFault, type LatencyParams } from './latency.js';
export { jitterFault, type JitterParams } from './jitter.js';
export { bandwidthFault, rate, type BandwidthParams } from './bandwidth.js';
export { lossFault, type LossParams } from './loss.js';
export { partitionFault, type PartitionParams } from './partition.js';
export { resetPeerFault, type ResetPeerParams } from './reset-peer.js';
export { timeoutFault, type TimeoutParams } from './timeout.js';
export { httpErrorFault, type HttpErrorParams } from './http-error.js';
export { httpDelayFault, type HttpDelayParams } from './http-delay.js';
export { ProxyFleet, liveFleet, DEFAULT_TOXIC_TTL_MS, type ProxyDecl, type FleetOptions } from './fleet.js';
export type { ProxyTarget, ProxyHost } from './target.js';
export { ProxyDriver, declaredProxies } from './driver.js';
