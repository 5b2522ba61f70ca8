/**
 * Tolerances: does a probe result meet its expectation? Returns short observed/expected strings
 * for reports, e.g. observed `status 503 in 12ms`, expected `status 2xx`.
 *
 * Defaults: an http probe must answer 2xx, a command must exit 0, a tcp probe must connect.
 * The status / exit-code default applies unless the expectation names a status (exitCode) or
 * sets `ok: true`, so `{ ok: true }` accepts any response. `ok: false` means the call itself
 * must fail (nothing listening, no response in time); other checks are then ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import { formatDuration } from '../util/duration.js';
import { lookup, parseJsonPath } from './json-path.js';
import { probeKind } from './run-probe.js';
import type { Expectation, HealthCheckInput, JsonPathCheck, NumberTolerance, ProbeCall, ProbeKind, ProbeResult } from './types.js';

export interface Verdict {
  ok: boolean;
  observed: string;
  expected: string;
}

/** One check: passes (true) or says what it saw ('' when the result summary already shows it). */
interface Check {
  expected: string;
  test(result: ProbeResult): true | string;
}

interface Compiled {
  checks: Check[];
  expected: string;
}

const FAILS: Record<ProbeKind, string> = { http: 'no response', tcp: 'no connection', command: 'command does not complete', metrics: 'no metrics', prometheus: 'no value', kubernetes: 'pods not Ready' };
const COMPLETES: Record<ProbeKind, string> = { http: 'any response', tcp: 'connects', command: 'command exits', metrics: 'metrics scraped', prometheus: 'a value', kubernetes: 'all pods Ready' };

export function evaluate(call: ProbeCall, result: ProbeResult, expect?: Expectation): Verdict {
  const kind = probeKind(call);
  const observed = summarize(kind, result);
  if (expect?.ok === false) return { ok: !result.ok, observed, expected: FAILS[kind] };
  const { checks, expected } = compiled(kind, expect);
  if (!result.ok) return { ok: false, observed, expected };
  let details: string[] | undefined;
  for (const check of checks) {
    const seen = check.test(result);
    if (seen === true) continue;
    (details ??= []);
    if (seen) details.push(seen);
  }
  if (!details) return { ok: true, observed, expected };
  return { ok: false, observed: details.length ? `${observed}, ${details.join(', ')}` : observed, expected };
}

/** The expectation as a report would print it. */
export function describeExpectation(call: ProbeCall, expect?: Expectation): string {
  const kind = probeKind(call);
  return expect?.ok === false ? FAILS[kind] : compiled(kind, expect).expected;
}

/** A system health check as a probe call and its expectation. */
export function healthToProbe(health: HealthCheckInput): { call: ProbeCall; expect?: Expectation } {
  const call: ProbeCall = {};
  if (health.http !== undefined) call.http = health.http;
  if (health.tcp !== undefined) call.tcp = health.tcp;
  if (health.command !== undefined) call.command = health.command;
  if (health.metrics !== undefined) call.metrics = health.metrics;
  if (health.prometheus !== undefined) call.prometheus = health.prometheus;
  if (health.kubernetes !== undefined) call.kubernetes = health.kubernetes;
  if (health.timeout !== undefined) call.timeout = health.timeout;
  const expect: Expectation = {};
  if (health.expectStatus !== undefined) expect.status = health.expectStatus;
  if (health.body !== undefined) expect.body = health.body;
  if (health.expectExitCode !== undefined) expect.exitCode = health.expectExitCode;
  return Object.keys(expect).length ? { call, expect } : { call };
}

function summarize(kind: ProbeKind, r: ProbeResult): string {
  const took = formatDuration(r.latencyMs);
  if (!r.ok) {
    const error = r.error ?? 'failed';
    const why = error.startsWith('timeout') ? error : `${error} after ${took}`;
    return r.status !== undefined ? `status ${r.status}, then ${why}` : why;
  }
  if (kind === 'http') return `status ${r.status ?? '?'} in ${took}`;
  if (kind === 'tcp') return `connected in ${took}`;
  if (kind === 'metrics') return describeReading(r, took);
  if (kind === 'kubernetes') return `${r.stdout ?? 'all pods Ready'} in ${took}`;
  if (kind === 'prometheus') return r.promql ? `value ${formatNumber(r.promql.value)}${r.promql.series > 1 ? ` (${r.promql.series} series)` : ''} in ${took}` : `answered in ${took}`;
  return r.exitCode !== undefined ? `exit ${r.exitCode} in ${took}` : `killed by ${r.signal ?? 'signal'} in ${took}`;
}

