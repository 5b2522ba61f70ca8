/**
 * Restarts seen since the dashboard started, from what each frame observes: a service's instances
 * (containers, or the one supervised process) with the supervisor's restart counter and a mark of
 * the running instance (a container's StartedAt, a process's pid and start time).
 *
 * An instance's restarts are max(the counter's growth, the changes of its mark): the counter catches
 * restarts faster than the frames, the mark catches restarts no counter records (`docker
 * restart`, a pid file's new process). Taking the larger of the two totals, not of each frame's
 * steps, counts a restart once even when a frame sees the counter move before the new instance
 * starts. An instance first seen after the first frame — a swarm task's replacement, a recreated
 * compose container — is one restart, unless it is the first the service ever showed.
 */

export interface InstanceObservation {
  id: string;
  /** The supervisor's restart counter (the engine's RestartCount, faultline up's count), 0 when none. */
  restarts: number;
  /** Identifies the running instance; '' while none runs. */
  mark: string;
}

interface Seen {
  /** The counter when first seen. */
  baseline: number;
  counter: number;
  markChanges: number;
  /** The last non-empty mark. */
  mark: string;
}

export class RestartTracker {
  readonly #services = new Map<string, { instances: Map<string, Seen>; replacements: number }>();

  /** Records a frame's observation of `service`; returns its restarts since the first one. */
  observe(service: string, instances: readonly InstanceObservation[]): number {
    let entry = this.#services.get(service);
    const first = entry === undefined;
    entry ??= { instances: new Map(), replacements: 0 };
    this.#services.set(service, entry);
    for (const obs of instances) {
      const seen = entry.instances.get(obs.id);
      if (!seen) {
        // A replacement, unless it is the service's first instance (a start, not a restart).
        if (!first && obs.mark !== '' && entry.instances.size > 0) entry.replacements += 1;
        entry.instances.set(obs.id, { baseline: obs.restarts, counter: obs.restarts, markChanges: 0, mark: obs.mark });
        continue;
      }
      if (obs.mark !== '' && seen.mark !== '' && obs.mark !== seen.mark) seen.markChanges += 1;
      if (obs.mark !== '') seen.mark = obs.mark;
      seen.counter = Math.max(seen.counter, obs.restarts);
    }
    let total = entry.replacements;
    for (const seen of entry.instances.values()) total += Math.max(seen.counter - seen.baseline, seen.markChanges);
    return total;
  }
}
