/** Every toxic type the proxy knows, by the name used in the API (`type`). */
import type { ToxicType } from '../toxic.js';
import { bandwidthToxic } from './bandwidth.js';
import { downToxic } from './down.js';
import { httpAbortToxic } from './http-abort.js';
import { httpDelayToxic } from './http-delay.js';
import { httpErrorToxic } from './http-error.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { lossToxic } from './loss.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';

export const toxicTypes = {
  latency: latencyToxic,
  bandwidth: bandwidthToxic,
  slow_close: slowCloseToxic,
  timeout: timeoutToxic,
  reset_peer: resetPeerToxic,
  slicer: slicerToxic,
  limit_data: limitDataToxic,
  down: downToxic,
  loss: lossToxic,
  http_error: httpErrorToxic,
  http_delay: httpDelayToxic,
  http_abort: httpAbortToxic,
} as const;

export type ToxicTypeName = keyof typeof toxicTypes;

export function toxicType(name: string): ToxicType | undefined {
  return Object.hasOwn(toxicTypes, name) ? (toxicTypes[name as ToxicTypeName] as unknown as ToxicType) : undefined;
}
