/** Network faults on the links to a service, through the fault proxy (no root needed). */
import type { RenderContext } from '../context.js';
import { entryProbe, header, PARAMS, recovery, withDefault } from '../common.js';
import type { CatalogTemplate, TemplateParameter } from '../types.js';

const linkTarget: TemplateParameter = {
  name: 'target',
  type: 'link',
  required: true,
  description: 'a service (every proxy link leading to it) or one link, caller.dependency',
};

/** The proxy links a target names: the link itself, or every link into the service. */
export function links(ctx: RenderContext): string[] {
  const target = ctx.str('target');
  if (target.includes('.') && !ctx.system.services[target]) return [target];
  const into = ctx.linksInto(target);
  if (into.length > 0) return into;
  const all = ctx.allLinks();
  throw ctx.fail(
    'target',
    `no proxy link leads to ${target}, so the fault proxy cannot reach its traffic: declare \`proxies:\` on the services that call it (docs/proxy.md)${all.length ? `, or pass one of the declared links with --target (${all.join(', ')})` : ''}; as root, the linux driver's net-* faults need no proxy`,
  );
}

export const dependencyLatency: CatalogTemplate = {
  name: 'dependency-latency',
  description: 'Add latency to every call into a dependency (through the fault proxy); clients must stay fast',
  hypothesis: 'url answers 2xx within `latency` throughout (timeouts and fallbacks absorb the slow dependency); every service healthy within `within` after',
  needs: ['proxy links to the target (`proxies:` in the system file)'],
  parameters: [
    linkTarget,
    { name: 'delay', type: 'duration', default: '2s', description: 'latency added to each response from the dependency' },
    PARAMS.duration,
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    PARAMS.latency,
  ],
  render(ctx) {
    const target = links(ctx);
    return {
      ...header(ctx, `${ctx.str('delay')} of latency on ${target.join(', ')}: clients stay fast`, `Every response through ${target.join(', ')} is delayed by ${ctx.str('delay')} for ${ctx.str('duration')}.`),
      hypothesis: { probes: [entryProbe(ctx)] },
      method: [{ fault: 'latency', target, latency: ctx.str('delay'), duration: ctx.str('duration') }],
      recovery: recovery(ctx),
    };
  },
};

export const networkPartition: CatalogTemplate = {
  name: 'network-partition',
  description: 'Cut every link into a service (through the fault proxy): its callers must degrade, not hang',
  hypothesis: 'url answers 2xx within `latency` throughout; every service healthy within `within` after the partition heals',
  needs: ['proxy links to the target (`proxies:` in the system file)'],
  parameters: [
    linkTarget,
    { name: 'mode', type: 'choice', choices: ['blackhole', 'refuse'], default: 'blackhole', description: 'blackhole: connections hang, as when packets are dropped; refuse: connections are refused, as when the host is down' },
    PARAMS.duration,
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    withDefault(PARAMS.latency, '1s'),
  ],
  render(ctx) {
    const target = links(ctx);
    return {
      ...header(ctx, `Partition: ${target.join(', ')} cut for ${ctx.str('duration')}`, `The links are cut (${ctx.str('mode')}) and healed after ${ctx.str('duration')}.`),
      hypothesis: { probes: [entryProbe(ctx)] },
      method: [{ fault: 'partition', target, mode: ctx.str('mode'), duration: ctx.str('duration') }],
      recovery: recovery(ctx),
    };
  },
};
