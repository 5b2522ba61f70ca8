/** `down` (faultline's): refuse a share of new connections (accepted, then reset before reaching upstream) and reset open ones. */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';

const attributes = z.object({});
export type DownAttributes = z.output<typeof attributes>;

export const downToxic: ToxicType<DownAttributes> = {
  type: 'down',
  scope: 'connection',
  summary: 'Reset open connections and refuse new ones (toxicity: the share of connections)',
  attributes,
  refusesNew: true,
  connection: (_toxic, conn) => conn.close('reset'),
};
