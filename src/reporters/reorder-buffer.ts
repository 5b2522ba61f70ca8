/**
 * Prints timestamped lines in time order although their events arrive out of it: a probe's sample
 * is stamped when the probe started and arrives when it ends (up to its timeout later); an
 * injection is reported when it returns, stamped when it began; a service's exit may be noticed
 * after the next probe. Each line is held until the run clock is `holdMs` past its stamp, then
 * written in stamp order. Output is never delayed by more than `holdMs`, never held forever, and
 * a line later than that is written at once (out of order: the only alternative is to drop it).
 *
 * The run clock is inferred from the events themselves: an event arrives no earlier than its
 * stamp, so the smallest (arrival − stamp) seen is the best estimate of the clock's origin, and the
 * estimate is never ahead of the real clock (lines are held at least as long as intended).
 */
export class ReorderBuffer {
  readonly #pending: { t: number; seq: number; text: string }[] = [];
  #seq = 0;
  #origin = Infinity;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly holdMs: number,
    private readonly write: (text: string) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A line stamped `t` (ms on the run clock), or unstamped (a log line: "now"). */
  add(t: number | undefined, text: string): void {
    if (t !== undefined) this.#origin = Math.min(this.#origin, this.clock() - t);
    const at = t ?? this.#now();
    if (this.holdMs <= 0 || at === undefined) {
      this.flush();
      this.write(text);
      return;
    }
    const line = { t: at, seq: this.#seq++, text };
    let i = this.#pending.length;
    while (i > 0 && this.#pending[i - 1]!.t > at) i--;
    this.#pending.splice(i, 0, line);
    this.#writeDue();
  }

  /** Everything held, in order (the run has ended: nothing earlier can arrive). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const line of this.#pending.splice(0)) this.write(line.text);
  }

  #now(): number | undefined {
    return Number.isFinite(this.#origin) ? this.clock() - this.#origin : undefined;
  }

  #writeDue(): void {
    const now = this.#now() ?? Infinity;
    while (this.#pending.length > 0 && this.#pending[0]!.t + this.holdMs <= now) this.write(this.#pending.shift()!.text);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    this.#timer = setTimeout(() => this.#writeDue(), Math.max(1, this.#pending[0]!.t + this.holdMs - now));
    this.#timer.unref();
  }
}
