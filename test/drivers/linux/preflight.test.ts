// The errors a host that cannot run a fault gets, before anything is applied (a fake host here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostRequirementError } from '../../../src/drivers/linux/errors.js';
import { hasCap, readCapEff, type HostFacts } from '../../../src/drivers/linux/host.js';
import { linuxFaults } from '../../../src/drivers/linux/index.js';
import { checkRequirements, missingRequirements } from '../../../src/drivers/linux/preflight.js';

const ALL = (1n << 41n) - 1n;
const host = (over: Partial<HostFacts>): HostFacts => ({ uid: 0, caps: ALL, which: (t) => `/usr/sbin/${t}`, hasQdisc: () => true, ...over });

function reqs(name: keyof typeof linuxFaults, params: Record<string, unknown>) {
  const kind = linuxFaults[name];
  return (kind.requirements as (p: unknown) => ReturnType<typeof kind.requirements>)(kind.params.parse(params));
}

test('not root: says who we are and what to do', () => {
  const missing = missingRequirements(reqs('net-partition', {}), host({ uid: 1000, caps: 0n }));
  assert.deepEqual(missing, ['needs root (or CAP_NET_ADMIN); faultline runs as uid 1000 without it — run it with sudo, or as root in CI']);
});

test('root without the capability (a container): names the capability', () => {
  const caps = ALL & ~(1n << 12n);
  assert.match(missingRequirements(reqs('net-bandwidth', { rate: '1mbit' }), host({ caps }))[0]!, /needs CAP_NET_ADMIN, which this root process does not have \(a container started without --cap-add NET_ADMIN\?\)/);
});

test('missing tools: names them and the package', () => {
  const none = host({ which: () => undefined });
  assert.deepEqual(missingRequirements(reqs('net-loss', { percent: 10 }), none), ['needs nft or iptables-restore, which are not installed (apt-get install nftables (or iptables))']);
  assert.deepEqual(missingRequirements(reqs('net-partition', { backend: 'nft' }), none), ['needs nft, which is not installed (apt-get install nftables)']);
  assert.match(missingRequirements(reqs('fd-exhaustion', {}), none)[0]!, /needs prlimit.*util-linux/);
  assert.match(missingRequirements(reqs('cpu-stress', { engine: 'stress-ng', placement: 'host' }), none)[0]!, /needs stress-ng/);
});

test('no netem in the kernel: the error says so and points to the proxy\'s latency fault', () => {
  const err = (() => {
    try {
      checkRequirements('net-delay', reqs('net-delay', { delay: '100ms' }), host({ hasQdisc: (q) => q !== 'netem' }));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof HostRequirementError);
  assert.equal(err.code, 'E_HOST_REQUIREMENT');
  assert.match(err.message, /^net-delay cannot run on this host: needs the kernel's netem qdisc, which this kernel does not have/);
  assert.match(err.message, /use the fault proxy instead: `fault: latency`/);
  // htb is needed by every shaping fault.
  assert.match(missingRequirements(reqs('net-bandwidth', { rate: '1mbit' }), host({ hasQdisc: () => false }))[0]!, /htb qdisc/);
});

test('everything there: nothing missing', () => {
  for (const [name, params] of [['net-partition', {}], ['netem', { loss: 1 }], ['cpu-limit', { cpus: 1 }]] as const) {
    const r = reqs(name, params).filter((x) => x.kind !== 'check');
    assert.deepEqual(missingRequirements(r, host({})), [], name);
  }
});

test('CapEff from /proc/self/status', () => {
  const caps = readCapEff('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n');
  assert.equal(hasCap(caps, 'NET_ADMIN'), true);
  assert.equal(hasCap(caps, 'SYS_RESOURCE'), false);
});
