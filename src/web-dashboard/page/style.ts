/** The page's style: plain colours readable in light and dark, one column on a phone. */
export const PAGE_STYLE = String.raw`
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --ok: #1a7f37; --fail: #cf222e; --warn: #9a6700; --info: #0969da; --fault: #bc4c00; --p50: #0969da; --p95: #8250df; --p99: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #161b22; --line: #3d444d;
    --ok: #3fb950; --fail: #f85149; --warn: #d29922; --info: #4493f8; --fault: #db6d28; --p50: #4493f8; --p95: #ab7df8; --p99: #f85149; }
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--fg); }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
.top { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 1; }
.brand { font-weight: 700; }
.muted { color: var(--muted); font-weight: 400; }
.conn { font-size: 13px; color: var(--muted); }
.conn.live::before { content: "● "; color: var(--ok); }
.conn.lost::before { content: "● "; color: var(--warn); }
.conn.closed::before { content: "● "; color: var(--muted); }
main { max-width: 1100px; margin: 0 auto; padding: 12px; }
h1 { font-size: 20px; margin: 4px 0 2px; }
h2 { font-size: 15px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
section.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 12px 0; min-width: 0; }
.meta { color: var(--muted); font-size: 13px; margin: 0 0 6px; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.ok { color: var(--ok); } .fail { color: var(--fail); } .warn { color: var(--warn); } .info { color: var(--info); } .neutral { color: var(--muted); }
.verdict { border-width: 2px; }
.verdict.held { border-color: var(--ok); } .verdict.deviated, .verdict.revert-failed { border-color: var(--fail); } .verdict.aborted { border-color: var(--warn); }
.verdict .big { font-size: 22px; font-weight: 800; }
a { color: var(--info); }
a.button { display: inline-block; margin-top: 6px; padding: 6px 12px; border: 1px solid var(--info); border-radius: 6px; text-decoration: none; font-weight: 600; }
ul.list { list-style: none; margin: 0; padding: 0; }
ul.list li { padding: 4px 0; border-top: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
ul.list li:first-child { border-top: 0; }
.grow { flex: 1 1 12em; min-width: 0; }
.feed { font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 16em; overflow-y: auto; }
.feed div { white-space: pre-wrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; }
.svc { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; background: var(--bg); min-width: 0; }
.svc .name { font-weight: 700; }
.svc dl { display: grid; grid-template-columns: auto 1fr; gap: 0 10px; margin: 6px 0 0; font-size: 13px; }
.svc dt { color: var(--muted); } .svc dd { margin: 0; min-width: 0; }
svg { display: block; width: 100%; height: auto; overflow: visible; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg text.lane { fill: var(--fg); }
svg .axis { stroke: var(--line); }
svg .band { fill: var(--fault); opacity: .12; }
svg .dot.ok { fill: var(--ok); } svg .dot.fail { fill: var(--fail); }
svg .fault-bar { fill: var(--fault); } svg .fault-bar.reverted { opacity: .55; } svg .fault-bar.revert-failed, svg .fault-bar.inject-failed { fill: var(--fail); }
svg .phase { fill: var(--muted); opacity: .3; } svg .phase.baseline { fill: var(--info); } svg .phase.steady-state-before, svg .phase.steady-state-after { fill: var(--p95); }
svg .phase.method { fill: var(--fault); } svg .phase.rollbacks { fill: var(--warn); } svg .phase.recovery { fill: var(--ok); }
svg text.on-bar { fill: var(--fg); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; color: var(--muted); margin-top: 4px; }
.legend i { display: inline-block; width: 12px; height: 3px; vertical-align: middle; margin-right: 4px; }
.empty { color: var(--muted); font-style: italic; }
`;
