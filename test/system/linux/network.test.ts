// Network faults against real traffic between two network namespaces (veth pair): the server's
// namespace takes the fault; a client in the other one shows its effect; the namespace's nft
// ruleset, iptables rules and qdiscs are the same after the revert as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { linuxFaults } from '../../../src/drivers/linux/index.js';
import { isHostRequirementError } from '../../../src/drivers/linux/errors.js';
import { kernelHasQdisc } from '../../../src/drivers/linux/host.js';
import type { LinuxTarget } from '../../../src/drivers/linux/target.js';
import { freePort } from '../../helpers/cli.js';
import { client, inNs, lockHostNetwork, makeNetnsPair, netSnapshot, primeIptables, resolveTarget, revertInFreshProcess, skipUnless, startNetServer, testContext, udpReceiver, type LineChild, type NetnsPair } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipUnless('ip', 'nft', 'tc', 'nsenter'), import.meta.url);
const PORT = 7101;

type Connect = { result: string; ms: number };

describe('linux network faults in a target\'s network namespace', { skip, concurrency: 1 }, () => {
  let pair: NetnsPair;
  let server: LineChild;
  let target: LinuxTarget;
  let clean: string;

  before(async () => {
    pair = makeNetnsPair();
    server = await startNetServer(pair.a, PORT);
    target = await resolveTarget({ pid: server.pid, ports: [PORT] }, [server.pid]);
    primeIptables(pair.a);
    clean = netSnapshot(pair.a);
    assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 2000)).result, 'connected');
  });
  after(() => {
    server?.stop();
    pair?.destroy();
  });

  test('net-partition (drop, both directions): connections time out; after revert they work and the ruleset is as before', async () => {
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({});
    const info = kind.plan(target, params);
    assert.equal(netSnapshot(pair.a), clean, 'plan() changes nothing');
    const ctx = testContext();
    const result = await kind.inject(target, params, ctx);
    try {
      assert.match(String(result.details?.table), /^faultline_[0-9a-f]{8}$/);
      assert.match(netSnapshot(pair.a), new RegExp(`table inet ${result.details?.table}`));
      assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 700)).result, 'timeout');
      assert.doesNotMatch(inNs(undefined, 'nft', ['list', 'tables']), new RegExp(String(result.details?.table)), 'the table is in the target\'s namespace, not the host\'s');
    } finally {
      await kind.revert(info, ctx);
    }
    assert.equal(netSnapshot(pair.a), clean);
    assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 2000)).result, 'connected');
    await kind.revert(info, ctx); // idempotent
    assert.equal(netSnapshot(pair.a), clean);
  });

  test('net-partition with action reject: connections are refused at once', async () => {
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({ action: 'reject' });
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    try {
      const res = await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 3000);
      assert.equal(res.result, 'ECONNREFUSED');
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(netSnapshot(pair.a), clean);
  });

  test('net-partition one direction at a time (UDP): ingress stops what reaches the target, egress what it sends', async () => {
    const kind = linuxFaults['net-partition'];
    const sendToServer = async () => {
      await server.ask('reset', /^reset$/);
      await client(pair.b, 'udp-send', pair.addrA, PORT, 50);
      await new Promise((r) => setTimeout(r, 200)); // let the server read what arrived
      return Number((await server.ask('count', /^count /)).split(' ')[1]);
    };
    const sendToClient = async () => {
      const recv = udpReceiver(pair.b, 7202, 1000);
      await recv.bound;
      await server.ask(`send ${pair.addrB} 7202 50`, /^sent$/);
      return recv.count;
    };
    assert.equal(await sendToServer(), 50);
    assert.equal(await sendToClient(), 50);

    // Egress of the server's port: the ports selector matches its source port 7101.
    for (const direction of ['ingress', 'egress'] as const) {
      const params = kind.params.parse({ direction, protocol: 'udp' });
      const info = kind.plan(target, params);
      await kind.inject(target, params, testContext());
      try {
        if (direction === 'ingress') {
          assert.equal(await sendToServer(), 0, 'ingress: nothing reaches the server');
          assert.equal(await sendToClient(), 50, 'ingress: the server can still send');
        } else {
          assert.equal(await sendToServer(), 50, 'egress: everything reaches the server');
          assert.equal(await sendToClient(), 0, 'egress: nothing the server sends gets out');
        }
      } finally {
        await kind.revert(info, testContext());
      }
      assert.equal(netSnapshot(pair.a), clean);
    }
  });

  test('net-partition with peers: only traffic with those peers is cut', async () => {
    const kind = linuxFaults['net-partition'];
    for (const [peers, expected] of [[['198.51.100.0/24'], 'connected'], [[`${pair.addrB}/32`], 'timeout']] as const) {
      const params = kind.params.parse({ peers: [...peers] });
      const info = kind.plan(target, params);
      await kind.inject(target, params, testContext());
      try {
        assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 700)).result, expected, `peers ${peers.join(',')}`);
      } finally {
        await kind.revert(info, testContext());
      }
    }
    assert.equal(netSnapshot(pair.a), clean);
  });

  test('net-partition through the iptables backend: same effect, and only our chain is removed', { skip: skipUnlessRequired(skipUnless('iptables-restore'), import.meta.url) }, async () => {
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({ backend: 'iptables' });
    const info = kind.plan(target, params);
    const result = await kind.inject(target, params, testContext());
    try {
      assert.match(String(result.details?.chain), /^FL-[0-9a-f]{8}$/);
      assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 700)).result, 'timeout');
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(netSnapshot(pair.a), clean);
    assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 2000)).result, 'connected');

    const reject = kind.params.parse({ backend: 'iptables', action: 'reject' });
    const rejectInfo = kind.plan(target, reject);
    await kind.inject(target, reject, testContext());
    try {
      assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 3000)).result, 'ECONNREFUSED');
    } finally {
      await kind.revert(rejectInfo, testContext());
    }
    assert.equal(netSnapshot(pair.a), clean);
  });

  test('net-loss 50% (UDP): about half the datagrams arrive; all of them after the revert', async () => {
    const kind = linuxFaults['net-loss'];
    const params = kind.params.parse({ percent: 50, protocol: 'udp' });
    const info = kind.plan(target, params);
    const count = async () => {
      await server.ask('reset', /^reset$/);
      await client(pair.b, 'udp-send', pair.addrA, PORT, 400);
      await new Promise((r) => setTimeout(r, 200));
      return Number((await server.ask('count', /^count /)).split(' ')[1]);
    };
    await kind.inject(target, params, testContext());
    try {
      const got = await count();
      // Binomial(400, 0.5): 200 ± 10; outside 120..280 happens with probability < 1e-15.
      assert.ok(got > 120 && got < 280, `received ${got} of 400`);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(netSnapshot(pair.a), clean);
    assert.equal(await count(), 400);
  });

  test('net-bandwidth 2mbit: a 256 KB download takes about a second; fast again after the revert, qdiscs as before', async () => {
    const kind = linuxFaults['net-bandwidth'];
    const params = kind.params.parse({ rate: '2mbit' });
    const info = kind.plan(target, params);
    const before = await client<{ result: string; ms: number }>(pair.b, 'get', pair.addrA, PORT, 262_144, 10_000);
    assert.equal(before.result, 'ok');
    const result = await kind.inject(target, params, testContext());
    let shaped: { result: string; ms: number; bytes: number };
    try {
      assert.match(String(result.details?.handle), /^[0-9a-f]{4}:$/);
      assert.match(netSnapshot(pair.a), new RegExp(`qdisc htb ${String(result.details?.handle)} dev ${pair.ifA} root`));
      shaped = await client(pair.b, 'get', pair.addrA, PORT, 262_144, 20_000);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(shaped.result, 'ok');
    assert.equal(shaped.bytes, 262_144);
    // 2 Mbit/s moves 256 KB in about 1 s; a slow machine only makes it slower.
    assert.ok(shaped.ms >= 700, `shaped download took ${shaped.ms} ms`);
    assert.equal(netSnapshot(pair.a), clean);
    const afterRevert = await client<{ result: string; ms: number }>(pair.b, 'get', pair.addrA, PORT, 262_144, 10_000);
    assert.equal(afterRevert.result, 'ok');
    assert.ok(afterRevert.ms < shaped.ms / 2, `after revert ${afterRevert.ms} ms vs shaped ${shaped.ms} ms`);
  });

  test('net-partition reverted from its plain-JSON info in a fresh process', async () => {
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({});
    const info = JSON.parse(JSON.stringify(kind.plan(target, params)));
    await kind.inject(target, params, testContext());
    assert.notEqual(netSnapshot(pair.a), clean);
    const res = revertInFreshProcess('net-partition', info);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(netSnapshot(pair.a), clean);
    assert.equal((await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 2000)).result, 'connected');
  });

  test('revert after the target died: its namespace, still held by `ip netns`, is found by inode and cleaned', async () => {
    const other = await startNetServer(pair.a, 7103);
    const t = await resolveTarget({ pid: other.pid, ports: [7103] }, [other.pid]);
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({});
    const info = kind.plan(t, params);
    await kind.inject(t, params, testContext());
    other.stop();
    await new Promise((r) => setTimeout(r, 200));
    // The namespace lives on (the ip netns mount holds it): revert finds it and removes the table.
    await kind.revert(info, testContext());
    assert.equal(netSnapshot(pair.a), clean);
  });

  test('netem kinds: applied where the kernel has netem; otherwise a clear error before anything is applied', async () => {
    const kind = linuxFaults['net-delay'];
    const params = kind.params.parse({ delay: '300ms' });
    if (!kernelHasQdisc('netem')) {
      assert.throws(
        () => kind.plan(target, params),
        (err: unknown) => isHostRequirementError(err) && /netem qdisc/.test(err.message) && /proxy/.test(err.message) && /latency/.test(err.message),
      );
      assert.equal(netSnapshot(pair.a), clean);
      return;
    }
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    try {
      const res = await client<Connect>(pair.b, 'connect', pair.addrA, PORT, 5000);
      assert.equal(res.result, 'connected');
      assert.ok(res.ms >= 250, `connect took ${res.ms} ms with 300 ms of delay on the server's replies`);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(netSnapshot(pair.a), clean);
  });
});

