/**
 * The run's observations. Every probe result becomes a Sample stamped on one monotonic clock
 * (ms since the run started); analysis reads only this, so verdicts can be re-derived from the
 * report files.
 */

// The sample shape is part of the journal (a public format), so it is defined there.
import type { Sample } from '../journal/types.js';
export type { Sample };

export type SampleListener = (sample: Sample) => void;

export interface TimeSeriesJSON {
  /** Wall-clock time (epoch ms) of t = 0, to place samples in real time. */
  startedAt: number;
  samples: Sample[];
}

export class TimeSeries {
  /** Epoch ms of t = 0. */
  readonly startedAt: number;
  readonly #bySeries = new Map<string, Sample[]>();
  readonly #listeners: SampleListener[] = [];

  /** originMono: the performance.now() reading that is t = 0. startedAt: its epoch ms (derived when omitted). */
  constructor(
    readonly originMono: number = performance.now(),
    startedAt?: number,
  ) {
    this.startedAt = startedAt ?? Date.now() - (performance.now() - originMono);
  }

  /** A series read back from a report, for re-deriving verdicts. */
  static fromJSON(json: TimeSeriesJSON): TimeSeries {
    const series = new TimeSeries(performance.now(), json.startedAt);
    for (const sample of json.samples) series.record(sample);
    return series;
  }

  /** ms since run start. */
  now(): number {
    return performance.now() - this.originMono;
  }

  /** A performance.now() reading as ms since run start. */
  fromMono(mono: number): number {
    return mono - this.originMono;
  }

  record(sample: Sample): void {
    let list = this.#bySeries.get(sample.series);
    if (!list) this.#bySeries.set(sample.series, (list = []));
    insertInOrder(list, sample);
    if (this.#listeners.length === 0) return;
    // A snapshot, so a listener may unsubscribe while being called.
    for (const listener of this.#listeners.slice()) listener(sample);
  }

  /** Samples of one series, or of all, in time order (a copy). */
  samples(series?: string): Sample[] {
    if (series !== undefined) return [...(this.#bySeries.get(series) ?? [])];
    const all: Sample[] = [];
    for (const list of this.#bySeries.values()) all.push(...list);
    // Stable: equal times keep series order.
    return all.sort((a, b) => a.t - b.t);
  }

  seriesNames(): string[] {
    return [...this.#bySeries.keys()];
  }

  /** Calls listener for every sample recorded from now on. Returns the unsubscribe function. */
  onSample(listener: SampleListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  toJSON(): TimeSeriesJSON {
    return { startedAt: this.startedAt, samples: this.samples() };
  }
}

/** Samples nearly always arrive in order; walk back only for the rare late one. */
function insertInOrder(list: Sample[], sample: Sample): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.t > sample.t) i--;
  if (i === list.length) list.push(sample);
  else list.splice(i, 0, sample);
}