// Compiled checks are cached per expectation object: watchers evaluate the same one every interval.
const cache = new WeakMap<Expectation, Partial<Record<ProbeKind, Compiled>>>();
const defaults: Partial<Record<ProbeKind, Compiled>> = {};

function compiled(kind: ProbeKind, expect: Expectation | undefined): Compiled {
  let byKind = expect ? cache.get(expect) : defaults;
  if (!byKind) cache.set(expect!, (byKind = {}));
  return (byKind[kind] ??= compile(kind, expect ?? {}));
}

function compile(kind: ProbeKind, e: Expectation): Compiled {
  const checks: Check[] = [];
  const status = e.status ?? (kind === 'http' && e.ok === undefined ? '2xx' : undefined);
  if (status !== undefined) checks.push(statusCheck(status));
  if (e.body !== undefined) checks.push(regexCheck('body', e.body, (r) => r.body));
  if (e.json !== undefined) checks.push(jsonCheck(Array.isArray(e.json) ? e.json : [e.json]));
  const exitCode = e.exitCode ?? (kind === 'command' && e.ok === undefined ? 0 : undefined);
  if (exitCode !== undefined) checks.push(exitCheck(exitCode));
  if (e.stdout !== undefined) checks.push(regexCheck('stdout', e.stdout, (r) => r.stdout));
  if (kind === 'metrics') {
    // Without a value or increase tolerance (and without ok: true) the metric must be there.
    if (e.value === undefined && e.increase === undefined && e.ok === undefined) checks.push(presentCheck());
    if (e.value !== undefined) checks.push(valueCheck(e.value));
    if (e.increase !== undefined) checks.push(increaseCheck(e.increase));
  }
  // A prometheus probe that completed has a value (no value is a failed call); value bounds it.
  if (kind === 'prometheus' && e.value !== undefined) checks.push(valueCheck(e.value));
  if (e.latency) checks.push(latencyCheck(e.latency));
  const expected = checks.length ? checks.map((c) => c.expected).join(', ') : COMPLETES[kind];
  return { checks, expected };
}

function statusCheck(status: number | number[] | string): Check {
  if (typeof status === 'string') {
    const digit = Number(status[0]);
    return { expected: `status ${status}`, test: (r) => (r.status !== undefined && Math.floor(r.status / 100) === digit) || '' };
  }
  const allowed = Array.isArray(status) ? status : [status];
  return { expected: `status ${allowed.join(' or ')}`, test: (r) => (r.status !== undefined && allowed.includes(r.status)) || '' };
}

function exitCheck(exitCode: number | number[]): Check {
  const allowed = Array.isArray(exitCode) ? exitCode : [exitCode];
  return { expected: `exit ${allowed.join(' or ')}`, test: (r) => (r.exitCode !== undefined && allowed.includes(r.exitCode)) || '' };
}

function latencyCheck({ min, max }: { min?: number; max?: number }): Check {
  const expected =
    min !== undefined && max !== undefined
      ? `latency ${formatDuration(min)}..${formatDuration(max)}`
      : max !== undefined
        ? `latency <= ${formatDuration(max)}`
        : `latency >= ${formatDuration(min ?? 0)}`;
  return { expected, test: (r) => ((min === undefined || r.latencyMs >= min) && (max === undefined || r.latencyMs <= max)) || '' };
}

function describeReading(r: ProbeResult, took: string): string {
  const m = r.metric;
  if (!m) return `scraped in ${took}`;
  const value = m.series === 0 && m.value === undefined ? 'no series' : `= ${formatNumber(m.value)}${m.series === 1 ? '' : ` (${m.series} series)`}`;
  const increase = !m.baseline && m.increase !== 0 ? `, +${formatNumber(m.increase)} since the baseline` : '';
  return `${m.query} ${value}${increase} in ${took}`;
}

