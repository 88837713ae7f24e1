import path from 'node:path';
import { NotAllowedError } from '@backstage/errors';
import {
  stackLabels,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  resolveGkeClusterConnection,
  writeKubeconfigFor,
  type ClusterConnectionConfig,
  type GkeConnectionDependencies,
  type Redactor,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';

function findCredentials(
  config: GpuClusterScaffolderConfig,
  spec: GpuStackSpec,
  clusterName: string,
): ClusterConnectionConfig | undefined {
  return config.clusters.find(
    c =>
      c.name === clusterName &&
      (!c.gke || c.gke.projectId === spec.identity.projectId),
  );
}

/**
 * A GKE cluster carries the labels the stack's Terraform stamped on it; one labelled for another
 * owner or stack is not this stack's to change.
 */
function assertClusterLabels(
  spec: GpuStackSpec,
  clusterName: string,
  labels: Record<string, string>,
) {
  const expected = stackLabels(spec);
  for (const key of ['owner', 'gpu-platform-stack'] as const) {
    if (labels[key] !== undefined && labels[key] !== expected[key]) {
      throw new NotAllowedError(
        `identity.namePrefix: GKE cluster ${clusterName} is labelled ${key}=${labels[key]}, not ${expected[key]}: it belongs to another stack`,
      );
    }
  }
}

/**
 * The kubeconfig of the stack's cluster (tokens only ever in a 0600 file of `root`): the
 * `gpuCluster.clusters` entry of the cluster's name, else `gpuCluster.kubectl.kubeconfigPath`
 * (development), else — with `gpuCluster.kubectl.credentials: gke` — the cluster of the validated
 * spec read from GKE (a {@link GkeConnectionError} when GKE has no such cluster or it is not
 * running), refused when labelled for another owner or stack.
 */
export async function stackKubeconfig(
  options: {
    config: GpuClusterScaffolderConfig;
    gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
  },
  spec: GpuStackSpec,
  root: string,
  redactor: Redactor,
  log: (message: string) => void,
): Promise<{ path: string; context?: string }> {
  const { config } = options;
  const names = stackNames(spec);
  const file = path.join(root, 'kubeconfig');
  const credentials = findCredentials(config, spec, names.clusterName);
  if (credentials) {
    redactor.addSecret(credentials.kubernetes.token);
    return {
      path: await writeKubeconfigFor(credentials.kubernetes, file, {
        name: names.clusterName,
      }),
    };
  }
  if (config.kubectl.kubeconfigPath) {
    return {
      path: config.kubectl.kubeconfigPath,
      context: config.kubectl.context,
    };
  }
  if (config.kubectl.credentials === 'gke') {
    // A fresh token per run, in the 0600 kubeconfig of the private directory.
    const connection = await resolveGkeClusterConnection(
      {
        projectId: spec.identity.projectId,
        location: names.clusterLocation,
        clusterName: names.clusterName,
        useInternalEndpoint: config.gke.useInternalEndpoint,
      },
      { ...options.gke, endpoint: config.gke.endpoint },
    );
    redactor.addSecret(connection.token);
    log(`Credentials of ${names.clusterName} from GKE: ${connection.url}`);
    assertClusterLabels(
      spec,
      names.clusterName,
      connection.resourceLabels ?? {},
    );
    return {
      path: await writeKubeconfigFor(connection, file, {
        name: names.clusterName,
      }),
    };
  }
  throw new Error(
    `No credentials for cluster ${names.clusterName} (project ${spec.identity.projectId}): a platform engineer sets gpuCluster.kubectl.credentials: gke to read them from GKE, adds a gpuCluster.clusters entry named ${names.clusterName}, or sets gpuCluster.kubectl.kubeconfigPath for development`,
  );
}
