/**
 * Progress while the run goes, then a compact summary.
 *
 * Progress: phases, faults, restarts, checks, each probe series turning unhealthy or healthy
 * again, and load figures. On a terminal a status line at the bottom shows the phase, the active
 * faults, every probe's state and the latest load figures, redrawn in place; elsewhere (CI logs,
 * pipes) the same facts come as plain lines, load every few seconds.
 *
 * Summary: one PASS/FAIL line per check, recovery per service, the cascade, load per phase, the
 * score and maturity, the status. Colour only on a terminal (and never with NO_COLOR).
 */
import type { Writable } from 'node:stream';
import { analysisOf } from '../analysis/analyze-journal.js';
import type { CheckResult, FaultRecord, Journal, LoadBucket, Phase, Sample, ServiceEvent } from '../journal/types.js';
import { describeUnanswered } from '../load/unanswered.js';
import { formatDuration } from '../util/duration.js';
import { ReorderBuffer } from './reorder-buffer.js';
import { checkLabel, ms, pct } from './text.js';
import type { GuardrailEvent, Reporter, RunStartInfo } from './types.js';

export { checkLabel } from './text.js';

type Paint = (s: string) => string;

export interface ConsoleReporterOptions {
  /** Default: on a terminal, unless NO_COLOR is set. */
  color?: boolean;
  /** Redraw a status line in place. Default: on a terminal. */
  live?: boolean;
  verbose?: boolean;
  /** Plain mode: print load figures at most this often (ms). Default 5000. */
  loadEveryMs?: number;
  /**
   * Leave the summary's final line (status and exit code) to `printVerdict`, for a caller whose
   * verdict is not final at the end of the run (the regression gate of --fail-on-regression).
   */
  deferVerdict?: boolean;
  /**
   * Hold each progress line this long (ms) so lines whose events arrive late (a probe stamped at
   * its start, an injection stamped when it began) are still printed in time order. Default 1500:
   * longer than a typical probe timeout or process stop; 0 prints each line as it arrives.
   */
  reorderMs?: number;
}

