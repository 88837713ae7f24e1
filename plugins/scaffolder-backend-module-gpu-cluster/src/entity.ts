import type { Entity } from '@backstage/catalog-model';
import {
  GPU_CLUSTER_ANNOTATIONS,
  resolveNodePools,
  stackGpuCapacity,
  stackNames,
  verificationEnabled,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  NCCL_TEST_JOB_NAME,
  rayDashboardPortForwardArgs,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/** Where the registered cluster can be looked at. @public */
export interface ClusterLinks {
  gkeConsoleUrl: string;
  /** Absent when the Ray dashboard is disabled. */
  rayDashboardUrl?: string;
  rayDashboardTitle?: string;
}

/** Console and Ray dashboard links of a stack. @public */
export function clusterLinks(spec: GpuStackSpec): ClusterLinks {
  const names = stackNames(spec);
  const project = encodeURIComponent(spec.identity.projectId);
  const gkeConsoleUrl = `https://console.cloud.google.com/kubernetes/clusters/details/${encodeURIComponent(
    names.clusterLocation,
  )}/${encodeURIComponent(names.clusterName)}/details?project=${project}`;
  const { ray } = spec;
  if (!ray.enabled || ray.dashboard.exposure === 'none')
    return { gkeConsoleUrl };
  if (
    ray.dashboard.exposure === 'authenticated-ingress' &&
    ray.dashboard.host
  ) {
    return {
      gkeConsoleUrl,
      rayDashboardUrl: `https://${ray.dashboard.host}/`,
      rayDashboardTitle: 'Ray dashboard (behind IAP)',
    };
  }
  // The dashboard is read/write and never exposed unauthenticated: it is reached through a
  // port-forward the user opens with their own cluster credentials.
  return {
    gkeConsoleUrl,
    rayDashboardUrl: 'http://localhost:8265/',
    rayDashboardTitle: `Ray dashboard (after: kubectl ${rayDashboardPortForwardArgs(
      spec,
    ).join(' ')})`,
  };
}

/**
 * The catalog `Resource` of a provisioned cluster: type `kubernetes-cluster` with the annotations
 * GKE's catalog provider sets (so the Kubernetes plugin finds it) plus the `gpu-platform.dev/*`
 * ones the gpu-cluster plugins resolve the cluster by.
 *
 * @public
 */
export function clusterResourceEntity(
  spec: GpuStackSpec,
  options: { endpoint?: string } = {},
): Entity {
  const names = stackNames(spec);
  const links = clusterLinks(spec);
  const endpoint = options.endpoint?.trim();
  const annotations: Record<string, string> = {
    [GPU_CLUSTER_ANNOTATIONS.projectId]: spec.identity.projectId,
    [GPU_CLUSTER_ANNOTATIONS.location]: names.clusterLocation,
    [GPU_CLUSTER_ANNOTATIONS.clusterName]: names.clusterName,
    [GPU_CLUSTER_ANNOTATIONS.namePrefix]: spec.identity.namePrefix,
    [GPU_CLUSTER_ANNOTATIONS.specVersion]: spec.apiVersion,
    [GPU_CLUSTER_ANNOTATIONS.terraformState]: `gs://${names.stateBucket}/${names.statePrefix}`,
    [GPU_CLUSTER_ANNOTATIONS.nodePools]: resolveNodePools(spec)
      .map(pool => pool.name)
      .join(','),
    [GPU_CLUSTER_ANNOTATIONS.maxGpus]: String(stackGpuCapacity(spec)),
    'backstage.io/kubernetes-cluster': names.clusterName,
    'kubernetes.io/dashboard-app': 'gke',
    'kubernetes.io/dashboard-parameters': JSON.stringify({
      projectId: spec.identity.projectId,
      region: names.clusterLocation,
      clusterName: names.clusterName,
    }),
  };
  if (endpoint) {
    annotations['kubernetes.io/api-server'] = /^https?:\/\//.test(endpoint)
      ? endpoint
      : `https://${endpoint}`;
    annotations['kubernetes.io/auth-provider'] = 'google';
  }
  if (spec.kueue.enabled) {
    annotations[GPU_CLUSTER_ANNOTATIONS.kueueClusterQueue] =
      spec.kueue.clusterQueueName;
    annotations[GPU_CLUSTER_ANNOTATIONS.kueueLocalQueue] =
      spec.kueue.localQueueName;
    annotations[GPU_CLUSTER_ANNOTATIONS.kueueNamespace] = spec.kueue.namespace;
  }
  if (spec.ray.enabled) {
    annotations[GPU_CLUSTER_ANNOTATIONS.rayCluster] = spec.ray.name;
    annotations[GPU_CLUSTER_ANNOTATIONS.rayNamespace] = spec.ray.namespace;
  }
  if (names.rdmaSubnets.length > 0) {
    annotations[GPU_CLUSTER_ANNOTATIONS.rdmaNetworks] = [
      names.rdmaNetwork,
      ...names.rdmaSubnets,
    ].join(',');
  }
  if (verificationEnabled(spec)) {
    annotations[GPU_CLUSTER_ANNOTATIONS.verificationJob] = NCCL_TEST_JOB_NAME;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: names.clusterName,
      namespace: 'default',
      title: `GKE GPU cluster ${names.clusterName}`,
      description: `GKE cluster ${names.clusterName} in ${spec.identity.projectId} (${names.clusterLocation}), provisioned by the Create GPU cluster template.`,
      annotations,
      tags: ['gke', 'gpu', 'kueue', ...(spec.ray.enabled ? ['ray'] : [])],
      links: [
        { url: links.gkeConsoleUrl, title: 'GKE console', icon: 'dashboard' },
        ...(links.rayDashboardUrl
          ? [
              {
                url: links.rayDashboardUrl,
                title: links.rayDashboardTitle!,
                icon: 'dashboard',
              },
            ]
          : []),
      ],
    },
    spec: {
      type: 'kubernetes-cluster',
      owner: spec.identity.owner,
      system: spec.identity.system,
    },
  };
}
