/** A non-negative number attribute (milliseconds, bytes, KB/s). Missing attributes default to zero, as Toxiproxy decodes them. */
import { z } from 'zod';

export const amount = z.number().finite().min(0);
