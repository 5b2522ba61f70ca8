/**
 * A game day: the plan's experiments one after another, paced by the facilitator. Before each one
 * the day waits for `next` (or, with auto, for the gap to pass); `skip` passes over the next one,
 * or aborts the one running (its faults reverted) and moves on; `pause` holds the day (after the
 * run in progress, if one is); `resume` lets it go on; `abort` reverts the run in progress and ends
 * the day. Notes are recorded with the time and the experiment they were typed during.
 *
 * Every run goes through `executeRun`, like `faultline run`. The record (gameday.json) is rewritten
 * after every change, so a crash leaves the day so far; at the end the combined report is written.
 */
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { newRunId } from '../experiment/runner/run-experiment.js';
import { executeRun } from '../routine/execute-run.js';
import { webhookUrl } from '../routine/webhook.js';
import { writeFileAtomic } from '../safety/atomic-write.js';
import { currentUser } from '../safety/audit.js';
import { formatDuration } from '../util/duration.js';
import { worstExitCode } from '../schedule/state.js';
import { announce, endAnnouncement, startAnnouncement } from './announce.js';
import type { Command, DayState, Reply } from './control.js';
import type { GamedayPlan } from './plan.js';
import { GAMEDAY_RECORD_VERSION, type GamedayItem, type GamedayRecord } from './record.js';
import { writeGamedayReport } from './report/index.js';

export interface GamedayOptions {
  stateDir: string;
  outDir: string;
  /** The day's own lines and every run's console output. */
  out: Writable & { isTTY?: boolean; columns?: number };
  facilitator?: string;
  /** Overrides the plan's `auto`. */
  auto?: boolean;
  yes?: boolean;
  reaper?: boolean;
  /** Ctrl-C / SIGTERM: aborts the run in progress and ends the day. */
  signal?: AbortSignal;
}

export interface GamedayResult {
  record: GamedayRecord;
  /** Worst exit code of the runs that ran (4 > 3 > 1 > 0); 3 when the day was aborted. */
  exitCode: number;
  report?: { markdown: string; html: string };
}

type Go = 'go' | 'skipped' | 'abort';

