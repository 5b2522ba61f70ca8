/** `run --dry-run`: the plan, step by step, without touching anything. */
import type { Writable } from 'node:stream';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import type { Step } from '../experiment/schema/experiment.js';
import { formatDuration } from '../util/duration.js';
import { kinds } from './context.js';

export function printPlan(loaded: LoadedExperiment, out: Writable): void {
  const { experiment, system } = loaded;
  const w = (s: string) => out.write(`${s}\n`);
  w(`Plan for "${experiment.title}" (dry run: nothing is started or injected)`);
  w(`  experiment: ${loaded.absPath}`);
  w(`  system:     ${system.absPath} (${Object.keys(system.system.services).join(', ')})`);
  if (experiment.hypothesis.probes.length) w(`  steady state: ${experiment.hypothesis.probes.map((p) => p.name + (p.throughout ? ' (throughout)' : '')).join(', ')}`);
  if (experiment.baseline > 0) w(`  baseline: ${formatDuration(experiment.baseline)}`);
  w('  method:');
  const visit = (steps: Step[], indent: string) => {
    for (const s of steps) {
      if (s.type === 'fault') {
        const kind = kinds[s.fault]!;
        const target = typeof s.target === 'string' ? s.target : Array.isArray(s.target) ? s.target.join(', ') : `one of ${s.target.random.join(', ')}`;
        const held = s.duration !== undefined ? ` for ${formatDuration(s.duration)}, then reverted` : ' (single action)';
        const params = Object.keys(s.params).length ? ` ${JSON.stringify(s.params)}` : '';
        w(`${indent}- ${s.fault}${params} → ${target}${held} [${kind.driver} driver]`);
      } else if (s.type === 'wait') {
        w(`${indent}- wait ${formatDuration(s.wait)}`);
      } else {
        w(`${indent}- ${s.type === 'random' ? 'one of' : s.type}:`);
        visit(s.steps, `${indent}  `);
      }
    }
  };
  visit(experiment.method, '    ');
  if (experiment.rollbacks.length) w(`  rollbacks: ${experiment.rollbacks.length}`);
  if (experiment.recovery) w(`  recovery: within ${formatDuration(experiment.recovery.within)}, ${experiment.recovery.sustained} consecutive healthy probes`);
  w(`  max duration: ${formatDuration(experiment.maxDuration)}`);
}
