import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the monitoring status of a GPU cluster entity. A resource permission on the catalog
 * entity, so policies can limit Kubernetes and Ray data to the cluster's owners.
 *
 * @public
 */
export const gpuClusterStatusReadPermission = createPermission({
  name: 'gpuCluster.status.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Preview what a stack spec would create (the form's "What will happen" page): renders the spec
 * without touching any cloud or cluster. A basic permission: it reads no entity.
 *
 * @public
 */
export const gpuClusterStackPreviewPermission = createPermission({
  name: 'gpuCluster.stack.preview',
  attributes: { action: 'read' },
});

/** Every permission of the gpu-cluster plugins. @public */
export const gpuClusterPermissions = [
  gpuClusterStatusReadPermission,
  gpuClusterStackPreviewPermission,
];
