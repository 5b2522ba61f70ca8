import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRate } from '../../../src/drivers/linux/net/format-rate.js';
import { formatSize, parseRate, parseSize, percentParam, rateParam, sizeParam } from '../../../src/drivers/linux/units.js';

test('sizes: binary units, bytes, and nonsense refused', () => {
  assert.equal(parseSize('64m'), 64 * 1024 * 1024);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('512K'), 512 * 1024);
  assert.equal(parseSize('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseSize('100mb'), 100 * 1024 * 1024);
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize(4096), 4096);
  for (const bad of ['lots', '-1m', '1x', '', 1.5, -3]) assert.equal(parseSize(bad as string), undefined, String(bad));
  assert.equal(formatSize(64 * 1024 * 1024), '64m');
  assert.equal(formatSize(1536 * 1024 * 1024), '1.5g');
  assert.equal(sizeParam.safeParse('lots').error?.issues[0]?.message, 'expected a size such as 64m, 1g or 512k (or a number of bytes), got "lots"');
});

test('rates: tc units (bit = bits/s, bps = bytes/s), at least 8kbit', () => {
  assert.equal(parseRate('1mbit'), 1_000_000);
  assert.equal(parseRate('500kbit'), 500_000);
  assert.equal(parseRate('2mbps'), 16_000_000);
  assert.equal(parseRate('1.5gbit'), 1_500_000_000);
  assert.equal(parseRate('fast'), undefined);
  assert.equal(rateParam.parse('1mbit'), 1_000_000);
  assert.equal(rateParam.parse(1_000_000), 1_000_000, 'parsing its own output again gives the same (the runner re-parses step params)');
  assert.match(rateParam.safeParse('10bit').error!.issues[0]!.message, /at least 8kbit/);
  assert.equal(formatRate(2_000_000), '2mbit');
  assert.equal(formatRate(1_500), '1.5kbit');
  assert.equal(formatRate(500), '500bit');
});

test('percentages: 20, "20%", within (0, 100]', () => {
  assert.equal(percentParam.parse(20), 20);
  assert.equal(percentParam.parse('0.5%'), 0.5);
  assert.equal(percentParam.safeParse(0).success, false);
  assert.equal(percentParam.safeParse(101).success, false);
  assert.equal(percentParam.safeParse('a lot').success, false);
});
