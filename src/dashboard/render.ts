/**
 * A snapshot as the lines of one frame: a header, a row per service, the open faults and the runs
 * in progress. Every line fits `width` columns and the frame fits `height` rows (the last row then
 * says how many were cut). Colour is applied after fitting, so escape codes never count as width
 * and never get cut in half.
 */
import type { FaultView, RunView, ServiceState, ServiceView, Snapshot } from './types.js';

export interface RenderOptions {
  /** Columns; Infinity: no limit (output to a file or pipe). */
  width: number;
  /** Rows; Infinity: no limit. */
  height: number;
  color: boolean;
}

type Style = 'green' | 'yellow' | 'red' | 'dim' | 'bold';
interface Segment {
  text: string;
  style?: Style;
}
type Line = Segment[];

const SGR: Record<Style, string> = { green: '32', yellow: '33', red: '31', dim: '2', bold: '1' };

export function renderFrame(snapshot: Snapshot, options: RenderOptions): string[] {
  const lines: Line[] = [header(snapshot), [], ...serviceTable(snapshot.services), [], ...faultLines(snapshot), [], ...runLines(snapshot)];
  for (const w of snapshot.warnings) lines.push([{ text: `! ${w}`, style: 'yellow' }]);
  return fitHeight(lines, options.height).map((line) => paint(fitWidth(line, options.width), options.color));
}

function header(s: Snapshot): Line {
  const name = s.system.name ?? s.system.file;
  const up = s.up ? `faultline up pid ${s.up.pid}` : 'no faultline up';
  return [{ text: 'faultline dashboard', style: 'bold' }, { text: ` · ${name} · ${s.at.slice(11, 19)} UTC · ${s.services.length} service(s) · ${up}` }];
}

const COLUMNS = [
  { title: 'KIND', width: 10 },
  { title: 'STATE', width: 14 },
  { title: 'HEALTH', width: 9 },
  { title: 'LATENCY', width: 7, right: true },
  { title: 'RESTARTS', width: 8 },
  { title: 'CPU', width: 6, right: true },
  { title: 'MEM', width: 9, right: true },
] as const;

function serviceTable(services: readonly ServiceView[]): Line[] {
  const nameWidth = Math.min(24, Math.max(7, ...services.map((s) => s.name.length)));
  const title: Line = [{ text: [pad('SERVICE', nameWidth), ...COLUMNS.map((c) => pad(c.title, c.width, 'right' in c)), 'DETAIL'].join('  '), style: 'dim' }];
  return [title, ...services.map((s) => serviceRow(s, nameWidth))];
}

