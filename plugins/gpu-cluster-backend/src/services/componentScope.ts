import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type {
  ClusterStatus,
  ClusterStatusDetail,
  ComponentClusterStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  GPU_CLUSTER_ANNOTATIONS,
  GPU_COMPONENT_ANNOTATIONS,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { ClusterAccessError } from './ClusterAccessError';
import { SUMMARY_HEAD_LIMIT } from './summarize';

/** A Component's view of a cluster: which cluster, namespace and LocalQueue, all checked. */
export interface ComponentScope {
  componentRef: string;
  clusterRef: string;
  namespace: string;
  localQueue: string;
}

/** Kubernetes namespace / object name (RFC 1123 label). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface CatalogLike {
  getEntityByRef(
    ref: string,
    options: { credentials: BackstageCredentials },
  ): Promise<Entity | undefined>;
}

const annotation = (entity: Entity, key: string) => {
  const value = entity.metadata.annotations?.[key]?.trim();
  if (!value) {
    throw new ClusterAccessError(
      'NOT_A_GPU_COMPONENT',
      `${stringifyEntityRef(entity)} has no ${key} annotation`,
    );
  }
  return value;
};

/** `resource:x`, `resource:default/x` and `Resource:default/x` all name the same entity. */
function normalizedRef(ref: string, defaultNamespace: string) {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'resource', defaultNamespace }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * Reads a Component's scope from the catalog (with the caller's credentials) and checks it: the
 * annotations are well-formed, the cluster it names is in its `spec.dependsOn`, and the namespace
 * is one the cluster serves workloads in — the namespaces of the stack spec the template
 * registered, else those the cluster entity declares (`kueue-namespace`, `ray-namespace`).
 * Whether the caller may read that cluster is the router's check, on the cluster.
 */
export async function resolveComponentScope(
  componentRef: string,
  credentials: BackstageCredentials,
  catalog: CatalogLike,
): Promise<ComponentScope> {
  const component = await catalog.getEntityByRef(componentRef, {
    credentials,
  });
  if (!component || component.kind.toLocaleLowerCase('en-US') !== 'component') {
    throw new ClusterAccessError(
      'ENTITY_NOT_FOUND',
      `No Component ${componentRef}, or you may not see it`,
    );
  }
  const ref = stringifyEntityRef(component);
  const namespaceOfEntity = component.metadata.namespace ?? 'default';
  const clusterAnnotation = annotation(
    component,
    GPU_COMPONENT_ANNOTATIONS.cluster,
  );
  const clusterRef = normalizedRef(clusterAnnotation, namespaceOfEntity);
  if (!clusterRef || !clusterRef.startsWith('resource:')) {
    throw new ClusterAccessError(
      'INVALID_REFERENCE',
      `${GPU_COMPONENT_ANNOTATIONS.cluster} of ${ref} must be a Resource entity reference such as resource:default/<cluster>`,
    );
  }
  const namespace = annotation(component, GPU_COMPONENT_ANNOTATIONS.namespace);
  const localQueue = annotation(
    component,
    GPU_COMPONENT_ANNOTATIONS.localQueue,
  );
  for (const [key, value] of [
    [GPU_COMPONENT_ANNOTATIONS.namespace, namespace],
    [GPU_COMPONENT_ANNOTATIONS.localQueue, localQueue],
  ]) {
    if (!K8S_NAME.test(value)) {
      throw new ClusterAccessError(
        'INVALID_REFERENCE',
        `${key} of ${ref} must be a Kubernetes name (lower-case letters, digits, "-"; at most 63)`,
      );
    }
  }
  const dependsOn: unknown = component.spec?.dependsOn;
  const depends =
    Array.isArray(dependsOn) &&
    dependsOn.some(
      d =>
        typeof d === 'string' &&
        normalizedRef(d, namespaceOfEntity) === clusterRef,
    );
  if (!depends) {
    throw new ClusterAccessError(
      'NOT_A_DEPENDENCY',
      `${ref} names ${clusterRef} in ${GPU_COMPONENT_ANNOTATIONS.cluster} but does not list it in spec.dependsOn`,
    );
  }
  return { componentRef: ref, clusterRef, namespace, localQueue };
}

