import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createScaffolderActionConditionalDecision,
  createScaffolderTaskConditionalDecision,
  createScaffolderTemplateConditionalDecision,
  scaffolderActionConditions,
  scaffolderTaskConditions,
  scaffolderTemplateConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskReadPermission,
  templateParameterReadPermission,
  templateStepReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  GPU_CLUSTER_ANNOTATIONS,
  GPU_CLUSTER_TEMPLATE_TAG,
  gpuClusterRayJobsReadPermission,
  gpuClusterStackCreatePermission,
  gpuClusterStackUpdatePermission,
  isPolicyAdmin,
  mayCreateStacks,
  type GpuClusterPolicy,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { readGpuClusterPolicy } from '@gpu-platform/backstage-plugin-gpu-cluster-node';

/** The scaffolder actions that provision with the backend's credentials. */
export const GPU_CLUSTER_ACTION_IDS = [
  'gpu-cluster:spec:validate',
  'gpu-cluster:stack:render',
  'gpu-cluster:terraform:apply',
  'gpu-cluster:kubectl:apply',
  'gpu-cluster:catalog:register',
  'gpu-cluster:destroy',
];

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
const deny: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * The backend's permission policy (replacing allow-all), driven by `gpuCluster.policy`:
 *
 * - admins (`adminGroups`) may do everything;
 * - only members of the policy's groups may create GPU clusters (`gpuCluster.stack.create`) and
 *   run the `gpu-cluster:*` scaffolder actions; the actions check project, state and budget;
 * - only a cluster's owners may change it (`gpuCluster.stack.update`), read its Ray jobs'
 *   command lines from the dashboard (`gpuCluster.ray.jobs.read`) or delete its catalog entity
 *   (conditional on `isEntityOwner`);
 * - template parameter pages and steps tagged `gpu-cluster` (the "Create GPU cluster" template's
 *   pages after the first and its provisioning steps) are for those members only;
 * - scaffolder task logs (dry runs return theirs to the caller only) are readable and
 *   cancellable by their initiator only;
 * - everything else is allowed, as before.
 *
 * @public
 */
export class GpuClusterPermissionPolicy implements PermissionPolicy {
  constructor(private readonly policy: GpuClusterPolicy) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    // Requests made by backend plugins on their own behalf carry no user.
    if (!user) return allow;
    const claims = {
      userEntityRef: user.info.userEntityRef,
      ownershipEntityRefs: user.info.ownershipEntityRefs,
    };
    if (isPolicyAdmin(this.policy, claims)) return allow;
    const creator = mayCreateStacks(this.policy, claims);

    if (isPermission(permission, gpuClusterStackCreatePermission)) {
      return creator ? allow : deny;
    }
    if (
      isPermission(permission, gpuClusterStackUpdatePermission) ||
      isPermission(permission, gpuClusterRayJobsReadPermission)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: claims.ownershipEntityRefs,
        }),
      );
    }
    if (isPermission(permission, catalogEntityDeletePermission)) {
      // A GPU cluster's entity is deleted by its owners only; other entities as before.
      return createCatalogConditionalDecision(permission, {
        anyOf: [
          {
            not: catalogConditions.hasAnnotation({
              annotation: GPU_CLUSTER_ANNOTATIONS.clusterName,
            }),
          },
          catalogConditions.isEntityOwner({
            claims: claims.ownershipEntityRefs,
          }),
        ],
      });
    }
    if (isPermission(permission, actionExecutePermission)) {
      if (creator) return allow;
      const [first, ...others] = GPU_CLUSTER_ACTION_IDS.map(actionId =>
        scaffolderActionConditions.hasActionId({ actionId }),
      );
      return createScaffolderActionConditionalDecision(permission, {
        not: { anyOf: [first, ...others] },
      });
    }
    if (
      isPermission(permission, templateParameterReadPermission) ||
      isPermission(permission, templateStepReadPermission)
    ) {
      if (creator) return allow;
      return createScaffolderTemplateConditionalDecision(permission, {
        not: scaffolderTemplateConditions.hasTag({
          tag: GPU_CLUSTER_TEMPLATE_TAG,
        }),
      });
    }
    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({
          createdBy: [claims.userEntityRef],
        }),
      );
    }
    return allow;
  }
}

/**
 * Installs {@link GpuClusterPermissionPolicy} with the policy of `gpuCluster.policy`.
 *
 * @public
 */
export const permissionModuleGpuClusterPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'gpu-cluster-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        policy.setPolicy(
          new GpuClusterPermissionPolicy(readGpuClusterPolicy(config)),
        );
      },
    });
  },
});
