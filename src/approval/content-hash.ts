/**
 * What an approval approves: the sha256 of the experiment and system as faultline resolved them —
 * the loaded objects (defaults filled, durations in ms; a catalog template as rendered with its
 * --target/--set), in canonical JSON (keys sorted), so a reformatted file or reordered keys are the
 * same content while any changed value is not. Where the loaded form can hide code (a .ts/.js
 * file: functions, imports), the file's bytes are hashed too.
 *
 * Where a file is is part of its content: relative paths in it (a pidFile, a process's cwd, a load
 * script) resolve against its directory, so a copy elsewhere needs its own approval. The
 * experiment's `system:` field is left out: the system it names is hashed as resolved, so
 * `--system faultline.yaml` and `system: ./faultline.yaml` are the same run.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';

export interface ContentHash {
  /** sha256 (hex) of both parts: what an approval names. */
  hash: string;
  /** Each part alone, so a refusal can say which file changed. */
  experiment: string;
  system: string;
}

/** TypeScript and JavaScript files: loaded by running them, so their data is not all they are. */
const CODE_FILE = /\.[cm]?[jt]s$/i;

export async function contentHash(loaded: LoadedExperiment): Promise<ContentHash> {
  const { system: _pointer, ...experiment } = loaded.experiment;
  const experimentPart = sha256(
    canonicalJson({
      file: experimentIdentity(loaded),
      experiment,
      ...(CODE_FILE.test(loaded.absPath) && !isCatalog(loaded) ? { code: sha256(await readFile(loaded.absPath)) } : {}),
    }),
  );
  const systemPart = sha256(
    canonicalJson({
      file: loaded.system.absPath,
      system: loaded.system.system,
      ...(CODE_FILE.test(loaded.system.absPath) ? { code: sha256(await readFile(loaded.system.absPath)) } : {}),
    }),
  );
  return { hash: sha256(canonicalJson({ experiment: experimentPart, system: systemPart })), experiment: experimentPart, system: systemPart };
}

/** The experiment as approvals name it: its absolute path, or `catalog:<name>` for a catalog template (its path is not a file). */
export function experimentIdentity(loaded: LoadedExperiment): string {
  return isCatalog(loaded) ? loaded.file : loaded.absPath;
}

export function isCatalog(loaded: LoadedExperiment): boolean {
  return loaded.catalogParameters !== undefined;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted at every depth and undefined fields dropped, so equal data has one
 * text. Values JSON has no form for keep a distinct one (a RegExp its source and flags, a function
 * its source text, Infinity a string), so they cannot collide with `{}` or `null`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'function') return { $function: value.toString() };
  if (typeof value === 'undefined' || typeof value === 'symbol') return undefined;
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  if (value instanceof RegExp) return { $regexp: value.source, flags: value.flags };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (value instanceof Map) return { $map: canonical([...value.entries()].sort(([a], [b]) => compare(String(a), String(b)))) };
  if (value instanceof Set) return { $set: canonical([...value]) };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compare)) {
    const v = canonical((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Code-unit order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
