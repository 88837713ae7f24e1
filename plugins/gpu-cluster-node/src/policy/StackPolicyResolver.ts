import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  creatableGroups,
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackCreatePermission,
  normalizeOwnerRef,
  stackPolicyView,
  type GpuClusterPolicy,
  type RegisteredStack,
  type StackPolicyView,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** @public */
export interface StackPolicyResolverOptions {
  /** `gpuCluster.policy` (see `readGpuClusterPolicy`). */
  policy: GpuClusterPolicy;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  auth: AuthService;
  catalog: CatalogService;
}

/** The owner of a catalog entity: its `ownedBy` relation, else `spec.owner`. */
function ownerOf(entity: Entity): string | undefined {
  const relation = entity.relations?.find(r => r.type === 'ownedBy');
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  return typeof owner === 'string' ? normalizeOwnerRef(owner) : undefined;
}

/**
 * Resolves what `gpuCluster.policy` lets a signed-in user create ({@link StackPolicyView}): their
 * ownership claims from the user info service, `gpuCluster.stack.create` from the permission
 * policy, their groups' entries of the policy and the GPUs of the clusters registered for those
 * groups. The scaffolder actions decide with this view and `GET /api/gpu-cluster/stack/policy`
 * answers it to the form, so the two cannot disagree.
 *
 * @public
 */
export class StackPolicyResolver {
  constructor(private readonly options: StackPolicyResolverOptions) {}

  async viewFor(credentials: BackstageCredentials): Promise<StackPolicyView> {
    const { policy, permissions, userInfo } = this.options;
    const user = await userInfo.getUserInfo(credentials);
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStackCreatePermission }],
      { credentials },
    );
    const permitted = decision.result === AuthorizeResult.ALLOW;
    const groups = permitted
      ? creatableGroups(policy, user).map(g => g.group)
      : [];
    return stackPolicyView(policy, user, await this.registeredStacks(groups), {
      permitted,
    });
  }

  /**
   * The GPU clusters registered for these groups, by owner. Read with the plugin's own
   * credentials, so clusters the user cannot see still count against the budget.
   */
  async registeredStacks(
    groups: string[],
  ): Promise<Map<string, RegisteredStack[]>> {
    const byOwner = new Map<string, RegisteredStack[]>();
    if (groups.length === 0) return byOwner;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'relations.ownedBy': groups },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'relations',
          'spec.owner',
        ],
      },
      { credentials },
    );
    for (const entity of items) {
      const owner = ownerOf(entity);
      const gpus = Number(
        entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.maxGpus],
      );
      if (!owner || !groups.includes(owner)) continue;
      if (!Number.isFinite(gpus) || gpus <= 0) continue;
      byOwner.set(owner, [
        ...(byOwner.get(owner) ?? []),
        { entityRef: stringifyEntityRef(entity), gpus },
      ]);
    }
    return byOwner;
  }
}
