import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import { stringify } from 'yaml';
import {
  gpuClusterStackUpdatePermission,
  immutableStackChanges,
  normalizeOwnerRef,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  diffStackManifests,
  diffStackVariables,
  kubectlApplyServerSide,
  kubectlDelete,
  refusedPlanChanges,
  runKubectl,
  serializeManifest,
  terraformApply,
  terraformOutputs,
  terraformPlan,
  toolEnvironment,
  withTerraformRun,
  type GkeConnectionDependencies,
  type KubectlOptions,
  type Redactor,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { clusterResourceEntity } from '../entity';
import type { ClusterRegistrationClient } from '../registrations';
import { stackKubeconfig } from './clusterAccess';
import type { StackGuard } from './guard';
import { parseClusterEntityRef, registeredStack } from './registeredStack';
import { terraformStateLocation } from './terraformApply';
import { updateExamples } from './update.examples';

type TerraformOutputs = Record<string, { value: unknown }>;

/** What the terraform half of an update did (kept by the task's checkpoint). */
type TerraformUpdate = {
  hasChanges: boolean;
  planSummary: string;
  toAdd: number;
  toChange: number;
  toDestroy: number;
  endpoint: string;
};

/**
 * `gpu-cluster:update`: changes a GPU cluster the "Create GPU cluster" template created, for its
 * owners only, from the spec the template registered to the `values` of the form. Checks, before
 * any tool runs: the user is allowed `gpuCluster.stack.update` on the entity, the entity still
 * matches its registration and `gpuCluster.policy` (as Destroy checks), the new values pass the
 * StackGuard (validation, the policy's projects, state and GPU budget) and describe the same
 * cluster, and they change only what an update may change (`UPDATABLE_STACK_FIELDS`: pool sizes,
 * added or removed pools, Ray workers, queues), naming the field otherwise.
 *
 * Then `terraform plan -out` of the shipped module with the stack's own state; a plan that would
 * replace anything, or delete anything but a removed GPU pool (the cluster, its networks, its
 * data), is refused before apply. The saved plan is applied as is. kubectl applies only the
 * objects that changed and deletes those the new spec no longer renders. Last, the registration
 * keeps the new spec and the catalog entity is rebuilt from it. A dry run checks and shows the
 * diff, and runs no tool.
 *
 * @public
 */
export function createUpdateAction(options: {
  config: GpuClusterScaffolderConfig;
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  guard: StackGuard;
  registrations: Pick<ClusterRegistrationClient, 'get' | 'record'>;
  /** Test seams of the GKE lookup (a ClusterManager client, a token source). */
  gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
}) {
  const { config, catalog, permissions, auth, guard, registrations } = options;

  async function authorizeUser(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    if (!auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'Only a signed-in user may update GPU clusters (the task has no user initiator)',
      );
    }
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStackUpdatePermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `entityRef: ${credentials.principal.userEntityRef} may not update ${entityRef} (permission ${gpuClusterStackUpdatePermission.name}: only its owners may)`,
      );
    }
    return credentials.principal.userEntityRef;
  }

  /** The rebuilt entity: into its file location when the template wrote one, else the workspace. */
  async function updateCatalog(
    spec: GpuStackSpec,
    endpoint: string,
    origin: string | undefined,
    workspacePath: string,
    credentials: BackstageCredentials,
    log: (message: string) => void,
  ): Promise<string> {
    const entity = clusterResourceEntity(spec, { endpoint });
    const entityRef = stringifyEntityRef(entity);
    const text = stringify(entity);
    await fs.mkdir(workspacePath, { recursive: true });
    await fs.writeFile(
      path.join(workspacePath, 'catalog-info.yaml'),
      text,
      'utf8',
    );
    const directory = config.catalog.locationDirectory;
    const target = directory
      ? path.resolve(
          directory,
          `${entity.metadata.namespace}-${entity.metadata.name}.yaml`,
        )
      : undefined;
    // Only the file catalog:register wrote for this entity is rewritten: never a path an
    // annotation names.
    if (target && origin === `file:${target}`) {
      await fs.writeFile(target, text, 'utf8');
      await catalog.refreshEntity(entityRef, { credentials });
      log(`Updated ${entityRef} in the catalog (${path.basename(target)})`);
      return '';
    }
    log(
      `${entityRef} was not registered from gpuCluster.catalog.locationDirectory: its updated entity is catalog-info.yaml in the workspace; publish it where it was registered from`,
    );
    return 'catalog-info.yaml';
  }

  return createTemplateAction({
    id: 'gpu-cluster:update',
    description:
      "Updates a GPU cluster the Create GPU cluster template created (its owners only): node pool sizes, added or removed pools, Ray workers, queues. Plans with the stack's state, refuses replacing or deleting the cluster or its networks, applies the saved plan, applies only the changed Kubernetes objects and deletes the removed ones, then updates the registration and the catalog entity.",
    examples: updateExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .max(300)
            .describe(
              'Catalog reference of the GPU cluster (resource:<namespace>/<name>), as the Create GPU cluster template registered it.',
            ),
        values: z =>
          z
            .record(z.unknown())
            .describe(
              'The whole new stack spec (the stored spec as the form edited it); validated against the stack spec and gpuCluster.policy, and compared with the stored spec.',
            ),
      },
      output: {
        entityRef: z => z.string().describe('The updated cluster entity.'),
        clusterName: z => z.string().describe('GKE cluster name.'),
        planSummary: z =>
          z
            .string()
            .describe(
              'What terraform planned and applied: counts, then one line per resource (action and address); in a dry run, the variables that change.',
            ),
        manifestChanges: z =>
          z
            .array(z.string())
            .describe(
              'Kubernetes objects added, changed and removed (`added RayCluster default/ray`).',
            ),
        catalogInfoPath: z =>
          z
            .string()
            .describe(
              'The updated entity file in the workspace when the entity is not registered from gpuCluster.catalog.locationDirectory (publish it), else empty.',
            ),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async taskRedactor => {
        const entityRef = parseClusterEntityRef(ctx.input.entityRef);
        const credentials = await ctx.getInitiatorCredentials();
        const user = await authorizeUser(entityRef, credentials);
        const { spec: stored, entity } = await registeredStack(
          options,
          entityRef,
          'update',
        );
        const authorized = await guard.authorize({
          input: { values: ctx.input.values },
          workspacePath: ctx.workspacePath,
          getInitiatorCredentials: async () => credentials,
        });
        const next = authorized.spec;
        if (authorized.entityRef !== entityRef) {
          throw new InputError(
            `identity.namePrefix: the values describe ${authorized.entityRef}, not ${entityRef}; an update keeps the cluster's identity`,
          );
        }
        const refused = immutableStackChanges(stored, next);
        if (refused.length > 0) {
          throw new InputError(
            `This update changes what an existing cluster cannot change:\n${refused
              .map(c => `  - ${c.field}: ${c.message}`)
              .join('\n')}`,
          );
        }
        const names = stackNames(next);
        const manifests = diffStackManifests(stored, next);
        const variables = diffStackVariables(stored, next);
        const manifestChanges = manifests.changes.map(
          c =>
            `${c.change} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${
              c.name
            }`,
        );
        const storedPools = stored.nodePools.map(p => p.name);
        const removedPools = storedPools.filter(
          name => !next.nodePools.some(p => p.name === name),
        );
        ctx.logger.info(
          `${user} updates ${names.clusterName} in ${next.identity.projectId} (${names.clusterLocation})`,
        );
        ctx.logger.info(
          `Terraform variables that change: ${
            variables
              .map(
                v =>
                  `${v.path} ${JSON.stringify(v.from)} → ${JSON.stringify(
                    v.to,
                  )}`,
              )
              .join('; ') || 'none'
          }`,
        );
        ctx.logger.info(
          `Kubernetes objects that change: ${
            manifestChanges.join('; ') || 'none'
          }`,
        );
        ctx.output('entityRef', entityRef);
        ctx.output('clusterName', names.clusterName);
        ctx.output('manifestChanges', manifestChanges);
        if (ctx.isDryRun) {
          ctx.logger.info('Dry run: terraform and kubectl do not run');
          ctx.output(
            'planSummary',
            variables.map(v => `variable ${v.path}`).join('\n'),
          );
          ctx.output('catalogInfoPath', '');
          return;
        }

        const logger = {
          info: (message: string) => ctx.logger.info(message),
          warn: (message: string) => ctx.logger.warn(message),
        };
        const terraform = await ctx.checkpoint({
          key: `gpu-cluster.update.terraform.v1.${entityRef}`,
          fn: () =>
            withTerraformRun<TerraformUpdate>(
              {
                spec: next,
                state: terraformStateLocation(config, next),
                settings: {
                  terraformPath: config.terraform.binaryPath,
                  env: config.terraform.env,
                  timeoutMs: config.terraform.timeoutMs,
                  killAfterMs: config.terraform.killAfterMs,
                  runDirectory: config.terraform.runDirectory,
                },
                signal: ctx.signal,
                logger,
                redactor: taskRedactor,
              },
              async stack => {
                const plan = await terraformPlan(stack);
                const { summary } = plan;
                const counts = `Plan: ${summary.create} to add, ${
                  summary.update
                } to change, ${summary.delete + summary.replace} to destroy${
                  summary.replace ? ` (${summary.replace} replaced)` : ''
                }`;
                const planSummary = [counts, ...summary.changes].join('\n');
                for (const line of planSummary.split('\n'))
                  ctx.logger.info(line);
                const refusedChanges = refusedPlanChanges(
                  summary.changes,
                  removedPools,
                );
                if (refusedChanges.length > 0) {
                  throw new NotAllowedError(
                    `The plan would replace or delete what an update must keep (${refusedChanges.join(
                      ', ',
                    )}); nothing was applied. An update may only resize, add and remove GPU node pools: to change the cluster, its networks or its data, create a new cluster and destroy this one.`,
                  );
                }
                let outputs: TerraformOutputs;
                if (plan.hasChanges) {
                  outputs = (
                    await terraformApply({ ...stack, planFile: plan.planFile })
                  ).outputs;
                } else {
                  ctx.logger.info('terraform: no changes');
                  outputs = await terraformOutputs(stack);
                }
                const endpoint = outputs.cluster_endpoint?.value;
                return {
                  hasChanges: plan.hasChanges,
                  planSummary,
                  toAdd: summary.create,
                  toChange: summary.update,
                  toDestroy: summary.delete + summary.replace,
                  endpoint: typeof endpoint === 'string' ? endpoint : '',
                };
              },
            ),
        });

        if (manifests.changes.length > 0) {
          await ctx.checkpoint({
            key: `gpu-cluster.update.kubectl.v1.${entityRef}`,
            fn: () =>
              applyManifestChanges(
                next,
                manifests,
                ctx.signal,
                taskRedactor,
                logger,
              ),
          });
        }

        const catalogInfoPath = await ctx.checkpoint({
          key: `gpu-cluster.update.catalog.v1.${entityRef}`,
          fn: async () => {
            await registrations.record({
              entityRef,
              projectId: next.identity.projectId,
              location: names.clusterLocation,
              clusterName: names.clusterName,
              owner: normalizeOwnerRef(next.identity.owner),
              spec: next as unknown as JsonObject,
            });
            const endpoint =
              terraform.endpoint ||
              entity.metadata.annotations?.['kubernetes.io/api-server'] ||
              '';
            return updateCatalog(
              next,
              endpoint,
              entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION],
              ctx.workspacePath,
              credentials,
              message => ctx.logger.info(message),
            );
          },
        });
        ctx.output('planSummary', terraform.planSummary);
        ctx.output('catalogInfoPath', catalogInfoPath);
      });
    },
  });

  /** Applies the added and changed objects, then deletes the removed ones, with kubectl. */
  async function applyManifestChanges(
    spec: GpuStackSpec,
    diff: ReturnType<typeof diffStackManifests>,
    signal: AbortSignal | undefined,
    redactor: Redactor,
    logger: { info(message: string): void; warn(message: string): void },
  ) {
    const parent = config.kubectl.runDirectory ?? os.tmpdir();
    await fs.mkdir(parent, { recursive: true });
    const root = await fs.mkdtemp(path.join(parent, 'gpu-cluster-update-'));
    redactor.addPath(root, '<update-run>');
    try {
      await fs.chmod(root, 0o700);
      const home = path.join(root, 'home');
      await fs.mkdir(path.join(home, 'tmp'), { recursive: true, mode: 0o700 });
      const kubeconfig = await stackKubeconfig(
        { config, gke: options.gke },
        spec,
        root,
        redactor,
        message => logger.info(message),
      );
      const kubectl: KubectlOptions = {
        kubeconfig: kubeconfig.path,
        context: kubeconfig.context,
        kubectlPath: config.kubectl.binaryPath,
        env: toolEnvironment({ configured: config.kubectl.env, home }),
        signal,
        timeoutMs: config.kubectl.timeoutMs,
        killAfterMs: config.kubectl.killAfterMs,
        logger,
        redactor,
      };
      await runKubectl(['version', '--output=json'], kubectl);
      // Rendered here from the validated spec: only the objects that differ from the stored one.
      for (const file of diff.toApply) {
        const target = path.join(root, file.path);
        await fs.writeFile(target, serializeManifest(file.objects), {
          mode: 0o600,
        });
        await kubectlApplyServerSide([target], kubectl);
      }
      if (diff.removed.length > 0) {
        const target = path.join(root, 'removed.yaml');
        await fs.writeFile(target, serializeManifest(diff.removed), {
          mode: 0o600,
        });
        await kubectlDelete([target], kubectl);
      }
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
}
