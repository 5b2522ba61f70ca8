/**
 * Rollbacks run after the method whatever happened (held, deviated, aborted): restart a
 * service, run a command, or call an HTTP endpoint. A failing rollback is recorded, never thrown.
 */
import type { FaultKind } from '../../faults/types.js';
import type { Journal } from '../../journal/types.js';
import { runProbe } from '../../probes/run-probe.js';
import type { RollbackAction } from '../schema/experiment.js';
import type { SystemRuntime } from '../runtime/system-runtime.js';

export interface RollbackContext {
  runtime: SystemRuntime;
  kinds: Record<string, FaultKind>;
  cwd: string;
  runId: string;
  now(): number;
  log(message: string): void;
}

export async function runRollbacks(actions: RollbackAction[], ctx: RollbackContext): Promise<Journal['rollbacks']> {
  const out: Journal['rollbacks'] = [];
  for (const action of actions) {
    const name = action.name ?? describe(action);
    let ok = false;
    let output: string;
    try {
      output = await runOne(action, ctx);
      ok = true;
    } catch (err) {
      output = (err as Error).message;
    }
    ctx.log(`rollback ${name}: ${ok ? 'ok' : 'failed'} — ${output}`);
    out.push({ name, ok, output, t: ctx.now() });
  }
  return out;
}

function describe(action: RollbackAction): string {
  if ('restart' in action) return `restart ${action.restart}`;
  if ('command' in action) return `command ${Array.isArray(action.command) ? action.command.join(' ') : action.command}`;
  return `http ${typeof action.http === 'string' ? action.http : action.http.url}`;
}

async function runOne(action: RollbackAction, ctx: RollbackContext): Promise<string> {
  // Rollbacks must run even after an abort, so they get a fresh signal, bounded by their timeout.
  const signal = new AbortController().signal;
  if ('restart' in action) {
    return ctx.runtime.restart(action.restart, ctx.kinds, { signal, runId: ctx.runId, log: ctx.log });
  }
  if ('command' in action) {
    const r = await runProbe({ command: action.command, timeout: action.timeout }, { cwd: ctx.cwd, defaultTimeout: action.timeout });
    if (!r.ok || r.exitCode !== 0) throw new Error(`exit ${r.exitCode ?? r.error ?? 'unknown'}: ${(r.stdout ?? '').trim().slice(0, 500)}`);
    return (r.stdout ?? '').trim().slice(0, 500) || 'exit 0';
  }
  const req = typeof action.http === 'string' ? { url: action.http, method: 'POST' } : action.http;
  const r = await runProbe({ http: req, timeout: action.timeout }, { cwd: ctx.cwd, defaultTimeout: action.timeout });
  if (!r.ok || r.status === undefined || r.status >= 400) throw new Error(r.error ?? `status ${r.status}`);
  return `status ${r.status}`;
}
