/**
 * A parser for the Prometheus text exposition format (version 0.0.4, and the OpenMetrics text
 * that most exporters also accept): `# HELP` and `# TYPE` lines, other comments, samples with
 * labels (escapes `\\`, `\"`, `\n`), values including `+Inf`, `-Inf` and `NaN`, and optional
 * timestamps. Strict, as Prometheus is: a malformed line fails the whole scrape, with its line
 * number.
 */

export type Labels = Record<string, string>;

export interface PromSample {
  /** The series name as written (`http_requests_total`, `latency_seconds_bucket`). */
  name: string;
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestamp?: number;
}

export interface PromExposition {
  samples: PromSample[];
  /** `# TYPE` per metric family name. */
  types: Map<string, string>;
  /** `# HELP` per metric family name (unescaped). */
  help: Map<string, string>;
}

export class PromParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PromParseError';
  }
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const BLANK = /[ \t]*/y;

export function parsePrometheusText(text: string): PromExposition {
  const out: PromExposition = { samples: [], types: new Map(), help: new Map() };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      comment(trimmed, out, i + 1);
      continue;
    }
    out.samples.push(sampleLine(line, i + 1));
  }
  return out;
}

function comment(line: string, out: PromExposition, lineNo: number): void {
  const m = /^#[ \t]+(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/.exec(line);
  if (!m) return; // Any other comment, `# EOF` included.
  const [, keyword, name, rest = ''] = m;
  if (keyword === 'HELP') out.help.set(name!, unescapeHelp(rest));
  else {
    const type = rest.trim().toLowerCase();
    if (!/^(counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)$/.test(type)) {
      throw new PromParseError(lineNo, `unknown metric type ${JSON.stringify(rest.trim())} for ${name}`);
    }
    out.types.set(name!, type);
  }
}

function sampleLine(line: string, lineNo: number): PromSample {
  let pos = skip(line, 0);
  METRIC_NAME.lastIndex = pos;
  const nameMatch = METRIC_NAME.exec(line);
  if (!nameMatch) throw new PromParseError(lineNo, `expected a metric name, got ${JSON.stringify(line.slice(pos, pos + 20))}`);
  const name = nameMatch[0];
  pos = skip(line, METRIC_NAME.lastIndex);
  const labels: Labels = {};
  if (line[pos] === '{') pos = skip(line, labelSet(line, pos + 1, labels, lineNo));
  const rest = line.slice(pos).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') throw new PromParseError(lineNo, `expected a value after ${name}`);
  if (rest.length > 2) throw new PromParseError(lineNo, `unexpected text after the value of ${name}: ${JSON.stringify(rest.slice(2).join(' '))}`);
  const value = parseValue(rest[0]!);
  if (value === undefined) throw new PromParseError(lineNo, `expected a number, +Inf, -Inf or NaN as the value of ${name}, got ${JSON.stringify(rest[0])}`);
  const sample: PromSample = { name, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isFinite(ts)) throw new PromParseError(lineNo, `expected a timestamp (milliseconds) after the value of ${name}, got ${JSON.stringify(rest[1])}`);
    sample.timestamp = ts;
  }
  return sample;
}

/** Reads `name="value", …}` from pos (just after `{`); returns the position after `}`. */
function labelSet(line: string, pos: number, labels: Labels, lineNo: number): number {
  for (;;) {
    pos = skip(line, pos);
    if (line[pos] === '}') return pos + 1;
    LABEL_NAME.lastIndex = pos;
    const m = LABEL_NAME.exec(line);
    if (!m) throw new PromParseError(lineNo, `expected a label name or "}", got ${JSON.stringify(line.slice(pos, pos + 20))}`);
    const label = m[0];
    pos = skip(line, LABEL_NAME.lastIndex);
    if (line[pos] !== '=') throw new PromParseError(lineNo, `expected "=" after label ${label}`);
    pos = skip(line, pos + 1);
    if (line[pos] !== '"') throw new PromParseError(lineNo, `expected a quoted value for label ${label}`);
    let value = '';
    pos++;
    for (;;) {
      const c = line[pos];
      if (c === undefined) throw new PromParseError(lineNo, `unterminated value for label ${label}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[pos + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else if (next === undefined) throw new PromParseError(lineNo, `unterminated value for label ${label}`);
        else value += `\\${next}`; // Unknown escapes are kept as written, as Prometheus does.
        pos += 2;
        continue;
      }
      value += c;
      pos++;
    }
    if (Object.hasOwn(labels, label)) throw new PromParseError(lineNo, `label ${label} appears twice`);
    labels[label] = value;
    pos = skip(line, pos + 1);
    if (line[pos] === ',') {
      pos++;
      continue;
    }
    if (line[pos] === '}') return pos + 1;
    throw new PromParseError(lineNo, `expected "," or "}" after label ${label}`);
  }
}

function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function skip(line: string, pos: number): number {
  BLANK.lastIndex = pos;
  BLANK.exec(line);
  return BLANK.lastIndex;
}

/** The samples of one series name whose labels include every given label (a subset match). */
export function selectSamples(exposition: PromExposition, name: string, labels: Labels = {}): PromSample[] {
  const wanted = Object.entries(labels);
  return exposition.samples.filter((s) => s.name === name && wanted.every(([k, v]) => s.labels[k] === v));
}

/** `name{a="1",b="2"}` with labels sorted: a stable key for a series. */
export function seriesKey(name: string, labels: Labels): string {
  return `${name}${formatLabels(labels)}`;
}

export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}
