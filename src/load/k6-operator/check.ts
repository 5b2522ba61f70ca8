/** What validation checks of a k6Operator load, with the system file at hand: the script, the namespace, SLOs. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KubernetesCluster } from '../../experiment/schema/kubernetes.js';
import type { K6OperatorLoadSpec } from '../spec.js';
import { MAX_SCRIPT_BYTES } from './resources.js';

export interface K6OperatorIssue {
  path: (string | number)[];
  message: string;
}

export function k6OperatorIssues(spec: K6OperatorLoadSpec, experimentDir: string, cluster: KubernetesCluster | undefined, systemFile: string, hasSlos: boolean): K6OperatorIssue[] {
  const issues: K6OperatorIssue[] = [];
  const own = spec.k6Operator;
  const script = resolve(experimentDir, own.script);
  try {
    const st = statSync(script);
    if (!st.isFile()) issues.push({ path: ['load', 'k6Operator', 'script'], message: `${script} is not a file` });
    else if (st.size > MAX_SCRIPT_BYTES) issues.push({ path: ['load', 'k6Operator', 'script'], message: `${script} is ${st.size} bytes; the script goes into a ConfigMap, which holds at most 1 MiB` });
  } catch {
    issues.push({ path: ['load', 'k6Operator', 'script'], message: `the k6 script ${script} does not exist` });
  }
  const allowed = cluster?.namespaces ?? [];
  if (!allowed.includes(own.namespace)) {
    issues.push({
      path: ['load', 'k6Operator', 'namespace'],
      message: cluster
        ? `namespace "${own.namespace}" is not in ${systemFile}'s kubernetes.namespaces (${allowed.join(', ')}): the load creates a TestRun there`
        : `the load creates a TestRun in namespace "${own.namespace}": list it in ${systemFile}'s kubernetes block (kubernetes: { namespaces: [${own.namespace}] })`,
    });
  }
  if (hasSlos) {
    issues.push({ path: ['slos'], message: "SLOs judge per-request load figures, and faultline collects none from the k6 operator's runners: put the bounds in the script as k6 thresholds, or judge the run with probes" });
  }
  return issues;
}