export class GameDay {
  readonly record: GamedayRecord;
  #phase: DayState['phase'] = 'waiting';
  #index = 0;
  #holdAfterCurrent = false;
  #paused = false;
  #auto: boolean;
  #startsAt: number | undefined;
  #autoTimer: NodeJS.Timeout | undefined;
  #waiting: ((go: Go) => void) | undefined;
  #currentRun: AbortController | undefined;
  #skipCurrent = false;
  #aborted = false;
  #saveChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: GamedayPlan,
    private readonly o: GamedayOptions,
  ) {
    this.#auto = o.auto ?? plan.auto;
    const facilitator = o.facilitator ?? plan.facilitator;
    this.record = {
      v: GAMEDAY_RECORD_VERSION,
      title: plan.title,
      planFile: plan.absPath,
      ...(facilitator ? { facilitator } : {}),
      startedAt: new Date().toISOString(),
      outcome: 'running',
      items: plan.items.map((i) => ({ name: i.name, file: i.file, state: 'pending', ...(i.brief ? { brief: i.brief } : {}) })),
      notes: [],
      events: [],
      stateDir: o.stateDir,
    };
  }

  get recordPath(): string {
    return join(this.o.outDir, 'gameday.json');
  }

  state(): DayState {
    const current = this.#phase === 'running' ? this.record.items[this.#index]?.name : undefined;
    const nextIndex = this.#phase === 'running' ? this.#nextPending(this.#index + 1) : this.#nextPending(this.#index);
    return {
      phase: this.#phase,
      title: this.record.title,
      position: Math.min(this.#index + 1, this.record.items.length),
      total: this.record.items.length,
      ...(current ? { current } : {}),
      ...(nextIndex !== undefined ? { next: this.record.items[nextIndex]!.name } : {}),
      ...(this.#holdAfterCurrent ? { holdAfterCurrent: true } : {}),
      ...(this.#startsAt !== undefined && this.#phase === 'waiting' ? { startsAt: new Date(this.#startsAt).toISOString() } : {}),
      outDir: this.o.outDir,
    };
  }

  /** One command, from the keyboard or `faultline gameday ctl`; answers at once. */
  command(c: Command): Reply {
    const reply = (ok: boolean, message: string, detail?: string): Reply => {
      if (ok && c.name !== 'status' && c.name !== 'note') this.#event(c.name, c.from, [detail, c.by ? `by ${c.by}` : undefined].filter(Boolean).join(', ') || undefined);
      return { ok, message, state: this.state() };
    };
    if (this.#phase === 'ended' && c.name !== 'status') return reply(false, 'the game day has ended');
    switch (c.name) {
      case 'status':
        return reply(true, describeState(this.state()));
      case 'note': {
        const text = (c.text ?? '').trim();
        if (!text) return reply(false, 'a note needs text: `note the cart page went blank at 14:02`');
        const during = this.#phase === 'running' ? this.record.items[this.#index]?.name : undefined;
        this.record.notes.push({ at: new Date().toISOString(), text, ...(c.by ? { by: c.by } : {}), ...(during ? { during } : {}) });
        this.#save();
        this.#say(`note recorded${during ? ` (during ${during})` : ''}: ${text}`);
        return reply(true, 'noted');
      }
      case 'next':
        if (this.#phase === 'running') return reply(false, `${this.state().current} is running; \`skip\` aborts it and moves on`);
        this.#paused = false;
        this.#resolveWait('go');
        return reply(true, `starting ${this.state().next ?? 'the next experiment'}`);
      case 'skip': {
        if (this.#phase === 'running') {
          this.#skipCurrent = true;
          this.#currentRun?.abort(new Error(`skipped by the facilitator${c.by ? ` (${c.by})` : ''}`));
          const current = this.state().current;
          return reply(true, `aborting ${current}: its faults are reverted, then the day moves on`, current);
        }
        const name = this.state().next;
        this.#resolveWait('skipped');
        return reply(true, `skipped ${name}`, name);
      }
      case 'pause':
        if (this.#phase === 'running') {
          this.#holdAfterCurrent = true;
          return reply(true, `the day holds once ${this.state().current} ends`);
        }
        if (this.#paused) return reply(false, 'already paused: `resume` or `next` goes on');
        this.#paused = true;
        this.#phase = 'paused';
        this.#clearAuto();
        this.#say('paused: nothing starts until `resume` or `next`');
        return reply(true, 'paused');
      case 'resume':
        if (this.#phase === 'running' && this.#holdAfterCurrent) {
          this.#holdAfterCurrent = false;
          return reply(true, `the day goes on after ${this.state().current}`);
        }
        if (!this.#paused) return reply(false, 'not paused');
        this.#paused = false;
        this.#phase = 'waiting';
        this.#armAuto();
        this.#say(`resumed${this.#auto ? '' : ': `next` starts the next experiment'}`);
        return reply(true, 'resumed');
      case 'abort':
        this.#aborted = true;
        this.#currentRun?.abort(new Error(`game day aborted by the facilitator${c.by ? ` (${c.by})` : ''}`));
        this.#resolveWait('abort');
        return reply(true, this.#phase === 'running' ? `aborting ${this.state().current} (its faults are reverted) and ending the day` : 'ending the day');
    }
  }

  /** Runs the day to its end; never rejects for a run's failure (that is the run's verdict). */
  async run(): Promise<GamedayResult> {
    const onSignal = () => {
      this.#aborted = true;
      this.#currentRun?.abort(this.o.signal?.reason ?? new Error('interrupted'));
      this.#resolveWait('abort');
    };
    this.o.signal?.addEventListener('abort', onSignal, { once: true });
    this.#event('start', 'console');
    await this.#announce('start');
    const url = webhookUrl(this.plan.notify);
    if (url.problem) this.#say(`warning: notify: ${url.problem}, so no run will notify`);
    try {
      for (this.#index = 0; this.#index < this.plan.items.length; this.#index++) {
        if (this.#aborted) break;
        const item = this.record.items[this.#index]!;
        const go = await this.#waitForGo(this.#index);
        if (go === 'abort') break;
        if (go === 'skipped') {
          item.state = 'skipped';
          this.#save();
          continue;
        }
        await this.#runItem(this.#index, url.url);
      }
    } finally {
      this.o.signal?.removeEventListener('abort', onSignal);
      this.#clearAuto();
    }
    this.#phase = 'ended';
    this.record.outcome = this.#aborted ? 'aborted' : 'completed';
    this.record.endedAt = new Date().toISOString();
    this.#event('end', 'console', this.record.outcome);
    this.#save();
    await this.#saveChain;
    let report: GamedayResult['report'];
    try {
      report = await writeGamedayReport(this.record, this.o.outDir);
      this.#say(`report: ${report.html}, ${report.markdown}`);
    } catch (err) {
      this.#say(`warning: the combined report could not be written: ${(err as Error).message} (the record is in ${this.recordPath})`);
    }
    await this.#announce('end', report?.html);
    await this.#saveChain;
    // A run the facilitator skipped mid-way was aborted on purpose: it does not make the day fail.
    const codes = this.record.items.filter((i) => i.state === 'ran' && i.exitCode !== undefined).map((i) => i.exitCode!);
    return { record: this.record, exitCode: worstExitCode([...codes, ...(this.#aborted ? [3] : [])]), ...(report ? { report } : {}) };
  }

  #waitForGo(index: number): Promise<Go> {
    const item = this.plan.items[index]!;
    this.#phase = this.#paused || this.#holdAfterCurrent ? 'paused' : 'waiting';
    if (this.#holdAfterCurrent) {
      this.#paused = true;
      this.#holdAfterCurrent = false;
    }
    this.#say(`next up (${index + 1}/${this.plan.items.length}): ${item.name} — ${item.loaded.file}${item.brief ? `\n    brief: ${item.brief}` : ''}`);
    return new Promise<Go>((resolve) => {
      this.#waiting = resolve;
      this.#armAuto();
      if (!this.#auto || this.#paused) this.#say(this.#paused ? 'paused: `resume` or `next` goes on' : 'type `next` to start it (or `skip`, `pause`, `abort`; any other line is a note)');
    });
  }

  #resolveWait(go: Go): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    this.#clearAuto();
    w?.(go);
  }

  #armAuto(): void {
    this.#clearAuto();
    if (!this.#auto || this.#paused || !this.#waiting) return;
    this.#startsAt = Date.now() + this.plan.gapMs;
    this.#say(`starts in ${formatDuration(this.plan.gapMs)} (auto); \`pause\` holds it, \`next\` starts it now`);
    this.#autoTimer = setTimeout(() => this.#resolveWait('go'), this.plan.gapMs);
  }

  #clearAuto(): void {
    if (this.#autoTimer) clearTimeout(this.#autoTimer);
    this.#autoTimer = undefined;
    this.#startsAt = undefined;
  }

  async #runItem(index: number, notifyUrl: string | undefined): Promise<void> {
    const item = this.record.items[index]!;
    const planned = this.plan.items[index]!;
    const runId = newRunId();
    const reportDir = join(this.o.stateDir, 'reports', runId);
    Object.assign(item, { state: 'running', runId, reportDir, journalPath: join(reportDir, 'journal.json'), startedAt: new Date().toISOString() } satisfies Partial<GamedayItem>);
    this.#phase = 'running';
    this.#skipCurrent = false;
    this.#currentRun = new AbortController();
    this.#save();
    this.#say(`starting ${item.name} (run ${runId})`);
    try {
      const result = await executeRun(planned.loaded, {
        stateDir: this.o.stateDir,
        runId,
        reportDir,
        formats: ['html', 'md', 'junit'],
        ...(notifyUrl ? { notifyUrl } : {}),
        ...(this.o.reaper === false ? { reaper: false } : {}),
        confirm: async (targets) => {
          if (this.o.yes) return true;
          this.o.out.write(`this run targets systems beyond this machine (${targets.map((t) => t.label).join(', ')}): start the game day with --yes once the room has agreed\n`);
          return false;
        },
        out: this.o.out,
        signals: false,
        signal: this.#currentRun.signal,
      });
      item.exitCode = result.exitCode;
      item.state = this.#skipCurrent ? 'skipped' : 'ran';
      if (result.journalPath) item.journalPath = result.journalPath;
    } catch (err) {
      item.state = 'failed-to-start';
      item.error = (err as Error).message;
      this.#say(`${item.name} could not run: ${item.error}`);
    } finally {
      item.endedAt = new Date().toISOString();
      this.#currentRun = undefined;
      this.#phase = 'waiting';
      this.#save();
    }
  }

  async #announce(which: 'start' | 'end', reportPath?: string): Promise<void> {
    const hook = webhookUrl(this.plan.announce);
    if (hook.problem) {
      this.#event('announce-failed', 'console', `announce: ${hook.problem}`);
      this.#say(`warning: announce: ${hook.problem}; the day goes on unannounced`);
      return;
    }
    if (!hook.url) return;
    const body = which === 'start' ? startAnnouncement(this.record, this.o.outDir) : endAnnouncement(this.record, reportPath);
    const error = await announce(hook.url, body);
    if (error) {
      this.#event('announce-failed', 'console', error);
      this.#say(`warning: the ${which} announcement was not sent: ${error}`);
    } else {
      this.#event(`announced-${which}`, 'console', new URL(hook.url).host);
    }
    this.#save();
  }

  #nextPending(from: number): number | undefined {
    for (let i = from; i < this.record.items.length; i++) if (this.record.items[i]!.state === 'pending') return i;
    return undefined;
  }

  #event(what: string, from: string, detail?: string): void {
    this.record.events.push({ at: new Date().toISOString(), what, from, ...(detail ? { detail } : {}) });
    this.#save();
  }

  #save(): void {
    const text = `${JSON.stringify(this.record, null, 2)}\n`;
    this.#saveChain = this.#saveChain.then(() =>
      writeFileAtomic(this.recordPath, text).catch((err: unknown) => this.#say(`warning: could not write ${this.recordPath}: ${(err as Error).message}`)),
    );
  }

  #say(text: string): void {
    this.o.out.write(`gameday ${new Date().toISOString().slice(11, 19)} ${text}\n`);
  }
}

export function describeState(s: DayState): string {
  const where = s.current ? `running ${s.current} (${s.position}/${s.total})` : s.phase === 'ended' ? 'ended' : `${s.phase}${s.next ? `; next: ${s.next} (${s.position}/${s.total})` : ''}`;
  return `${s.title}: ${where}${s.holdAfterCurrent ? '; holds after it' : ''}${s.startsAt ? `; starts at ${s.startsAt}` : ''}`;
}

/** The facilitator's user name when none is given. */
export function defaultFacilitator(): string {
  return currentUser();
}
