/** The HTML report's stylesheet (inline: the report is one file and loads nothing). */
export const CSS = `
:root { --bg:#fff; --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --card:#f6f8fa; --ok:#1a7f37; --fail:#cf222e; --warn:#9a6700; --band:rgba(191,135,0,.18); --grid:#eaeef2; --mark:#8250df; }
@media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --muted:#8d96a0; --line:#30363d; --card:#161b22; --ok:#3fb950; --fail:#f85149; --warn:#d29922; --band:rgba(210,153,34,.22); --grid:#21262d; --mark:#a371f7; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { font-size: 22px; margin: 0 0 4px; display:flex; gap:12px; align-items:center; flex-wrap:wrap; }
h2 { font-size: 17px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 4px; }
.muted, .run { color: var(--muted); }
.badge { font-size: 13px; font-weight: 700; padding: 2px 10px; border-radius: 999px; color: #fff; letter-spacing:.04em; }
.badge.held { background: var(--ok); } .badge.deviated, .badge.aborted, .badge.revert-failed { background: var(--fail); }
.reasons { margin: 8px 0 0; padding-left: 18px; color: var(--fail); }
.cards { display:grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin-top: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.card .value { font-size: 24px; font-weight: 700; }
.card .note { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass { color: var(--ok); font-weight: 700; } .fail-text { color: var(--fail); font-weight: 700; } .warn { color: var(--warn); }
.chart { display:block; margin: 6px 0 14px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
.chart text { fill: var(--fg); font-size: 11px; }
.chart .tick-label, .chart .legend { fill: var(--muted); }
.chart .axis, .chart .tick { stroke: var(--muted); stroke-width: 1; }
.chart .grid { stroke: var(--grid); stroke-width: 1; }
.chart .fault-band rect { fill: var(--band); }
.chart .band-label { fill: var(--warn); font-size: 10px; }
.chart .seg.ok, .chart .bar.ok { fill: var(--ok); } .chart .seg.fail, .chart .bar.fail { fill: var(--fail); }
.chart .mark { stroke: var(--mark); stroke-width: 2.5; }
.chart .guide { stroke: var(--line); stroke-dasharray: 3 3; }
.chart .step.root circle { fill: var(--fail); } .chart .step.explained circle { fill: var(--warn); } .chart .step.unexplained circle { fill: var(--mark); }
.chart .step.fault path { fill: var(--warn); }
.meter { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; width: 120px; display:inline-block; vertical-align: middle; margin-right: 8px; }
.meter span { display:block; height: 100%; background: var(--ok); }
.meter span.mid { background: var(--warn); } .meter span.low { background: var(--fail); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.cascade-summary { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; background: var(--card); padding: 6px 10px; border-radius: 6px; border: 1px solid var(--line); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;
