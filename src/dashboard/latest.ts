/**
 * The latest answer per key from a slow source (an engine stats call, a health probe that may wait
 * out its timeout), asked one call at a time per key. A live frame takes the latest answer and
 * never waits for a slow one, so one paused service cannot freeze the whole screen; a one-shot
 * snapshot waits for a fresh answer.
 */
export class Latest<V> {
  readonly #values = new Map<string, V>();
  readonly #pending = new Map<string, Promise<V | undefined>>();
  readonly #since = new Map<string, number>();

  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** How long the call under way for `key` has been running (ms), or undefined when none is. */
  pendingFor(key: string): number | undefined {
    const since = this.#since.get(key);
    return since === undefined ? undefined : performance.now() - since;
  }

  /**
   * Starts a call for `key` unless one is under way. With `wait`, resolves with that call's answer;
   * without, with the latest answer (undefined before the first). A failed call keeps the latest.
   */
  get(key: string, call: () => Promise<V>, wait: boolean): Promise<V | undefined> {
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = call()
        .then(
          (value) => {
            this.#values.set(key, value);
            return value;
          },
          () => this.#values.get(key),
        )
        .finally(() => {
          this.#pending.delete(key);
          this.#since.delete(key);
        });
      this.#pending.set(key, pending);
      this.#since.set(key, performance.now());
    }
    return wait ? pending : Promise.resolve(this.#values.get(key));
  }

  /** Forgets the keys not in `keep` (containers removed or replaced). */
  retain(keep: ReadonlySet<string>): void {
    for (const key of this.#values.keys()) if (!keep.has(key)) this.#values.delete(key);
  }
}
