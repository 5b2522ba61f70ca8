/**
 * The page script's system mode (`faultline dashboard --web`): the terminal dashboard's snapshot
 * drawn as cards — each service's state, health, restarts, CPU and memory, a lane of its health
 * over the last minutes — the open faults, the runs in progress and the last runs.
 */
export const CLIENT_SYSTEM = String.raw`
var WINDOW_MS = 5 * 60 * 1000;
var sys = { snapshot: null, health: {}, order: [], history: null };
connect({
  'snapshot': function (d) { sys.snapshot = d; },
  'health': function (d) {
    if (!sys.health[d.service]) { sys.health[d.service] = []; sys.order.push(d.service); }
    var pts = sys.health[d.service];
    pts.push([d.at, d.status === 'healthy']);
    while (pts.length && pts[0][0] < d.at - WINDOW_MS) pts.shift();
  },
  'history': function (d) { sys.history = d.runs; }
});
cards(['waiting', 'sys', 'services', 'health', 'faults', 'runs', 'history']);

var STATE_CLASS = { running: 'ok', paused: 'warn', restarting: 'warn', starting: 'warn', degraded: 'warn', exited: 'fail', 'OOM-killed': 'fail', dead: 'fail', missing: 'fail', 'not running': 'fail', unknown: 'warn' };
var HEALTH_CLASS = { healthy: 'ok', unhealthy: 'fail', waiting: 'warn', none: 'neutral' };
var RUN_CLASS = { held: 'ok', deviated: 'fail', aborted: 'warn', 'revert-failed': 'fail' };
function ago(iso) { return fmtMs(Date.now() - Date.parse(iso)); }

renderNow = function () {
  var snap = sys.snapshot;
  if (!snap) { add(card('waiting'), h('p', { 'class': 'empty', text: stream.closed ? 'The dashboard closed.' : 'Taking the first snapshot…' })); return; }
  hide('waiting');
  var name = snap.system.name || snap.system.file;
  document.getElementById('title').textContent = 'System: ' + name;
  document.title = name + ' · faultline live';
  var head = card('sys');
  head.appendChild(h('div', { 'class': 'meta', text: snap.services.length + ' service(s) · ' + snap.system.file + ' · state ' + snap.stateDir + ' · snapshot at ' + clock(Date.parse(snap.at)) + (snap.up ? ' · faultline up pid ' + snap.up.pid : '') }));
  snap.warnings.forEach(function (w) { head.appendChild(h('div', { 'class': 'warn', text: w })); });

  var el = card('services', 'Services');
  el.appendChild(h('div', { 'class': 'grid' }, snap.services.map(service)));

  var hl = card('health', 'Health, last 5 minutes');
  var now = Date.parse(snap.at), sc = scale(now - WINDOW_MS, now, width(hl), hl.clientWidth < 500 ? 78 : 110, now);
  var rows = sys.order.map(function (n) { return { name: n, label: n, points: sys.health[n] }; });
  var tickAgo = function (t) { var d = Math.round((now - t) / 1000); return d === 0 ? 'now' : d % 60 === 0 ? '-' + d / 60 + 'm' : '-' + d + 's'; };
  if (rows.length) hl.appendChild(attrs(lanes(sc, rows, { label: 'health per service', tickLabel: tickAgo }), { id: 'lanes-health' }));
  else hl.appendChild(h('p', { 'class': 'empty', text: 'No service has a health check.' }));

  var f = card('faults', 'Open faults');
  if (!snap.openFaults.length) f.appendChild(h('p', { 'class': 'empty', text: 'none' }));
  else f.appendChild(h('ul', { 'class': 'list' }, snap.openFaults.map(function (x) {
    return h('li', {}, [chip(x.applied ? 'open' : 'intent only', 'warn'), h('span', { 'class': 'grow', text: x.kind + ' on ' + x.service + ' (' + x.target + ')' }), h('span', { 'class': 'meta', text: 'run ' + x.runId + ' · ' + ago(x.since) + (x.runAlive ? '' : ' · its run is gone: faultline recover reverts it') + (x.lastError ? ' · ' + x.lastError : '') })]);
  })));

  var rn = card('runs', 'Runs in progress');
  if (!snap.runs.length) rn.appendChild(h('p', { 'class': 'empty', text: 'none' }));
  else rn.appendChild(h('ul', { 'class': 'list' }, snap.runs.map(function (x) {
    return h('li', {}, [chip('running', 'info'), h('span', { 'class': 'grow', text: x.title }), h('span', { 'class': 'meta', text: x.runId + ' · ' + x.file + ' · pid ' + x.pid + ' · ' + ago(x.startedAt) })]);
  })));

  var hs = card('history', 'Last runs');
  if (!sys.history || !sys.history.length) hs.appendChild(h('p', { 'class': 'empty', text: 'No run in the history yet.' }));
  else hs.appendChild(h('ul', { 'class': 'list' }, sys.history.map(function (x) {
    return h('li', { 'data-run': x.runId }, [chip(x.status, RUN_CLASS[x.status] || 'neutral'), h('span', { 'class': 'grow', text: x.title }),
      h('span', { 'class': 'meta', text: new Date(Date.parse(x.startedAt)).toLocaleString() + ' · ' + fmtMs(x.durationMs) + (x.timeToRecoverMs !== null ? ' · recovered in ' + fmtMs(x.timeToRecoverMs) : '') + (x.score !== null ? ' · score ' + x.score : '') }),
      x.report ? h('a', { href: x.report, target: '_blank', rel: 'noopener', text: 'report' }) : null]);
  })));
};

function service(v) {
  var stateText = v.state + (v.replicas ? ' ' + v.replicas.running + '/' + v.replicas.desired : '');
  var restarts = v.restarts.sinceStart + (v.restarts.total !== null ? ' (' + v.restarts.total + ')' : '');
  return h('div', { 'class': 'svc', 'data-service': v.name, 'data-state': v.state, 'data-health': v.health.status }, [
    h('div', {}, [h('span', { 'class': 'name', text: v.name }), ' ', h('span', { 'class': 'muted', text: v.kind })]),
    h('div', {}, [v.state === '-' ? null : chip(stateText, STATE_CLASS[v.state] || 'neutral'), ' ', chip(v.health.status === 'none' ? 'no health check' : v.health.status, HEALTH_CLASS[v.health.status] || 'neutral')]),
    h('dl', {}, [
      h('dt', { text: 'latency' }), h('dd', { text: v.health.latencyMs === null ? '-' : fmtMs(v.health.latencyMs) }),
      h('dt', { text: 'restarts' }), h('dd', { text: restarts }),
      h('dt', { text: 'CPU' }), h('dd', { text: v.cpuPercent === null ? '-' : v.cpuPercent.toFixed(1) + '%' }),
      h('dt', { text: 'memory' }), h('dd', { text: fmtBytes(v.memoryBytes) + (v.memoryLimitBytes !== null ? ' / ' + fmtBytes(v.memoryLimitBytes) : '') }),
      h('dt', { text: 'seen' }), h('dd', { text: v.health.observed || '-' }),
      v.detail ? h('dt', { text: 'detail' }) : null, v.detail ? h('dd', { text: v.detail }) : null
    ])
  ]);
}

setInterval(schedule, 5000);
renderNow();
`;
