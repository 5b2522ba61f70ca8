/**
 * The page script's shared part: DOM and SVG helpers, formatting, the event stream, the redraw
 * scheduler and the two chart kinds (lanes of ok/fail dots, line charts) both modes draw. Plain
 * browser JavaScript in a string (served inline); no template literals in it, since it lives in one.
 */
export const CLIENT_COMMON = String.raw`
var SVGNS = 'http://www.w3.org/2000/svg';
var app = document.getElementById('app');
var connEl = document.getElementById('conn');

function add(e, kids) {
  if (kids === null || kids === undefined || kids === false) return e;
  if (!Array.isArray(kids)) kids = [kids];
  kids.forEach(function (k) {
    if (k === null || k === undefined || k === false) return;
    e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
  });
  return e;
}
function attrs(e, a) {
  Object.keys(a || {}).forEach(function (k) {
    var v = a[k];
    if (v === null || v === undefined) return;
    if (k === 'text') e.textContent = String(v); else e.setAttribute(k, String(v));
  });
  return e;
}
function h(tag, a, kids) { return add(attrs(document.createElement(tag), a), kids); }
function s(tag, a, kids) { return add(attrs(document.createElementNS(SVGNS, tag), a), kids); }

/** Makes the view's cards, hidden, in the order they appear on the page. */
function cards(ids) { ids.forEach(function (id) { app.appendChild(h('section', { id: id, 'class': 'card', hidden: '' })); }); }
/** The card with this id, shown, emptied, with its heading. */
function card(id, title, extraClass) {
  var el = document.getElementById(id);
  el.hidden = false;
  el.className = 'card' + (extraClass ? ' ' + extraClass : '');
  el.textContent = '';
  if (title) el.appendChild(h('h2', { text: title }));
  return el;
}
function hide(id) { var el = document.getElementById(id); if (el) el.hidden = true; }

function fmtMs(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '-';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  var m = Math.floor(ms / 60000), sec = Math.round((ms % 60000) / 1000);
  return m + 'm ' + (sec < 10 ? '0' : '') + sec + 's';
}
function fmtBytes(b) {
  if (b === null || b === undefined) return '-';
  var u = ['B', 'KiB', 'MiB', 'GiB'], i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return b.toFixed(i ? 1 : 0) + ' ' + u[i];
}
function clock(ms) { var d = new Date(ms); return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }); }
function chip(text, cls) { return h('span', { 'class': 'chip ' + cls, text: text }); }

var pending = false;
var renderNow = function () {};
function schedule() {
  if (pending) return;
  pending = true;
  setTimeout(function () { pending = false; renderNow(); }, 120);
}
window.addEventListener('resize', schedule);

var stream = { closed: false, gap: false };
function setConn(cls, text) { connEl.className = 'conn ' + cls; connEl.textContent = text; }
/** Subscribes the handlers (event type → function(data)) to the page's event stream. */
function connect(handlers) {
  var es = new EventSource('events');
  es.onopen = function () { setConn('live', 'live'); };
  es.onerror = function () { if (!stream.closed) setConn('lost', 'reconnecting…'); };
  Object.keys(handlers).forEach(function (type) {
    es.addEventListener(type, function (m) {
      var data;
      try { data = JSON.parse(m.data); } catch (err) { return; }
      handlers[type](data);
      if (m.lastEventId) document.body.setAttribute('data-last-event-id', m.lastEventId);
      schedule();
    });
  });
  es.addEventListener('gap', function () { stream.gap = true; schedule(); });
  es.addEventListener('bye', function (m) {
    stream.closed = true;
    es.close();
    var reason = 'closed';
    try { reason = JSON.parse(m.data).reason || reason; } catch (err) { /* keep the default */ }
    setConn('closed', reason);
    schedule();
  });
}

/** Round tick steps for an axis spanning span (ms). */
function tickStep(span, pixels) {
  var want = span / Math.max(2, Math.floor(pixels / 70));
  var steps = [1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000];
  for (var i = 0; i < steps.length; i++) if (steps[i] >= want) return steps[i];
  return steps[steps.length - 1];
}

/** The x axis shared by every chart of a view; ticks fall on multiples of a step from align (default 0). */
function scale(t0, t1, width, gutter, align) {
  var span = Math.max(1000, t1 - t0), plot = Math.max(40, width - gutter - 8);
  return { t0: t0, t1: t0 + span, align: align || 0, gutter: gutter, plot: plot, width: width, x: function (t) { return gutter + ((t - t0) / span) * plot; } };
}

function axis(sc, y, label) {
  var g = s('g', { 'class': 'x-axis' });
  g.appendChild(s('line', { 'class': 'axis', x1: sc.gutter, x2: sc.gutter + sc.plot, y1: y, y2: y }));
  var step = tickStep(sc.t1 - sc.t0, sc.plot);
  for (var t = sc.align + Math.ceil((sc.t0 - sc.align) / step) * step; t <= sc.t1; t += step) {
    var x = sc.x(t);
    g.appendChild(s('line', { 'class': 'axis', x1: x, x2: x, y1: y, y2: y + 4 }));
    g.appendChild(s('text', { x: x, y: y + 15, 'text-anchor': 'middle', text: label(t) }));
  }
  return g;
}

/**
 * Lanes of ok/fail results: one row per lane, results binned to a few pixels (a failed result
 * in a bin colours it), so a long run stays a light SVG.
 */
function lanes(sc, rows, o) {
  var rowH = 20, top = 4, height = top + rows.length * rowH + 22, bin = 4;
  var svg = s('svg', { viewBox: '0 0 ' + sc.width + ' ' + height, width: sc.width, height: height, role: 'img', 'aria-label': o.label });
  (o.bands || []).forEach(function (b) {
    svg.appendChild(s('rect', { 'class': 'band', x: sc.x(b[0]), y: 0, width: Math.max(2, sc.x(b[1]) - sc.x(b[0])), height: height - 22 }));
  });
  rows.forEach(function (row, i) {
    var y = top + i * rowH + rowH / 2;
    var g = s('g', { 'class': 'lane', 'data-lane': row.name });
    g.appendChild(s('text', { 'class': 'lane', x: 0, y: y + 4, text: cut(row.label, sc.gutter) }, s('title', { text: row.label })));
    g.appendChild(s('line', { 'class': 'axis', x1: sc.gutter, x2: sc.gutter + sc.plot, y1: y, y2: y }));
    var bins = {};
    row.points.forEach(function (p) {
      var k = Math.floor((sc.x(p[0]) - sc.gutter) / bin);
      if (!(k in bins)) bins[k] = p[1]; else bins[k] = bins[k] && p[1];
    });
    Object.keys(bins).forEach(function (k) {
      var ok = bins[k];
      g.appendChild(s('rect', { 'class': ok ? 'dot ok' : 'dot fail', x: sc.gutter + Number(k) * bin, y: y - 5, width: bin - 1, height: 10, rx: 1 }));
    });
    svg.appendChild(g);
  });
  svg.appendChild(axis(sc, height - 20, o.tickLabel));
  return svg;
}

/** A line chart: series of [t, value] on the shared x scale, its own y scale from 0. */
function lineChart(sc, series, o) {
  var height = 150, top = 8, bottom = 22, plotH = height - top - bottom;
  var max = 0;
  series.forEach(function (se) { se.points.forEach(function (p) { if (p[1] > max) max = p[1]; }); });
  max = max > 0 ? max * 1.1 : 1;
  var y = function (v) { return top + plotH - (v / max) * plotH; };
  var svg = s('svg', { id: o.id, viewBox: '0 0 ' + sc.width + ' ' + height, width: sc.width, height: height, role: 'img', 'aria-label': o.label });
  (o.bands || []).forEach(function (b) {
    svg.appendChild(s('rect', { 'class': 'band', x: sc.x(b[0]), y: top, width: Math.max(2, sc.x(b[1]) - sc.x(b[0])), height: plotH }));
  });
  [0, 0.5, 1].forEach(function (f) {
    var v = (max / 1.1) * f;
    svg.appendChild(s('line', { 'class': 'axis', x1: sc.gutter, x2: sc.gutter + sc.plot, y1: y(v), y2: y(v), 'stroke-dasharray': f ? '2 3' : null }));
    svg.appendChild(s('text', { x: sc.gutter - 4, y: y(v) + 4, 'text-anchor': 'end', text: o.yFmt(v) }));
  });
  series.forEach(function (se) {
    var g = s('g', { 'class': 'series', 'data-series': se.name });
    if (se.points.length > 0) {
      var d = se.points.map(function (p, i) { return (i ? 'L' : 'M') + sc.x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1); }).join(' ');
      g.appendChild(s('path', { d: d, fill: 'none', style: 'stroke:' + se.color, 'stroke-width': 1.6 }));
    }
    svg.appendChild(g);
  });
  svg.appendChild(axis(sc, height - bottom + 2, o.tickLabel));
  return svg;
}

/** A label cut to fit the chart's left gutter (11 px text). */
function cut(label, gutter) { var n = Math.max(4, Math.floor((gutter - 8) / 6.3)); return label.length > n ? label.slice(0, n - 1) + '…' : label; }

function legend(items) {
  return h('div', { 'class': 'legend' }, items.map(function (it) { return h('span', {}, [h('i', { style: 'background:' + it[1] }), it[0]]); }));
}
function width(el) { return Math.max(280, Math.floor((el.clientWidth || app.clientWidth || 360) - 2)); }
`;
