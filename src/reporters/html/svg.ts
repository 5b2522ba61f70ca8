/**
 * Inline SVG charts for the HTML report: no scripts, no network. Every chart shares the run's time
 * axis (seconds since the run started) and shades the fault windows. Data points carry a <title>,
 * so hovering shows the value.
 */
import { escapeHtml as esc } from '../text.js';

export interface Band {
  start: number;
  end: number;
  label: string;
}
export interface LinePoint {
  t: number;
  v: number;
}
export interface LineSeries {
  name: string;
  color: string;
  points: LinePoint[];
}
export interface Lane {
  name: string;
  segments: { start: number; end: number; ok: boolean; label: string }[];
}

const W = 960;
const M = { left: 128, right: 16, top: 22, bottom: 30 };
const PLOT_W = W - M.left - M.right;

interface Frame {
  x(t: number): number;
  domain: [number, number];
}

function frame(domain: [number, number]): Frame {
  const [d0, d1] = domain;
  const span = d1 - d0 || 1;
  return { domain, x: (t) => M.left + ((t - d0) / span) * PLOT_W };
}

/** Round tick steps: 1, 2, 5 × 10^n. */
export function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  if (!(raw > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

function xAxis(f: Frame, y: number): string {
  const [d0, d1] = f.domain;
  const step = niceStep((d1 - d0) / 1000, 10) * 1000;
  const parts = [`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/>`];
  for (let t = Math.ceil(d0 / step) * step; t <= d1 + 1e-9; t += step) {
    const x = f.x(t).toFixed(1);
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}"/><text class="tick-label" x="${x}" y="${y + 16}" text-anchor="middle">${fmtSeconds(t, step)}</text>`);
  }
  return parts.join('');
}

function fmtSeconds(t: number, step: number): string {
  const s = t / 1000;
  return `${step < 1000 ? s.toFixed(step < 100 ? 2 : 1) : s.toFixed(0)}s`;
}

function bands(f: Frame, list: Band[], top: number, bottom: number, labels: boolean): string {
  return list
    .map((b) => {
      const x0 = f.x(b.start);
      const w = Math.max(3, f.x(b.end) - x0);
      const title = `<title>${esc(b.label)}</title>`;
      const text = labels ? `<text class="band-label" x="${(x0 + 3).toFixed(1)}" y="${top + 10}">${esc(b.label)}</text>` : '';
      return `<g class="fault-band"><rect x="${x0.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${bottom - top}">${title}</rect>${text}</g>`;
    })
    .join('');
}

export function lineChart(o: { id: string; title: string; unit: (v: number) => string; series: LineSeries[]; domain: [number, number]; bands: Band[]; height?: number; yMax?: number }): string {
  const H = o.height ?? 220;
  const f = frame(o.domain);
  const bottom = H - M.bottom;
  const all = o.series.flatMap((s) => s.points.map((p) => p.v));
  const max = o.yMax ?? Math.max(1e-9, ...all);
  const step = niceStep(max, 4);
  const top = Math.ceil(max / step) * step || 1;
  const y = (v: number) => bottom - (v / top) * (bottom - M.top);
  const grid: string[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) {
    grid.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick-label" x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(o.unit(v))}</text>`);
  }
  const lines = o.series
    .map((s) => {
      const pts = s.points.map((p) => `${f.x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
      const dots = s.points
        .map((p) => `<circle class="pt" cx="${f.x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="2.2" fill="${s.color}"><title>${esc(`${s.name} at ${(p.t / 1000).toFixed(2)}s: ${o.unit(p.v)}`)}</title></circle>`)
        .join('');
      return `<g class="series" data-series="${esc(s.name)}" data-points="${s.points.length}"><polyline fill="none" stroke="${s.color}" stroke-width="1.6" points="${pts.join(' ')}"/>${dots}</g>`;
    })
    .join('');
  let lx = M.left + 8;
  const legend = o.series
    .map((s) => {
      const g = `<g transform="translate(${lx},${M.top - 8})"><rect width="10" height="10" y="-9" fill="${s.color}"/><text class="legend" x="14">${esc(s.name)}</text></g>`;
      lx += 24 + s.name.length * 6.2;
      return g;
    })
    .join('');
  return svg(o.id, o.title, H, `${grid.join('')}${bands(f, o.bands, M.top, bottom, false)}${lines}${xAxis(f, bottom)}${legend}`);
}

/** One row per series: green while healthy, red while failing, built from consecutive samples. */
export function laneChart(o: { id: string; title: string; lanes: Lane[]; domain: [number, number]; bands: Band[] }): string {
  const rowH = 22;
  const H = M.top + 14 + o.lanes.length * rowH + M.bottom;
  const f = frame(o.domain);
  const top = M.top + 14;
  const bottom = top + o.lanes.length * rowH;
  const rows = o.lanes
    .map((lane, i) => {
      const y = top + i * rowH;
      const segs = lane.segments
        .map((s) => {
          const x0 = f.x(s.start);
          const w = Math.max(1.5, f.x(s.end) - x0);
          return `<rect class="seg ${s.ok ? 'ok' : 'fail'}" x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}"><title>${esc(s.label)}</title></rect>`;
        })
        .join('');
      return `<g class="lane" data-lane="${esc(lane.name)}" data-segments="${lane.segments.length}"><text class="lane-label" x="${M.left - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(short(lane.name, 17))}<title>${esc(lane.name)}</title></text>${segs}</g>`;
    })
    .join('');
  return svg(o.id, o.title, H, `${rows}${bands(f, o.bands, M.top, bottom, true)}${xAxis(f, bottom)}`);
}

/** Horizontal bars (e.g. time to recover per service) with an optional expectation mark per bar. */
export function barChart(o: { id: string; title: string; unit: (v: number) => string; bars: { name: string; value: number | null; mark?: number; bad?: boolean; note?: string }[] }): string {
  const rowH = 26;
  const H = M.top + o.bars.length * rowH + M.bottom;
  const max = Math.max(1e-9, ...o.bars.flatMap((b) => [b.value ?? 0, b.mark ?? 0]));
  const step = niceStep(max, 5);
  const top = Math.ceil(max / step) * step;
  const x = (v: number) => M.left + (v / top) * (PLOT_W - 80);
  const bottom = M.top + o.bars.length * rowH;
  const rows = o.bars
    .map((b, i) => {
      const y = M.top + i * rowH;
      const label = `<text class="lane-label" x="${M.left - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(short(b.name, 17))}</text>`;
      const bar =
        b.value === null
          ? `<text class="bar-note" x="${x(0) + 4}" y="${y + rowH / 2 + 4}">${esc(b.note ?? '—')}</text>`
          : `<rect class="bar ${b.bad ? 'fail' : 'ok'}" x="${x(0)}" y="${y + 5}" width="${Math.max(1, x(b.value) - x(0)).toFixed(1)}" height="${rowH - 10}"><title>${esc(`${b.name}: ${o.unit(b.value)}`)}</title></rect><text class="bar-note" x="${(x(b.value) + 4).toFixed(1)}" y="${y + rowH / 2 + 4}">${esc(o.unit(b.value))}</text>`;
      const mark = b.mark === undefined ? '' : `<line class="mark" x1="${x(b.mark).toFixed(1)}" x2="${x(b.mark).toFixed(1)}" y1="${y + 2}" y2="${y + rowH - 2}"><title>${esc(`expected within ${o.unit(b.mark)}`)}</title></line>`;
      return `<g class="bar-row">${label}${bar}${mark}</g>`;
    })
    .join('');
  const ticks: string[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(`<text class="tick-label" x="${x(v).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${esc(o.unit(v))}</text>`);
  return svg(o.id, o.title, H, `${rows}<line class="axis" x1="${x(0)}" x2="${W - M.right}" y1="${bottom}" y2="${bottom}"/>${ticks.join('')}`);
}

/** A cascade: the fault at 0, then each service's first failure at its offset. */
export function cascadeChart(o: { id: string; title: string; steps: { name: string; offsetMs: number; state: string; root: boolean; explained: boolean | null }[] }): string {
  const rowH = 22;
  const H = M.top + 10 + (o.steps.length + 1) * rowH + M.bottom;
  const end = Math.max(1000, ...o.steps.map((s) => s.offsetMs)) * 1.1;
  const f = frame([0, end]);
  const bottom = H - M.bottom;
  const start = `<g class="step fault"><path d="M${f.x(0)},${M.top + 4} l6,7 l-6,7 l-6,-7 z"/><text class="lane-label" x="${f.x(0) + 10}" y="${M.top + 15}">fault injected</text></g>`;
  const steps = o.steps
    .map((s, i) => {
      const y = M.top + 10 + (i + 1) * rowH;
      const cls = s.root ? 'root' : s.explained === false ? 'unexplained' : 'explained';
      const note = s.explained === false ? ' — not explained by dependsOn' : '';
      const cx = f.x(s.offsetMs);
      const anchor = cx > W - 260 ? 'end' : 'start';
      const tx = anchor === 'end' ? cx - 9 : cx + 9;
      return `<g class="step ${cls}"><line class="guide" x1="${f.x(0)}" x2="${cx.toFixed(1)}" y1="${y}" y2="${y}"/><circle class="pt" cx="${cx.toFixed(1)}" cy="${y}" r="5"><title>${esc(`${s.name} ${s.state} at +${(s.offsetMs / 1000).toFixed(2)}s${note}`)}</title></circle><text class="lane-label" x="${tx.toFixed(1)}" y="${y + 4}" text-anchor="${anchor}">${esc(`${s.name} ${s.state} +${(s.offsetMs / 1000).toFixed(2)}s${note}`)}</text></g>`;
    })
    .join('');
  return svg(o.id, o.title, H, `${start}${steps}${xAxis(f, bottom)}`);
}

function svg(id: string, title: string, height: number, body: string): string {
  return `<svg class="chart" id="${esc(id)}" data-chart="${esc(id)}" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}</svg>`;
}

function short(s: string, n: number): string {
  return s.length <= n + 1 ? s : `${s.slice(0, n)}…`;
}
