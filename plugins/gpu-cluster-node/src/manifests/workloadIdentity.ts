import {
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { namespaces, object } from './meta';
import type { KubeObject } from './types';

/** The Kubernetes ServiceAccount bound to the GCP service account through Workload Identity (seed 003). */
export function renderWorkloadIdentity(spec: GpuStackSpec): KubeObject[] {
  if (!spec.cluster.workloadIdentity) return [];
  const wi = spec.workloadIdentity;
  return [
    ...namespaces(spec, 'workload-identity', [wi.namespace]),
    object(
      spec,
      'workload-identity',
      'v1',
      'ServiceAccount',
      {
        name: wi.kubernetesServiceAccount,
        namespace: wi.namespace,
        annotations: {
          'iam.gke.io/gcp-service-account':
            stackNames(spec).gcpServiceAccountEmail,
        },
      },
      {},
    ),
  ];
}