function serviceRow(s: ServiceView, nameWidth: number): Line {
  const cells: Segment[] = [
    { text: pad(s.name, nameWidth) },
    { text: pad(s.kind, COLUMNS[0].width) },
    { text: pad(stateText(s), COLUMNS[1].width), ...styleOf(stateStyle(s.state)) },
    { text: pad(s.health.status === 'none' ? '-' : s.health.status, COLUMNS[2].width), ...styleOf(healthStyle(s.health.status)) },
    { text: pad(s.health.latencyMs === null ? '-' : formatMs(s.health.latencyMs), COLUMNS[3].width, true) },
    { text: pad(restartsText(s), COLUMNS[4].width), ...styleOf(s.restarts.sinceStart > 0 ? 'yellow' : undefined) },
    { text: pad(s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(1)}%`, COLUMNS[5].width, true) },
    { text: pad(memoryText(s), COLUMNS[6].width, true) },
    { text: detailText(s), style: 'dim' },
  ];
  const line: Line = [];
  cells.forEach((cell, i) => line.push(...(i === 0 ? [] : [{ text: '  ' }]), cell));
  return line;
}

function stateText(s: ServiceView): string {
  return s.replicas && s.state !== 'not running' ? `${s.state} ${s.replicas.running}/${s.replicas.desired}` : s.state;
}

/** Since the dashboard started, then the supervisor's own count in brackets. */
function restartsText(s: ServiceView): string {
  return s.restarts.total === null ? String(s.restarts.sinceStart) : `${s.restarts.sinceStart} (${s.restarts.total})`;
}

function memoryText(s: ServiceView): string {
  if (s.memoryBytes === null) return '-';
  return s.memoryLimitBytes === null ? formatBytes(s.memoryBytes) : `${formatBytes(s.memoryBytes)}/${formatBytes(s.memoryLimitBytes)}`;
}

function detailText(s: ServiceView): string {
  const parts = s.health.status === 'unhealthy' || s.health.status === 'waiting' ? [s.health.observed, s.detail] : [s.detail];
  return parts.filter(Boolean).join(' · ');
}

function healthStyle(status: ServiceView['health']['status']): Style | undefined {
  return status === 'healthy' ? 'green' : status === 'unhealthy' ? 'red' : status === 'waiting' ? 'yellow' : undefined;
}

function stateStyle(state: ServiceState): Style | undefined {
  switch (state) {
    case 'running':
      return 'green';
    case 'starting':
    case 'restarting':
    case 'paused':
    case 'degraded':
    case 'created':
      return 'yellow';
    case '-':
      return undefined;
    default:
      return 'red';
  }
}

function faultLines(s: Snapshot): Line[] {
  if (s.openFaults.length === 0) return [[{ text: 'OPEN FAULTS  none', style: 'dim' }]];
  return [[{ text: `OPEN FAULTS  ${s.openFaults.length}`, style: 'bold' }], ...s.openFaults.map((f) => faultLine(f, s.at))];
}

function faultLine(f: FaultView, at: string): Line {
  const line: Line = [{ text: `  ${f.kind}`, style: 'yellow' }, { text: ` on ${f.target} · run ${f.runId} · ${since(f.since, at)}${f.applied ? '' : ' · intent only (may not be in effect)'}` }];
  if (!f.runAlive) line.push({ text: ' · its run is gone: faultline recover reverts it', style: 'red' });
  if (f.lastError !== null) line.push({ text: ` · revert failed: ${f.lastError}`, style: 'red' });
  return line;
}

function runLines(s: Snapshot): Line[] {
  if (s.runs.length === 0) return [[{ text: 'RUNS IN PROGRESS  none', style: 'dim' }]];
  return [[{ text: `RUNS IN PROGRESS  ${s.runs.length}`, style: 'bold' }], ...s.runs.map((r) => runLine(r, s.at))];
}

function runLine(r: RunView, at: string): Line {
  const started = r.services.length > 0 ? ` · started ${r.services.join(', ')}` : '';
  return [{ text: `  ${r.runId}` }, { text: ` "${r.title}" · ${r.file} · pid ${r.pid} · ${since(r.startedAt, at)}${started}`, style: 'dim' }];
}

function fitHeight(lines: Line[], height: number): Line[] {
  if (lines.length <= height) return lines;
  const keep = Math.max(0, height - 1);
  return [...lines.slice(0, keep), [{ text: `… ${lines.length - keep} more line(s): enlarge the terminal`, style: 'dim' }]];
}

/** Cuts the line to `width` columns, ending it with … when something was cut. */
function fitWidth(line: Line, width: number): Line {
  const total = line.reduce((n, seg) => n + [...seg.text].length, 0);
  if (total <= width) return line;
  const out: Line = [];
  let room = Math.max(0, width - 1);
  for (const seg of line) {
    if (room === 0) break;
    const chars = [...seg.text];
    out.push({ ...seg, text: chars.slice(0, room).join('') });
    room -= Math.min(room, chars.length);
  }
  if (width > 0) out.push({ text: '…' });
  return out;
}

function paint(line: Line, color: boolean): string {
  return line.map((seg) => (color && seg.style && seg.text ? `\x1b[${SGR[seg.style]}m${seg.text}\x1b[0m` : seg.text)).join('').trimEnd();
}

function styleOf(style: Style | undefined): { style?: Style } {
  return style ? { style } : {};
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(1)}${units[unit]}`;
}

/** How long ago `from` was at `at`: 42s, 3m05s, 1h02m. */
function since(from: string, at: string): string {
  const s = Math.max(0, Math.round((Date.parse(at) - Date.parse(from)) / 1000));
  if (Number.isNaN(s)) return '?';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
