// Reading the host's cgroup layout (v1, v2 and hybrid) and the values the cgroup faults write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupDirIn, cgroupProblem, hierarchyFor, parseMountinfo, parseProcCgroup } from '../../../src/drivers/linux/cgroup/hierarchy.js';
import { cgroupSettings } from '../../../src/drivers/linux/cgroup/plan.js';

// This machine's kind: v1 controllers, plus a cgroup2 without controllers.
const HYBRID = `25 30 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
27 25 0:25 / /sys/fs/cgroup/cpu rw,relatime shared:11 - cgroup cgroup rw,cpu
28 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory
29 25 0:27 / /sys/fs/cgroup/freezer rw,relatime shared:13 - cgroup cgroup rw,freezer
30 25 0:28 / /sys/fs/cgroup/systemd rw,relatime shared:14 - cgroup cgroup rw,name=systemd`;
// Most users' hosts: one cgroup2.
const V2 = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
// A container's view: a co-mounted cpu,cpuacct hierarchy whose root is not /.
const NESTED = '40 39 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct';

test('hierarchies: each controller to its one mount; freezing on v2 needs no controller', () => {
  const hybrid = parseMountinfo(HYBRID, () => []);
  assert.deepEqual(hierarchyFor('cpu', hybrid), { version: 1, mount: '/sys/fs/cgroup/cpu', root: '/', controllers: ['cpu'] });
  assert.equal(hierarchyFor('freezer', hybrid)?.mount, '/sys/fs/cgroup/freezer');
  const v2 = parseMountinfo(V2, () => ['cpuset', 'cpu', 'io', 'memory', 'pids']);
  assert.equal(hierarchyFor('memory', v2)?.version, 2);
  assert.equal(hierarchyFor('freezer', v2)?.mount, '/sys/fs/cgroup');
  assert.equal(hierarchyFor('cpu', parseMountinfo(V2, () => ['memory'])), undefined);
  assert.deepEqual(parseMountinfo(NESTED, () => [])[0], { version: 1, mount: '/sys/fs/cgroup/cpu,cpuacct', root: '/docker/abc', controllers: ['cpu', 'cpuacct'] });
});

test('a process\'s cgroup directory in each hierarchy, from /proc/PID/cgroup', () => {
  const entries = parseProcCgroup('12:memory:/process_api/4e7a\n4:cpu:/\n1:name=systemd:/\n0::/user.slice/session-1.scope\n');
  const hybrid = parseMountinfo(HYBRID, () => []);
  assert.equal(cgroupDirIn(hierarchyFor('memory', hybrid)!, entries), '/sys/fs/cgroup/memory/process_api/4e7a');
  assert.equal(cgroupDirIn(hierarchyFor('cpu', hybrid)!, entries), '/sys/fs/cgroup/cpu');
  const v2 = parseMountinfo(V2, () => ['cpu', 'memory']);
  assert.equal(cgroupDirIn(hierarchyFor('cpu', v2)!, entries), '/sys/fs/cgroup/user.slice/session-1.scope');
  const nested = parseMountinfo(NESTED, () => [])[0]!;
  assert.equal(cgroupDirIn(nested, parseProcCgroup('3:cpu,cpuacct:/docker/abc/app\n')), '/sys/fs/cgroup/cpu,cpuacct/app');
});

test('what the faults write: v1 CFS quota relative to the period, v2 cpu.max, memory limits, freezing', () => {
  assert.deepEqual(cgroupSettings(1, 'cpu', { cpus: 0.5 }, 100_000, true), [
    { file: 'cpu.cfs_period_us', value: '100000' },
    { file: 'cpu.cfs_quota_us', value: '50000' },
  ]);
  assert.deepEqual(cgroupSettings(1, 'cpu', { cpus: 0.5 }, 200_000, false), [{ file: 'cpu.cfs_quota_us', value: '100000' }]);
  assert.deepEqual(cgroupSettings(2, 'cpu', { cpus: 2 }, 100_000, true), [{ file: 'cpu.max', value: '200000 100000' }]);
  assert.deepEqual(cgroupSettings(1, 'cpu', { cpus: 0.001 }, 100_000, false), [{ file: 'cpu.cfs_quota_us', value: '1000' }], 'the kernel\'s minimum quota');
  assert.deepEqual(cgroupSettings(2, 'memory', { memoryBytes: 64 << 20 }, 0, true), [{ file: 'memory.max', value: String(64 << 20) }]);
  assert.deepEqual(cgroupSettings(1, 'memory', { memoryBytes: 64 << 20 }, 0, true), [{ file: 'memory.limit_in_bytes', value: String(64 << 20) }]);
  assert.deepEqual(cgroupSettings(1, 'freezer', { freeze: true }, 0, true), [{ file: 'freezer.state', value: 'FROZEN' }]);
  assert.deepEqual(cgroupSettings(2, 'freezer', { freeze: true }, 0, true), [{ file: 'cgroup.freeze', value: '1' }]);
});

test('a host without the controller is told what it has', () => {
  assert.match(cgroupProblem('memory', parseMountinfo(V2, () => ['cpu']))!, /needs a cgroup hierarchy for the memory controller \(cgroup v1 or v2\), and this host has none \(found: v2 \/sys\/fs\/cgroup \(cpu\)\)/);
  assert.match(cgroupProblem('cpu', [])!, /found: no cgroup mounts at all/);
});
