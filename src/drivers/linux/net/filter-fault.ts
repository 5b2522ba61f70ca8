/**
 * Packet-filter faults (net-partition, net-loss): rules in a table (nft) or chain (iptables) of
 * faultline's own, in each network namespace the target lives in. Revert deletes exactly that
 * table or chain, found again by name, in the same namespace (found again by inode).
 */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { HostCommandError } from '../errors.js';
import { run, runOk, showCommand } from '../exec.js';
import { which } from '../host.js';
import { inNetns, locateNetns, type NetnsPath } from '../netns.js';
import { checkRequirements, type Requirement } from '../preflight.js';
import { netnsRefSchema, parseInfo, PlanMemo, shortId } from '../planned.js';
import type { LinuxTarget } from '../target.js';
import { describeAction, type FilterAction } from './filter-action.js';
import { iptablesBinary, iptablesChainName, iptablesFamilies, iptablesRestoreInput, jumpDeletions } from './iptables.js';
import { nftDeleteScript, nftScript, nftTableName } from './nft.js';
import { describePlace, networkPlaces, placeRequirements } from './places.js';
import { buildSelector, describeSelector, type Family, type SelectorParams } from './selector.js';

export type Backend = 'nft' | 'iptables';
export const backendParam = z.enum(['auto', 'nft', 'iptables']).default('auto').describe('Packet filter to use: auto (nft, else iptables), nft or iptables');

export interface FilterParams extends SelectorParams {
  backend: 'auto' | Backend;
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
  backend: z.enum(['nft', 'iptables']),
  name: z.string().regex(/^(faultline_|FL-)[0-9a-f]{8}$/),
  places: z.array(z.object({ ns: netnsRefSchema, own: z.boolean(), selector: selectorSchema, families: z.array(z.union([z.literal(4), z.literal(6)])) })),
});
type FilterInfo = z.output<typeof infoSchema>;

export function filterRequirements(backend: FilterParams['backend']): Requirement[] {
  const tools: Requirement =
    backend === 'nft'
      ? { kind: 'tool', anyOf: ['nft'], install: 'apt-get install nftables' }
      : backend === 'iptables'
        ? { kind: 'tool', anyOf: ['iptables-restore'], install: 'apt-get install iptables' }
        : { kind: 'tool', anyOf: ['nft', 'iptables-restore'], install: 'apt-get install nftables (or iptables)' };
  return [{ kind: 'privilege', caps: ['NET_ADMIN'] }, tools];
}

function chooseBackend(wanted: FilterParams['backend']): Backend {
  if (wanted !== 'auto') return wanted;
  return which('nft') ? 'nft' : 'iptables';
}

export interface FilterFaultSpec<P extends FilterParams> {
  name: string;
  summary: string;
  params: z.ZodType<P>;
  action(params: P): FilterAction;
}

export type LinuxFaultKind<P> = FaultKind<P, LinuxTarget> & {
  /** What the fault needs from this host, as far as the parameters tell (preflight for quick commands). */
  requirements(params: P): Requirement[];
};

export function filterFault<P extends FilterParams>(spec: FilterFaultSpec<P>): LinuxFaultKind<P> {
  const memo = new PlanMemo<FilterInfo>();
  const plan = (target: LinuxTarget, params: P): FilterInfo => {
    checkRequirements(spec.name, filterRequirements(params.backend));
    const places = networkPlaces(target);
    checkRequirements(spec.name, placeRequirements(places));
    const backend = chooseBackend(params.backend);
    const id = shortId();
    return {
      backend,
      name: backend === 'nft' ? nftTableName(id) : iptablesChainName(id),
      places: places.map((p) => {
        const selector = buildSelector(target.label, target, params, p.own);
        return { ns: p.ns, own: p.own, selector, families: backend === 'iptables' ? iptablesFamilies(selector) : [] };
      }),
    };
  };

  return {
    name: spec.name,
    driver: 'linux',
    summary: spec.summary,
    timing: 'held',
    revertSummary: 'delete faultline\'s own nft table (or iptables chain and its jumps) for this fault, in the same network namespace',
    params: spec.params,
    requirements: (params) => filterRequirements(params.backend),
    plan: (target, params) => memo.remember(target, plan(target, params)),
    async inject(target, params, ctx) {
      const info = memo.recall(target, () => plan(target, params));
      const action = spec.action(params);
      const where: string[] = [];
      for (const place of info.places) {
        const ns = locateNetns(place.ns);
        if (!ns) throw new HostCommandError(`enter net:[${place.ns.inode}]`, null, `${target.label}: its network namespace is gone`);
        if (info.backend === 'nft') {
          await runIn(ns, 'nft', ['-f', '-'], ctx.signal, nftScript(info.name, place.selector, action));
        } else {
          for (const family of place.families as Family[]) {
            await runIn(ns, `${iptablesBinary(family)}-restore`, ['-w', '5', '--noflush'], ctx.signal, iptablesRestoreInput(info.name, place.selector, action, family));
          }
        }
        where.push(`${describePlace(place)}: ${describeSelector(place.selector)}`);
      }
      ctx.log(`${spec.name} on ${target.label}: ${describeAction(action)} — ${where.join('; ')} (${info.backend} ${info.backend === 'nft' ? 'table inet' : 'chain'} ${info.name})`);
      return { details: { backend: info.backend, [info.backend === 'nft' ? 'table' : 'chain']: info.name, action: describeAction(action), where } };
    },
    async revert(raw) {
      const info = parseInfo(infoSchema, raw, spec.name);
      for (const place of info.places) {
        const ns = locateNetns(place.ns);
        if (!ns) continue; // the namespace is gone, and our rules with it
        if (info.backend === 'nft') await runIn(ns, 'nft', ['-f', '-'], undefined, nftDeleteScript(info.name));
        else for (const family of place.families as Family[]) await removeChain(ns, iptablesBinary(family), info.name);
      }
    },
  };
}

/** Runs a command in the namespace. Reverts pass no signal: an aborted run must still be able to undo. */
async function runIn(ns: NetnsPath, cmd: string, args: string[], signal: AbortSignal | undefined, input?: string): Promise<string> {
  const [c, a] = inNetns(ns, cmd, args);
  return runOk(c, a, { input, signal });
}

/** Deletes every jump to the chain, then the chain. Missing pieces are fine: revert is idempotent. */
async function removeChain(ns: NetnsPath, bin: string, chain: string): Promise<void> {
  for (const builtin of ['INPUT', 'OUTPUT']) {
    const listing = await runIn(ns, bin, ['-w', '5', '-S', builtin], undefined);
    for (const del of jumpDeletions(listing, chain)) await runIn(ns, bin, ['-w', '5', ...del], undefined);
  }
  for (const op of ['-F', '-X']) {
    const [c, a] = inNetns(ns, bin, ['-w', '5', op, chain]);
    const res = await run(c, a);
    if (res.code !== 0 && !/No chain|does not exist|doesn't exist/i.test(res.stderr)) throw new HostCommandError(showCommand(c, a), res.code, res.stderr);
  }
}
