// The figures `docker stats` shows, from an Engine API stats answer recorded on the CI engine
// (dockerd 20.10, cgroup v1: fixtures/engine-stats-v1.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { resourcesFromStats } from '../../src/dashboard/docker-stats.js';

const answer = JSON.parse(readFileSync(new URL('./fixtures/engine-stats-v1.json', import.meta.url), 'utf8')) as Record<string, unknown>;

test('CPU is the container\'s share of the engine\'s sampling interval, in percent of one core', () => {
  const r = resourcesFromStats(answer);
  // (170538247 - 127277769) / (23845050000000 - 23843060000000) * 2 CPUs * 100
  assert.ok(Math.abs(r.cpuPercent! - 4.3478) < 0.001, String(r.cpuPercent));
});

test('memory is usage minus the inactive page cache (cgroup v1 total_inactive_file, v2 inactive_file)', () => {
  assert.equal(resourcesFromStats(answer).memoryBytes, 630784);
  const withCache = structuredClone(answer) as { memory_stats: { usage: number; stats: Record<string, number> } };
  withCache.memory_stats.stats.total_inactive_file = 100_000;
  assert.equal(resourcesFromStats(withCache).memoryBytes, 530784);
  const v2 = { ...withCache, memory_stats: { usage: 630784, stats: { inactive_file: 30_784 } } };
  assert.equal(resourcesFromStats(v2).memoryBytes, 600000);
});

test('an answer without a previous sample (the engine\'s first tick) has no CPU figure', () => {
  const first = { ...answer, precpu_stats: { cpu_usage: { total_usage: 0 } } };
  assert.equal(resourcesFromStats(first).cpuPercent, null);
  assert.deepEqual(resourcesFromStats({}), { cpuPercent: null, memoryBytes: null });
});
