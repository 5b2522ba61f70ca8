import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDeadline } from '../../src/probes/deadline.js';

describe('startDeadline', () => {
  it('fires with a timeout reason', async () => {
    const d = startDeadline(30);
    await new Promise((resolve) => d.signal.addEventListener('abort', resolve));
    assert.equal(d.reason, 'timeout after 30ms');
    d.clear();
  });

  it('follows the caller signal and then lets go of it', () => {
    const outer = new AbortController();
    const d = startDeadline(10_000, outer.signal);
    outer.abort();
    assert.equal(d.signal.aborted, true);
    assert.equal(d.reason, 'aborted');
    d.clear();
  });

  it('does not fire after clear', async () => {
    const outer = new AbortController();
    const d = startDeadline(20, outer.signal);
    d.clear();
    outer.abort();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(d.signal.aborted, false);
  });
});
