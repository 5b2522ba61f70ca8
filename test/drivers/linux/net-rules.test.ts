// What the network faults would apply, as text: nft scripts, iptables rules, tc commands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iptablesFamilies, iptablesJumps, iptablesRestoreInput, iptablesRules, jumpDeletions } from '../../../src/drivers/linux/net/iptables.js';
import { nftDeleteScript, nftRules, nftScript } from '../../../src/drivers/linux/net/nft.js';
import { buildSelector, clauses, describeSelector, type Selector } from '../../../src/drivers/linux/net/selector.js';
import { isKernelDefault, netemArgs, rootQdisc, shapeBatch, u32Filters } from '../../../src/drivers/linux/net/tc.js';

const own: Selector = { directions: ['ingress', 'egress'], addresses: [], ports: [], peers: [], protocol: 'all', own: true };
const hostPort: Selector = { directions: ['ingress', 'egress'], addresses: ['127.0.0.1'], ports: [5432], peers: [], protocol: 'all', own: false };

test('selector: a service in the host namespace needs ports or peers, else the whole host would be hit', () => {
  assert.throws(() => buildSelector('api (pid 42)', { ports: [] }, { direction: 'both', protocol: 'all' }, false), /shares the host's network namespace and has no ports.*add `ports: \[PORT\]`/);
  const s = buildSelector('api', { ports: [7101] }, { direction: 'ingress', protocol: 'tcp' }, false);
  assert.deepEqual(s, { directions: ['ingress'], addresses: [], ports: [7101], peers: [], protocol: 'tcp', own: false });
  assert.equal(describeSelector(s), 'ingress tcp port 7101');
  // A namespace of its own: everything but loopback, addresses not needed.
  assert.equal(buildSelector('c', { ports: [], endpoint: { addresses: ['10.0.0.1'] } }, { direction: 'both', protocol: 'all' }, true).addresses.length, 0);
});

test('selector: address families are split, and a mismatch is refused', () => {
  const s: Selector = { ...hostPort, addresses: ['127.0.0.1', '::1'], peers: ['10.0.0.0/8'] };
  assert.deepEqual(clauses(s).map((c) => [c.direction, c.family, c.addresses, c.peers]), [
    ['ingress', 4, ['127.0.0.1'], ['10.0.0.0/8']],
    ['egress', 4, ['127.0.0.1'], ['10.0.0.0/8']],
  ]);
  assert.throws(() => buildSelector('db', { ports: [5432], endpoint: { addresses: ['::1'] } }, { direction: 'both', protocol: 'all', peers: ['10.0.0.1'] }, false), /share no address family/);
});

test('nft: a table of our own, input and output chains, loopback matched once (on input)', () => {
  const script = nftScript('faultline_0badcafe', hostPort, { type: 'drop' });
  assert.equal(
    script,
    `table inet faultline_0badcafe {
  chain input {
    type filter hook input priority filter; policy accept;
    ip daddr 127.0.0.1 meta l4proto { tcp, udp } th dport 5432 counter drop
    ip saddr 127.0.0.1 meta l4proto { tcp, udp } th sport 5432 counter drop
  }
  chain output {
    type filter hook output priority filter; policy accept;
    oifname "lo" return
    ip daddr 127.0.0.1 meta l4proto { tcp, udp } th dport 5432 counter drop
    ip saddr 127.0.0.1 meta l4proto { tcp, udp } th sport 5432 counter drop
  }
}
`,
  );
  assert.match(nftScript('faultline_1', own, { type: 'drop' }), /chain input \{\n.*\n {4}iifname "lo" return\n {4}counter drop/);
  assert.equal(nftDeleteScript('faultline_1'), 'table inet faultline_1 {}\ndelete table inet faultline_1\n');
});

test('nft: loss uses numgen in hundredths of a percent; reject answers TCP with a reset and lets the answer out', () => {
  assert.deepEqual(nftRules({ ...own, directions: ['ingress'] }, { type: 'loss', percent: 12.5 }), ['numgen random mod 10000 < 1250 counter drop']);
  assert.deepEqual(nftRules({ ...own, directions: ['ingress'], ports: [80], protocol: 'tcp' }, { type: 'reject' }), ['meta l4proto tcp th dport 80 meta l4proto tcp counter reject with tcp reset']);
  const script = nftScript('faultline_2', { ...own, peers: ['10.1.0.0/16', '10.2.0.1'] }, { type: 'reject' });
  assert.match(script, /ip saddr \{ 10\.1\.0\.0\/16, 10\.2\.0\.1 \} meta l4proto tcp counter reject with tcp reset/);
  assert.match(script, /ip saddr \{ 10\.1\.0\.0\/16, 10\.2\.0\.1 \} counter reject with icmpx type port-unreachable/);
  assert.match(script, /oifname "lo" return\n {4}tcp flags & rst == rst return\n {4}icmp type destination-unreachable return/);
});

test('iptables: a chain of our own, per family, jumped to from INPUT and OUTPUT; only its jumps are deleted', () => {
  assert.deepEqual(iptablesFamilies(hostPort), [4]);
  assert.deepEqual(iptablesFamilies(own), [4, 6]);
  assert.deepEqual(iptablesRules('FL-1', { ...hostPort, directions: ['ingress'], protocol: 'tcp' }, { type: 'loss', percent: 20 }, 4), [
    ['-A', 'FL-1', '-d', '127.0.0.1', '-p', 'tcp', '-m', 'multiport', '--dports', '5432', '-m', 'statistic', '--mode', 'random', '--probability', '0.20000', '-j', 'DROP'],
  ]);
  assert.deepEqual(iptablesJumps('FL-1', own), [['-I', 'INPUT', '1', '!', '-i', 'lo', '-j', 'FL-1'], ['-I', 'OUTPUT', '1', '!', '-o', 'lo', '-j', 'FL-1']]);
  const input = iptablesRestoreInput('FL-1', { ...own, directions: ['egress'] }, { type: 'drop' }, 6);
  assert.equal(input, '*filter\n:FL-1 - [0:0]\n-A FL-1 -j DROP\n-I INPUT 1 ! -i lo -j FL-1\n-I OUTPUT 1 ! -o lo -j FL-1\nCOMMIT\n');
  const listing = '-P INPUT ACCEPT\n-A INPUT ! -i lo -j FL-1\n-A INPUT -j FL-10\n-A INPUT -s 10.0.0.1/32 -j DROP\n';
  assert.deepEqual(jumpDeletions(listing, 'FL-1'), [['-D', 'INPUT', '!', '-i', 'lo', '-j', 'FL-1']]);
});

test('tc: htb root of our own, class 1 limited, class 2 for the rest, u32 filters for the selected ports', () => {
  const batch = shapeBatch('lo', hostPort, { handle: 'a1b2', rateBits: 1_000_000 });
  assert.deepEqual(batch, [
    'qdisc add dev lo root handle a1b2: htb default 2',
    'class add dev lo parent a1b2: classid a1b2:1 htb rate 1000000bit ceil 1000000bit quantum 60000',
    'class add dev lo parent a1b2: classid a1b2:2 htb rate 100gbit quantum 60000',
    'filter add dev lo parent a1b2: protocol ip prio 1 u32 match ip dst 127.0.0.1/32 match ip dport 5432 0xffff flowid a1b2:1',
    'filter add dev lo parent a1b2: protocol ip prio 1 u32 match ip src 127.0.0.1/32 match ip sport 5432 0xffff flowid a1b2:1',
  ]);
  // No selector (a namespace of its own): everything is class 1.
  assert.deepEqual(shapeBatch('eth0', own, { handle: 'a1b2', netem: ['delay', '100ms'] }), [
    'qdisc add dev eth0 root handle a1b2: htb default 1',
    'class add dev eth0 parent a1b2: classid a1b2:1 htb rate 100gbit ceil 100gbit quantum 60000',
    'qdisc add dev eth0 parent a1b2:1 handle a1b3: netem delay 100ms',
  ]);
  assert.equal(u32Filters({ ...own, ports: [53], protocol: 'udp', directions: ['egress'] }, 'a1b2').length, 2, 'one filter per family when no address pins one');
});

test('tc: the kernel default root qdisc (handle 0:) may be replaced; anything else is someone\'s', () => {
  const root = rootQdisc('[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]');
  assert.equal(isKernelDefault(root), true);
  assert.equal(isKernelDefault(rootQdisc('[{"kind":"htb","handle":"1:","root":true}]')), false);
  assert.equal(isKernelDefault(rootQdisc('')), true);
  assert.deepEqual(netemArgs({ delayMs: 100, jitterMs: 20, correlation: 25, loss: 1, reorder: 5 }), ['delay', '100ms', '20ms', '25%', 'loss', '1%', 'reorder', '5%']);
});
