/**
 * Shaping faults (net-bandwidth, net-delay, netem): an htb root qdisc of faultline's own on the
 * interfaces the target's traffic leaves by. Only interfaces whose root qdisc is still the
 * kernel's default are touched, and revert deletes the root qdisc only while it is still ours
 * (same handle) — which puts the kernel's default back.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import { HostCommandError } from '../errors.js';
import { run, runOk, runSync } from '../exec.js';
import { inNetns, locateNetns, type NetnsPath } from '../netns.js';
import { checkRequirements, IP_TOOL, TC_TOOL, type Requirement } from '../preflight.js';
import { netnsRefSchema, parseInfo, PlanMemo } from '../planned.js';
import type { LinuxTarget } from '../target.js';
import type { LinuxFaultKind } from './filter-fault.js';
import { describePlace, networkPlaces, placeRequirements } from './places.js';
import { buildSelector, describeSelector, type Selector, type SelectorParams } from './selector.js';
import { isKernelDefault, randomHandle, rootQdisc, shapeBatch, type ShapeSpec } from './tc.js';

export const interfacesParam = z
  .array(z.string().regex(/^[\w.@:-]{1,15}$/, 'expected an interface name such as eth0'))
  .min(1)
  .optional()
  .describe('Interfaces to shape (default: in a namespace of its own, all but lo; in the host, lo and the interfaces routes to the target or its peers use)');

export interface ShapeParams extends SelectorParams {
  interfaces?: string[] | undefined;
}

const selectorSchema = z.object({
  directions: z.array(z.enum(['ingress', 'egress'])),
  addresses: z.array(z.string()),
  ports: z.array(z.number()),
  peers: z.array(z.string()),
  protocol: z.enum(['tcp', 'udp', 'all']),
  own: z.boolean(),
});
const infoSchema = z.object({
  handle: z.string().regex(/^[0-9a-f]{1,4}$/),
  places: z.array(z.object({ ns: netnsRefSchema, own: z.boolean(), selector: selectorSchema, devices: z.array(z.string()) })),
});
type ShapeInfo = z.output<typeof infoSchema>;

export interface ShapeFaultSpec<P extends ShapeParams> {
  name: string;
  summary: string;
  params: z.ZodType<P>;
  /** Kernel qdiscs the fault needs besides htb (netem). */
  qdiscs?: { qdisc: string; otherwise: string }[];
  shape(params: P): Omit<ShapeSpec, 'handle'>;
  describe(params: P): string;
}

function requirements(extra: ShapeFaultSpec<ShapeParams>['qdiscs']): Requirement[] {
  return [
    { kind: 'privilege', caps: ['NET_ADMIN'] },
    TC_TOOL,
    IP_TOOL,
    { kind: 'qdisc', qdisc: 'htb' },
    ...(extra ?? []).map((q): Requirement => ({ kind: 'qdisc', qdisc: q.qdisc, otherwise: q.otherwise })),
  ];
}

