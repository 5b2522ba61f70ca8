/** The exported resource as YAML, under a comment header that says what Chaos Mesh will not do. */
import { stringify } from 'yaml';
import type { ChaosMeshExport } from './chaos-mesh-export.js';

export function renderChaosMeshYaml(result: ChaosMeshExport, source: { file: string; title: string }): string {
  const lines = [
    `Chaos Mesh ${result.resource.kind} exported by faultline from ${source.file}`,
    `("${source.title.replace(/\s+/g, ' ')}").`,
    'Chaos Mesh runs the faults only. Not exported, so nothing judges this run:',
    ...(result.leftOut.length > 0 ? result.leftOut.map((l) => `  - ${l}`) : ['  - (the experiment had no hypothesis, load or recovery expectation)']),
    "  - faultline's safety net (ledger, recover): Chaos Mesh ends each fault at its duration or deadline",
    ...result.notes.map((n) => `Note: ${n}`),
    'Apply with: kubectl apply -f FILE (needs Chaos Mesh installed in the cluster)',
  ];
  return `${lines.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(result.resource, { lineWidth: 0 })}`;
}
