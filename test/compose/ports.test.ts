import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { parseSystemText, workspace } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

test('port forms: IPv6 host, ranges, UDP, random host ports, long syntax, and the HTTP-or-TCP guess', async () => {
  const ws = await workspace(cleanups);
  const compose = await ws.copy('ports/docker-compose.yml', 'ports/docker-compose.yml');
  const res = await runCli(['init', '--compose', compose, '--stdout'], { cwd: ws.dir });
  assert.equal(res.code, 0, res.stderr);
  const s = parseSystemText(res.stdout).services;
  const health = (name: string) => s[name]!.health;
  assert.deepEqual(health('ipv6'), { http: 'http://[::1]:8081/' });
  assert.deepEqual(health('range'), { http: 'http://127.0.0.1:8000/' }, 'the first port of a range');
  assert.equal(health('udp-only'), undefined);
  assert.match(res.stdout, /# "1053:53\/udp": not TCP, not probed/);
  assert.equal(health('random-host-port'), undefined);
  assert.match(res.stdout, /# container port 80 is published on a random host port, which faultline cannot know/);
  assert.deepEqual(health('app-protocol'), { http: 'http://127.0.0.1:17000/' }, 'host_ip 0.0.0.0 is probed on 127.0.0.1');
  assert.match(res.stdout, /# from ports "0\.0\.0\.0:17000:7000": HTTP, because app_protocol: http/);
  // HTTPS is probed as TCP, so the HTTP port wins when there is one.
  assert.deepEqual(health('tls'), { http: 'http://127.0.0.1:8088/' });
  assert.match(res.stdout, /# also published: "8443:443"/);
  assert.deepEqual(health('pg-on-odd-port'), { tcp: '127.0.0.1:25432' });
  assert.deepEqual(health('unknown-port'), { tcp: '127.0.0.1:12345' });
  assert.match(res.stdout, /TCP, because nothing says port 12345 speaks HTTP/);
  assert.deepEqual(health('grpc-over-https-health'), { tcp: '127.0.0.1:19000' });
  assert.match(res.stdout, /the compose healthcheck calls https:\/\/localhost:9000\/health \(HTTPS: checked as TCP\)/);
  assert.deepEqual(s.range!.ports, [8000, 8001, 8002], 'every container port of the range');
  assert.equal(s['udp-only']!.ports, undefined);

  const validate = await runCli(['init', '--compose', compose, '-o', 'sys.yaml'], { cwd: ws.dir });
  assert.equal(validate.code, 0, validate.stderr);
  const check = await runCli(['validate', 'sys.yaml'], { cwd: ws.dir });
  assert.equal(check.code, 0, check.stderr);
});
