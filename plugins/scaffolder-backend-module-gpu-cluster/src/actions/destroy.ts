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
  type Entity,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  gpuClusterStackUpdatePermission,
  stackNames,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  destroyStack,
  GkeConnectionError,
  IN_CLUSTER_WORK,
  Redactor,
  toolEnvironment,
  withTerraformRun,
  writeStackFiles,
  type DestroyReport,
  type DestroyRetryOptions,
  type GkeConnectionDependencies,
  type KubectlOptions,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import type { ClusterRegistrationClient } from '../registrations';
import { stackKubeconfig } from './clusterAccess';
import { destroyExamples } from './destroy.examples';
import { publicError } from './stack';
import { createStackTrust, parseClusterEntityRef } from './trustedStack';
import { terraformStateLocation } from './terraformApply';

export { parseClusterEntityRef };

/**
 * `gpu-cluster:destroy`: tears down a GPU cluster the "Create GPU cluster" template created, for
 * its owners only. The stack is never taken from the request: the entity reference selects the
 * registration the gpu-cluster backend recorded when the template registered the cluster (the
 * validated spec it applied), which must agree with the catalog entity (name, project, location,
 * owner) and with `gpuCluster.policy` (the owner group's projects and state location). The user
 * must be allowed both `catalog.entity.delete` and `gpuCluster.stack.update` on the entity by
 * the permission framework (the policy makes both conditional on ownership).
 *
 * Then, in order: the work in the cluster (Ray, queued Jobs, Workloads, ProvisioningRequests)
 * and the stack's objects, `terraform destroy` of the shipped module in a private directory (run
 * again, bounded, while GCP is still deleting network resources), the data buckets kept unless
 * `deleteData`; then the catalog entity, its location (when it holds nothing else) and the
 * registration. A dry run checks all of this and runs no tool.
 *
 * @public
 */
