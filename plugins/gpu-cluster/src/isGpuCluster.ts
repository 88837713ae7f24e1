import type { Entity } from '@backstage/catalog-model';
import {
  GPU_CLUSTER_ANNOTATIONS,
  GPU_COMPONENT_ANNOTATIONS,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** A cluster Resource the gpu-cluster backend can monitor. @public */
export const isGpuCluster = (entity: Entity): boolean =>
  entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
  entity.spec?.type === 'kubernetes-cluster' &&
  Boolean(entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName]);

/**
 * A Component that runs on a GPU cluster: it names the cluster, its namespace and LocalQueue.
 * (Whether it really depends on that cluster is the backend's check.) @public
 */
export const isGpuClusterComponent = (entity: Entity): boolean =>
  entity.kind.toLocaleLowerCase('en-US') === 'component' &&
  Object.values(GPU_COMPONENT_ANNOTATIONS).every(key =>
    Boolean(entity.metadata.annotations?.[key]),
  );

/** Entities with a GPU cluster tab: cluster Resources and Components running on one. @public */
export const isGpuClusterAvailable = (entity: Entity): boolean =>
  isGpuCluster(entity) || isGpuClusterComponent(entity);
