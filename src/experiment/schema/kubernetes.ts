/**
 * Kubernetes in the system file: the cluster block (`kubernetes:` at the top: context, kubeconfig,
 * the namespaces a run may touch) and a service's target (`kubernetes:` in a service: a namespace
 * and a label selector or one workload). See docs/kubernetes.md.
 */
import { z } from 'zod';

/** A namespace or object name: a DNS-1123 label (lower case, digits, '-'; at most 63). */
export const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes name: lower-case letters, digits and "-", starting and ending with a letter or digit')
  .max(63, 'expected at most 63 characters (a DNS-1123 label)');

/** A workload name: a DNS-1123 subdomain (dots allowed), at most 253. */
const workloadName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes object name: lower-case letters, digits, "-" and "."')
  .max(253);

const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'expected a label key such as app or app.kubernetes.io/name');
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'expected a label value: letters, digits, "-", "_" and ".", at most 63').max(63);

/** The namespaces no run may touch, whatever the allow-list says. */
export const FORBIDDEN_NAMESPACES = ['kube-system'] as const;

export const WORKLOAD_KINDS = ['deployment', 'statefulSet', 'daemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

const podsShape = {
  namespace: k8sName.describe('The namespace of the pods (it must be listed in the system file\'s kubernetes.namespaces)'),
  selector: z.record(labelKey, labelValue).optional().describe('The pods whose labels match all of these (matchLabels)'),
  deployment: workloadName.optional().describe('The pods of this Deployment (its spec.selector)'),
  statefulSet: workloadName.optional().describe('The pods of this StatefulSet'),
  daemonSet: workloadName.optional().describe('The pods of this DaemonSet'),
};

function onePodSet(t: { selector?: Record<string, string> } & Partial<Record<WorkloadKind, string>>, ctx: z.RefinementCtx): void {
  const given = (['selector', ...WORKLOAD_KINDS] as const).filter((k) => t[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: given.length === 0 ? 'expected the pods: one of selector, deployment, statefulSet or daemonSet' : `expected one of selector, deployment, statefulSet or daemonSet, got ${given.join(' and ')}`,
    });
  }
  if (t.selector !== undefined && Object.keys(t.selector).length === 0) ctx.addIssue({ code: 'custom', path: ['selector'], message: 'an empty selector would select every pod of the namespace: name at least one label' });
}

export const kubernetesTarget = z
  .strictObject({
    ...podsShape,
    container: k8sName.optional().describe('The container that container faults act on (default: the pod\'s first container)'),
  })
  .superRefine(onePodSet)
  .describe('Pods in a Kubernetes cluster: a namespace and a label selector or a workload');

/** A probe (and a kubernetes service's default health): the pods are all Ready, and as many as the workload wants. */
export const kubernetesReadyCall = z
  .strictObject({
    ...podsShape,
    kubeconfig: z.string().min(1).optional().describe('The kubeconfig file (default: as for the cluster block)'),
    context: z.string().min(1).optional().describe('The kubeconfig context (default: the current one)'),
  })
  .superRefine(onePodSet)
  .describe('Passes when the selected pods are all Ready (and, for a workload, as many as it wants)');

export const kubernetesCluster = z
  .strictObject({
    context: z.string().min(1).optional().describe('The kubeconfig context (default: the current context; `--context` overrides it)'),
    kubeconfig: z.string().min(1).optional().describe('The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service account)'),
    namespaces: z
      .array(k8sName)
      .min(1, 'list the namespaces faultline may touch')
      .superRefine((list, ctx) => {
        list.forEach((ns, i) => {
          if ((FORBIDDEN_NAMESPACES as readonly string[]).includes(ns)) ctx.addIssue({ code: 'custom', path: [i], message: `${ns} is never a target: faults there can take the whole cluster down` });
        });
      })
      .describe('The allow-list: the only namespaces a run may act in (kube-system never)'),
  })
  .describe('The Kubernetes cluster of the kubernetes services');

export type KubernetesTarget = z.output<typeof kubernetesTarget>;
export type KubernetesCluster = z.output<typeof kubernetesCluster>;
