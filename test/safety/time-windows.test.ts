import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outsideWindows } from '../../src/safety/time-windows.js';

// 2026-11-02 is a Monday; 2026-12-01 a Tuesday.
const at = (iso: string) => new Date(iso);

describe('time windows', () => {
  const weekdaysOfficeHours = { allow: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[], from: '09:00', to: '17:00' }], timezone: 'UTC' };

  test('no windows: always allowed', () => {
    assert.equal(outsideWindows(undefined, at('2026-11-01T03:00:00Z')), undefined);
  });

  test('weekdays 09:00-17:00: inside, before, at the exclusive end, on a weekend', () => {
    assert.equal(outsideWindows(weekdaysOfficeHours, at('2026-11-02T09:00:00Z')), undefined);
    assert.equal(outsideWindows(weekdaysOfficeHours, at('2026-11-02T16:59:00Z')), undefined);
    assert.match(outsideWindows(weekdaysOfficeHours, at('2026-11-02T08:59:00Z'))!, /mon 2026-11-02 08:59 UTC is outside the allowed time windows \(mon,tue,wed,thu,fri 09:00-17:00\)/);
    assert.ok(outsideWindows(weekdaysOfficeHours, at('2026-11-02T17:00:00Z')));
    assert.ok(outsideWindows(weekdaysOfficeHours, at('2026-11-01T12:00:00Z')), 'Sunday');
  });

  test('deny wins over allow: never on the first day of the month', () => {
    const w = { ...weekdaysOfficeHours, deny: [{ daysOfMonth: [1] }] };
    assert.match(outsideWindows(w, at('2026-12-01T10:00:00Z'))!, /denied time window \(day 1 of the month\)/);
    assert.equal(outsideWindows(w, at('2026-12-02T10:00:00Z')), undefined);
  });

  test('a window across midnight, specific dates, and time zones', () => {
    const night = { allow: [{ from: '22:00', to: '06:00' }], timezone: 'UTC' };
    assert.equal(outsideWindows(night, at('2026-11-02T23:30:00Z')), undefined);
    assert.equal(outsideWindows(night, at('2026-11-03T05:59:00Z')), undefined);
    assert.ok(outsideWindows(night, at('2026-11-03T06:00:00Z')));
    assert.ok(outsideWindows({ deny: [{ dates: ['2026-12-24'] }], timezone: 'UTC' }, at('2026-12-24T12:00:00Z')));
    // 08:30 UTC is 09:30 in Berlin (CET, UTC+1 in November).
    const berlin = { ...weekdaysOfficeHours, timezone: 'Europe/Berlin' };
    assert.equal(outsideWindows(berlin, at('2026-11-02T08:30:00Z')), undefined);
    assert.ok(outsideWindows(weekdaysOfficeHours, at('2026-11-02T08:30:00Z')));
  });
});