/** The namespaces a cluster serves workloads in (the spec's, else the cluster entity's). */
export function servedNamespaces(
  clusterEntity: Entity | undefined,
  stackSpec?: {
    kueue?: { namespace?: string };
    ray?: { namespace?: string };
  },
): string[] {
  const annotations = clusterEntity?.metadata.annotations ?? {};
  const fromSpec = [stackSpec?.kueue?.namespace, stackSpec?.ray?.namespace];
  const fromEntity = [
    annotations[GPU_CLUSTER_ANNOTATIONS.kueueNamespace],
    annotations[GPU_CLUSTER_ANNOTATIONS.rayNamespace],
  ];
  return [
    ...new Set(
      (stackSpec ? fromSpec : fromEntity).filter((n): n is string =>
        Boolean(n),
      ),
    ),
  ];
}

/** Refuses a namespace the cluster does not serve, naming the annotation to change. */
export function checkNamespace(scope: ComponentScope, served: string[]) {
  if (!served.includes(scope.namespace)) {
    throw new ClusterAccessError(
      'SCOPE_NOT_ALLOWED',
      `${GPU_COMPONENT_ANNOTATIONS.namespace} of ${scope.componentRef} is ${
        scope.namespace
      }, which ${scope.clusterRef} does not serve (${
        served.join(', ') || 'no namespace declared'
      })`,
    );
  }
}

/**
 * The Component's LocalQueue in the cluster; refused when the queues were read and it is not
 * among them (when they could not be read, the section says so instead).
 */
export function checkLocalQueue(
  scope: ComponentScope,
  detail: ClusterStatusDetail,
) {
  const localQueue = detail.localQueues.find(
    q => q.namespace === scope.namespace && q.name === scope.localQueue,
  );
  if (!localQueue && ['ok', 'stale'].includes(detail.sections.queues.state)) {
    throw new ClusterAccessError(
      'SCOPE_NOT_ALLOWED',
      `${scope.clusterRef} has no LocalQueue ${scope.localQueue} in namespace ${scope.namespace} (${GPU_COMPONENT_ANNOTATIONS.localQueue})`,
    );
  }
  return localQueue;
}

/**
 * The cluster's status narrowed to the Component's namespace and LocalQueue: the queue and its
 * ClusterQueue, the namespace's Ray clusters and jobs, counts and explanations within it. Nothing
 * else of the cluster (other namespaces, nodes, flags) is in it.
 */
export function narrowToComponent(
  scope: ComponentScope,
  status: ClusterStatus,
  detail: ClusterStatusDetail,
): ComponentClusterStatus {
  const localQueue = checkLocalQueue(scope, detail);
  const clusterQueue = localQueue
    ? status.clusterQueues.find(c => c.name === localQueue.clusterQueue)
    : undefined;
  const workloads = detail.workloads.filter(
    w => w.namespace === scope.namespace && w.queueName === scope.localQueue,
  );
  const explained = new Set(workloads.map(w => w.name));
  const explanations = detail.explanations.filter(
    e => e.namespace === scope.namespace && explained.has(e.workload),
  );
  const missing = (section: keyof ClusterStatus['sections']) =>
    status.sections[section].state === 'missing';
  return {
    componentRef: scope.componentRef,
    clusterRef: scope.clusterRef,
    clusterName: status.clusterName,
    namespace: scope.namespace,
    localQueueName: scope.localQueue,
    generatedAt: status.generatedAt,
    sources: status.sources,
    sections: status.sections,
    summary: {
      ...(!missing('workloads') && {
        pendingWorkloads: workloads.filter(w =>
          ['Pending', 'QuotaReserved', 'Evicted'].includes(w.phase),
        ).length,
        admittedWorkloads: workloads.filter(w =>
          ['Admitted', 'Running'].includes(w.phase),
        ).length,
      }),
      ...(!missing('provisioningRequests') && {
        waitingProvisioningRequests: detail.provisioningRequests.filter(
          p =>
            p.namespace === scope.namespace &&
            ['Pending', 'Accepted'].includes(p.state),
        ).length,
      }),
    },
    ...(localQueue && { localQueue }),
    ...(clusterQueue && { clusterQueue }),
    rayClusters: status.rayClusters.filter(
      r => r.namespace === scope.namespace,
    ),
    rayJobs: status.rayJobs.filter(r => r.namespace === scope.namespace),
    explanations: {
      items: explanations.slice(0, SUMMARY_HEAD_LIMIT),
      limit: SUMMARY_HEAD_LIMIT,
      total: explanations.length,
    },
  };
}
