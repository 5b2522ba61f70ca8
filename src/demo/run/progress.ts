/**
 * The demo's live progress for one experiment (a Reporter): a header line, then only what tells
 * the story — faults injected and reverted, services and probes failing or healthy again,
 * restarts by the supervisor, failed checks — and one result line. On a terminal a status line at
 * the bottom is redrawn in place: n/N, the experiment, its phase, active faults, what is failing,
 * the latest load figures and the demo's elapsed time. Elsewhere (CI logs, pipes) plain lines only.
 */
import { analysisOf } from '../../analysis/analyze-journal.js';
import type { CheckResult, FaultRecord, Journal, LoadBucket, Phase, Sample, ServiceEvent } from '../../journal/types.js';
import type { Reporter } from '../../reporters/types.js';
import { checkLabel, STATUS_TEXT } from '../../reporters/text.js';
import type { SuiteEntry } from '../experiments/suite.js';
import { clock, paintFor, secs, type Output, type Paint } from './paint.js';

export interface ProgressOptions {
  out: Output;
  /** 1-based position in the demo and the number of experiments. */
  index: number;
  total: number;
  entry: SuiteEntry;
  expected: 'held' | 'deviated';
  /** performance.now() when the demo started: the elapsed clock. */
  demoStart: number;
  /** Redraw a status line in place (default: on a terminal). */
  live?: boolean;
  color?: boolean;
}

/** Phases in which a service exiting is news (at the end of a run every service exits: that is the stop). */
const ACTIVE_PHASES = new Set<Phase>(['baseline', 'steady-state-before', 'method', 'rollbacks', 'recovery', 'steady-state-after']);

