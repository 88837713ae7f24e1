import {
  GPU_CLUSTER_LABELS,
  MANAGED_BY,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { KubeObject } from './types';

/** Labels every rendered object carries (ownership and the stack it belongs to). */
export function stackK8sLabels(
  spec: GpuStackSpec,
  component: string,
): Record<string, string> {
  const owner = spec.identity.owner.split(/[:/]/).pop()!;
  return {
    [GPU_CLUSTER_LABELS.managedBy]: MANAGED_BY,
    [GPU_CLUSTER_LABELS.partOf]: spec.identity.namePrefix,
    [GPU_CLUSTER_LABELS.component]: component,
    [GPU_CLUSTER_LABELS.stack]: spec.identity.namePrefix,
    [GPU_CLUSTER_LABELS.owner]: owner,
  };
}

export function object(
  spec: GpuStackSpec,
  component: string,
  apiVersion: string,
  kind: string,
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
  body: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      ...metadata,
      labels: { ...stackK8sLabels(spec, component), ...metadata.labels },
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    ...body,
  };
}

/** Namespaces the stack uses besides the built-in ones. */
export function namespaces(
  spec: GpuStackSpec,
  component: string,
  names: string[],
): KubeObject[] {
  const builtIn = new Set([
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
  ]);
  return [...new Set(names)]
    .filter(n => !builtIn.has(n))
    .map(name => object(spec, component, 'v1', 'Namespace', { name }, {}));
}
