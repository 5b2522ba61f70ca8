/** The small JSON path subset tolerances use: `$`, then `.key` and `[index]` steps. */
import { ValidationError } from '../errors/index.js';

export type JsonPath = readonly (string | number)[];

const STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/y;

export function parseJsonPath(path: string): JsonPath {
  if (!path.startsWith('$')) throw invalid(path);
  const steps: (string | number)[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const start = STEP.lastIndex;
    const m = STEP.exec(path);
    if (!m || m.index !== start) throw invalid(path);
    steps.push(m[1] ?? Number(m[2]));
  }
  return steps;
}

/** The value at the path, or found: false when a step is missing. */
export function lookup(root: unknown, path: JsonPath): { found: boolean; value: unknown } {
  let value = root;
  for (const step of path) {
    if (typeof step === 'number' ? !Array.isArray(value) || step >= value.length : !isRecord(value) || !Object.hasOwn(value, step)) {
      return { found: false, value: undefined };
    }
    value = (value as Record<string | number, unknown>)[step];
  }
  return { found: true, value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(path: string): ValidationError {
  return new ValidationError([{ file: '<inline>', path: 'json.path', message: `expected a JSON path such as $.status or $.items[0].id, got ${JSON.stringify(path)}` }]);
}