export function shapeFault<P extends ShapeParams>(spec: ShapeFaultSpec<P>): LinuxFaultKind<P> {
  const memo = new PlanMemo<ShapeInfo>();
  const plan = (target: LinuxTarget, params: P): ShapeInfo => {
    checkRequirements(spec.name, requirements(spec.qdiscs));
    const places = networkPlaces(target);
    checkRequirements(spec.name, placeRequirements(places));
    const handle = randomHandle();
    return {
      handle,
      places: places.map((p) => {
        const selector = buildSelector(target.label, target, params, p.own);
        if (p.own && !selector.directions.includes('egress')) {
          throw new TargetError(`${spec.name} on ${target.label}: in a network namespace of its own, tc shapes what the target sends only — use direction egress or both`, target.service);
        }
        const ns = locateNetns(p.ns);
        if (!ns) throw new TargetError(`${target.label}: its network namespace is gone`, target.service);
        const devices = params.interfaces ?? pickDevices(ns, selector);
        if (devices.length === 0) throw new TargetError(`${spec.name} on ${target.label}: found no interface to shape in the ${describePlace(p)}`, target.service);
        for (const dev of devices) {
          const root = readRoot(ns, dev);
          if (root === 'missing') throw new TargetError(`${spec.name} on ${target.label}: no interface ${dev} in the ${describePlace(p)}`, target.service);
          if (!isKernelDefault(root)) {
            throw new TargetError(
              `${spec.name} on ${target.label}: ${dev} already has a root qdisc set up by someone else (${root!.kind} ${root!.handle}); faultline only replaces the kernel's default qdisc, so it leaves ${dev} alone`,
              target.service,
            );
          }
        }
        return { ns: p.ns, own: p.own, selector, devices };
      }),
    };
  };

  return {
    name: spec.name,
    driver: 'linux',
    summary: spec.summary,
    timing: 'held',
    revertSummary: "delete faultline's root qdisc (same handle only) on each shaped interface, which restores the kernel's default",
    params: spec.params,
    requirements: () => requirements(spec.qdiscs),
    plan: (target, params) => memo.remember(target, plan(target, params)),
    async inject(target, params, ctx) {
      const info = memo.recall(target, () => plan(target, params));
      const shape = { ...spec.shape(params), handle: info.handle };
      const where: string[] = [];
      for (const place of info.places) {
        const ns = locateNetns(place.ns);
        if (!ns) throw new HostCommandError(`enter net:[${place.ns.inode}]`, null, `${target.label}: its network namespace is gone`);
        const batch = place.devices.flatMap((dev) => shapeBatch(dev, place.selector as Selector, shape));
        const [c, a] = inNetns(ns, 'tc', ['-batch', '-']);
        await runOk(c, a, { input: `${batch.join('\n')}\n`, signal: ctx.signal });
        where.push(`${place.devices.join(', ')} in the ${describePlace(place)}: ${describeSelector(place.selector as Selector)}`);
      }
      ctx.log(`${spec.name} on ${target.label}: ${spec.describe(params)} — ${where.join('; ')} (htb root ${info.handle}:)`);
      return { details: { handle: `${info.handle}:`, shaping: spec.describe(params), where } };
    },
    async revert(raw) {
      const info = parseInfo(infoSchema, raw, spec.name);
      for (const place of info.places) {
        const ns = locateNetns(place.ns);
        if (!ns) continue; // gone, with its qdiscs
        for (const dev of place.devices) {
          const root = readRoot(ns, dev);
          if (root === 'missing' || root?.handle !== `${info.handle}:`) continue; // not ours (any more)
          const [c, a] = inNetns(ns, 'tc', ['qdisc', 'del', 'dev', dev, 'root']);
          const res = await run(c, a);
          if (res.code === 0) continue;
          const now = readRoot(ns, dev); // a failure that left nothing of ours behind is fine
          if (now !== 'missing' && now?.handle === `${info.handle}:`) throw new HostCommandError(`${c} ${a.join(' ')}`, res.code, res.stderr);
        }
      }
    },
  };
}

function readRoot(ns: NetnsPath, dev: string): ReturnType<typeof rootQdisc> | 'missing' {
  const [c, a] = inNetns(ns, 'tc', ['-j', 'qdisc', 'show', 'dev', dev]);
  const res = runSync(c, a);
  if (res.code !== 0) {
    if (/Cannot find device|does not exist/i.test(res.stderr)) return 'missing';
    throw new HostCommandError(`${c} ${a.join(' ')}`, res.code, res.stderr);
  }
  return rootQdisc(res.stdout);
}

function ipJson<T>(ns: NetnsPath, args: string[]): T[] {
  const [c, a] = inNetns(ns, 'ip', ['-j', ...args]);
  const res = runSync(c, a);
  if (res.code !== 0 || !res.stdout.trim()) return [];
  return JSON.parse(res.stdout) as T[];
}

/**
 * The interfaces the selected traffic leaves by. A namespace of the target's own: all of its
 * interfaces but lo. The host's: lo, plus the routes to the target's addresses (a host:port) or
 * to its peers, or the default routes.
 */
function pickDevices(ns: NetnsPath, s: Selector): string[] {
  if (s.own) return ipJson<{ ifname: string }>(ns, ['link', 'show']).map((l) => l.ifname).filter((n) => n !== 'lo');
  const routeDev = (addr: string) => ipJson<{ dev?: string }>(ns, ['route', 'get', addr.split('/')[0]!])[0]?.dev;
  if (s.addresses.length) return unique(s.addresses.map(routeDev));
  const toPeers = s.peers.map(routeDev);
  const defaults = s.peers.length ? [] : [...ipJson<{ dev?: string }>(ns, ['route', 'show', 'default']), ...ipJson<{ dev?: string }>(ns, ['-6', 'route', 'show', 'default'])].map((r) => r.dev);
  return unique(['lo', ...toPeers, ...defaults]);
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
