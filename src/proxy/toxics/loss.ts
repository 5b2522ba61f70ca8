/**
 * `loss` (faultline's): a share of connections (toxicity) is black-holed, like packets dropped on
 * the way: nothing passes either way, nothing is refused or closed. A TCP proxy cannot lose single
 * packets (TCP would resend them), so the unit is the connection. When the toxic is removed the
 * held bytes go on, as TCP's retransmissions would deliver them once the loss ends.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { HoldStage } from './hold.js';

const attributes = z.object({});
export type LossAttributes = z.output<typeof attributes>;

export const lossToxic: ToxicType<LossAttributes> = {
  type: 'loss',
  scope: 'connection',
  summary: 'Black-hole a share of connections (toxicity): nothing passes until the toxic is removed',
  attributes,
  connection: (toxic, conn) => conn.addStages(toxic, (link) => new HoldStage(toxic, link)),
};
