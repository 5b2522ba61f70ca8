/**
 * The shell of every self-contained report page (a run's report.html, a game day's gameday.html):
 * a Content-Security-Policy that lets nothing load or run — inline styles and data: images only.
 */
import { escapeHtml as esc } from '../text.js';

export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
