import type { AuthService } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  GPU_CLUSTER_ANNOTATIONS,
  normalizeOwnerRef,
  policyStateLocation,
  stackEntityRef,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { GpuClusterScaffolderConfig } from '../config';
import type { ClusterRegistrationClient } from '../registrations';
import { parseStackValues } from './stack';

/** A catalog entity name (what the catalog accepts; 63 characters at most). */
const ENTITY_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

export const ownerOf = (entity: Entity): string | undefined => {
  const relation = entity.relations?.find(r => r.type === 'ownedBy');
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  return typeof owner === 'string' ? normalizeOwnerRef(owner) : undefined;
};

/** `resource:<namespace>/<name>` in lower case, or an InputError naming the field. */
export function parseClusterEntityRef(value: string): string {
  let ref;
  try {
    ref = parseEntityRef(value.trim().toLocaleLowerCase('en-US'), {
      defaultKind: 'resource',
      defaultNamespace: 'default',
    });
  } catch {
    ref = undefined;
  }
  if (
    !ref ||
    ref.kind !== 'resource' ||
    !ENTITY_NAME.test(ref.namespace) ||
    !ENTITY_NAME.test(ref.name)
  ) {
    throw new InputError(
      `entityRef: must be a GPU cluster's catalog reference such as resource:default/my-gke, got '${value.slice(
        0,
        100,
      )}'`,
    );
  }
  return stringifyEntityRef(ref);
}

/** What the owner-only templates (Destroy, Update) work from: the spec the template registered. */
export interface TrustedStack {
  spec: GpuStackSpec;
  entity: Entity;
}

/** What {@link registeredStack} reads. */
export interface RegisteredStackOptions {
  config: GpuClusterScaffolderConfig;
  catalog: CatalogService;
  auth: AuthService;
  registrations: Pick<ClusterRegistrationClient, 'get'>;
}

/**
 * The spec the Create template registered for `entityRef` (never the request's), checked
 * against the catalog entity as it is now (name, project, location, owner) and against
 * `gpuCluster.policy` (the owner group's projects and state location). `verb` names what the
 * calling template does, for its refusals ("destroy", "update", "verify"); `cliHint` the way out
 * a platform engineer has instead.
 */
export async function registeredStack(
  options: RegisteredStackOptions,
  entityRef: string,
  verb: string,
  cliHint = 'removes it with the gpu-cluster CLI',
): Promise<TrustedStack> {
  const { config, catalog, auth, registrations } = options;
  const serviceCredentials = await auth.getOwnServiceCredentials();
  const entity = await catalog.getEntityByRef(entityRef, {
    credentials: serviceCredentials,
  });
  if (!entity) {
    throw new NotFoundError(`entityRef: ${entityRef} is not in the catalog`);
  }
  const registration = await registrations.get(entityRef);
  if (!registration) {
    throw new NotAllowedError(
      `entityRef: ${entityRef} was not registered by the Create GPU cluster template, so this template does not ${verb} it (a platform engineer ${cliHint})`,
    );
  }
  if (!registration.spec) {
    throw new NotAllowedError(
      `entityRef: ${entityRef} was registered before the template kept its stack spec; run the Create GPU cluster template again with the same values (nothing changes), then ${verb} it`,
    );
  }
  const spec = parseStackValues(registration.spec);
  const names = stackNames(spec);
  const owner = normalizeOwnerRef(spec.identity.owner);
  const annotations = entity.metadata.annotations ?? {};
  // Everything that decides what is destroyed must agree: the registration, its spec and the
  // entity as the catalog holds it now (an entity re-owned or re-pointed since is refused).
  const checks: Array<[string, unknown, unknown]> = [
    ['entity reference', stackEntityRef(spec), entityRef],
    ['cluster name', names.clusterName, registration.clusterName],
    ['project', spec.identity.projectId, registration.projectId],
    ['location', names.clusterLocation, registration.location],
    ['owner', owner, normalizeOwnerRef(registration.owner)],
    ['entity owner', owner, ownerOf(entity)],
    [
      GPU_CLUSTER_ANNOTATIONS.clusterName,
      names.clusterName,
      annotations[GPU_CLUSTER_ANNOTATIONS.clusterName],
    ],
    [
      GPU_CLUSTER_ANNOTATIONS.projectId,
      spec.identity.projectId,
      annotations[GPU_CLUSTER_ANNOTATIONS.projectId],
    ],
    [
      GPU_CLUSTER_ANNOTATIONS.location,
      names.clusterLocation,
      annotations[GPU_CLUSTER_ANNOTATIONS.location],
    ],
  ];
  for (const [what, registered, found] of checks) {
    if (registered !== found) {
      throw new NotAllowedError(
        `entityRef: ${entityRef} no longer matches what the template registered (${what}: registered ${registered}, found ${
          found ?? 'none'
        }); a platform engineer ${cliHint}`,
      );
    }
  }
  const group = config.policy.groups.find(g => g.group === owner);
  if (!group || !group.projects.includes(spec.identity.projectId)) {
    throw new NotAllowedError(
      `entityRef: project ${spec.identity.projectId} of ${entityRef} is not one of ${owner}'s projects in gpuCluster.policy.groups, so the backend's credentials are not used on it`,
    );
  }
  const state = policyStateLocation(group, spec);
  if (
    names.stateBucket !== state.bucket ||
    names.statePrefix !== state.prefix
  ) {
    throw new NotAllowedError(
      `entityRef: the state of ${entityRef} (gs://${names.stateBucket}/${names.statePrefix}) is not where gpuCluster.policy puts ${owner}'s stacks (gs://${state.bucket}/${state.prefix})`,
    );
  }
  return { spec, entity };
}
