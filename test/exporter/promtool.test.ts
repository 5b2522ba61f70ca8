// `promtool check metrics` (Prometheus 2.42) accepts the exporter's exposition during a real run
// (a fault held, load and probes running) and after it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { MetricsReporter } from '../../src/exporter/metrics-reporter.js';
import type { Reporter } from '../../src/reporters/types.js';
import { tempDir, waitFor } from '../helpers/cli.js';
import { PROMTOOL_BIN, prometheusSkip } from '../helpers/prometheus.js';
import { runReal } from '../reporters/real-run.js';
import { writeHeldFault } from './held-fault.js';

const skip = prometheusSkip(PROMTOOL_BIN);
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** promtool's verdict on an exposition (read on stdin): its exit code and what it printed. */
function promtoolCheck(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL_BIN, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

test('promtool check metrics accepts the exposition while a fault is held under load, and after the run', { skip }, async () => {
  const t = await tempDir('faultline-promtool-');
  cleanups.push(t.cleanup);
  const { experiment } = await writeHeldFault(t.path, { holdMs: 4000, waitBeforeMs: 1500 });
  const metrics = new MetricsReporter();
  let during: Promise<string> | undefined;
  // Read while the fault is held, once the load and the probes have reported too.
  const sampler: Reporter = {
    name: 'sampler',
    onFaultInjected: () => {
      during = waitFor(async () => {
        const text = await metrics.registry.metrics();
        return /faultline_fault_active\{[^}]*\} 1/.test(text) && /faultline_load_latency_seconds_bucket\{le="\+Inf"[^}]*\} [1-9]/.test(text) && /faultline_probe_success\{[^}]*probe="health"\} 0/.test(text) ? text : undefined;
      }, { what: 'the exposition to show the held fault, load latency and a failed health probe', timeoutMs: 3900, intervalMs: 50 });
      during.catch(() => undefined);
    },
  };
  const journal = await runReal(experiment, `${t.path}/.faultline`, [metrics, sampler]);
  assert.equal(journal.faults[0]?.status, 'reverted', JSON.stringify(journal.faults));
  assert.ok(during, 'the fault was injected');
  const held = await during;
  const end = await metrics.registry.metrics();
  for (const [when, text] of [['during', held], ['after', end]] as const) {
    const { code, output } = await promtoolCheck(text);
    assert.equal(code, 0, `promtool check metrics rejected the exposition ${when} the run:\n${output}\n--- exposition ---\n${text}`);
    assert.equal(output.trim(), '', `promtool printed lint findings ${when} the run:\n${output}`);
  }
  assert.match(end, /faultline_runs_total\{experiment="held-pause",result="(held|deviated)"\} 1/);
  assert.match(end, /faultline_fault_active\{[^}]*kind="pause",target="api"\} 0/);
  assert.match(end, /faultline_faults_injected_total\{kind="pause"\} 1/);
});
