import {
  computeClassName,
  findAccelerator,
  flavorGpuQuota,
  SYSTEM_POOL_NAME,
  systemPoolCapacity,
  type GpuNodePoolSpec,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { namespaces, object } from './meta';
import type { KubeObject } from './types';

const KUEUE_API = 'kueue.x-k8s.io/v1beta2';

/**
 * How Kueue itself is installed. The controller (Deployment, RBAC, webhooks, CRDs) comes from the
 * pinned upstream release manifest, applied server-side exactly as seed 001 step 8 does; air-gapped
 * operators pass a local copy of that file instead (`gpu-cluster apply --kueue-manifest FILE`).
 * Rendering stays offline: only the URL is derived here.
 * @public
 */
export interface KueueInstallStep {
  version: string;
  manifestUrl: string;
  namespace: 'kueue-system';
  /** Deployment to wait for before the queue objects are applied (their webhooks must answer). */
  waitForDeployment: 'kueue-controller-manager';
}

/** @public */
export function kueueInstallStep(
  spec: GpuStackSpec,
): KueueInstallStep | undefined {
  if (!spec.kueue.enabled) return undefined;
  return {
    version: spec.kueue.version,
    manifestUrl: `https://github.com/kubernetes-sigs/kueue/releases/download/${spec.kueue.version}/manifests.yaml`,
    namespace: 'kueue-system',
    waitForDeployment: 'kueue-controller-manager',
  };
}

/** Node selection of a pool's flavor: the pool itself, or its ComputeClass. */
function flavorNodeSelection(pool: GpuNodePoolSpec) {
  if (pool.provisioning.mode === 'compute-class') {
    const cc = computeClassName(pool);
    return {
      nodeLabels: { 'cloud.google.com/compute-class': cc },
      tolerations: [
        {
          key: 'cloud.google.com/compute-class',
          operator: 'Equal',
          value: cc,
          effect: 'NoSchedule',
        },
      ],
    };
  }
  const tolerations =
    pool.provisioning.mode === 'queued-provisioning'
      ? [
          {
            key: 'cloud.google.com/gke-queued',
            operator: 'Equal',
            value: 'true',
            effect: 'NoSchedule',
          },
        ]
      : [];
  return {
    nodeLabels: { 'cloud.google.com/gke-nodepool': pool.name },
    ...(tolerations.length ? { tolerations } : {}),
  };
}

/** Boot disk of each system node (the cluster module's system pool). */
const SYSTEM_NODE_DISK_GB = 100;

/**
 * ResourceFlavor of the CPU system pool, first in the ClusterQueue: Kueue assigns flavors in
 * order and injects a flavor's nodeLabels into each pod set it admits, so CPU-only pod sets (the
 * Ray head, launchers) land here — never on a GPU pool — and GPU pod sets, which request GPUs
 * this flavor has no quota for, move on to their pool's flavor.
 */
function systemFlavor(spec: GpuStackSpec) {
  const system = systemPoolCapacity(spec);
  return {
    flavor: object(
      spec,
      'kueue',
      KUEUE_API,
      'ResourceFlavor',
      { name: SYSTEM_POOL_NAME },
      {
        spec: {
          nodeLabels: { 'cloud.google.com/gke-nodepool': SYSTEM_POOL_NAME },
        },
      },
    ),
    quota: {
      name: SYSTEM_POOL_NAME,
      resources: [
        { name: 'cpu', nominalQuota: system.nodes * system.vcpusPerNode },
        {
          name: 'memory',
          nominalQuota: `${system.nodes * system.memoryGbPerNode}G`,
        },
        {
          name: 'ephemeral-storage',
          nominalQuota: `${system.nodes * SYSTEM_NODE_DISK_GB}G`,
        },
        { name: 'nvidia.com/gpu', nominalQuota: 0 },
      ],
    },
  };
}

/**
 * ResourceFlavor of the system pool and per GPU pool, the DWS AdmissionCheck + ProvisioningRequestConfig (only when a
 * pool uses queued provisioning), the ClusterQueue and the LocalQueue, all in Kueue's v1beta2 API:
 * admission checks go under `admissionChecksStrategy.admissionChecks` (v1beta2 has no
 * `spec.admissionChecks`).
 */
export function renderKueueObjects(spec: GpuStackSpec): KubeObject[] {
  if (!spec.kueue.enabled) return [];
  const k = spec.kueue;
  const queuedPools = spec.nodePools.filter(
    p => p.provisioning.mode === 'queued-provisioning',
  );
  const system = systemFlavor(spec);
  const flavors = spec.nodePools.map(pool =>
    object(
      spec,
      'kueue',
      KUEUE_API,
      'ResourceFlavor',
      { name: pool.name },
      { spec: flavorNodeSelection(pool) },
    ),
  );
  const dws = queuedPools.length
    ? [
        object(
          spec,
          'kueue',
          KUEUE_API,
          'AdmissionCheck',
          { name: k.admissionCheckName },
          {
            spec: {
              controllerName: 'kueue.x-k8s.io/provisioning-request',
              parameters: {
                apiGroup: 'kueue.x-k8s.io',
                kind: 'ProvisioningRequestConfig',
                name: k.provisioningRequestConfigName,
              },
            },
          },
        ),
        object(
          spec,
          'kueue',
          KUEUE_API,
          'ProvisioningRequestConfig',
          { name: k.provisioningRequestConfigName },
          {
            spec: {
              provisioningClassName: 'queued-provisioning.gke.io',
              // Only GPU pod sets go into the ProvisioningRequest: GKE accepts one pod set per request,
              // so a Ray head or launcher without GPUs must not be part of it.
              managedResources: ['nvidia.com/gpu'],
              retryStrategy: {
                backoffLimitCount: 3,
                backoffBaseSeconds: 60,
                backoffMaxSeconds: 1800,
              },
            },
          },
        ),
      ]
    : [];
  const quota = (pool: GpuNodePoolSpec) => {
    const catalog = findAccelerator(pool.machineType);
    return [
      { name: 'cpu', nominalQuota: pool.maxNodes * (catalog?.vcpus ?? 1) },
      {
        name: 'memory',
        nominalQuota: `${Math.floor(
          pool.maxNodes * (catalog?.memoryGb ?? 1),
        )}Gi`,
      },
      {
        name: 'ephemeral-storage',
        nominalQuota: `${pool.maxNodes * pool.disk.sizeGb}Gi`,
      },
      { name: 'nvidia.com/gpu', nominalQuota: flavorGpuQuota(spec, pool) },
    ];
  };
  const clusterQueue = object(
    spec,
    'kueue',
    KUEUE_API,
    'ClusterQueue',
    { name: k.clusterQueueName },
    {
      spec: {
        namespaceSelector: {},
        resourceGroups: [
          {
            coveredResources: [
              'cpu',
              'memory',
              'ephemeral-storage',
              'nvidia.com/gpu',
            ],
            flavors: [
              system.quota,
              ...spec.nodePools.map(pool => ({
                name: pool.name,
                resources: quota(pool),
              })),
            ],
          },
        ],
        ...(queuedPools.length
          ? {
              admissionChecksStrategy: {
                admissionChecks: [
                  {
                    name: k.admissionCheckName,
                    onFlavors: queuedPools.map(p => p.name),
                  },
                ],
              },
            }
          : {}),
      },
    },
  );
  const localQueue = object(
    spec,
    'kueue',
    KUEUE_API,
    'LocalQueue',
    { name: k.localQueueName, namespace: k.namespace },
    {
      spec: { clusterQueue: k.clusterQueueName },
    },
  );
  return [
    ...namespaces(spec, 'kueue', [k.namespace]),
    system.flavor,
    ...flavors,
    ...dws,
    clusterQueue,
    localQueue,
  ];
}
