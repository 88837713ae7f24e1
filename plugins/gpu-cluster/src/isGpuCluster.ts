import type { Entity } from '@backstage/catalog-model';
import { GPU_CLUSTER_ANNOTATIONS } from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** A cluster Resource the gpu-cluster backend can monitor. @public */
export const isGpuCluster = (entity: Entity): boolean =>
  entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
  entity.spec?.type === 'kubernetes-cluster' &&
  Boolean(entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName]);
