/**
 * The reaper: a small detached process started with every run, which reverts the run's open
 * faults once the run is gone — so `kill -9` of faultline, an OOM kill or a cancelled CI job leaves
 * nothing behind without anyone typing `faultline recover`.
 *
 * The run holds the write end of the reaper's stdin and writes a beat line every HEARTBEAT_MS;
 * the kernel closes that pipe the instant the run dies, so the reaper sees end-of-file at once.
 * The policy keeps one invariant: at any instant, either the run is alive and its faults are as
 * it believes, or it is gone and everything it held is reverted.
 *
 * - The run's process is gone (checked by pid and start time): revert its open faults.
 * - The pipe closed but the process lives: the run sees the broken channel and aborts itself;
 *   keep watching the process, and revert what is left once it is gone.
 * - No beat for `silenceMs` but the process lives (frozen, SIGSTOP, swapping): keep watching.
 *   Nothing is reverted behind a live run's back.
 * - Past the run's deadline (its maximum duration plus a grace), alive or not beating: SIGKILL
 *   it, record why (audit, and the `reverted` ledger lines), wait until it is gone, then revert.
 * - The run wrote `done`: exit without touching anything.
 */
import type { Readable } from 'node:stream';
import type { FaultKind } from '../faults/types.js';
import { appendAudit } from './audit.js';
import { unregisterRun } from './active-runs.js';
import { isPidAlive } from './pid.js';
import { recoverOpenFaults, type RecoverResult } from './recover.js';

export const HEARTBEAT_MS = 500;
/** A run silent this long is reported as silent (and watched; never reverted while alive). */
export const DEFAULT_SILENCE_MS = 15_000;
/** How long past its maximum duration a run may go on before the reaper kills it. */
export const DEADLINE_GRACE_MS = 120_000;
const POLL_MS = 100;

export type ReaperOutcome =
  | { reason: 'done' }
  | { reason: 'run-died' | 'run-killed'; detail: string; result: RecoverResult };

export interface ReaperOptions {
  stateDir: string;
  runId: string;
  /** The run's process, and its start time from /proc (so a reused pid is not mistaken for it). */
  runPid: number;
  runStartTime?: string;
  /** Epoch ms after which a run still alive is killed and reverted. None: watch for as long as it lives. */
  deadline?: number;
  /** The registry of fault kinds; may still be loading (the reaper's handshake does not wait for it). */
  kinds: Readonly<Record<string, FaultKind>> | Promise<Readonly<Record<string, FaultKind>>>;
  /** The pipe from the run. */
  input: Readable;
  log(message: string): void;
  silenceMs?: number;
}

export async function runReaper(options: ReaperOptions): Promise<ReaperOutcome> {
  const { runPid: pid, runStartTime: startTime, log } = options;
  const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS;
  const channel = listen(options.input);
  let saidEof = false;
  let saidSilent = false;
  for (;;) {
    if (channel.done) return { reason: 'done' };
    if (!isPidAlive(pid, startTime)) {
      return revert(options, 'run-died', channel.eof ? 'the run died (its pipe closed)' : 'the run died');
    }
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      const detail = `run ${options.runId} (pid ${pid}) was still alive at its deadline ${new Date(options.deadline).toISOString()} (maximum duration plus grace)${channel.silentFor() > silenceMs ? ` and silent for ${Math.round(channel.silentFor() / 1000)} s` : ''}: killed it (SIGKILL) before reverting its faults`;
      log(detail);
      await appendAudit(options.stateDir, { event: 'reaper', runId: options.runId, outcome: 'killed-run', detail }).catch(() => undefined);
      await killAndWait(pid, startTime, log);
      return revert(options, 'run-killed', detail);
    }
    if (channel.eof && !saidEof) {
      saidEof = true;
      log(`the pipe from run ${options.runId} closed but its process (pid ${pid}) lives: it aborts itself; watching until it is gone`);
    }
    const silent = !channel.eof && channel.silentFor() > silenceMs;
    if (silent && !saidSilent) log(`run ${options.runId} (pid ${pid}) has been silent for ${Math.round(channel.silentFor() / 1000)} s but is alive: watching, not reverting`);
    if (!silent && saidSilent) log(`run ${options.runId} is beating again`);
    saidSilent = silent;
    await channel.next(POLL_MS);
  }
}

async function revert(options: ReaperOptions, reason: 'run-died' | 'run-killed', detail: string): Promise<ReaperOutcome> {
  const { log } = options;
  log(`${detail}: reverting its open faults`);
  const result = await recoverOpenFaults({ stateDir: options.stateDir, kinds: await options.kinds, runId: options.runId, by: 'reaper', reason: detail, log, lock: { timeoutMs: 10 * 60_000 } });
  for (const f of result.reverted) log(`reverted ${f.kind} on ${f.target}`);
  for (const f of result.failed) log(`FAILED to revert ${f.fault.kind} on ${f.fault.target}: ${f.error}`);
  for (const s of result.unreadable) log(`${result.ledger}:${s.line} cannot be read: whether it records a fault still in effect is unknown`);
  await appendAudit(options.stateDir, {
    event: 'reaper',
    runId: options.runId,
    outcome: result.failed.length + result.unknownKind.length === 0 ? 'reverted' : 'revert-failed',
    detail: `${detail}; reverted ${result.reverted.length} fault(s)${result.failed.length ? `, ${result.failed.length} failed` : ''}`,
  }).catch(() => undefined);
  // A dead run cannot unregister itself.
  if (result.failed.length + result.unknownKind.length === 0) await unregisterRun(options.stateDir, options.runId).catch(() => undefined);
  return { reason, detail, result };
}

async function killAndWait(pid: number, startTime: string | undefined, log: (m: string) => void): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') log(`could not kill pid ${pid}: ${(err as Error).message}`);
  }
  // A process in uninterruptible sleep dies only when it leaves the kernel: wait for it, however long.
  for (let waited = 0; isPidAlive(pid, startTime); waited += POLL_MS) {
    if (waited === 10_000) log(`pid ${pid} has not died 10 s after SIGKILL (uninterruptible?): still waiting before reverting`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The run's side of the pipe: beats, `done`, end-of-file. */
function listen(input: Readable) {
  let buffered = '';
  let lastBeat = Date.now();
  let wake: (() => void) | undefined;
  const state = {
    done: false,
    eof: false,
    silentFor: () => Date.now() - lastBeat,
    /** Resolves on the next thing heard, or after `ms`. */
    next: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    lastBeat = Date.now();
    buffered = (buffered + chunk).slice(-64);
    if (/(^|\n)done\n/.test(buffered)) {
      state.done = true;
      input.destroy();
    }
    poke();
  });
  const closed = () => {
    state.eof = true;
    poke();
  };
  input.on('end', closed);
  input.on('error', closed);
  input.on('close', closed);
  return state;
}
