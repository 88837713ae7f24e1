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

/** Every permission of the gpu-cluster plugins. @public */
export const gpuClusterPermissions = [gpuClusterStatusReadPermission];