export class DemoProgress implements Reporter {
  readonly name = 'demo-progress';
  private readonly out: Output;
  private readonly paint: Paint;
  private readonly live: boolean;
  private phase: Phase | undefined;
  private readonly faults = new Map<string, FaultRecord>();
  private readonly failing = new Set<string>();
  private readonly states = new Map<string, boolean>();
  private bucket: LoadBucket | undefined;
  private status = '';
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly o: ProgressOptions) {
    this.out = o.out;
    this.paint = paintFor(o.out, o.color);
    this.live = o.live ?? Boolean(o.out.isTTY);
  }

  /** Printed before the run starts (the shop starting is part of the run). */
  begin(): void {
    const { entry, index, total } = this.o;
    this.line('');
    this.line(`${this.paint.bold(`[${index}/${total}] ${entry.name}`)} ${this.paint.dim(`· expect ${this.o.expected} · ${clock(this.elapsed())} elapsed`)}`);
    // `shows` describes what the protections do; on the fragile build that is what is missing.
    this.line(this.paint.dim(`      ${this.o.expected === 'deviated' ? `what the resilient build does: ${entry.shows}` : entry.shows}`));
    if (this.live) {
      this.ticker = setInterval(() => this.draw(), 500);
      this.ticker.unref();
      this.draw();
    }
  }

  onPhase(phase: Phase): void {
    this.phase = phase;
    if (phase === 'baseline') this.event(undefined, this.paint.dim('baseline under load'));
    this.draw();
  }

  onFaultInjected(f: FaultRecord): void {
    const held = f.durationMs !== undefined ? ` for ${secs(f.durationMs)}` : '';
    this.event(f.injectedT, `${this.paint.yellow(f.kind)} → ${shortTarget(f)}${held}`);
    if (f.durationMs !== undefined) this.faults.set(f.id, f);
    this.draw();
  }

  onFaultReverted(f: FaultRecord): void {
    this.faults.delete(f.id);
    this.draw();
    if (f.status === 'reverted' && f.durationMs === undefined) return; // a kill has nothing to revert
    if (f.status === 'inject-failed') return this.event(f.injectedT, this.paint.red(`${f.kind} → ${shortTarget(f)} could not be injected: ${f.error ?? ''}`));
    const word = f.status === 'reverted' ? this.paint.green('reverted') : this.paint.red('REVERT FAILED');
    this.event(f.revertedT ?? f.injectedT, `${word} ${f.kind} → ${shortTarget(f)}${f.error ? `: ${f.error}` : ''}`);
  }

  onServiceEvent(e: ServiceEvent): void {
    if (e.type === 'spawn' && e.restart) this.event(e.t, `${e.service} ${this.paint.green('restarted')} by the supervisor (pid ${e.pid})`);
    else if (e.type === 'exit' && this.phase && ACTIVE_PHASES.has(this.phase) && unexpectedExit(e)) this.event(e.t, `${e.service} ${this.paint.red('exited')} (${e.signal ?? `code ${e.code}`})`);
  }

  /** Only changes: a series turning unhealthy (with what was seen) or healthy again. */
  onSample(s: Sample): void {
    const before = this.states.get(s.series);
    this.states.set(s.series, s.ok);
    const name = s.series.replace(/^service:/, '').replace(/^probe:/, 'probe "') + (s.series.startsWith('probe:') ? '"' : '');
    if (s.ok) this.failing.delete(name);
    else this.failing.add(name);
    if (before !== s.ok && !(before === undefined && s.ok)) {
      this.event(s.t, s.ok ? `${name} ${this.paint.green('healthy again')}` : `${name} ${this.paint.red('failing')}: ${truncate(s.observed, 90)}`);
    }
  }

  onLoadBucket(b: LoadBucket): void {
    this.bucket = b;
  }

  onCheck(c: CheckResult): void {
    if (!c.ok) this.event(c.t, `${this.paint.red('FAIL')} ${checkLabel(c)} ${this.paint.dim(`— ${truncate(c.observed, 120)}`)}`);
  }

  onLog(message: string): void {
    if (message.startsWith('aborting:')) this.event(undefined, this.paint.red(message));
  }

  onRunEnd(j: Journal): void {
    this.stop();
    const as = j.status === this.o.expected;
    const word = j.status === 'held' ? this.paint.green(STATUS_TEXT.held) : this.paint.red(STATUS_TEXT[j.status]);
    const verdict = `${this.paint.bold(word)} ${as ? this.paint.dim(`(as expected)`) : this.paint.yellow(`(expected ${this.o.expected})`)}`;
    const checks = `${j.verdicts.filter((v) => v.ok).length}/${j.verdicts.length} checks passed`;
    this.line(`      → ${verdict} in ${secs(j.durationMs)} · ${checks} · ${clock(this.elapsed())} elapsed`);
    const hit = j.recovery.filter((r) => r.impacted);
    if (hit.length) this.line(`        ${this.paint.dim('recovery:')} ${hit.map((r) => `${r.service} ${r.timeToRecoverMs === null ? this.paint.red('did not recover') : `in ${secs(r.timeToRecoverMs)}`}`).join(', ')}`);
    const targeted = new Set(j.faults.map((f) => f.service));
    for (const c of analysisOf(j).cascades.filter((x) => x.steps.some((st) => !targeted.has(st.service)))) {
      this.line(`        ${this.paint.dim('cascade:')} ${c.unexplained.length ? this.paint.yellow(c.summary) : c.summary}`);
    }
  }

  /** Stops the status line (the run ended, or the demo is stopping). */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.live && this.status) this.out.write('\r\x1b[2K');
    this.status = '';
  }

  private elapsed(): number {
    return performance.now() - this.o.demoStart;
  }

  private event(t: number | undefined, text: string): void {
    const stamp = t === undefined ? '       ' : `+${(t / 1000).toFixed(2).padStart(5)}s`;
    this.line(`      ${this.paint.dim(stamp)}  ${text}`);
  }

  private line(text: string): void {
    if (this.live && this.status) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.live && this.status) this.out.write(this.status);
  }

  private draw(): void {
    if (!this.live || !this.ticker) return;
    const parts = [`[${this.o.index}/${this.o.total}] ${this.o.entry.name}`, this.phase ?? 'starting the shop'];
    if (this.faults.size) parts.push(this.paint.yellow([...this.faults.values()].map((f) => `${f.kind} ${f.service}`).join(', ')));
    if (this.failing.size) parts.push(this.paint.red(`failing: ${[...this.failing].join(', ')}`));
    const b = this.bucket;
    if (b && b.durationMs > 0) parts.push(this.paint.cyan(`${Math.round((b.requests * 1000) / b.durationMs)} req/s, ${b.requests ? ((100 * b.errors) / b.requests).toFixed(1) : '0.0'}% errors`));
    parts.push(`${clock(this.elapsed())} elapsed`);
    const width = Math.max(40, (this.out.columns ?? 120) - 1);
    this.status = truncateVisible(parts.join(' · '), width);
    this.out.write(`\r\x1b[2K${this.status}`);
  }
}

/**
 * A crash, not a stop (SIGTERM, code 0) or a kill the progress already shows (SIGKILL from a kill
 * fault; its exit event comes just before the fault's own line).
 */
function unexpectedExit(e: ServiceEvent): boolean {
  if (e.signal) return !['SIGKILL', 'SIGTERM', 'SIGINT'].includes(e.signal);
  return e.code !== 0 && e.code !== null && e.code !== undefined;
}

/** `gateway → catalog (proxy 127.0.0.1:… → …)` without the addresses. */
function shortTarget(f: FaultRecord): string {
  return f.target.replace(/ \(proxy [^)]*\)$/, '');
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Cuts a line with colour codes to a visible width (colour codes cost nothing). */
function truncateVisible(s: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    // eslint-disable-next-line no-control-regex
    const code = /^\x1b\[[0-9;]*m/.exec(s.slice(i));
    if (code) {
      out += code[0];
      i += code[0].length - 1;
      continue;
    }
    if (visible >= width - 1) return `${out}…\x1b[0m`;
    out += s[i];
    visible++;
  }
  return out;
}
