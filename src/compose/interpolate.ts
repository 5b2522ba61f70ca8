/**
 * Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, and `$$` for a literal `$`.
 * Values come from the environment, then the `.env` file in the project directory, as Compose does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocPath } from '../experiment/loader/read-document.js';
import { fail, isRecord, warn, type MappingContext } from './context.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** `.env` beside the compose file (KEY=VALUE lines, # comments, optional quotes), under the process environment. */
export function composeEnvironment(dir: string, processEnv: Environment = process.env): Environment {
  const fromFile: Record<string, string> = {};
  let text: string;
  try {
    text = readFileSync(join(dir, '.env'), 'utf8');
  } catch {
    return { ...processEnv };
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    fromFile[m[1]!] = value;
  }
  return { ...fromFile, ...processEnv };
}

/**
 * Interpolates every string value (not keys) under `value`, as Compose does. The mapping calls
 * this only on the fields it reads, so an unset variable elsewhere (a password in `environment`)
 * is none of faultline's business.
 */
export function interpolateAll(ctx: MappingContext, value: unknown, env: Environment, path: DocPath = []): unknown {
  if (typeof value === 'string') return interpolate(ctx, value, env, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolateAll(ctx, v, env, [...path, i]));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateAll(ctx, v, env, [...path, k]);
    return out;
  }
  return value;
}

export function interpolate(ctx: MappingContext, text: string, env: Environment, path: DocPath): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        fail(ctx, path, `invalid interpolation: "${text}" has a "\${" without its closing "}" (write $$ for a literal $)`);
        return text;
      }
      out += expand(ctx, text.slice(i + 2, end), env, path);
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
    if (name) {
      out += lookup(ctx, name, env, path);
      i += 1 + name.length;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function expand(ctx: MappingContext, body: string, env: Environment, path: DocPath): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) {
    fail(ctx, path, `invalid interpolation "\${${body}}": expected \${NAME}, \${NAME:-default} or \${NAME:?message}`);
    return '';
  }
  const [, name, op, arg = ''] = m as unknown as [string, string, string | undefined, string | undefined];
  const value = env[name!];
  const colon = op?.startsWith(':') ?? false;
  const missing = colon ? value === undefined || value === '' : value === undefined;
  switch (op?.replace(':', '')) {
    case '-':
      return missing ? interpolate(ctx, arg, env, path) : value!;
    case '+':
      return missing ? '' : interpolate(ctx, arg, env, path);
    case '?':
      if (missing) fail(ctx, path, `required variable ${name} is ${value === undefined ? 'not set' : 'empty'}${arg ? `: ${arg}` : ''}`);
      return value ?? '';
    default:
      return lookup(ctx, name!, env, path);
  }
}

function lookup(ctx: MappingContext, name: string, env: Environment, path: DocPath): string {
  const value = env[name];
  if (value === undefined) {
    warn(ctx, path, `variable ${name} is not set (environment or .env); using an empty string, as Compose does`);
    return '';
  }
  return value;
}
