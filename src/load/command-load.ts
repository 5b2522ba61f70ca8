/**
 * An external load tool (k6, Artillery, autocannon, or any command) run alongside the method. Its
 * exit code and the tail of its output go into the record; an adapter reads its report into the
 * same per-phase figures as the built-in generator, where the tool's data allows. A tool that
 * cannot start, or whose report cannot be read, gives a record with `error` — never a throw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadRecord } from '../journal/types.js';
import { adapters } from './adapters/index.js';
import { fillCommand, usesReport } from './fill-command.js';
import type { ToolRun } from './adapters/tool-run.js';
import { LOAD_DEFAULTS, type CommandLoadSpec } from './spec.js';
import type { LoadPhaseName, LoadProgress, LoadRun, LoadTotals, StartLoadOptions } from './types.js';

/** How much of the tool's output the journal keeps (the end, where summaries are). */
const OUTPUT_TAIL_BYTES = 8 * 1024;
/** How much standard output is kept to parse when the report is read from it. */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
/** After SIGINT and the grace time, SIGKILL; then wait this long for the exit. */
const KILL_WAIT_MS = 2000;

export class CommandLoad implements LoadRun {
  readonly ended: Promise<void>;
  readonly #spec: CommandLoadSpec;
  readonly #runNow: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #startT: number;
  readonly #startEpoch: number;
  readonly #marks: { phase: LoadPhaseName; t: number }[] = [];
  readonly #argv: string[];
  readonly #reportFile: string | undefined;
  readonly #tempDir: string | undefined;
  readonly #stdout: Buffer[] = [];
  #stdoutBytes = 0;
  #tail = '';
  #child: ChildProcess | undefined;
  #exitCode: number | null = null;
  #exited = false;
  #endT: number | undefined;
  #spawnError: string | undefined;
  /** faultline stopped the tool before it exited by itself: why, and when (run ms), for the error when its report is missing. */
  #interrupted: { why: 'ended' | 'aborted'; t: number; killed: boolean } | undefined;
  #stopping: Promise<LoadRecord> | undefined;

