/**
 * The reaper: a small detached process started with every run, which reverts the run's open
 * faults when the run stops beating — so `kill -9` of faultline, an OOM kill or a cancelled CI
 * job leaves nothing behind without anyone typing `faultline recover`.
 *
 * The run holds the write end of the reaper's stdin and writes a beat line every
 * HEARTBEAT_MS. The kernel closes that pipe the instant the run dies, however it dies, so the
 * reaper sees end-of-file at once; a run that hangs without dying is caught by the missing
 * beats. A run that ends normally writes `done` first, and the reaper exits doing nothing.
 */
import type { Readable } from 'node:stream';
import type { FaultKind } from '../faults/types.js';
import { appendAudit } from './audit.js';
import { unregisterRun } from './active-runs.js';
import { recoverOpenFaults, type RecoverResult } from './recover.js';

export const HEARTBEAT_MS = 500;
/** A run silent this long is taken for hung. Generous: a busy machine must not trigger it. */
export const DEFAULT_SILENCE_MS = 15_000;

export type ReaperOutcome = { reason: 'done' } | { reason: 'run-died' | 'run-silent'; result: RecoverResult };

export interface ReaperOptions {
  stateDir: string;
  runId: string;
  kinds: Readonly<Record<string, FaultKind>>;
  /** The pipe from the run. */
  input: Readable;
  log(message: string): void;
  silenceMs?: number;
}

export async function runReaper(options: ReaperOptions): Promise<ReaperOutcome> {
  const why = await waitForEnd(options.input, options.silenceMs ?? DEFAULT_SILENCE_MS);
  if (why === 'done') return { reason: 'done' };
  options.log(`run ${options.runId} ${why === 'run-died' ? 'died' : 'stopped beating'}: reverting its open faults`);
  const result = await recoverOpenFaults({ stateDir: options.stateDir, kinds: options.kinds, runId: options.runId, by: 'reaper', log: options.log });
  for (const f of result.reverted) options.log(`reverted ${f.kind} on ${f.target}`);
  for (const f of result.failed) options.log(`FAILED to revert ${f.fault.kind} on ${f.fault.target}: ${f.error}`);
  await appendAudit(options.stateDir, {
    event: 'reaper',
    runId: options.runId,
    outcome: result.failed.length + result.unknownKind.length === 0 ? 'reverted' : 'revert-failed',
    detail: `${why}; reverted ${result.reverted.length} fault(s)${result.failed.length ? `, ${result.failed.length} failed` : ''}`,
  }).catch(() => undefined);
  // A dead run cannot unregister itself; a hung one still might, and then finds nothing open.
  if (why === 'run-died' && result.failed.length === 0) await unregisterRun(options.stateDir, options.runId).catch(() => undefined);
  return { reason: why, result };
}

function waitForEnd(input: Readable, silenceMs: number): Promise<'done' | 'run-died' | 'run-silent'> {
  return new Promise((resolve) => {
    let buffered = '';
    let timer = setTimeout(() => finish('run-silent'), silenceMs);
    const finish = (why: 'done' | 'run-died' | 'run-silent') => {
      clearTimeout(timer);
      input.removeAllListeners('data');
      input.removeAllListeners('end');
      input.removeAllListeners('error');
      input.destroy();
      resolve(why);
    };
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      buffered = (buffered + chunk).slice(-64);
      if (/(^|\n)done\n/.test(buffered)) return finish('done');
      clearTimeout(timer);
      timer = setTimeout(() => finish('run-silent'), silenceMs);
    });
    input.on('end', () => finish('run-died'));
    input.on('error', () => finish('run-died'));
  });
}
