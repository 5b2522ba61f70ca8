/**
 * The live dashboard's page: one self-contained HTML document (inline style and script, no CDN,
 * no font, nothing fetched but its own event stream and the report files the server registers).
 * The script only reads what the stream sends and draws it with plain DOM and inline SVG; every
 * text goes in through textContent, never as HTML.
 */
import { CLIENT_COMMON } from './client-common.js';
import { CLIENT_RUN } from './client-run.js';
import { CLIENT_SYSTEM } from './client-system.js';
import { PAGE_STYLE } from './style.js';

/** `run`: follows one run (or a demo's runs in turn); `system`: the system outside a run. */
export type PageMode = 'run' | 'system';

export interface PageOptions {
  mode: PageMode;
  title: string;
  /** The CSP nonce that lets the inline script run. */
  nonce: string;
}

export function renderPage(o: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(o.title)} · faultline live</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-mode="${o.mode}">
<header class="top">
  <div class="brand">faultline <span class="muted">live</span></div>
  <div id="conn" class="conn" role="status">connecting…</div>
</header>
<main id="app">
  <h1 id="title">${escapeHtml(o.title)}</h1>
  <noscript><p>This page draws the live view with JavaScript.</p></noscript>
</main>
<script nonce="${escapeHtml(o.nonce)}">
(function () {
'use strict';
${CLIENT_COMMON}
${o.mode === 'system' ? CLIENT_SYSTEM : CLIENT_RUN}
})();
</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
