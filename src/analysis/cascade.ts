/**
 * Cascades: after each fault, the order in which services failed, compared with the dependsOn graph.
 *
 * - Faults whose windows overlap (a parallel group, a fault injected while another is held), or
 *   that start within one probe interval of the last one's end (kills a few ms apart), form one
 *   episode. Failures are attributed to an episode from its first injection until the next
 *   episode starts (or the run ends).
 * - A service joins the cascade at its first failed health probe in the episode that follows a
 *   healthy one (or its first probe): a service still failing from an earlier episode is not
 *   counted again until it has been healthy. A probe in flight at the first injection counts (at
 *   offset 0): it may have seen the fault — the same rule (`sawWindow`, src/observe/recovery.ts)
 *   by which the recovery figures call a service impacted. Failures within one probe interval of each other were
 *   seen at the same tick, so their time order means nothing: they are listed targeted services
 *   first, then by dependsOn distance from them (see orderWithinProbeInterval).
 * - A failure is explained when the service was targeted, or when it depends (directly or through
 *   other services) on a targeted service or on one that failed before it in the episode.
 *   Anything else is propagation the graph does not explain: a missing dependsOn, or a shared
 *   resource the system file does not show.
 */
import type { Cascade, CascadeStep, FaultRecord, Journal, Sample } from '../journal/types.js';
import { sawWindow } from '../observe/recovery.js';
import { dependencyPath, dependents } from './system-graph.js';
import { appliedFaults, bySeries, failureState, offset, SERVICE_PREFIX, watchedServices } from './samples.js';

interface Episode {
  faults: FaultRecord[];
  startT: number;
  /** When its last fault stopped acting. */
  faultEndT: number;
}

/**
 * Faults whose windows overlap, or that start within `slackMs` of the current episode's end (a
 * parallel group of single actions — two kills a few ms apart — whose failures the probes cannot
 * tell apart), form one episode.
 */
export function episodes(faults: readonly FaultRecord[], slackMs = 0): Episode[] {
  const out: Episode[] = [];
  for (const f of [...faults].sort((a, b) => a.injectedT - b.injectedT)) {
    // A fault still active (revert failed) acts until the end of the run.
    const end = f.status === 'active' || f.status === 'revert-failed' ? Infinity : (f.revertedT ?? f.injectedT);
    const current = out.at(-1);
    if (current && f.injectedT <= current.faultEndT + slackMs) {
      current.faults.push(f);
      current.faultEndT = Math.max(current.faultEndT, end);
    } else {
      out.push({ faults: [f], startT: f.injectedT, faultEndT: end });
    }
  }
  return out;
}

/**
 * Probes run on one cadence, so failures seen within one probe interval of each other were seen
 * at the same tick: their order in time says nothing about which failed first. Within such a
 * group the graph decides — the targeted services, then their dependents nearest first — and time
 * only breaks the remaining ties. (Sorted in place; the input is in time order.)
 */
function orderWithinProbeInterval(failures: { service: string; sample: Sample }[], journal: Journal, roots: ReadonlySet<string>, startT: number): void {
  const interval = journal.probeIntervalMs;
  if (!(interval > 0) || failures.length < 2) return;
  const hops = (service: string): number => {
    if (roots.has(service)) return 0;
    const path = journal.system ? dependencyPath(journal.system, service, roots) : undefined;
    return path ? path.length - 1 : Number.MAX_SAFE_INTEGER;
  };
  const at = (x: { sample: Sample }) => Math.max(x.sample.t, startT);
  for (let first = 0; first < failures.length; ) {
    let last = first;
    while (last + 1 < failures.length && at(failures[last + 1]!) - at(failures[first]!) < interval) last++;
    const group = failures.slice(first, last + 1).sort((a, b) => hops(a.service) - hops(b.service) || at(a) - at(b));
    failures.splice(first, group.length, ...group);
    first = last + 1;
  }
}

export function analyzeCascades(journal: Journal): Cascade[] {
  const series = bySeries(journal.timeSeries);
  const services = watchedServices(journal);
  const list = episodes(appliedFaults(journal), journal.probeIntervalMs > 0 ? journal.probeIntervalMs : 0);
  return list.map((episode, i) => {
    const endT = list[i + 1]?.startT ?? Infinity;
    const roots = new Set(episode.faults.map((f) => f.service));
    const failures = services
      .map((service) => ({ service, sample: firstFailure(series.get(`${SERVICE_PREFIX}${service}`) ?? [], episode.startT, endT) }))
      .filter((x): x is { service: string; sample: Sample } => x.sample !== undefined)
      .sort((a, b) => Math.max(a.sample.t, episode.startT) - Math.max(b.sample.t, episode.startT) || Number(roots.has(b.service)) - Number(roots.has(a.service)));
    orderWithinProbeInterval(failures, journal, roots, episode.startT);

    const failedBefore = new Set<string>();
    const steps: CascadeStep[] = failures.map(({ service, sample }) => {
      const step: CascadeStep = {
        service,
        t: sample.t,
        offsetMs: Math.max(0, sample.t - episode.startT),
        state: failureState(sample),
        observed: sample.observed,
        root: roots.has(service),
        explained: null,
      };
      if (journal.system) {
        const path = step.root ? [service] : dependencyPath(journal.system, service, new Set([...roots, ...failedBefore]));
        step.explained = path !== undefined;
        if (path && path.length > 1) step.via = path;
      } else if (step.root) {
        step.explained = true;
      }
      failedBefore.add(service);
      return step;
    });

    const failed = new Set(steps.map((s) => s.service));
    const contained = journal.system
      ? [...new Set([...roots].flatMap((r) => dependents(journal.system!, r)))].filter((s) => !failed.has(s) && !roots.has(s) && services.includes(s))
      : [];
    const cascade: Cascade = {
      faultIds: episode.faults.map((f) => f.id),
      faults: episode.faults.map((f) => `${f.kind} ${f.service}`),
      startT: episode.startT,
      endT: Number.isFinite(endT) ? endT : Math.max(episode.startT, ...journal.timeSeries.map((s) => s.t)),
      steps,
      contained,
      unexplained: steps.filter((s) => s.explained === false).map((s) => s.service),
      summary: '',
    };
    cascade.summary = cascadeSummary(cascade);
    return cascade;
  });
}

/**
 * First failed sample of the episode [from, to) that follows a healthy one (or is the series' first).
 * A probe in flight when the episode began (started before, ended after) belongs to it: it may
 * have seen the fault (a dependency killed while the probe waited for it).
 */
function firstFailure(samples: readonly Sample[], from: number, to: number): Sample | undefined {
  let healthyBefore = true;
  for (const s of samples) {
    if (s.t >= to) break;
    if (!sawWindow(s, from)) {
      healthyBefore = s.ok;
      continue;
    }
    if (!s.ok && healthyBefore) return s;
    healthyBefore = s.ok;
  }
  return undefined;
}

export function cascadeSummary(c: Pick<Cascade, 'faults' | 'steps'>): string {
  const head = c.faults.join(' + ');
  if (c.steps.length === 0) return `${head}: no service failed`;
  const chain = c.steps.map((s) => `${s.service} ${s.state} at ${offset(s.offsetMs)}${s.explained === false ? ' (not explained by dependsOn)' : ''}`);
  return `${head}: ${chain.join(' → ')}`;
}
