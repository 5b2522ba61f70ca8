/** Process failures: one service, one at random, several in turn, several at once, everything. */
import type { StepInput } from '../../experiment/define.js';
import type { RenderContext } from '../context.js';
import { entryProbe, header, kill, PARAMS, recovery, withDefault } from '../common.js';
import type { CatalogTemplate } from '../types.js';

const signal = { name: 'signal', type: 'string', default: 'SIGKILL', description: 'the signal sent (SIGKILL: a crash; SIGTERM: a clean stop)' } as const;

/** What every kill template takes besides its targets: the signal, the watch and the entry probe. */
const KILL_PARAMS = [signal, PARAMS.wait, PARAMS.within, PARAMS.entry, PARAMS.url, PARAMS.latency];

/** The entry probe holds throughout unless the entry itself is among the victims. */
function steady(ctx: RenderContext, victims: string[]) {
  let entry: string | undefined;
  try {
    entry = ctx.entry();
  } catch {
    entry = undefined; // an explicit url without a known entry: hold it throughout
  }
  return entryProbe(ctx, { throughout: entry === undefined || !victims.includes(entry) });
}

export const serviceKill: CatalogTemplate = {
  name: 'service-kill',
  description: 'Kill one service; clients keep being served and it is restarted and healthy in time',
  hypothesis: 'url answers (2xx within latency) before, throughout and after; every service healthy again within `within` (30 s) of the kill',
  parameters: [PARAMS.target('the service to kill'), signal, PARAMS.wait, PARAMS.within, PARAMS.entry, PARAMS.url, PARAMS.latency],
  render(ctx) {
    const target = ctx.str('target');
    return {
      ...header(ctx, `Killing ${target}: clients keep being served, ${target} is back within ${ctx.str('within')}`, `Sends ${ctx.str('signal')} to ${target}. Whatever supervises it (faultline's restart policy, systemd, Docker) must bring it back.`),
      hypothesis: { probes: [steady(ctx, [target])] },
      method: [kill(target, ctx.str('signal')), { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};

export const randomKill: CatalogTemplate = {
  name: 'random-kill',
  description: 'Kill one service picked at random (seeded); it comes back and clients keep being served',
  hypothesis: 'url answers throughout; the victim is healthy again within `within`',
  parameters: [
    { name: 'targets', type: 'services', derived: true, default: 'every service a process fault can act on, except the entry and critical ones', description: 'the services to pick from' },
    { name: 'seed', type: 'number', derived: true, default: 'random (recorded in the journal)', description: 'seed for the pick, for a repeatable run' },
    ...KILL_PARAMS,
  ],
  render(ctx) {
    const targets = ctx.givenList('targets') ?? ctx.killable([ctx.entry()]);
    if (targets.length === 0) throw ctx.missing('targets', 'no service to pick from (every service is the entry, critical or watch-only)');
    const seed = ctx.given('seed');
    return {
      ...header(ctx, `A random service of ${targets.join(', ')} is killed: it comes back, clients keep being served`, 'One of the targets, picked with the run\'s seed, is killed.'),
      ...(seed !== undefined ? { seed: Number(seed) } : {}),
      hypothesis: { probes: [steady(ctx, targets)] },
      method: [kill({ random: targets }, ctx.str('signal')), { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};

export const cascadingFailure: CatalogTemplate = {
  name: 'cascading-failure',
  description: "Kill a service's dependencies one after another, deepest first, then the service: the failure must not cascade to clients",
  hypothesis: 'url answers throughout the sequence; every service healthy again within `within`',
  parameters: [
    { ...PARAMS.target('the service whose dependency chain fails (its dependencies, deepest first, then itself)'), required: false, derived: true, default: 'none — give target or targets' },
    { name: 'targets', type: 'services', derived: true, default: "target's dependencies, deepest first, then target (never the entry)", description: 'the services to kill, in order' },
    { name: 'interval', type: 'duration', default: '5s', description: 'time between two kills' },
    ...KILL_PARAMS,
  ],
  render(ctx) {
    let targets = ctx.givenList('targets');
    if (!targets) {
      const target = ctx.given('target');
      if (target === undefined) throw ctx.missing('target', 'missing required parameter "target" (the service whose dependency chain fails)');
      targets = ctx.dependencyChain(target).filter((s) => s !== ctx.entry() && ctx.killable().includes(s));
      if (targets.length < 2) throw ctx.fail('targets', `${target} has no dependency a process fault can act on, so there is nothing to cascade: pass --set targets=a,b,c (in order)`);
    }
    const sequence: StepInput[] = targets.flatMap((t, i) => (i === 0 ? [kill(t, ctx.str('signal'))] : [{ wait: ctx.str('interval') }, kill(t, ctx.str('signal'))]));
    return {
      ...header(ctx, `Cascading failure: ${targets.join(', ')} killed in turn`, `Each is killed ${ctx.str('interval')} after the one before, deepest dependency first.`),
      hypothesis: { probes: [steady(ctx, targets)] },
      method: [{ sequence }, { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};

export const multipleConcurrentFailures: CatalogTemplate = {
  name: 'multiple-concurrent-failures',
  description: 'Kill several services at the same moment; clients keep being served and all of them come back',
  hypothesis: 'url answers throughout; every service healthy again within `within`',
  parameters: [
    { name: 'targets', type: 'services', required: true, description: 'the services to kill together (two or more; --target a,b also works)' },
    ...KILL_PARAMS,
  ],
  render(ctx) {
    const targets = ctx.list('targets');
    if (targets.length < 2) throw ctx.fail('targets', `expected two or more services to kill together, got ${targets.join(', ')}: pass --set targets=a,b`);
    return {
      ...header(ctx, `${targets.join(' and ')} down at once: clients keep being served, all come back`, 'Every target is killed in the same step (in parallel).'),
      hypothesis: { probes: [steady(ctx, targets)] },
      method: [{ parallel: targets.map((t) => kill(t, ctx.str('signal'))) }, { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};

export const disasterRecovery: CatalogTemplate = {
  name: 'disaster-recovery',
  description: 'Take every service down at once, then measure the time until the whole system is healthy again',
  hypothesis: 'every service healthy again within `within` (60 s) — the journal gives each one\'s time to recover — and url answers afterwards',
  parameters: [
    { name: 'targets', type: 'services', derived: true, default: 'every service a process fault can act on, except critical ones', description: 'what goes down' },
    signal,
    withDefault(PARAMS.wait, '5s'),
    withDefault(PARAMS.within, '60s'),
    PARAMS.entry,
    PARAMS.url,
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const targets = ctx.givenList('targets') ?? ctx.killable();
    if (targets.length === 0) throw ctx.missing('targets', 'no service a process fault can act on');
    return {
      ...header(ctx, `Disaster recovery: ${targets.join(', ')} down at once, back within ${ctx.str('within')}`, 'Every target is killed at the same moment; whatever supervises them must bring the whole system back. Clients are expected to fail meanwhile: only the return is judged.'),
      hypothesis: { probes: [entryProbe(ctx, { throughout: false })] },
      method: [{ parallel: targets.map((t) => kill(t, ctx.str('signal'))) }, { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};
