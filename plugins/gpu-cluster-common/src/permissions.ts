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
 * Read the jobs a Ray cluster's dashboard lists (its Jobs API, through the Kubernetes API server's
 * service proxy): entrypoints and messages are the team's command lines, so a resource permission
 * on the cluster's catalog entity that the backend's policy grants to its owners.
 *
 * @public
 */
export const gpuClusterRayJobsReadPermission = createPermission({
  name: 'gpuCluster.ray.jobs.read',
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

/**
 * Create a GPU cluster stack: what the actions ask for the initiating user before they run
 * anything, on top of the template and action permissions of the scaffolder (a template someone
 * registered could call the actions directly). The policy grants it to the groups of
 * `gpuCluster.policy`; which project, state and GPU budget a stack may use is then checked
 * against that same policy.
 *
 * @public
 */
export const gpuClusterStackCreatePermission = createPermission({
  name: 'gpuCluster.stack.create',
  attributes: { action: 'create' },
});

/**
 * Change (re-apply) an existing GPU cluster: a resource permission on the cluster's catalog
 * entity, so a policy can grant it to the entity's owners only (`isEntityOwner`).
 *
 * @public
 */
export const gpuClusterStackUpdatePermission = createPermission({
  name: 'gpuCluster.stack.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * The scaffolder permission tag (`backstage:permissions: { tags: [...] }`) of the "Create GPU
 * cluster" template's parameter pages and steps that are for GPU cluster creators only: the
 * backend's permission policy lets `scaffolder.template.parameter.read` and
 * `scaffolder.template.step.read` see them for the groups of gpuCluster.policy and its admins.
 *
 * @public
 */
export const GPU_CLUSTER_TEMPLATE_TAG = 'gpu-cluster';

/** The permissions the status backend checks (registered by the gpu-cluster backend). @public */
export const gpuClusterStatusPermissions = [
  gpuClusterStatusReadPermission,
  gpuClusterRayJobsReadPermission,
  gpuClusterStackPreviewPermission,
];

/** The permissions the scaffolder actions check (registered by their module). @public */
export const gpuClusterStackPermissions = [
  gpuClusterStackCreatePermission,
  gpuClusterStackUpdatePermission,
];

/** Every permission of the gpu-cluster plugins. @public */
export const gpuClusterPermissions = [
  ...gpuClusterStatusPermissions,
  ...gpuClusterStackPermissions,
];
