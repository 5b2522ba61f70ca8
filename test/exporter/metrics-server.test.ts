// The /metrics server and the Pushgateway client, on real sockets.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { MetricsReporter } from '../../src/exporter/metrics-reporter.js';
import { parseListen, serveMetrics } from '../../src/exporter/metrics-server.js';
import { pushRegistry, pushUrl } from '../../src/exporter/pushgateway.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

test('--metrics-listen values: HOST:PORT, [IPv6]:PORT, port 0', () => {
  assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
  for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:70000', 'http://127.0.0.1:9464', '::1:9464']) assert.equal(parseListen(bad), undefined, bad);
});

test('serves the registry at /metrics (port 0: the bound port in the URL), 404 elsewhere, and closes with a scraper still connected', async () => {
  const metrics = new MetricsReporter();
  const server = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);
  const res = await fetch(server.url); // keep-alive: the connection stays open, as a Prometheus scraper's does
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(await res.text(), /^# HELP faultline_fault_revert_failures_total /m);
  assert.equal((await fetch(server.url.replace('/metrics', '/nope'))).status, 404);
  assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
  await server.close();
  await assert.rejects(fetch(server.url), /fetch failed/);
});

test('the Pushgateway URL: job faultline, grouping labels base64url-encoded (a / or a space cannot break the path)', () => {
  assert.equal(pushUrl('http://gw:9091/', { instance: 'host-1', experiment: 'a/b c' }), `http://gw:9091/metrics/job/faultline/instance@base64/${Buffer.from('host-1').toString('base64url')}/experiment@base64/${Buffer.from('a/b c').toString('base64url')}`);
  assert.equal(pushUrl('http://gw:9091/prefix', { experiment: '' }), 'http://gw:9091/prefix/metrics/job/faultline/experiment@base64/=');
});

test('a Pushgateway that never answers: the push gives up after its timeout with the reason, and never throws', async () => {
  const hung = createServer(() => undefined);
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    hung.closeAllConnections();
    hung.close(() => resolve());
  }));
  const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  const t0 = performance.now();
  const error = await pushRegistry(new MetricsReporter().registry, url, { instance: 'i', experiment: 'e' }, 300);
  assert.equal(error, `${url} did not answer within 0.3 s`);
  assert.ok(performance.now() - t0 < 2300, 'bounded by the timeout');
});
