/**
 * A small inline SVG of one experiment's scores over its runs (oldest left, this run right and
 * ringed), on a fixed 0–100 scale so the rows of the trend table compare at a glance. Runs
 * without a score leave a gap. No script; each point's <title> names its run.
 */
import { escapeHtml as esc } from '../../reporters/text.js';
import type { ScorePoint } from './types.js';

const W = 220;
const H = 44;
const PAD = 6;

export function trendChart(id: string, title: string, points: readonly ScorePoint[]): string {
  const step = points.length > 1 ? (W - 2 * PAD) / (points.length - 1) : 0;
  const x = (i: number) => (points.length > 1 ? PAD + i * step : W / 2);
  const y = (score: number) => H - PAD - (Math.max(0, Math.min(100, score)) / 100) * (H - 2 * PAD);
  // One polyline per run of consecutive scored points: a run without a score breaks the line.
  const lines: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.score === null) {
      if (current.length > 1) lines.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.score).toFixed(1)}`);
  });
  if (current.length > 1) lines.push(current.join(' '));
  const dots = points
    .map((p, i) => {
      if (p.score === null) return '';
      const last = i === points.length - 1;
      return `<circle class="pt${last ? ' current' : ''} ${p.status}" cx="${x(i).toFixed(1)}" cy="${y(p.score).toFixed(1)}" r="${last ? 3.6 : 2.4}" data-score="${p.score}"><title>${esc(`run ${p.runId} (${p.startedAt}): score ${p.score}, ${p.status}${last ? ' — this run' : ''}`)}</title></circle>`;
    })
    .join('');
  const grid = [0, 50, 100].map((v) => `<line class="grid" x1="${PAD}" x2="${W - PAD}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`).join('');
  const polylines = lines.map((pts) => `<polyline fill="none" points="${pts}"/>`).join('');
  return `<svg class="trend" id="${esc(id)}" data-points="${points.length}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${grid}${polylines}${dots}</svg>`;
}

/** The day's scores in plan order: one bar per run on a fixed 0–100 scale, red where the run did not hold. */
export function dayScoresChart(id: string, title: string, runs: readonly { label: string; score: number | null; held: boolean }[]): string {
  const width = 960;
  const left = 220;
  const right = 56;
  const rowH = 24;
  const top = 8;
  const height = top + runs.length * rowH + 24;
  const x = (v: number) => left + (Math.max(0, Math.min(100, v)) / 100) * (width - left - right);
  const rows = runs
    .map((r, i) => {
      const y = top + i * rowH;
      const label = `<text class="lane-label" x="${left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label)}<title>${esc(r.label)}</title></text>`;
      const bar =
        r.score === null
          ? `<text class="bar-note" x="${left + 4}" y="${y + rowH / 2 + 4}">not scored</text>`
          : `<rect class="bar ${r.held ? 'ok' : 'fail'}" x="${left}" y="${y + 5}" width="${Math.max(1, x(r.score) - left).toFixed(1)}" height="${rowH - 10}" data-score="${r.score}"><title>${esc(`${r.label}: ${r.score}/100`)}</title></rect><text class="bar-note" x="${(x(r.score) + 4).toFixed(1)}" y="${y + rowH / 2 + 4}">${r.score}</text>`;
      return `<g class="bar-row">${label}${bar}</g>`;
    })
    .join('');
  const axisY = top + runs.length * rowH;
  const ticks = [0, 25, 50, 75, 100].map((v) => `<line class="tick" x1="${x(v)}" x2="${x(v)}" y1="${axisY}" y2="${axisY + 4}"/><text class="tick-label" x="${x(v)}" y="${axisY + 16}" text-anchor="middle">${v}</text>`).join('');
  return `<svg class="chart" id="${esc(id)}" data-chart="${esc(id)}" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${rows}<line class="axis" x1="${left}" x2="${x(100)}" y1="${axisY}" y2="${axisY}"/>${ticks}</svg>`;
}
