/**
 * The page script's run mode: follows `faultline run` (or each run of `faultline demo` in turn)
 * from its events — phases, faults on a timeline, a lane per service and per probe, load
 * throughput and latency, guardrails, checks, and at the end the verdict with the report's link.
 */
export const CLIENT_RUN = String.raw`
var runs = [];
var byId = {};
function runOf(id) {
  var r = byId[id];
  if (!r) {
    r = { id: id, info: null, phases: [], faults: {}, faultOrder: [], series: {}, seriesOrder: [], last: {}, load: [], guardrails: {}, guardrailOrder: [], checks: [], feed: [], end: null, lastT: 0, lastTAt: Date.now() };
    byId[id] = r;
    runs.push(r);
  }
  return r;
}
function seen(r, t) { if (t > r.lastT) { r.lastT = t; r.lastTAt = Date.now(); } }
function note(r, t, text, cls) { r.feed.push({ t: t, text: text, cls: cls || '' }); if (r.feed.length > 300) r.feed.shift(); }
function lane(r, series) { if (!r.series[series]) { r.series[series] = []; r.seriesOrder.push(series); } return r.series[series]; }
function guard(r, name) { if (!(name in r.guardrails)) { r.guardrails[name] = null; r.guardrailOrder.push(name); } }
function faultName(f) { return f.kind + ' ' + (f.service || f.target); }

connect({
  'run-start': function (d) {
    var r = runOf(d.runId);
    r.info = d;
    (d.services || []).forEach(function (n) { lane(r, 'service:' + n); });
    (d.probes || []).forEach(function (n) { lane(r, 'probe:' + n); });
    (d.guardrails || []).forEach(function (g) { guard(r, g); });
    note(r, 0, 'run ' + d.runId + ' started: ' + d.title);
  },
  'phase': function (d) { var r = runOf(d.runId); r.phases.push(d); seen(r, d.t); note(r, d.t, 'phase ' + d.phase, 'info'); },
  'fault': function (d) {
    var r = runOf(d.runId), before = r.faults[d.id];
    if (!before) { r.faultOrder.push(d.id); note(r, d.injectedT, 'injected ' + faultName(d) + (d.status === 'inject-failed' ? ' (failed: ' + (d.error || '') + ')' : ''), d.status === 'inject-failed' ? 'fail' : 'warn'); }
    if (d.revertedT !== undefined && (!before || before.revertedT === undefined)) note(r, d.revertedT, (d.status === 'revert-failed' ? 'REVERT FAILED ' : 'reverted ') + faultName(d), d.status === 'revert-failed' ? 'fail' : 'ok');
    r.faults[d.id] = d;
    seen(r, d.revertedT !== undefined ? d.revertedT : d.injectedT);
  },
  'sample': function (d) { var r = runOf(d.runId); lane(r, d.series).push([d.t, d.ok]); r.last[d.series] = d; seen(r, d.t + d.latencyMs); },
  'service-event': function (d) {
    var r = runOf(d.runId);
    var what = d.type === 'exit' ? 'exited' + (d.signal ? ' (' + d.signal + ')' : d.code !== undefined && d.code !== null ? ' (code ' + d.code + ')' : '') + (d.oom ? ', OOM-killed' : '') : d.type === 'spawn' ? (d.restart ? 'restarted' : 'started') + (d.pid ? ' (pid ' + d.pid + ')' : '') : d.type;
    note(r, d.t, d.service + ' ' + what, d.type === 'exit' ? 'fail' : 'info');
    seen(r, d.t);
  },
  'check': function (d) { var r = runOf(d.runId); r.checks.push(d); note(r, d.t, (d.ok ? 'held: ' : 'FAILED: ') + d.name, d.ok ? 'ok' : 'fail'); seen(r, d.t); },
  'load': function (d) { var r = runOf(d.runId); r.load.push(d); seen(r, d.t + d.durationMs); },
  'guardrail': function (d) {
    var r = runOf(d.runId), before = r.guardrails[d.guardrail];
    guard(r, d.guardrail);
    if (!before || before.status !== d.status) note(r, d.t, 'guardrail ' + d.status + ': ' + d.guardrail + (d.detail ? ' (' + d.detail + ')' : ''), d.status === 'breached' ? 'fail' : d.status === 'ok' ? 'ok' : 'warn');
    r.guardrails[d.guardrail] = d;
  },
  'log': function (d) { var r = runOf(d.runId); note(r, r.lastT, d.message); },
  'run-end': function (d) { var r = runOf(d.runId); r.end = d; seen(r, d.durationMs); note(r, d.durationMs, 'run ' + d.status, d.status === 'held' ? 'ok' : 'fail'); }
});

cards(['waiting', 'run', 'verdict', 'timeline', 'load', 'guardrails', 'checks', 'feed', 'session']);
var STATUS = { held: ['HELD', 'ok'], deviated: ['DEVIATED', 'fail'], aborted: ['ABORTED', 'warn'], 'revert-failed': ['REVERT FAILED', 'fail'] };
function current() { for (var i = runs.length - 1; i >= 0; i--) if (runs[i].info) return runs[i]; return null; }
function tNow(r) { return r.end ? r.end.durationMs : stream.closed ? r.lastT : r.lastT + (Date.now() - r.lastTAt); }
function secs(t) { return Math.round(t / 1000) + 's'; }
function faultEnd(f, now) { return f.revertedT !== undefined ? f.revertedT : f.status === 'active' ? now : f.appliedT !== undefined ? f.appliedT : f.injectedT; }

renderNow = function () {
  var r = current();
  if (!r) { add(card('waiting'), h('p', { 'class': 'empty', text: stream.closed ? 'The dashboard closed before a run started.' : 'Waiting for the run to start…' })); return; }
  hide('waiting');
  document.getElementById('title').textContent = r.info.title;
  document.title = r.info.title + ' · faultline live';
  var now = tNow(r);
  renderHead(r, now);
  renderVerdict(r);
  var el = card('timeline', 'Timeline');
  var sc = scale(0, Math.max(now, 10000), width(el), el.clientWidth < 500 ? 78 : 110);
  var bands = r.faultOrder.map(function (id) { var f = r.faults[id]; return [f.injectedT, faultEnd(f, now)]; });
  el.appendChild(events(r, sc, now));
  var svc = r.seriesOrder.filter(function (n) { return n.indexOf('service:') === 0; });
  var prb = r.seriesOrder.filter(function (n) { return n.indexOf('probe:') === 0; });
  var rows = function (names, prefix) { return names.map(function (n) { return { name: n, label: n.slice(prefix.length), points: r.series[n] }; }); };
  if (svc.length) { el.appendChild(h('div', { 'class': 'meta', text: 'Services: health checks (green ok, red failed)' })); el.appendChild(attrs(lanes(sc, rows(svc, 'service:'), { label: 'health checks per service', bands: bands, tickLabel: secs }), { id: 'lanes-services' })); }
  if (prb.length) { el.appendChild(h('div', { 'class': 'meta', text: 'Hypothesis probes' })); el.appendChild(attrs(lanes(sc, rows(prb, 'probe:'), { label: 'hypothesis probes', bands: bands, tickLabel: secs }), { id: 'lanes-probes' })); }
  renderLoad(r, sc, bands);
  renderGuardrails(r);
  renderChecks(r);
  renderFeed(r);
  renderSession();
};

function renderHead(r, now) {
  var el = card('run');
  var phase = r.phases.length ? r.phases[r.phases.length - 1].phase : 'starting';
  var running = !r.end && !stream.closed;
  el.appendChild(h('div', { 'class': 'meta' }, [
    running ? chip(phase, 'info') : r.end ? chip((STATUS[r.end.status] || [r.end.status])[0], (STATUS[r.end.status] || [0, 'neutral'])[1]) : chip('no end seen', 'warn'), ' ',
    h('span', { id: 'elapsed', text: fmtMs(now) }), ' · run ', h('code', { text: r.info.runId }), ' · ', r.info.experimentFile
  ]));
  var open = r.faultOrder.map(function (id) { return r.faults[id]; }).filter(function (f) { return f.status === 'active'; });
  el.appendChild(h('div', {}, open.length ? ['Faults active: '].concat(open.map(function (f) { return chip(faultName(f), 'warn'); })) : h('span', { 'class': 'muted', text: 'No fault active' })));
  if (stream.gap) el.appendChild(h('p', { 'class': 'meta', text: 'This page joined late: the oldest samples had left the replay buffer.' }));
}

function renderVerdict(r) {
  if (!r.end) return hide('verdict');
  var d = r.end, st = STATUS[d.status] || [d.status, 'neutral'];
  var el = card('verdict', 'Verdict', 'verdict ' + d.status);
  el.appendChild(h('div', { 'class': 'big ' + st[1], id: 'verdict-status', text: st[0] }));
  el.appendChild(h('div', { 'class': 'meta', text: 'exit code ' + d.exitCode + ' · ' + fmtMs(d.durationMs) + (d.score !== null && d.score !== undefined ? ' · score ' + d.score : '') + (d.timeToRecoverMs !== null && d.timeToRecoverMs !== undefined ? ' · time to recover ' + fmtMs(d.timeToRecoverMs) : '') }));
  if (d.reasons && d.reasons.length) el.appendChild(h('ul', {}, d.reasons.map(function (x) { return h('li', { text: x }); })));
  if (d.report) el.appendChild(h('a', { 'class': 'button', id: 'report-link', href: d.report, target: '_blank', rel: 'noopener', text: 'Open the HTML report' }));
  else el.appendChild(h('p', { 'class': 'meta', text: 'No HTML report was written for this run.' }));
}

/** Phases as a strip, then one row per fault: a bar from injection to revert (growing while active). */
function events(r, sc, now) {
  var rowH = 20, faults = r.faultOrder.map(function (id) { return r.faults[id]; }), height = rowH * (1 + faults.length) + 24;
  var svg = s('svg', { id: 'phases-faults', viewBox: '0 0 ' + sc.width + ' ' + height, width: sc.width, height: height, role: 'img', 'aria-label': 'phases and faults' });
  svg.appendChild(s('text', { 'class': 'lane', x: 0, y: 14, text: 'phase' }));
  r.phases.forEach(function (p, i) {
    var end = i + 1 < r.phases.length ? r.phases[i + 1].t : now, x = sc.x(p.t), w = Math.max(1, sc.x(end) - x - 1);
    svg.appendChild(s('rect', { 'class': 'phase ' + p.phase, 'data-phase': p.phase, x: x, y: 2, width: w, height: rowH - 4 }, s('title', { text: p.phase + ' from ' + fmtMs(p.t) })));
    if (w > p.phase.length * 6 + 6) svg.appendChild(s('text', { 'class': 'on-bar', x: x + 3, y: 14, text: p.phase }));
  });
  faults.forEach(function (f, i) {
    var y = rowH * (i + 1) + 2, x = sc.x(f.injectedT), w = Math.max(3, sc.x(faultEnd(f, now)) - x), label = faultName(f);
    svg.appendChild(s('text', { 'class': 'lane', x: 0, y: y + 12, text: cut(label, sc.gutter) }));
    svg.appendChild(s('rect', { 'class': 'fault-bar ' + f.status, 'data-fault': f.id, x: x, y: y, width: w, height: rowH - 6, rx: 2 }, s('title', { text: label + ': ' + f.status + ', from ' + fmtMs(f.injectedT) + (f.revertedT !== undefined ? ' to ' + fmtMs(f.revertedT) : '') })));
  });
  svg.appendChild(axis(sc, height - 20, secs));
  return svg;
}

function renderLoad(r, sc, bands) {
  if (!r.load.length) return hide('load');
  var el = card('load', 'Load');
  var mid = function (b) { return b.t + b.durationMs / 2; };
  var per = function (b, n) { return b.durationMs > 0 ? n / (b.durationMs / 1000) : 0; };
  var box = h('div');
  var tp = h('div', {}, [h('div', { 'class': 'meta', text: 'Throughput (requests/s)' })]);
  tp.appendChild(lineChart(sc, [
    { name: 'requests', color: 'var(--info)', points: r.load.map(function (b) { return [mid(b), per(b, b.requests)]; }) },
    { name: 'errors', color: 'var(--fail)', points: r.load.map(function (b) { return [mid(b), per(b, b.errors)]; }) }
  ], { id: 'chart-throughput', label: 'throughput', bands: bands, tickLabel: secs, yFmt: function (v) { return v >= 100 ? Math.round(v) : v.toFixed(1); } }));
  tp.appendChild(legend([['requests/s', 'var(--info)'], ['errors/s', 'var(--fail)']]));
  var withLat = r.load.filter(function (b) { return b.latencyMs; });
  var lat = h('div', {}, [h('div', { 'class': 'meta', text: 'Latency (ms)' })]);
  lat.appendChild(lineChart(sc, ['p50', 'p95', 'p99'].map(function (p) {
    return { name: p, color: 'var(--' + p + ')', points: withLat.map(function (b) { return [mid(b), b.latencyMs[p]]; }) };
  }), { id: 'chart-latency', label: 'latency percentiles', bands: bands, tickLabel: secs, yFmt: function (v) { return v >= 10 ? Math.round(v) : v.toFixed(1); } }));
  lat.appendChild(legend([['p50', 'var(--p50)'], ['p95', 'var(--p95)'], ['p99', 'var(--p99)']]));
  add(box, [tp, lat]);
  el.appendChild(box);
  var last = r.load[r.load.length - 1];
  el.appendChild(h('div', { 'class': 'meta', text: 'last second: ' + last.requests + ' requests, ' + last.errors + ' errors' + (last.latencyMs ? ', p95 ' + fmtMs(last.latencyMs.p95) : '') }));
}

function renderGuardrails(r) {
  var el = card('guardrails', 'Guardrails');
  if (!r.guardrailOrder.length) { el.appendChild(h('p', { 'class': 'empty', text: 'No guardrails in this experiment.' })); return; }
  el.appendChild(h('ul', { 'class': 'list' }, r.guardrailOrder.map(function (name) {
    var g = r.guardrails[name];
    var st = !g ? chip('watching', 'neutral') : chip(g.status, g.status === 'ok' ? 'ok' : g.status === 'breached' ? 'fail' : 'warn');
    return h('li', { 'data-guardrail': name, 'data-status': g ? g.status : 'watching' }, [st, h('span', { 'class': 'grow', text: name }),
      g && g.value !== undefined ? h('span', { 'class': 'meta', text: 'value ' + (Math.round(g.value * 1000) / 1000) }) : null,
      g && g.detail ? h('span', { 'class': 'meta', text: g.detail }) : null]);
  })));
}

function renderChecks(r) {
  if (!r.checks.length) return hide('checks');
  var el = card('checks', 'Checks');
  el.appendChild(h('ul', { 'class': 'list' }, r.checks.map(function (c) {
    return h('li', {}, [chip(c.ok ? '✓ held' : '✗ failed', c.ok ? 'ok' : 'fail'), h('span', { 'class': 'grow', text: c.name + ' (' + c.kind + ')' }), h('span', { 'class': 'meta', text: c.observed + ' · expected ' + c.expected })]);
  })));
}

function renderFeed(r) {
  // Follow the newest line unless the reader has scrolled up to read older ones.
  var old = document.getElementById('feed');
  var follow = !old || old.scrollTop + old.clientHeight >= old.scrollHeight - 4, top = old ? old.scrollTop : 0;
  var el = card('feed', 'Events');
  var box = h('div', { 'class': 'feed', id: 'feed' });
  r.feed.slice(-120).forEach(function (e) { box.appendChild(h('div', { 'class': e.cls, text: '+' + (e.t / 1000).toFixed(1) + 's  ' + e.text })); });
  el.appendChild(box);
  box.scrollTop = follow ? box.scrollHeight : top;
}

function renderSession() {
  var done = runs.filter(function (r) { return r.info; });
  if (done.length < 2) return hide('session');
  var el = card('session', 'Runs on this page');
  el.appendChild(h('ul', { 'class': 'list' }, done.map(function (r) {
    var st = r.end ? STATUS[r.end.status] || [r.end.status, 'neutral'] : [stream.closed ? 'no end seen' : 'running', 'info'];
    return h('li', { 'data-run': r.id }, [chip(st[0], st[1]), h('span', { 'class': 'grow', text: r.info.title }), r.end && r.end.report ? h('a', { href: r.end.report, target: '_blank', rel: 'noopener', text: 'report' }) : null]);
  })));
}

setInterval(function () { var r = current(); if (r && !r.end && !stream.closed) schedule(); }, 1000);
renderNow();
`;
