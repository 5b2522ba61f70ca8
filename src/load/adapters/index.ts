/** The adapters that read external load tools' reports, by `load.format`. */
import type { LoadFormat } from '../spec.js';
import { artilleryAdapter } from './artillery.js';
import { autocannonAdapter } from './autocannon.js';
import { k6Adapter } from './k6.js';
import type { Adapter } from './tool-run.js';

export const adapters: Record<Exclude<LoadFormat, 'none'>, Adapter> = {
  k6: k6Adapter,
  artillery: artilleryAdapter,
  autocannon: autocannonAdapter,
};

export type { Adapter, AdapterOutput, ToolRun } from './tool-run.js';
