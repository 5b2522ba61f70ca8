// The restart count a dashboard shows, over the sequences of frames seen on real engines and under
// faultline up (the frames here are those observations written out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartTracker } from '../../src/dashboard/restarts.js';

test('the first frame counts nothing, whatever the supervisor counted before', () => {
  const t = new RestartTracker();
  assert.equal(t.observe('web', [{ id: 'c1', restarts: 5, mark: 'started-1' }]), 0);
  assert.equal(t.observe('web', [{ id: 'c1', restarts: 5, mark: 'started-1' }]), 0);
});

test('a restart policy restart seen as the counter first, then the new start: one restart, not two', () => {
  const t = new RestartTracker();
  t.observe('web', [{ id: 'c1', restarts: 0, mark: 'started-1' }]);
  assert.equal(t.observe('web', [{ id: 'c1', restarts: 1, mark: 'started-1' }]), 1); // restarting: counter moved, not started yet
  assert.equal(t.observe('web', [{ id: 'c1', restarts: 1, mark: 'started-2' }]), 1);
});

test('restarts faster than the frames are counted by the counter', () => {
  const t = new RestartTracker();
  t.observe('web', [{ id: 'c1', restarts: 0, mark: 'started-1' }]);
  assert.equal(t.observe('web', [{ id: 'c1', restarts: 3, mark: 'started-4' }]), 3);
});

test('a restart no counter records (docker restart, a new pid) is counted by its mark', () => {
  const t = new RestartTracker();
  t.observe('api', [{ id: 'process', restarts: 0, mark: '100:5' }]);
  assert.equal(t.observe('api', [{ id: 'process', restarts: 0, mark: '' }]), 0); // down: no instance yet
  assert.equal(t.observe('api', [{ id: 'process', restarts: 0, mark: '200:9' }]), 1);
  assert.equal(t.observe('api', [{ id: 'process', restarts: 0, mark: '300:12' }]), 2);
});

test('a replacement container (a swarm task, a recreated compose container) is one restart', () => {
  const t = new RestartTracker();
  t.observe('svc', [
    { id: 't1', restarts: 0, mark: 'a' },
    { id: 't2', restarts: 0, mark: 'b' },
  ]);
  assert.equal(t.observe('svc', [{ id: 't2', restarts: 0, mark: 'b' }]), 0); // t1 killed, not replaced yet
  assert.equal(
    t.observe('svc', [
      { id: 't2', restarts: 0, mark: 'b' },
      { id: 't3', restarts: 0, mark: 'c' },
    ]),
    1,
  );
});

test('a service first seen without instances that then starts one has not restarted', () => {
  const t = new RestartTracker();
  t.observe('svc', []); // no container yet
  assert.equal(t.observe('svc', [{ id: 't1', restarts: 0, mark: 'a' }]), 0);
  assert.equal(t.observe('svc', [{ id: 't2', restarts: 0, mark: 'b' }]), 1); // t1 replaced
});

test('services are counted apart', () => {
  const t = new RestartTracker();
  t.observe('a', [{ id: 'x', restarts: 0, mark: '1' }]);
  t.observe('b', [{ id: 'x', restarts: 0, mark: '1' }]);
  assert.equal(t.observe('a', [{ id: 'x', restarts: 1, mark: '2' }]), 1);
  assert.equal(t.observe('b', [{ id: 'x', restarts: 0, mark: '1' }]), 0);
});