function formatNumber(n: number | undefined): string {
  if (n === undefined) return '?';
  return Number.isInteger(n) || !Number.isFinite(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function presentCheck(): Check {
  return { expected: 'metric present', test: (r) => (r.metric !== undefined && r.metric.series > 0) || '' };
}

function describeTolerance(what: string, t: NumberTolerance): string {
  if (t.equals !== undefined) return `${what} = ${t.equals}`;
  if (t.min !== undefined && t.max !== undefined) return `${what} in [${t.min}, ${t.max}]`;
  return t.min !== undefined ? `${what} >= ${t.min}` : `${what} <= ${t.max}`;
}

function within(n: number, t: NumberTolerance): boolean {
  return (t.equals === undefined || n === t.equals) && (t.min === undefined || n >= t.min) && (t.max === undefined || n <= t.max);
}

function valueCheck(t: NumberTolerance): Check {
  return {
    expected: describeTolerance('value', t),
    test: (r) => {
      const value = r.metric?.value ?? r.promql?.value;
      return (value !== undefined && within(value, t)) || '';
    },
  };
}

/** The scrape that sets the baseline passes: nothing can have grown yet (the run's first scrape, or the check before the method). */
function increaseCheck(t: NumberTolerance): Check {
  return {
    expected: describeTolerance('increase', t),
    test: (r) => {
      if (r.metric === undefined) return '';
      if (r.metric.baseline || within(r.metric.increase, t)) return true;
      return r.metric.increase === 0 ? 'no increase since the baseline' : '';
    },
  };
}

function regexCheck(what: 'body' | 'stdout', source: string, pick: (r: ProbeResult) => string | undefined): Check {
  const re = new RegExp(source);
  return {
    expected: `${what} matching /${source}/`,
    test: (r) => {
      const text = pick(r);
      return text === undefined ? `no ${what}` : re.test(text) || `${what} ${quote(text)}`;
    },
  };
}

function jsonCheck(specs: JsonPathCheck[]): Check {
  const parts = specs.map((spec) => ({ spec, path: parseJsonPath(spec.path), re: spec.matches === undefined ? undefined : new RegExp(spec.matches) }));
  return {
    expected: specs.map(describeJson).join(', '),
    test: (r) => {
      let doc: unknown;
      try {
        doc = JSON.parse(r.body ?? '');
      } catch {
        return `body not JSON ${quote(r.body ?? '')}`;
      }
      const seen: string[] = [];
      for (const { spec, path, re } of parts) {
        const { found, value } = lookup(doc, path);
        const exists = spec.exists ?? (spec.equals === undefined && spec.range === undefined && !re ? true : undefined);
        const pass =
          (exists === undefined || exists === found) &&
          (found || exists === false) &&
          (spec.equals === undefined || isDeepStrictEqual(value, spec.equals)) &&
          (spec.range === undefined || (typeof value === 'number' && value >= spec.range[0] && value <= spec.range[1])) &&
          (!re || re.test(typeof value === 'string' ? value : JSON.stringify(value) ?? ''));
        if (!pass) seen.push(found ? `${spec.path} = ${quote(JSON.stringify(value) ?? 'undefined', false)}` : `${spec.path} absent`);
      }
      return seen.length === 0 || seen.join(', ');
    },
  };
}

function describeJson(spec: JsonPathCheck): string {
  const parts: string[] = [];
  if (spec.exists === false) parts.push('absent');
  if (spec.equals !== undefined) parts.push(`= ${JSON.stringify(spec.equals)}`);
  if (spec.range) parts.push(`in [${spec.range[0]}, ${spec.range[1]}]`);
  if (spec.matches !== undefined) parts.push(`matching /${spec.matches}/`);
  if (parts.length === 0) parts.push('present');
  return `${spec.path} ${parts.join(' and ')}`;
}

/** Short enough for a report line. */
function quote(text: string, json = true): string {
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return json ? JSON.stringify(cut) : cut;
}
