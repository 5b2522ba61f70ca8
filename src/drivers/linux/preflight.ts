/**
 * Preflight: what a linux fault needs from the host (root or capabilities, tools, kernel
 * features), checked before anything is applied. Every missing piece is named in one error, with
 * what to do about it.
 */
import { HostRequirementError } from './errors.js';
import { hasCap, liveHost, type CapName, type HostFacts } from './host.js';

export type Requirement =
  /** Root, or at least these capabilities. */
  | { kind: 'privilege'; caps: CapName[] }
  /** One of these tools on PATH (or in /usr/sbin, /sbin). */
  | { kind: 'tool'; anyOf: string[]; install: string }
  /** A qdisc the kernel must know. */
  | { kind: 'qdisc'; qdisc: string; otherwise?: string }
  /** Anything else: a problem sentence, or undefined when fine. */
  | { kind: 'check'; problem: () => string | undefined };

export const NETEM_HINT =
  'for latency and jitter without netem, use the fault proxy instead: `fault: latency` (or `jitter`) on a proxy link of the service (driver proxy, see docs/faults.md)';

export function missingRequirements(reqs: readonly Requirement[], host: HostFacts = liveHost): string[] {
  const missing: string[] = [];
  for (const req of reqs) {
    switch (req.kind) {
      case 'privilege': {
        const lacking = req.caps.filter((c) => !hasCap(host.caps, c));
        if (lacking.length === 0) break;
        const caps = lacking.map((c) => `CAP_${c}`).join(' and ');
        missing.push(
          host.uid === 0
            ? `needs ${caps}, which this root process does not have (a container started without --cap-add ${lacking.join(' --cap-add ')}?)`
            : `needs root (or ${caps}); faultline runs as uid ${host.uid} without it — run it with sudo, or as root in CI`,
        );
        break;
      }
      case 'tool':
        if (!req.anyOf.some((t) => host.which(t))) {
          const names = req.anyOf.length === 1 ? req.anyOf[0] : `${req.anyOf.slice(0, -1).join(', ')} or ${req.anyOf.at(-1)}`;
          missing.push(`needs ${names}, which ${req.anyOf.length === 1 ? 'is' : 'are'} not installed (${req.install})`);
        }
        break;
      case 'qdisc':
        // Probing needs the tools and privileges checked above: only ask when those are fine.
        if (missing.length === 0 && !host.hasQdisc(req.qdisc)) {
          missing.push(`needs the kernel's ${req.qdisc} qdisc, which this kernel does not have (tc: "Specified qdisc kind is unknown")${req.otherwise ? `; ${req.otherwise}` : ''}`);
        }
        break;
      case 'check': {
        const problem = req.problem();
        if (problem) missing.push(problem);
        break;
      }
    }
  }
  return missing;
}

/** Throws HostRequirementError naming everything missing; returns when the host can run the fault. */
export function checkRequirements(fault: string, reqs: readonly Requirement[], host: HostFacts = liveHost): void {
  const missing = missingRequirements(reqs, host);
  if (missing.length > 0) throw new HostRequirementError(fault, missing);
}

export const NET_TOOLS: Requirement = { kind: 'tool', anyOf: ['nft', 'iptables'], install: 'apt-get install nftables, or iptables' };
export const TC_TOOL: Requirement = { kind: 'tool', anyOf: ['tc'], install: 'apt-get install iproute2' };
export const IP_TOOL: Requirement = { kind: 'tool', anyOf: ['ip'], install: 'apt-get install iproute2' };
export const NSENTER_TOOL: Requirement = { kind: 'tool', anyOf: ['nsenter'], install: 'apt-get install util-linux' };
