// The live dashboard's server, for real on port 0: the token guards every path (page, stream,
// files), the event stream replays what a late or reconnecting client missed (Last-Event-ID),
// sends heartbeats, and ends cleanly at close; and the store behind it stays bounded.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EventStore } from '../../src/web-dashboard/event-store.js';
import { parseListen } from '../../src/web-dashboard/listen-address.js';
import { DashboardServer } from '../../src/web-dashboard/server.js';
import { pathAfterToken } from '../../src/web-dashboard/token.js';
import { tempDir } from '../helpers/cli.js';
import { openStream } from './sse.js';

const servers: DashboardServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function start(o: Partial<Parameters<typeof DashboardServer.start>[0]> = {}): Promise<DashboardServer> {
  const s = await DashboardServer.start({ mode: 'run', title: 'test run', ...o });
  servers.push(s);
  return s;
}

/** A plain request on a fresh connection (no keep-alive socket from an earlier test). */
function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('EventStore', () => {
  test('replays pinned and volatile events after an id, in id order', () => {
    const store = new EventStore();
    store.publish('run-start', { n: 1 }, 'pinned');
    store.publish('sample', { n: 2 });
    store.publish('phase', { n: 3 }, 'pinned');
    store.publish('sample', { n: 4 });
    assert.deepEqual(store.since(0).events.map((e) => e.id), [1, 2, 3, 4]);
    assert.deepEqual(store.since(2).events.map((e) => [e.id, e.type]), [[3, 'phase'], [4, 'sample']]);
    assert.deepEqual(store.since(4), { events: [], gap: false });
    assert.equal(store.lastId, 4);
  });

  test('a keyed event replaces the previous one with its key, under a new id', () => {
    const store = new EventStore();
    store.publish('fault', { status: 'active' }, { key: 'fault:1' });
    store.publish('sample', {});
    store.publish('fault', { status: 'reverted' }, { key: 'fault:1' });
    const replay = store.since(0).events;
    assert.deepEqual(replay.map((e) => [e.id, e.type]), [[2, 'sample'], [3, 'fault']]);
    assert.equal(JSON.parse(replay[1]!.data).status, 'reverted');
  });

  test('keeps only the newest volatile events, never drops pinned ones, and reports the gap', () => {
    const store = new EventStore(3);
    store.publish('run-start', {}, 'pinned');
    for (let i = 0; i < 10; i++) store.publish('sample', { i });
    const all = store.since(0);
    assert.deepEqual(all.events.map((e) => e.id), [1, 9, 10, 11]);
    assert.equal(all.gap, true);
    assert.equal(store.since(8).gap, false, 'nothing after id 8 was dropped');
    assert.equal(store.since(7).gap, true);
  });
});

describe('token and address', () => {
  test('pathAfterToken: only the exact token as first segment', () => {
    assert.equal(pathAfterToken('/abc/', 'abc'), '');
    assert.equal(pathAfterToken('/abc/events', 'abc'), 'events');
    assert.equal(pathAfterToken('/abc', 'abc'), undefined);
    assert.equal(pathAfterToken('/abd/', 'abc'), undefined);
    assert.equal(pathAfterToken('/ab/', 'abc'), undefined);
    assert.equal(pathAfterToken('/', 'abc'), undefined);
  });

  test('parseListen', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen(':0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 });
    assert.throws(() => parseListen('8080'), /--dashboard-listen: expected HOST:PORT .*got "8080"/);
    assert.throws(() => parseListen('h:70000'), /expected HOST:PORT/);
  });
});

