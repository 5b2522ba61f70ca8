/**
 * The dashboard's events, numbered, with a bounded replay buffer: a page that connects late, or
 * reconnects with Last-Event-ID, gets every event it has not seen that the store still holds.
 *
 * Three kinds of retention keep the buffer bounded without losing what a page needs to draw:
 * - volatile (probe samples, load buckets, log lines): the newest `maxVolatile` are kept;
 * - pinned (run start and end, phases, checks): few per run, kept for the session;
 * - keyed (a fault, a guardrail's state, the system snapshot): only the latest event per key.
 * A replay that reaches back past dropped volatile events says so (`gap`), so the page can tell.
 */

export type Retention = 'volatile' | 'pinned' | { key: string };

export interface StoredEvent {
  id: number;
  type: string;
  /** The data as sent: serialised once, on one line. */
  data: string;
  key?: string;
}

export interface Replay {
  events: StoredEvent[];
  /** Volatile events after the given id were dropped before this replay. */
  gap: boolean;
}

export const DEFAULT_MAX_VOLATILE = 20_000;

export class EventStore {
  #nextId = 1;
  /** Pinned and keyed events, in id order (few: a splice per keyed update is cheap). */
  #kept: StoredEvent[] = [];
  readonly #byKey = new Map<string, StoredEvent>();
  /** Volatile events in id order, from #head on (a queue without a shift per event). */
  #volatile: StoredEvent[] = [];
  #head = 0;
  /** Highest id of a dropped volatile event (0: none dropped). */
  #droppedUpTo = 0;
  readonly #listeners = new Set<(event: StoredEvent) => void>();

  constructor(readonly maxVolatile = DEFAULT_MAX_VOLATILE) {}

  /** The id of the newest event (0 before any). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  publish(type: string, data: unknown, retention: Retention = 'volatile'): StoredEvent {
    const event: StoredEvent = { id: this.#nextId++, type, data: JSON.stringify(data) };
    if (retention === 'volatile') this.#pushVolatile(event);
    else {
      if (typeof retention === 'object') {
        event.key = retention.key;
        const previous = this.#byKey.get(retention.key);
        if (previous) this.#kept.splice(this.#kept.indexOf(previous), 1);
        this.#byKey.set(retention.key, event);
      }
      this.#kept.push(event);
    }
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** Every event held with an id above `lastId`, in id order. */
  since(lastId: number): Replay {
    const kept = this.#kept.filter((e) => e.id > lastId);
    const volatile = this.#volatile.slice(this.#firstVolatileAfter(lastId));
    const events: StoredEvent[] = [];
    let i = 0;
    let j = 0;
    while (i < kept.length || j < volatile.length) {
      if (j >= volatile.length || (i < kept.length && kept[i]!.id < volatile[j]!.id)) events.push(kept[i++]!);
      else events.push(volatile[j++]!);
    }
    return { events, gap: lastId < this.#droppedUpTo };
  }

  /** Calls `listener` with each event published from now on; returns the unsubscribe. */
  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #pushVolatile(event: StoredEvent): void {
    this.#volatile.push(event);
    if (this.#volatile.length - this.#head > this.maxVolatile) this.#droppedUpTo = this.#volatile[this.#head++]!.id;
    if (this.#head >= this.maxVolatile) {
      this.#volatile = this.#volatile.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Index of the first held volatile event with an id above `lastId` (binary search). */
  #firstVolatileAfter(lastId: number): number {
    let lo = this.#head;
    let hi = this.#volatile.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#volatile[mid]!.id <= lastId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
