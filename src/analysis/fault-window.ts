/**
 * The fault window: the one definition the run's recovery wait, the recovery figures and the
 * cascade analysis share.
 *
 * A fault acts from `injectedT` until `revertedT`; a single action (kill, restart) ends when it
 * is applied. A fault whose injection failed changed nothing and has no window. The window of
 * several faults runs from the first injection to the last end. Where injectedT and revertedT
 * are taken is the method's business (src/experiment/runner/method.ts); this file says how they
 * combine.
 */
import type { FaultRecord } from '../journal/types.js';

export interface FaultWindow {
  start: number;
  end: number;
}

/** When this fault stopped acting, on the run's clock (its injection when no revert was recorded). */
export function faultEnd(fault: Pick<FaultRecord, 'injectedT' | 'revertedT'>): number {
  return fault.revertedT ?? fault.injectedT;
}

/** The faults that were applied (an injection that failed changed nothing). */
export function applied<F extends Pick<FaultRecord, 'status'>>(faults: readonly F[]): F[] {
  return faults.filter((f) => f.status !== 'inject-failed');
}

/** First injection to last end of the applied faults, or undefined when none was applied. */
export function faultWindow(faults: readonly FaultRecord[]): FaultWindow | undefined {
  const list = applied(faults);
  if (list.length === 0) return undefined;
  return { start: Math.min(...list.map((f) => f.injectedT)), end: Math.max(...list.map(faultEnd)) };
}
