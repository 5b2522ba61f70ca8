// Every format renders whatever a journal holds: a run aborted in preflight (no samples, no
// faults), a journal without analysis or graph, text that needs escaping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import type { Journal } from '../../src/journal/types.js';
import { parseFormats, REPORT_FORMATS, reportFormats } from '../../src/reporters/formats.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';

function abortedInPreflight(): Journal {
  const j = journalFrom({ health: {}, faults: [] });
  return { ...j, status: 'aborted', exitCode: 3, reasons: ['preflight: api did not become ready within 15.00s'], phases: [{ phase: 'preflight', startT: 0, endT: 15_000 }], timeSeries: [], recovery: [], verdicts: [] };
}

test('a run aborted in preflight renders in every format', () => {
  const j = abortedInPreflight();
  for (const format of REPORT_FORMATS) {
    const out = reportFormats[format].render(j);
    assert.ok(out.length > 100, format);
    assert.doesNotMatch(out, /NaN|Infinity|undefined/, `${format} shows no broken numbers`);
  }
  const xml = reportFormats.junit.render(j);
  assert.equal(XMLValidator.validate(xml), true);
  assert.match(xml, /tests="1" failures="0" errors="1"/);
  assert.match(reportFormats.md.render(j), /## ⛔ synthetic — ABORTED\n[\s\S]*> preflight: api did not become ready/);
});

test('text from the run is escaped in HTML and XML, and kept on one table row in Markdown', () => {
  const j = journalFrom({ health: { api: 'oooooooooooxxooooo' }, faults: [fault('api', 1000)], within: 5000 });
  j.title = 'A <b>bold</b> & "quoted" | piped\ntitle';
  j.verdicts.push({ name: 'body <script>alert(1)</script>', kind: 'steady-state-after', ok: false, observed: 'status 500 & <html>', expected: 'body matches /ok|fine/', t: 2000 });
  const html = reportFormats.html.render(j);
  assert.doesNotMatch(html, /<script>|<b>bold/);
  assert.match(html, /body &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  const xml = reportFormats.junit.render(j);
  assert.equal(XMLValidator.validate(xml), true);
  assert.match(xml, /name="A &lt;b&gt;bold&lt;\/b&gt; &amp; &quot;quoted&quot; \| piped&#10;title"/);
  const md = reportFormats.md.render(j);
  assert.match(md, /\| ❌ \| steady state after: body &lt;script&gt;alert\(1\)&lt;\/script&gt; \| status 500 &amp; &lt;html&gt; \| body matches \/ok\\\|fine\/ \|/);
  assert.match(md, /^## ✅ A &lt;b&gt;bold&lt;\/b&gt; &amp; "quoted" \\\| piped title — HELD$/m);
});

test('format names: a list, aliases, and a clear error for an unknown one', () => {
  assert.deepEqual(parseFormats('html, MD,markdown,xml'), ['html', 'md', 'junit']);
  assert.throws(() => parseFormats('html,pdf'), /--format: unknown format "pdf"; expected json, html, md, junit/);
  assert.throws(() => parseFormats(' , '), /needs a format/);
});