export function createDestroyAction(options: {
  config: GpuClusterScaffolderConfig;
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  registrations: Pick<ClusterRegistrationClient, 'get' | 'remove'>;
  /** Test seams of the GKE lookup (a ClusterManager client, a token source). */
  gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
  /** Test seam: the waits between `terraform destroy` runs. */
  destroyRetry?: Partial<DestroyRetryOptions>;
}) {
  const { config, catalog, permissions, auth, registrations } = options;

  async function authorizeUser(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    if (!auth.isPrincipal(credentials, 'user')) {
      throw new NotAllowedError(
        'Only a signed-in user may destroy GPU clusters (the task has no user initiator)',
      );
    }
    const decisions = await permissions.authorize(
      [
        { permission: catalogEntityDeletePermission, resourceRef: entityRef },
        { permission: gpuClusterStackUpdatePermission, resourceRef: entityRef },
      ],
      { credentials },
    );
    if (decisions.some(d => d.result !== AuthorizeResult.ALLOW)) {
      throw new NotAllowedError(
        `entityRef: ${credentials.principal.userEntityRef} may not destroy ${entityRef} (permissions ${catalogEntityDeletePermission.name} and ${gpuClusterStackUpdatePermission.name}: only its owners may)`,
      );
    }
    return credentials.principal.userEntityRef;
  }

  const { trustedStack } = createStackTrust(options);

  /** Removes the entity, its location when that holds nothing else, and the registration. */
  async function removeFromCatalog(
    entity: Entity,
    credentials: BackstageCredentials,
    log: (message: string) => void,
  ) {
    const entityRef = stringifyEntityRef(entity);
    const serviceCredentials = await auth.getOwnServiceCredentials();
    const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
    const location = await catalog
      .getLocationByEntity(entityRef, { credentials: serviceCredentials })
      .catch(() => undefined);
    if (location && origin === `${location.type}:${location.target}`) {
      const fromLocation = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_ORIGIN_LOCATION}`]: origin,
          },
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'spec.type',
            'spec.target',
          ],
        },
        { credentials: serviceCredentials },
      );
      // The catalog keeps a generated Location entity for every registered location, with the
      // same origin: that one is the location itself, not something else it holds.
      const isTheLocationItself = (e: Entity) =>
        e.kind === 'Location' &&
        e.spec?.type === location.type &&
        e.spec?.target === location.target;
      const others = fromLocation.items.filter(
        e => stringifyEntityRef(e) !== entityRef && !isTheLocationItself(e),
      );
      if (others.length === 0) {
        // With the user's credentials: the permission framework decides, as for the entity.
        await catalog.removeLocationById(location.id, { credentials });
        log(`Removed catalog location ${origin}`);
        const directory = config.catalog.locationDirectory;
        if (
          location.type === 'file' &&
          directory &&
          path.dirname(path.resolve(location.target)) ===
            path.resolve(directory)
        ) {
          await fs.rm(location.target, { force: true });
        }
      } else {
        log(
          `Kept catalog location ${origin}: it also holds ${others
            .map(e => stringifyEntityRef(e))
            .join(', ')}; remove ${entityRef} from its file, or it comes back`,
        );
      }
    }
    const still = await catalog.getEntityByRef(entityRef, {
      credentials: serviceCredentials,
    });
    if (still?.metadata.uid) {
      await catalog.removeEntityByUid(still.metadata.uid, { credentials });
    }
    await registrations.remove(entityRef);
    log(`Removed ${entityRef} from the catalog`);
  }

  return createTemplateAction({
    id: 'gpu-cluster:destroy',
    description:
      "Destroys a GPU cluster the Create GPU cluster template created (its owners only): the work in the cluster first, then terraform destroy (data buckets kept unless deleteData), then its catalog entity. The stack comes from the template's own registration, never from the request.",
    examples: destroyExamples,
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
        confirmName: z =>
          z
            .string()
            .max(100)
            .describe(
              'The cluster name typed by the user to confirm; must equal the name of the entity.',
            ),
        deleteData: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Also delete the training bucket with its objects and Filestore shares (default false: kept).',
            ),
      },
      output: {
        entityRef: z => z.string().describe('The destroyed cluster entity.'),
        clusterName: z => z.string().describe('GKE cluster name.'),
        projectId: z => z.string().describe('GCP project of the stack.'),
        inClusterWork: z =>
          z
            .array(z.string())
            .describe('In-cluster work deleted first (kind.group/name).'),
        kept: z =>
          z
            .array(z.object({ resource: z.string(), note: z.string() }))
            .describe('What was deliberately kept, with how to remove it.'),
      },
    },
    async handler(ctx) {
      const redactor = new Redactor(config.secrets).addPath(
        ctx.workspacePath,
        '<workspace>',
      );
      try {
        const entityRef = parseClusterEntityRef(ctx.input.entityRef);
        const credentials = await ctx.getInitiatorCredentials();
        const user = await authorizeUser(entityRef, credentials);
        const { spec, entity } = await trustedStack(entityRef);
        const names = stackNames(spec);
        if (ctx.input.confirmName.trim() !== entity.metadata.name) {
          throw new InputError(
            `confirmName: type the cluster's name, ${entity.metadata.name}, to confirm`,
          );
        }
        const deleteData = ctx.input.deleteData ?? false;
        if (spec.storage.filestore.length > 0 && !deleteData) {
          throw new InputError(
            `deleteData: ${entityRef} has Filestore shares (${names.filestoreInstances.join(
              ', ',
            )}), which cannot outlive the stack's VPC; copy what you need, then destroy with deleteData`,
          );
        }
        ctx.logger.info(
          `${user} destroys ${names.clusterName} in ${
            spec.identity.projectId
          } (${names.clusterLocation}); data ${
            deleteData ? 'deleted too' : 'kept'
          }`,
        );
        const keptData =
          deleteData || !spec.storage.trainingBucket.enabled
            ? []
            : [
                {
                  resource: `gs://${names.trainingBucket}`,
                  note: 'training data (kept unless deleteData)',
                },
              ];
        if (ctx.isDryRun) {
          ctx.logger.info(
            `Dry run: no tool runs. A run would delete ${IN_CLUSTER_WORK.map(
              work => work.description,
            ).join(
              ', ',
            )} in the cluster and the stack's objects, run terraform destroy on gs://${
              names.stateBucket
            }/${names.statePrefix}, and remove ${entityRef} from the catalog`,
          );
          ctx.output('entityRef', entityRef);
          ctx.output('clusterName', names.clusterName);
          ctx.output('projectId', spec.identity.projectId);
          ctx.output('inClusterWork', []);
          ctx.output('kept', keptData);
          return;
        }

        const logger = {
          info: (message: string) => ctx.logger.info(message),
          warn: (message: string) => ctx.logger.warn(message),
        };
        // A resumed task does not destroy twice; the value holds names only.
        const report = await ctx.checkpoint({
          key: `gpu-cluster.destroy.v1.${spec.identity.projectId}.${names.clusterName}`,
          fn: async () => {
            const parent = config.kubectl.runDirectory ?? os.tmpdir();
            await fs.mkdir(parent, { recursive: true });
            const root = await fs.mkdtemp(
              path.join(parent, 'gpu-cluster-destroy-'),
            );
            redactor.addPath(root, '<destroy-run>');
            try {
              await fs.chmod(root, 0o700);
              const home = path.join(root, 'home');
              await fs.mkdir(path.join(home, 'tmp'), {
                recursive: true,
                mode: 0o700,
              });
              // The manifests whose objects are deleted, rendered from the registered spec.
              await writeStackFiles(spec, root);
              let kubectl: KubectlOptions | undefined;
              let skipReason: string | undefined;
              try {
                const kubeconfig = await stackKubeconfig(
                  { config, gke: options.gke },
                  spec,
                  root,
                  redactor,
                  message => ctx.logger.info(message),
                );
                kubectl = {
                  kubeconfig: kubeconfig.path,
                  context: kubeconfig.context,
                  kubectlPath: config.kubectl.binaryPath,
                  env: toolEnvironment({
                    configured: config.kubectl.env,
                    home,
                  }),
                  signal: ctx.signal,
                  timeoutMs: config.kubectl.timeoutMs,
                  killAfterMs: config.kubectl.killAfterMs,
                  logger,
                  redactor,
                };
              } catch (error) {
                // A cluster that is gone or not up holds no work to delete first.
                if (
                  error instanceof GkeConnectionError &&
                  (error.reason === 'NOT_FOUND' ||
                    error.reason === 'NOT_RUNNING')
                ) {
                  skipReason = error.message;
                } else throw error;
              }
              const done: DestroyReport = await withTerraformRun(
                {
                  spec,
                  state: terraformStateLocation(config, spec),
                  settings: {
                    terraformPath: config.terraform.binaryPath,
                    env: config.terraform.env,
                    timeoutMs: config.terraform.timeoutMs,
                    killAfterMs: config.terraform.killAfterMs,
                    runDirectory: config.terraform.runDirectory,
                  },
                  signal: ctx.signal,
                  logger,
                  redactor,
                  tfvarsOptions: { destroy: { deleteData } },
                },
                stack =>
                  destroyStack({
                    spec,
                    terraform: stack,
                    manifestsDir: path.join(root, 'manifests'),
                    kubectl,
                    skipReason,
                    deleteData,
                    destroyRetry: options.destroyRetry,
                    logger,
                  }),
              );
              return {
                inClusterWork: done.inClusterWork,
                inClusterSkipped: done.inClusterSkipped ?? null,
                kept: done.kept,
              };
            } finally {
              await fs.rm(root, { recursive: true, force: true });
            }
          },
        });
        ctx.logger.info(
          report.inClusterSkipped
            ? `In-cluster work: skipped (${report.inClusterSkipped})`
            : `In-cluster work deleted first: ${
                report.inClusterWork.join(', ') || 'none running'
              }`,
        );
        for (const kept of report.kept)
          ctx.logger.info(`Kept: ${kept.resource} — ${kept.note}`);
        await ctx.checkpoint({
          key: `gpu-cluster.destroy.catalog.v1.${entityRef}`,
          fn: async () => {
            await removeFromCatalog(entity, credentials, message =>
              ctx.logger.info(message),
            );
          },
        });
        ctx.output('entityRef', entityRef);
        ctx.output('clusterName', names.clusterName);
        ctx.output('projectId', spec.identity.projectId);
        ctx.output('inClusterWork', report.inClusterWork);
        ctx.output('kept', report.kept);
      } catch (error) {
        throw publicError(error, redactor);
      }
    },
  });
}
