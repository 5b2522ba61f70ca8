/**
 * `run --dry-run`: the plan — each step, each resolved target, how each fault is reverted, which
 * guardrails apply — without starting, injecting or writing anything.
 */
import type { Writable } from 'node:stream';
import { resolveProcessTargets } from '../drivers/process/target.js';
import { readUpState } from '../drivers/process/up-state.js';
import { systemFingerprint, upMismatch } from '../experiment/runtime/up-match.js';
import { UpClient } from '../drivers/process/up-client.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { splitTarget } from '../experiment/loader/check-references.js';
import type { Step, TargetRef } from '../experiment/schema/experiment.js';
import { describeGuardrail } from '../safety/guardrails.js';
import { describePrometheusGuardrail, promqlTimeout } from '../safety/prometheus-guardrail.js';
import { queryPrometheus } from '../probes/promql.js';
import { describeRule, outsideWindows } from '../safety/time-windows.js';
import { formatDuration } from '../util/duration.js';
import { kinds } from './context.js';
import { kindForService } from '../drivers/index.js';
import { approvalStatus, type ApprovalStatus } from '../approval/check.js';

export async function printPlan(loaded: LoadedExperiment, out: Writable, stateDir: string): Promise<void> {
  const { experiment, system } = loaded;
  const w = (s: string) => out.write(`${s}\n`);
  const found = await readUpState(stateDir);
  // Only a daemon serving this very system file runs this system's processes.
  const up = found && !upMismatch(found, await systemFingerprint(system.absPath)) ? found : undefined;
  const upClient = up ? new UpClient(up) : undefined;

  /** What a reference resolves to right now, read-only. */
  const resolveRef = async (ref: string, driver: string): Promise<string> => {
    const [service, proxy] = splitTarget(ref);
    const svc = system.system.services[service]!;
    if (driver === 'proxy') return proxy ? `proxy ${proxy} of ${service}` : `${service} (via its proxies)`;
    if (driver !== 'process') return `${service} (resolved by the ${driver} driver when the step runs)`;
    if (svc.process && !up?.services.includes(service)) return `${service} (the process this run starts)`;
    try {
      const targets = await resolveProcessTargets(service, svc, { baseDir: system.dir, supervisor: upClient });
      return targets.map((t) => t.label).join(', ');
    } catch (err) {
      return `${service} — cannot resolve now: ${(err as Error).message}`;
    }
  };
  const targetText = async (target: TargetRef, driver: string): Promise<string> => {
    if (typeof target === 'string') return resolveRef(target, driver);
    const refs = Array.isArray(target) ? target : target.random;
    const resolved = await Promise.all(refs.map((r) => resolveRef(r, driver)));
    return Array.isArray(target) ? resolved.join('; ') : `one of: ${resolved.join(' | ')}`;
  };

  w(`Plan for "${experiment.title}" (dry run: nothing is started, injected or written)`);
  w(`  experiment: ${loaded.absPath}`);
  w(`  system:     ${system.absPath} (${Object.keys(system.system.services).join(', ')})`);
  w(`  approval:   ${approvalLine(await approvalStatus(loaded, stateDir))}`);
  if (experiment.hypothesis.probes.length) w(`  steady state: ${experiment.hypothesis.probes.map((p) => p.name + (p.throughout ? ' (throughout)' : '')).join(', ')}`);
  if (experiment.baseline > 0) w(`  baseline: ${formatDuration(experiment.baseline)}`);
  w('  method:');
  const visit = async (steps: Step[], indent: string): Promise<void> => {
    for (const s of steps) {
      if (s.type === 'fault') {
        const first = typeof s.target === 'string' ? s.target : Array.isArray(s.target) ? s.target[0]! : s.target.random[0]!;
        const svc = system.system.services[splitTarget(first)[0]];
        const kind = kindForService(kinds, s.fault, svc as Readonly<Record<string, unknown>> | undefined) ?? kinds[s.fault]!;
        const held = s.duration !== undefined ? ` for ${formatDuration(s.duration)}, then reverted` : ' (single action)';
        const params = Object.keys(s.params).length ? ` ${JSON.stringify(s.params)}` : '';
        w(`${indent}- ${s.fault}${params} → ${await targetText(s.target, kind.driver)}${held} [${kind.driver} driver]`);
        if (kind.revertSummary) w(`${indent}    revert: ${kind.revertSummary}`);
      } else if (s.type === 'wait') {
        w(`${indent}- wait ${formatDuration(s.wait)}`);
      } else {
        w(`${indent}- ${s.type === 'random' ? 'one of' : s.type}:`);
        await visit(s.steps, `${indent}  `);
      }
    }
  };
  await visit(experiment.method, '    ');
  if (experiment.rollbacks.length) w(`  rollbacks: ${experiment.rollbacks.map((r) => r.name ?? ('restart' in r ? `restart ${r.restart}` : 'command' in r ? 'command' : 'http')).join(', ')}`);
  if (experiment.recovery) w(`  recovery: within ${formatDuration(experiment.recovery.within)}, ${experiment.recovery.sustained} consecutive healthy probes`);

  const g = experiment.guardrails;
  w('  guardrails:');
  w(`    max duration ${formatDuration(experiment.maxDuration)}; at most ${g.maxTargets} targets${g.maxPercent < 1 ? `, ${Math.round(g.maxPercent * 100)}% of a service's replicas` : ''}`);
  for (const guard of g.abortIf) w(`    ${describeGuardrail(guard)}`);
  // Asking Prometheus touches nothing, and tells now whether the guardrail can see.
  for (const guard of g.prometheus) {
    const now = await queryPrometheus(guard, { timeoutMs: promqlTimeout(guard) });
    w(`    ${describePrometheusGuardrail(guard)} (every ${formatDuration(guard.interval)}; now: ${now.ok ? `${now.reading.value}` : `no value — ${now.error}`})`);
  }
  const critical = Object.entries(system.system.services).filter(([, s]) => s.critical && s.health).map(([n]) => n);
  if (critical.length) w(`    abort if an untargeted critical service (${critical.join(', ')}) fails ${g.criticalFailures} probes in a row`);
  if (g.exclude.length) w(`    never touch: ${g.exclude.join(', ')}`);
  if (g.windows) {
    if (g.windows.allow) w(`    only during: ${g.windows.allow.map(describeRule).join('; ')}${g.windows.timezone ? ` (${g.windows.timezone})` : ''}`);
    if (g.windows.deny) w(`    never during: ${g.windows.deny.map(describeRule).join('; ')}`);
    const veto = outsideWindows(g.windows, new Date());
    w(`    now: ${veto ? `NOT allowed — ${veto}` : 'allowed'}`);
  }
}

/** Whether a real run would need an approval and has one; a dry run never fails for lack of it. */
function approvalLine(status: ApprovalStatus): string {
  if (!status.required) return 'not required';
  if (status.approval) return `required (${status.why}); approved by ${status.approval.by} at ${status.approval.at}, valid until ${status.approval.expiresAt} (sha256 ${status.approval.hash.slice(0, 12)})`;
  return `required (${status.why}); NOT APPROVED: ${status.problem} — a real run would refuse (exit 2). Approve with: ${status.command}`;
}
