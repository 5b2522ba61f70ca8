/**
 * The registry of built-in fault kinds, keyed by the name used in experiment files. It sits with
 * the drivers (not under faults/) because it is the one place that knows every driver.
 */
import type { FaultKind } from '../faults/types.js';
import { processFaults } from './process/index.js';

export const builtinFaults = {
  ...processFaults,
} as const;

export type BuiltinFaults = typeof builtinFaults;
export type BuiltinFaultName = keyof BuiltinFaults;

/** The registry as the runner and validator see it: any kind, by name. */
export function faultRegistry(): Record<string, FaultKind> {
  return builtinFaults as unknown as Record<string, FaultKind>;
}
