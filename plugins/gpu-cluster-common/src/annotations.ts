/**
 * Annotation and label keys of the gpu-cluster plugins, under the `gpu-platform.dev/` domain.
 * The catalog entity of a cluster carries the annotations; Kubernetes objects the stack renders
 * carry the labels.
 */

/** @public */
export const ANNOTATION_PREFIX = 'gpu-platform.dev/';

/** Catalog entity annotations (a Resource of type kubernetes-cluster). @public */
export const GPU_CLUSTER_ANNOTATIONS = {
  projectId: 'gpu-platform.dev/project-id',
  location: 'gpu-platform.dev/location',
  clusterName: 'gpu-platform.dev/cluster-name',
  namePrefix: 'gpu-platform.dev/name-prefix',
  specVersion: 'gpu-platform.dev/spec-version',
  kueueClusterQueue: 'gpu-platform.dev/kueue-cluster-queue',
  kueueLocalQueue: 'gpu-platform.dev/kueue-local-queue',
  kueueNamespace: 'gpu-platform.dev/kueue-namespace',
  rayCluster: 'gpu-platform.dev/ray-cluster',
  rayNamespace: 'gpu-platform.dev/ray-namespace',
  rdmaNetworks: 'gpu-platform.dev/rdma-networks',
  verificationJob: 'gpu-platform.dev/verification-job',
  terraformState: 'gpu-platform.dev/terraform-state',
  nodePools: 'gpu-platform.dev/node-pools',
  /** Most GPUs the stack can hold (the policy's GPU budget counts it). */
  maxGpus: 'gpu-platform.dev/max-gpus',
} as const;

/**
 * Annotations of a Component that runs on a GPU cluster: the tab narrowed to its namespace and
 * LocalQueue. The cluster must also be in the Component's `spec.dependsOn`, and the namespace one
 * the cluster serves workloads in; the backend refuses anything else. @public
 */
export const GPU_COMPONENT_ANNOTATIONS = {
  /** Entity reference of the cluster Resource, e.g. `resource:default/h200-dws-demo`. */
  cluster: 'gpu-platform.dev/gpu-cluster',
  /** The Kubernetes namespace the Component's workloads run in. */
  namespace: 'gpu-platform.dev/workload-namespace',
  /** The Kueue LocalQueue (in that namespace) its workloads are submitted to. */
  localQueue: 'gpu-platform.dev/local-queue',
} as const;

/** Kubernetes labels stamped on every rendered object. @public */
export const GPU_CLUSTER_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  stack: 'gpu-platform.dev/stack',
  owner: 'gpu-platform.dev/owner',
} as const;

/** Value of app.kubernetes.io/managed-by on rendered objects. @public */
export const MANAGED_BY = 'gpu-platform';
