/**
 * Why the status API will not (or cannot) show a cluster: the `reason` of its error bodies, so
 * the entity tab can say which case it is and what a platform engineer configures to fix it.
 *
 * @public
 */
export type ClusterAccessReason =
  /** The path does not name a catalog entity reference. */
  | 'INVALID_REFERENCE'
  /** No such entity, or the user may not see it. */
  | 'ENTITY_NOT_FOUND'
  /** The entity has no `gpu-platform.dev/cluster-name` annotation. */
  | 'NOT_A_CLUSTER'
  /** The user may not read this cluster's status (`gpuCluster.status.read`). */
  | 'PERMISSION_DENIED'
  /** The cluster the entity names is configured for another entity. */
  | 'BOUND_TO_OTHER_ENTITY'
  /** No `gpuCluster.clusters` entry for this entity and GKE discovery is off. */
  | 'NOT_CONFIGURED'
  /** Not registered by the Create GPU cluster template, so its annotations are not trusted. */
  | 'NOT_REGISTERED'
  /** Its GKE project or location is not in `gpuCluster.discoveryAllowList`. */
  | 'DISCOVERY_NOT_ALLOWED'
  /** GKE does not know the cluster (yet). */
  | 'GKE_CLUSTER_NOT_FOUND'
  /** The cluster exists but is not running yet. */
  | 'GKE_CLUSTER_NOT_RUNNING'
  /** The status identity may not read the cluster. */
  | 'READ_DENIED'
  /** Neither Kubernetes nor GKE answered. */
  | 'UNREACHABLE'
  /** A Component without the gpu-platform.dev/gpu-cluster annotations. */
  | 'NOT_A_GPU_COMPONENT'
  /** The cluster a Component names is not in its spec.dependsOn. */
  | 'NOT_A_DEPENDENCY'
  /** The Component's namespace or LocalQueue is not one the cluster serves it. */
  | 'SCOPE_NOT_ALLOWED';

/** The `error` of a status API error body. @public */
export interface ClusterAccessErrorDetails {
  name: string;
  message: string;
  reason?: ClusterAccessReason;
  /** The configuration key a platform engineer sets or changes to fix it. */
  configKey?: string;
}

/** What each reason means for a user, and who can change it. @public */
export const CLUSTER_ACCESS_REASONS: Record<
  ClusterAccessReason,
  { statusCode: number; title: string; fix: string }
> = {
  INVALID_REFERENCE: {
    statusCode: 400,
    title: 'Not an entity reference',
    fix: 'Open the cluster from its catalog entity.',
  },
  ENTITY_NOT_FOUND: {
    statusCode: 404,
    title: 'Entity not found',
    fix: 'The entity does not exist or you may not see it.',
  },
  NOT_A_CLUSTER: {
    statusCode: 404,
    title: 'Not a GPU cluster',
    fix: 'The entity carries no gpu-platform.dev/cluster-name annotation.',
  },
  PERMISSION_DENIED: {
    statusCode: 403,
    title: 'Not allowed',
    fix: 'Ask a platform engineer for the gpuCluster.status.read permission on this entity.',
  },
  BOUND_TO_OTHER_ENTITY: {
    statusCode: 403,
    title: 'Cluster belongs to another entity',
    fix: 'The cluster this entity names is configured for another catalog entity; its status is shown there.',
  },
  NOT_CONFIGURED: {
    statusCode: 404,
    title: 'Cluster not configured',
    fix: 'A platform engineer adds the cluster to gpuCluster.clusters (with entityRef), or turns on GKE discovery.',
  },
  NOT_REGISTERED: {
    statusCode: 403,
    title: 'Cluster not registered by the template',
    fix: 'Only clusters the Create GPU cluster template registered (or configured clusters) are read; a platform engineer binds others with gpuCluster.clusters[].entityRef.',
  },
  DISCOVERY_NOT_ALLOWED: {
    statusCode: 403,
    title: 'Project or location not allowed',
    fix: 'A platform engineer adds the project and location to gpuCluster.discoveryAllowList.',
  },
  GKE_CLUSTER_NOT_FOUND: {
    statusCode: 404,
    title: 'Cluster not found in GKE',
    fix: 'The cluster does not exist (yet) in its project and location.',
  },
  GKE_CLUSTER_NOT_RUNNING: {
    statusCode: 503,
    title: 'Cluster not running yet',
    fix: 'Wait until GKE reports the cluster RUNNING.',
  },
  READ_DENIED: {
    statusCode: 503,
    title: 'The status identity may not read the cluster',
    fix: 'A platform engineer grants the status identity (gpuCluster.statusCredentials) roles/container.clusterViewer and Kubernetes view access.',
  },
  UNREACHABLE: {
    statusCode: 503,
    title: 'Cluster unreachable',
    fix: 'Neither the Kubernetes API nor GKE answered; check the network path and gpuCluster.clusters.',
  },
  NOT_A_GPU_COMPONENT: {
    statusCode: 404,
    title: 'Not a GPU workload Component',
    fix: 'The Component needs the gpu-platform.dev/gpu-cluster, gpu-platform.dev/workload-namespace and gpu-platform.dev/local-queue annotations.',
  },
  NOT_A_DEPENDENCY: {
    statusCode: 403,
    title: 'The Component does not depend on this cluster',
    fix: "Add the cluster to the Component's spec.dependsOn (e.g. resource:default/<cluster>).",
  },
  SCOPE_NOT_ALLOWED: {
    statusCode: 403,
    title: 'Namespace or LocalQueue not served by the cluster',
    fix: 'Name a namespace the cluster serves workloads in (its Kueue or Ray namespace) and a LocalQueue in it.',
  },
};
