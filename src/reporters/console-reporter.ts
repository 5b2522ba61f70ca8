/**
 * Progress while the run goes (phases, faults, restarts, checks), then a compact summary: one
 * PASS/FAIL line per check, recovery per service, the status. Colour only on a terminal.
 */
import type { Writable } from 'node:stream';
import type { CheckResult, FaultRecord, Journal, Phase, ServiceEvent } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';
import type { Reporter, RunStartInfo } from './types.js';

type Paint = (s: string) => string;

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly color: boolean;

  constructor(
    private readonly out: Writable & { isTTY?: boolean } = process.stdout,
    options: { color?: boolean; verbose?: boolean } = {},
  ) {
    this.color = options.color ?? (Boolean(out.isTTY) && !process.env.NO_COLOR);
  }

  private paint(code: number): Paint {
    return (s) => (this.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  }
  private readonly green = this.paint(32);
  private readonly red = this.paint(31);
  private readonly yellow = this.paint(33);
  private readonly dim = this.paint(2);
  private readonly bold = this.paint(1);

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }

  private stamp(t: number): string {
    return this.dim(`[${(t / 1000).toFixed(2).padStart(7)}s]`);
  }

  onRunStart(info: RunStartInfo): void {
    this.line(`${this.bold('faultline')} · ${info.title}`);
    this.line(this.dim(`  run ${info.runId} · ${info.experimentFile} · system ${info.systemFile}`));
  }

  onPhase(phase: Phase, t: number): void {
    this.line(`${this.stamp(t)} ${this.bold(phase)}`);
  }

  onFaultInjected(f: FaultRecord): void {
    const held = f.durationMs !== undefined ? ` for ${formatDuration(f.durationMs)}` : '';
    this.line(`${this.stamp(f.injectedT)}   ${this.yellow('inject')} ${f.kind} → ${f.target}${held}`);
  }

  onFaultReverted(f: FaultRecord): void {
    // Single actions (kill, restart) have nothing to revert: their "revert" is bookkeeping.
    if (f.status === 'reverted' && f.durationMs === undefined) return;
    if (f.status === 'inject-failed') {
      this.line(`${this.stamp(f.injectedT)}   ${this.red('inject failed')} ${f.kind} → ${f.target}: ${f.error ?? ''}`);
      return;
    }
    const word = f.status === 'reverted' ? this.green('revert') : this.red('REVERT FAILED');
    this.line(`${this.stamp(f.revertedT ?? f.injectedT)}   ${word} ${f.kind} → ${f.target}${f.error ? `: ${f.error}` : ''}`);
  }

  onServiceEvent(e: ServiceEvent): void {
    if (e.type === 'exit') this.line(`${this.stamp(e.t)}   ${e.service} exited (${e.signal ?? `code ${e.code}`})`);
    else if (e.type === 'spawn' && e.restart) this.line(`${this.stamp(e.t)}   ${e.service} restarted by supervisor (pid ${e.pid})`);
  }

  onCheck(c: CheckResult): void {
    this.line(`${this.stamp(c.t)}   ${this.verdictWord(c.ok)} ${checkLabel(c)} ${this.dim(`— ${c.observed}`)}`);
  }

  onLog(message: string): void {
    this.line(this.dim(`  ${message}`));
  }

  onRunEnd(j: Journal): void {
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
    for (const f of j.faults.filter((x) => x.status === 'revert-failed' || x.status === 'active')) {
      this.line(this.red(`  fault still in effect: ${f.kind} → ${f.target} (${f.id}); run \`faultline recover\``));
    }
    for (const reason of j.reasons) this.line(`  ${this.dim('reason:')} ${reason}`);
    const status = j.status === 'held' ? this.green('HELD') : j.status === 'deviated' ? this.red('DEVIATED') : this.red(j.status.toUpperCase());
    this.line(`  ${this.bold(status)} in ${formatDuration(j.durationMs)} (exit ${j.exitCode})`);
  }

  private verdictWord(ok: boolean): string {
    return ok ? this.green('PASS') : this.red('FAIL');
  }

  private recoveryText(r: Journal['recovery'][number]): string {
    const restarts = r.restarts > 0 ? `, ${r.restarts} restart${r.restarts > 1 ? 's' : ''}` : '';
    if (!r.impacted) return this.dim(`not impacted${restarts}`);
    const impact = `impact after ${formatDuration(r.timeToImpactMs ?? 0)}`;
    if (r.timeToRecoverMs === null) return this.red(`${impact}, did not recover${restarts}`);
    const text = `${impact}, recovered ${formatDuration(r.timeToRecoverMs)} after the fault${restarts}`;
    return r.met === false ? this.red(text) : text;
  }
}

export function checkLabel(c: CheckResult): string {
  switch (c.kind) {
    case 'steady-state-before':
      return `steady state before: ${c.name}`;
    case 'steady-state-after':
      return `steady state after: ${c.name}`;
    case 'throughout':
      return `holds throughout: ${c.name}`;
    case 'slo':
      return `SLO: ${c.name}`;
    case 'recovery':
      return c.name;
  }
}