describe('DashboardServer', () => {
  test('listens on 127.0.0.1 with a 128-bit token in the URL, and serves the page under it', async () => {
    const s = await start();
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22}\/$/);
    const page = await get(s.url);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'nonce-[^']+'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(page.body, /<body data-mode="run">/);
    assert.doesNotMatch(page.body, /(src|href)="https?:/, 'self-contained: nothing loaded from elsewhere');
    const two = await start();
    assert.notEqual(two.token, s.token);
  });

  test('403 without the token: page, stream, files, and a wrong token of the same length', async () => {
    const s = await start();
    const origin = new URL(s.url).origin;
    const wrong = s.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const path of ['/', '/events', '/favicon.ico', `/${wrong}/`, `/${wrong}/events`, `/${wrong}/files/x.html`, `/x${s.token}/`]) {
      const res = await get(origin + path);
      assert.equal(res.status, 403, path);
      assert.match(res.body, /needs the URL with its token/, path);
    }
    const stream = await openStream(`${origin}/${wrong}/events`);
    assert.equal(stream.status, 403);
    assert.doesNotMatch(String(stream.headers['content-type']), /event-stream/);
    assert.equal((await get(`${origin}/${s.token}`)).status, 308, 'the token without its slash redirects to the page');
    assert.equal((await get(`${s.url}nope`)).status, 404);
    assert.equal((await get(`${s.url}files/none.html`)).status, 404);
    assert.equal((await get(s.url, 'POST')).status, 405);
  });

  test('the stream replays past events to a late client, then sends new ones live, with ids', async () => {
    const s = await start();
    s.publish('run-start', { runId: 'r1' }, 'pinned');
    s.publish('sample', { t: 1 });
    s.publish('sample', { t: 2 });
    const stream = await openStream(`${s.url}events`);
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    await stream.waitFor((e) => e.id === '3', 'the replayed third event');
    assert.deepEqual(stream.events.map((e) => [e.id, e.event]), [['1', 'run-start'], ['2', 'sample'], ['3', 'sample']]);
    assert.deepEqual(JSON.parse(stream.events[0]!.data), { runId: 'r1' });
    assert.equal(stream.retry, 1000);
    s.publish('phase', { phase: 'method' }, 'pinned');
    const live = await stream.waitFor((e) => e.event === 'phase', 'the live phase event');
    assert.equal(live.id, '4');
    stream.close();
  });

  test('a client reconnecting with Last-Event-ID gets only what it missed', async () => {
    const s = await start();
    for (let i = 1; i <= 5; i++) s.publish('sample', { i });
    const stream = await openStream(`${s.url}events`, { 'last-event-id': '3' });
    await stream.waitFor((e) => e.id === '5', 'event 5');
    assert.deepEqual(stream.events.map((e) => e.id), ['4', '5']);
    stream.close();
  });

  test('a replay that reaches past the bounded buffer starts with a gap event', async () => {
    const s = await start({ store: new EventStore(2) });
    for (let i = 1; i <= 5; i++) s.publish('sample', { i });
    const stream = await openStream(`${s.url}events`);
    await stream.waitFor((e) => e.id === '5', 'event 5');
    assert.deepEqual(stream.events.map((e) => e.id ?? e.event), ['gap', '4', '5']);
    stream.close();
  });

  test('heartbeats keep an idle stream open; close() sends bye, ends every stream and stops listening', async () => {
    const s = await DashboardServer.start({ mode: 'run', title: 't', heartbeatMs: 50 });
    const a = await openStream(`${s.url}events`);
    const b = await openStream(`${s.url}events`);
    while (!a.comments.includes('heartbeat')) await new Promise((r) => setTimeout(r, 20));
    await s.close('the run is over');
    await Promise.all([a.ended, b.ended]);
    for (const st of [a, b]) {
      const bye = st.events.at(-1)!;
      assert.equal(bye.event, 'bye');
      assert.equal(bye.id, undefined, 'bye is not stored: a later page would not see it');
      assert.deepEqual(JSON.parse(bye.data), { reason: 'the run is over' });
    }
    await assert.rejects(get(s.url), /ECONNREFUSED/);
  });

  test('serves a registered report file under the token, and nothing else from disk', async () => {
    const { path: dir, cleanup } = await tempDir();
    try {
      const s = await start();
      const file = join(dir, 'report.html');
      await writeFile(file, '<!doctype html><title>report</title><p>the report');
      const link = s.addFile('run-1.html', file);
      assert.equal(link, 'files/run-1.html');
      const res = await get(s.url + link);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /the report/);
      assert.equal((await get(`${s.url}files/..%2Freport.html`)).status, 404);
      assert.equal((await get(`${new URL(s.url).origin}/files/run-1.html`)).status, 403);
    } finally {
      await cleanup();
    }
  });
});