  constructor(spec: CommandLoadSpec, options: StartLoadOptions = {}) {
    this.#spec = spec;
    const started = performance.now();
    this.#runNow = options.now ?? (() => performance.now() - started);
    this.#startT = this.#runNow();
    this.#startEpoch = Date.now();
    this.#signal = options.signal;
    const cwd = spec.cwd ?? process.cwd();
    if (spec.report !== undefined) this.#reportFile = resolve(cwd, spec.report);
    else if (usesReport(spec.command)) {
      this.#tempDir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
      this.#reportFile = join(this.#tempDir, spec.format === 'k6' ? 'summary.json' : 'report.json');
    }
    this.#argv = fillCommand(spec.command, this.#reportFile);

    this.ended = new Promise<void>((resolveEnded) => {
      const [file, ...args] = this.#argv;
      if (file === undefined || this.#signal?.aborted) {
        this.#spawnError = file === undefined ? 'the load command is empty' : 'the run was aborted before the load command started';
        this.#markExited(null);
        return resolveEnded();
      }
      let child: ChildProcess;
      try {
        // detached: the tool leads its own process group, so stopping it stops what it started.
        child = spawn(file, args, { cwd, env: { ...process.env, ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        this.#spawnError = `could not start the load command: ${(err as Error).message}`;
        this.#markExited(null);
        return resolveEnded();
      }
      this.#child = child;
      child.stdout!.on('data', (chunk: Buffer) => {
        this.#keepTail(chunk);
        if (this.#stdoutBytes < MAX_STDOUT_BYTES) {
          this.#stdout.push(chunk);
          this.#stdoutBytes += chunk.length;
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => this.#keepTail(chunk));
      child.once('error', (err) => {
        this.#spawnError = `could not start the load command ${JSON.stringify(file)}: ${err.message}`;
        this.#markExited(null);
        resolveEnded();
      });
      child.once('close', (code) => {
        this.#markExited(code);
        resolveEnded();
      });
    });
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #onAbort = (): void => this.#interrupt('aborted');

  #markExited(code: number | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#exitCode = code;
    this.#endT = this.#runNow();
  }

  #keepTail(chunk: Buffer): void {
    this.#tail = (this.#tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  }

  #interrupt(why: 'ended' | 'aborted'): void {
    if (this.#child?.pid !== undefined && !this.#exited) this.#interrupted ??= { why, t: this.#runNow(), killed: false };
    this.#kill('SIGINT');
  }

  #kill(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (pid === undefined || this.#exited) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  mark(phase: LoadPhaseName): void {
    const last = this.#marks.at(-1)?.phase ?? 'baseline';
    if (phase !== last && !this.#exited) this.#marks.push({ phase, t: this.#runNow() });
  }

  progress(): LoadProgress {
    return { elapsedMs: this.#runNow() - this.#startT, requests: 0, errors: 0, late: 0, phase: this.#marks.at(-1)?.phase ?? 'baseline' };
  }

  totals(): LoadTotals | undefined {
    return undefined;
  }

  stop(): Promise<LoadRecord> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<LoadRecord> {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (!this.#exited) {
      this.#interrupt('ended');
      if (!(await within(this.ended, this.#spec.graceMs))) {
        if (this.#interrupted) this.#interrupted.killed = true;
        this.#kill('SIGKILL');
        await within(this.ended, KILL_WAIT_MS);
      }
    }
    const tool = this.#spec.format === 'none' ? 'command' : this.#spec.format;
    const record: LoadRecord = {
      tool,
      phases: [],
      buckets: [],
      command: { argv: this.#argv, exitCode: this.#exitCode, output: this.#tail },
    };
    if (this.#spawnError !== undefined) {
      record.error = this.#spawnError;
      return this.#cleanup(record);
    }
    if (this.#spec.format === 'none') {
      if (this.#exitCode !== 0) record.error = `the load command exited with ${this.#exitCode === null ? 'a signal' : `code ${this.#exitCode}`}`;
      return this.#cleanup(record);
    }
    let text: string;
    const source = this.#reportFile ?? 'its standard output';
    try {
      text = this.#reportFile !== undefined ? await readFile(this.#reportFile, 'utf8') : Buffer.concat(this.#stdout).toString('utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      record.error = this.#cutShort(tool, `could not read ${source}: ${reason}`) ?? `could not read the ${tool} report ${source} (the command exited with ${describeExit(this.#exitCode)}): ${reason}`;
      return this.#cleanup(record);
    }
    const endT = this.#endT ?? this.#runNow();
    const run: ToolRun = {
      startT: this.#startT,
      endT,
      toRunT: (epochMs) => this.#startT + (epochMs - this.#startEpoch),
      marks: this.#marks.filter((m) => m.t < endT),
      okStatus: this.#spec.okStatus ?? LOAD_DEFAULTS.okStatus,
      intervalMs: this.#spec.intervalMs ?? LOAD_DEFAULTS.intervalMs,
    };
    try {
      const out = adapters[this.#spec.format](text, run);
      record.phases = out.phases;
      record.buckets = out.buckets;
      if (out.achievedRate !== undefined) record.achievedRate = out.achievedRate;
    } catch (err) {
      const reason = (err as Error).message;
      record.error = this.#cutShort(tool, reason) ?? `could not read the ${tool} report from ${source} (the command exited with ${describeExit(this.#exitCode)}): ${reason}`;
    }
    return this.#cleanup(record);
  }

  /** When faultline stopped the tool and its report is missing or incomplete, that is what happened: say so, not only how the report looks. */
  #cutShort(tool: string, reason: string): string | undefined {
    const i = this.#interrupted;
    if (i === undefined) return undefined;
    const after = `${((i.t - this.#startT) / 1000).toFixed(1)}s`;
    const how = i.killed ? `SIGINT, then SIGKILL after load.grace ${formatMs(this.#spec.graceMs)}` : 'SIGINT';
    return (
      `${tool} was still running when the run ${i.why === 'aborted' ? 'was aborted' : 'ended'} (${after} after it started), so faultline stopped it with ${how}, ` +
      `and it exited with ${describeExit(this.#exitCode)} without a complete report: ${reason}. ` +
      `Give the tool a test duration that ends within the run${i.killed ? ', or a longer load.grace' : ''}`
    );
  }

  #cleanup(record: LoadRecord): LoadRecord {
    if (this.#tempDir !== undefined) rmSync(this.#tempDir, { recursive: true, force: true });
    return record;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeExit(code: number | null): string {
  return code === null ? 'a signal' : `code ${code}`;
}

/** true when `p` settled within `ms`. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
}