describe('linux network faults on this host\'s loopback (a host:port target)', { skip, concurrency: 1 }, () => {
  let server: LineChild;
  let other: LineChild;
  let port: number;
  let otherPort: number;
  let target: LinuxTarget;
  let clean: string;
  let unlock: () => void = () => undefined;

  before(async () => {
    unlock = await lockHostNetwork();
    port = await freePort();
    otherPort = await freePort();
    server = await startNetServer(undefined, port, '127.0.0.1');
    other = await startNetServer(undefined, otherPort, '127.0.0.1');
    target = await resolveTarget({ endpoint: `127.0.0.1:${port}` });
    clean = netSnapshot();
  });
  after(() => {
    server?.stop();
    other?.stop();
    unlock();
  });

  test('net-partition of 127.0.0.1:PORT cuts that port only, and leaves the host\'s ruleset as it was', async () => {
    assert.deepEqual(target.endpoint?.addresses, ['127.0.0.1']);
    assert.deepEqual(target.ports, [port]);
    const kind = linuxFaults['net-partition'];
    const params = kind.params.parse({});
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    try {
      assert.equal((await client<Connect>(undefined, 'connect', '127.0.0.1', port, 700)).result, 'timeout');
      assert.equal((await client<Connect>(undefined, 'connect', '127.0.0.1', otherPort, 2000)).result, 'connected');
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(netSnapshot(), clean);
    assert.equal((await client<Connect>(undefined, 'connect', '127.0.0.1', port, 2000)).result, 'connected');
  });

  test('net-loss on loopback hits each packet once (a packet leaving and entering this host is not dropped twice)', async () => {
    const kind = linuxFaults['net-loss'];
    const params = kind.params.parse({ percent: 50, protocol: 'udp' });
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    let got: number;
    try {
      await server.ask('reset', /^reset$/);
      await client(undefined, 'udp-send', '127.0.0.1', port, 400);
      await new Promise((r) => setTimeout(r, 200));
      got = Number((await server.ask('count', /^count /)).split(' ')[1]);
    } finally {
      await kind.revert(info, testContext());
    }
    // 50% once: ~200 arrive. Twice would be 25%: ~100.
    assert.ok(got > 140 && got < 260, `received ${got} of 400`);
    assert.equal(netSnapshot(), clean);
  });

  test('net-bandwidth on lo shapes that port only; qdiscs as before after the revert', async () => {
    const kind = linuxFaults['net-bandwidth'];
    const params = kind.params.parse({ rate: '2mbit' });
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    let shaped: { result: string; ms: number };
    let unshaped: { result: string; ms: number };
    try {
      [shaped, unshaped] = await Promise.all([
        client<{ result: string; ms: number }>(undefined, 'get', '127.0.0.1', port, 262_144, 20_000),
        client<{ result: string; ms: number }>(undefined, 'get', '127.0.0.1', otherPort, 262_144, 20_000),
      ]);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(shaped.result, 'ok');
    assert.equal(unshaped.result, 'ok');
    assert.ok(shaped.ms >= 700, `shaped download took ${shaped.ms} ms`);
    assert.ok(unshaped.ms < shaped.ms / 2, `the other port took ${unshaped.ms} ms, the shaped one ${shaped.ms} ms`);
    assert.equal(netSnapshot(), clean);
  });
});
