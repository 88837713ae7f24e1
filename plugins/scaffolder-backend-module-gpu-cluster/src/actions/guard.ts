import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  evaluateStackForView,
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackUpdatePermission,
  normalizeOwnerRef,
  stackEntityRef,
  stackNames,
  type GpuClusterGroupPolicy,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  Redactor,
  StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { parseStackValues, publicError } from './stack';

/** The part of an action context the guard needs. */
export interface GuardedContext {
  input: { values: Record<string, unknown> };
  workspacePath: string;
  getInitiatorCredentials(): Promise<BackstageCredentials>;
}

/** What an action may work with once the guard let it through. */
export interface AuthorizedStack {
  /** The validated spec, with the state location the policy derives. */
  spec: GpuStackSpec;
  group: GpuClusterGroupPolicy;
  /** The cluster's catalog entity reference. */
  entityRef: string;
  /** Whether the cluster's entity exists already (an update of an owned cluster). */
  existing: boolean;
  userEntityRef: string;
  credentials: BackstageCredentials;
  /** Redacts every configured secret and the task's private paths. */
  redactor: Redactor;
}

/** @public */
export interface StackGuardOptions {
  config: GpuClusterScaffolderConfig;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  auth: AuthService;
  catalog: CatalogService;
}

const ownerOf = (entity: Entity): string | undefined => {
  const relation = entity.relations?.find(r => r.type === 'ownedBy');
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  return typeof owner === 'string' ? normalizeOwnerRef(owner) : undefined;
};

/**
 * What every gpu-cluster action does before it touches anything: validate the values, then
 * check the initiating user against the policy with the permissions service
 * (`gpuCluster.stack.create`), the group's projects, state location and GPU budget, and that
 * the cluster is not another team's (its catalog entity; `gpuCluster.stack.update` on it when
 * it exists). A template someone registered can call these actions directly, so the template
 * permissions alone are not enough.
 *
 * @public
 */
export class StackGuard {
  private readonly policy: StackPolicyResolver;

  constructor(private readonly options: StackGuardOptions) {
    this.policy = new StackPolicyResolver({
      ...options,
      policy: options.config.policy,
    });
  }

  /** A redactor for one action run: configured secrets, the workspace shown as `<workspace>`. */
  redactorFor(workspacePath: string): Redactor {
    return new Redactor(this.options.config.secrets).addPath(
      workspacePath,
      '<workspace>',
    );
  }

  /** Runs `fn` and lets only a public (redacted, stack-free) error out. */
  async run<T>(workspacePath: string, fn: (redactor: Redactor) => Promise<T>) {
    const redactor = this.redactorFor(workspacePath);
    try {
      return await fn(redactor);
    } catch (error) {
      throw publicError(error, redactor);
    }
  }

  async authorize(ctx: GuardedContext): Promise<AuthorizedStack> {
    const { permissions } = this.options;
    const parsed = parseStackValues(ctx.input.values);
    const credentials = await ctx.getInitiatorCredentials();
    if (!this.options.auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'Only a signed-in user may create GPU clusters (the task has no user initiator)',
      );
    }
    // The same view of gpuCluster.policy the form checks with (GET /stack/policy):
    // gpuCluster.stack.create, the user's groups, their projects, state and GPU budget.
    const view = await this.policy.viewFor(credentials);
    if (view.refusal) {
      throw new NotAllowedError(`identity.owner: ${view.refusal}`);
    }
    const names = stackNames(parsed);
    const entityRef = stackEntityRef(parsed);
    const owner = normalizeOwnerRef(parsed.identity.owner);
    const existing = await this.existingClusters(parsed, entityRef);
    for (const entity of existing) {
      const entityOwner = ownerOf(entity);
      if (entityOwner !== owner) {
        throw new NotAllowedError(
          `identity.namePrefix: cluster ${
            names.clusterName
          } (${stringifyEntityRef(entity)}) belongs to ${
            entityOwner ?? 'another owner'
          }; choose another name prefix`,
        );
      }
    }
    const result = evaluateStackForView(view, parsed);
    if (!result.allowed) {
      throw new NotAllowedError(`${result.field}: ${result.message}`);
    }
    if (existing.length > 0) {
      const [update] = await permissions.authorize(
        [
          {
            permission: gpuClusterStackUpdatePermission,
            resourceRef: entityRef,
          },
        ],
        { credentials },
      );
      if (update.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `identity.namePrefix: ${view.userEntityRef} may not change ${entityRef} (permission ${gpuClusterStackUpdatePermission.name}: only its owners may)`,
        );
      }
    }
    return {
      spec: result.spec,
      group: result.group,
      entityRef,
      existing: existing.length > 0,
      userEntityRef: view.userEntityRef,
      credentials,
      redactor: this.redactorFor(ctx.workspacePath),
    };
  }

  private async serviceCredentials() {
    return this.options.auth.getOwnServiceCredentials();
  }

  /**
   * Catalog entities of this cluster: the entity the stack would register, and any cluster
   * Resource naming the same GKE cluster in the same project. Read with the module's own
   * credentials, so entities the user cannot see still count.
   */
  private async existingClusters(
    spec: GpuStackSpec,
    entityRef: string,
  ): Promise<Entity[]> {
    const credentials = await this.serviceCredentials();
    const names = stackNames(spec);
    const [byRef, byAnnotation] = await Promise.all([
      this.options.catalog.getEntityByRef(entityRef, { credentials }),
      this.options.catalog.getEntities(
        {
          filter: {
            kind: 'Resource',
            [`metadata.annotations.${GPU_CLUSTER_ANNOTATIONS.clusterName}`]:
              names.clusterName,
          },
        },
        { credentials },
      ),
    ]);
    const found = new Map<string, Entity>();
    if (byRef) found.set(stringifyEntityRef(byRef), byRef);
    for (const entity of byAnnotation.items) {
      const project =
        entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.projectId];
      if (project === spec.identity.projectId)
        found.set(stringifyEntityRef(entity), entity);
    }
    return [...found.values()];
  }
}