export interface FinalVerdict {
  /** The process's exit code, after any gate. */
  exitCode: number;
  /** The gate failed the run: the previous run it was worse than. */
  regressedAgainst?: string;
}

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly color: boolean;
  private readonly live: boolean;
  private readonly loadEveryMs: number;
  private readonly deferVerdict: boolean;
  private phase: Phase | undefined;
  private readonly active = new Map<string, FaultRecord>();
  private readonly states = new Map<string, boolean>();
  private readonly guardrails = new Map<string, GuardrailEvent['status']>();
  private lastBucket: LoadBucket | undefined;
  private lastLoadLine = -Infinity;
  private status = '';
  private redrawTimer: NodeJS.Timeout | undefined;
  private readonly ordered: ReorderBuffer;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number } = process.stdout,
    options: ConsoleReporterOptions = {},
  ) {
    this.color = options.color ?? (Boolean(out.isTTY) && !process.env.NO_COLOR);
    this.live = options.live ?? Boolean(out.isTTY);
    this.loadEveryMs = options.loadEveryMs ?? 5000;
    this.deferVerdict = options.deferVerdict ?? false;
    this.ordered = new ReorderBuffer(options.reorderMs ?? 1500, (text) => this.line(text));
  }

  /** A progress line stamped `t`, printed in time order (see ReorderBuffer). */
  private event(t: number | undefined, text: string): void {
    this.ordered.add(t, text);
  }

  private paint(code: number): Paint {
    return (s) => (this.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  }
  private readonly green = this.paint(32);
  private readonly red = this.paint(31);
  private readonly yellow = this.paint(33);
  private readonly cyan = this.paint(36);
  private readonly dim = this.paint(2);
  private readonly bold = this.paint(1);

  /** A line of the summary from the caller (a quick command's result), before printVerdict. */
  summaryLine(text: string): void {
    this.line(text);
  }

  private line(text: string): void {
    if (this.live && this.status) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.live && this.status) this.out.write(this.status);
  }

  private stamp(t: number): string {
    return this.dim(`[${(t / 1000).toFixed(2).padStart(7)}s]`);
  }

  onRunStart(info: RunStartInfo): void {
    this.line(`${this.bold('faultline')} · ${info.title}`);
    this.line(this.dim(`  run ${info.runId} · ${info.experimentFile} · system ${info.systemFile}`));
  }

  onPhase(phase: Phase, t: number): void {
    this.phase = phase;
    this.event(t, `${this.stamp(t)} ${this.bold(phase)}`);
    this.scheduleRedraw();
  }

  onFaultInjected(f: FaultRecord): void {
    const held = f.durationMs !== undefined ? ` for ${formatDuration(f.durationMs)}` : '';
    this.event(f.injectedT, `${this.stamp(f.injectedT)}   ${this.yellow('inject')} ${f.kind} → ${f.target}${held}`);
    if (f.durationMs !== undefined) this.active.set(f.id, f);
    this.scheduleRedraw();
  }

  onFaultReverted(f: FaultRecord): void {
    this.active.delete(f.id);
    this.scheduleRedraw();
    // Single actions (kill, restart) have nothing to revert: their "revert" is bookkeeping.
    if (f.status === 'reverted' && f.durationMs === undefined) return;
    if (f.status === 'inject-failed') {
      this.event(f.injectedT, `${this.stamp(f.injectedT)}   ${this.red('inject failed')} ${f.kind} → ${f.target}: ${f.error ?? ''}`);
      return;
    }
    const word = f.status === 'reverted' ? this.green('revert') : this.red('REVERT FAILED');
    this.event(f.revertedT ?? f.injectedT, `${this.stamp(f.revertedT ?? f.injectedT)}   ${word} ${f.kind} → ${f.target}${f.error ? `: ${f.error}` : ''}`);
  }

  onServiceEvent(e: ServiceEvent): void {
    // A container or a pod (`e.container`) is named; a process is the service itself.
    const who = e.container !== undefined ? `${e.service}: ${e.container}` : e.service;
    if (e.type === 'exit') {
      const why = e.oom ? 'OOM-killed' : (e.signal ?? (e.code !== undefined && e.code !== null ? `code ${e.code}` : undefined));
      this.event(e.t, `${this.stamp(e.t)}   ${who} ${e.container !== undefined ? 'ended' : 'exited'}${why ? ` (${why})` : ''}`);
    } else if (e.type === 'spawn' && e.restart) {
      this.event(e.t, `${this.stamp(e.t)}   ${e.container !== undefined ? `${who} started` : `${who} restarted by supervisor (pid ${e.pid})`}`);
    }
  }

  /** Only changes are printed: a series turning unhealthy (with what was seen) or healthy again. */
  onSample(s: Sample): void {
    if (s.series.startsWith('guardrail:')) return; // onGuardrail says it better
    const before = this.states.get(s.series);
    this.states.set(s.series, s.ok);
    if (before !== s.ok && !(before === undefined && s.ok)) {
      const name = s.series.replace(/^service:/, '');
      this.event(s.t, `${this.stamp(s.t)}   ${s.ok ? `${name} ${this.green('healthy again')}` : `${name} ${this.red('failing')}: ${s.observed}`}`);
    }
    this.scheduleRedraw();
  }

  onLoadBucket(b: LoadBucket): void {
    this.lastBucket = b;
    if (this.live) return this.scheduleRedraw();
    if (b.t - this.lastLoadLine < this.loadEveryMs) return;
    this.lastLoadLine = b.t;
    this.event(b.t, `${this.stamp(b.t)}   ${this.cyan('load')} ${loadText(b)}`);
  }

  onCheck(c: CheckResult): void {
    this.event(c.t, `${this.stamp(c.t)}   ${this.verdictWord(c.ok)} ${checkLabel(c)} ${this.dim(`— ${c.observed}`)}`);
  }

  /**
   * Only changes of status: a guardrail going out of bounds, breached, or back within bounds.
   * `unknown` is not printed: a windowed guardrail starts so (too few samples yet), and a blind
   * PromQL guardrail is said once by the runner's log line.
   */
  onGuardrail(g: GuardrailEvent): void {
    if (g.status === 'unknown') return;
    const before = this.guardrails.get(g.guardrail) ?? 'ok';
    this.guardrails.set(g.guardrail, g.status);
    if (before === g.status) return;
    const word = g.status === 'ok' ? this.green('within bounds again') : g.status === 'breached' ? this.red('BREACHED') : this.yellow('out of bounds');
    this.event(g.t, `${this.stamp(g.t)}   guardrail ${word}: ${g.guardrail.replace(/^abort if /, '')}${g.detail ? ` ${this.dim(`— ${g.detail}`)}` : ''}`);
  }

  onLog(message: string): void {
    this.event(undefined, this.dim(`  ${message}`));
  }

  onRunEnd(j: Journal): void {
    this.ordered.flush();
    this.stopLive();
    const a = analysisOf(j);
    this.line('');
    this.line(this.bold(`Summary · ${j.title}`));
    for (const v of j.verdicts) {
      this.line(`  ${this.verdictWord(v.ok)} ${checkLabel(v)}`);
      if (!v.ok) this.line(this.dim(`         observed ${v.observed}; expected ${v.expected}`));
    }
    if (j.recovery.length > 0) {
      this.line('  Recovery:');
      for (const r of j.recovery) this.line(`    ${r.service.padEnd(16)} ${this.recoveryText(r)}`);
    }
    if (a.cascades.some((c) => c.steps.length > 1 || c.unexplained.length > 0)) {
      this.line('  Cascade:');
      for (const c of a.cascades) this.line(`    ${c.unexplained.length ? this.yellow(c.summary) : c.summary}`);
    }
    if (j.load?.phases.length) {
      this.line(`  Load (${j.load.tool}):`);
      for (const p of j.load.phases) this.line(`    ${p.phase.padEnd(16)} ${p.requests} requests, ${p.rps.toFixed(1)}/s, ${pct(p.errorRate, 2)} errors, p50 ${ms(p.latencyMs?.p50)}, p99 ${ms(p.latencyMs?.p99)}`);
      const unanswered = describeUnanswered(j.load);
      if (unanswered) this.line(`    ${unanswered}`);
    }
    const k6 = j.load?.k6Operator;
    if (k6) this.line(`  Load (k6-operator): TestRun ${k6.namespace}/${k6.testRun}, ${k6.parallelism} runner${k6.parallelism === 1 ? '' : 's'}, stage ${k6.stage ?? 'none'}${k6.cutShort ? ' (cut short by the run\'s end)' : ''}; no per-request figures`);
    for (const f of j.faults.filter((x) => x.status === 'revert-failed' || x.status === 'active')) {
      this.line(this.red(`  fault still in effect: ${f.kind} → ${f.target} (${f.id}); run \`faultline recover\``));
    }
    if (a.score.total !== null) {
      const sub = (['recovery', 'isolation', 'degradation', 'safety'] as const).map((k) => `${k} ${a.score[k].score ?? 'n/a'}`).join(' · ');
      const budget = a.errorBudget ? ` · error budget burn ${a.errorBudget.burnRate.toFixed(1)}×` : '';
      this.line(`  ${this.bold(`Score ${a.score.total}/100`)} ${this.dim(`(${sub})`)} · maturity ${a.maturity.level} ${a.maturity.name}${budget}`);
    }
    for (const reason of j.reasons) this.line(`  ${this.dim('reason:')} ${reason}`);
    if (!this.deferVerdict) this.printVerdict(j, { exitCode: j.exitCode });
  }

  /** The summary's last line: the verdict and the exit code the process ends with. */
  printVerdict(j: Journal, verdict: FinalVerdict): void {
    if (verdict.regressedAgainst !== undefined) {
      this.line(`  ${this.bold(this.red('REGRESSED'))} in ${formatDuration(j.durationMs)} (exit ${verdict.exitCode}): ${j.status}, but worse than run ${verdict.regressedAgainst} (--fail-on-regression)`);
      return;
    }
    const status = j.status === 'held' ? this.green('HELD') : j.status === 'deviated' ? this.red('DEVIATED') : this.red(j.status.toUpperCase());
    this.line(`  ${this.bold(status)} in ${formatDuration(j.durationMs)} (exit ${verdict.exitCode})`);
  }

  private verdictWord(ok: boolean): string {
    return ok ? this.green('PASS') : this.red('FAIL');
  }

  private recoveryText(r: Journal['recovery'][number]): string {
    const back = [
      r.timeToRestartMs !== undefined ? `running again at +${formatDuration(r.timeToRestartMs)}` : '',
      r.timeToReadyMs !== undefined ? `ready at +${formatDuration(r.timeToReadyMs)}` : '',
    ].filter(Boolean);
    const restarts = r.restarts > 0 ? `, ${r.restarts} restart${r.restarts > 1 ? 's' : ''}${back.length ? ` (${back.join(', ')})` : ''}` : '';
    if (!r.impacted) return this.dim(`not impacted${restarts}`);
    const impact = `impact after ${formatDuration(r.timeToImpactMs ?? 0)}`;
    if (r.timeToRecoverMs === null) return r.notMeasured ? this.dim(`${impact}, recovery not measured (aborted)${restarts}`) : this.red(`${impact}, did not recover${restarts}`);
    const text = `${impact}, recovered ${formatDuration(r.timeToRecoverMs)} after the fault${restarts}`;
    return r.met === false ? this.red(text) : text;
  }

  // ---- the live status line (terminals only) ----

  private scheduleRedraw(): void {
    if (!this.live || this.redrawTimer) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.drawStatus();
    }, 100);
    this.redrawTimer.unref();
  }

  private drawStatus(): void {
    const parts = [this.bold(this.phase ?? 'starting')];
    if (this.active.size) parts.push(this.yellow(`faults: ${[...this.active.values()].map((f) => `${f.kind} ${f.service}`).join(', ')}`));
    const probes = [...this.states.entries()].map(([series, ok]) => `${series.replace(/^service:/, '')} ${ok ? this.green('✓') : this.red('✗')}`);
    if (probes.length) parts.push(probes.join(' '));
    if (this.lastBucket) parts.push(this.cyan(`load ${loadText(this.lastBucket)}`));
    const text = parts.join(this.dim(' · '));
    this.status = `\r\x1b[2K${truncateVisible(text, (this.out.columns ?? 120) - 1)}`;
    this.out.write(this.status);
  }

  private stopLive(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    if (this.live && this.status) this.out.write('\r\x1b[2K');
    this.status = '';
  }
}

function loadText(b: LoadBucket): string {
  const rps = b.durationMs > 0 ? b.requests / (b.durationMs / 1000) : 0;
  const errors = b.requests > 0 ? b.errors / b.requests : null;
  return `${rps.toFixed(0)} req/s, ${pct(errors)} errors${b.latencyMs ? `, p99 ${formatDuration(b.latencyMs.p99)}` : ''}`;
}

/** Cut a string with ANSI colour codes to `width` visible characters. */
function truncateVisible(s: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\x1b') {
      const end = s.indexOf('m', i);
      out += s.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) break;
    out += s[i];
    visible++;
  }
  return s.includes('\x1b') ? `${out}\x1b[0m` : out;
}
