// The shop's Prometheus registry renders the text exposition format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../../src/demo/shop/metrics.js';

test('counters, gauges and histograms render with HELP, TYPE, escaped labels and cumulative buckets', () => {
  const r = new Registry();
  const c = r.counter('x_total', 'Things\ncounted');
  c.inc({ route: '/a', q: 'say "hi"\\' });
  c.inc({ route: '/a', q: 'say "hi"\\' }, 2);
  r.gauge('g', 'A gauge').set({ dependency: 'store' }, 0.5);
  const h = r.histogram('lat_seconds', 'Latency', [0.1, 1]);
  h.observe({ route: '/a' }, 0.05);
  h.observe({ route: '/a' }, 0.5);
  h.observe({ route: '/a' }, 3);
  r.counter('empty_total', 'Nothing yet');
  assert.equal(
    r.render(),
    [
      '# HELP x_total Things\\ncounted',
      '# TYPE x_total counter',
      'x_total{route="/a",q="say \\"hi\\"\\\\"} 3',
      '# HELP g A gauge',
      '# TYPE g gauge',
      'g{dependency="store"} 0.5',
      '# HELP lat_seconds Latency',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{route="/a",le="0.1"} 1',
      'lat_seconds_bucket{route="/a",le="1"} 2',
      'lat_seconds_bucket{route="/a",le="+Inf"} 3',
      'lat_seconds_sum{route="/a"} 3.55',
      'lat_seconds_count{route="/a"} 3',
      '# HELP empty_total Nothing yet',
      '# TYPE empty_total counter',
      '',
    ].join('\n'),
  );
  assert.throws(() => r.counter('g', 'again'), /registered twice/);
});
