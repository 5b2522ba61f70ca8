/**
 * Allowed and denied time windows: "weekdays 09:00-17:00 only", "never on the first day of the
 * month". A moment is allowed when it matches some allow rule (or there are none) and no deny
 * rule. A rule matches when every field it sets matches; `from`/`to` are HH:MM, `to` exclusive,
 * and a window like 22:00-06:00 wraps midnight.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRule {
  days?: Weekday[];
  daysOfMonth?: number[];
  /** YYYY-MM-DD */
  dates?: string[];
  from?: string;
  to?: string;
}

export interface TimeWindows {
  allow?: TimeRule[];
  deny?: TimeRule[];
  /** An IANA time zone such as Europe/Berlin, or `UTC`; default: this machine's. */
  timezone?: string;
}

interface Moment {
  weekday: Weekday;
  dayOfMonth: number;
  date: string;
  minutes: number;
}

export function momentIn(date: Date, timezone?: string): Moment {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: get('weekday').toLowerCase().slice(0, 3) as Weekday,
    dayOfMonth: Number(get('day')),
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

function matches(rule: TimeRule, m: Moment): boolean {
  if (rule.days && !rule.days.includes(m.weekday)) return false;
  if (rule.daysOfMonth && !rule.daysOfMonth.includes(m.dayOfMonth)) return false;
  if (rule.dates && !rule.dates.includes(m.date)) return false;
  if (rule.from !== undefined || rule.to !== undefined) {
    const from = toMinutes(rule.from ?? '00:00');
    const to = rule.to === undefined ? 24 * 60 : toMinutes(rule.to);
    const inside = from <= to ? m.minutes >= from && m.minutes < to : m.minutes >= from || m.minutes < to;
    if (!inside) return false;
  }
  return true;
}

export function describeRule(rule: TimeRule): string {
  const parts: string[] = [];
  if (rule.days) parts.push(rule.days.join(','));
  if (rule.daysOfMonth) parts.push(`day ${rule.daysOfMonth.join(',')} of the month`);
  if (rule.dates) parts.push(rule.dates.join(','));
  if (rule.from !== undefined || rule.to !== undefined) parts.push(`${rule.from ?? '00:00'}-${rule.to ?? '24:00'}`);
  return parts.join(' ') || 'always';
}

/** Undefined when `date` is allowed; otherwise the reason it is not. */
export function outsideWindows(windows: TimeWindows | undefined, date: Date): string | undefined {
  if (!windows) return undefined;
  const m = momentIn(date, windows.timezone);
  const tz = windows.timezone ?? 'local time';
  const at = `${m.weekday} ${m.date} ${String(Math.floor(m.minutes / 60)).padStart(2, '0')}:${String(m.minutes % 60).padStart(2, '0')} ${tz}`;
  const denied = windows.deny?.find((r) => matches(r, m));
  if (denied) return `${at} is in a denied time window (${describeRule(denied)})`;
  if (windows.allow && windows.allow.length > 0 && !windows.allow.some((r) => matches(r, m))) {
    return `${at} is outside the allowed time windows (${windows.allow.map(describeRule).join('; ')})`;
  }
  return undefined;
}
