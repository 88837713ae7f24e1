import fs from 'node:fs/promises';
import path from 'node:path';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import {
  normalizeOwnerRef,
  stackNames,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { GpuClusterScaffolderConfig } from '../config';
import { clusterLinks, clusterResourceEntity } from '../entity';
import type { ClusterRegistrationClient } from '../registrations';
import { catalogRegisterExamples } from './catalogRegister.examples';
import { stackDirectory, stackInputSchema } from './stack';
import type { StackGuard } from './guard';

const isConflict = (error: unknown) =>
  error instanceof ConflictError ||
  (error as { name?: string })?.name === 'ConflictError' ||
  (error as { response?: { status?: number } })?.response?.status === 409;

/**
 * `gpu-cluster:catalog:register`: writes the cluster's `Resource` entity (type
 * `kubernetes-cluster`, owned by the requesting team) to `catalog-info.yaml` in the workspace and,
 * when `gpuCluster.catalog.locationDirectory` is set, to a file there that it registers with the
 * catalog as a `file` location. Without that setting the workspace file is meant for a publish
 * step followed by `catalog:register` (the production path). Outside dry runs it records the
 * registration with the gpu-cluster status backend, which serves status only for clusters
 * registered this way (or configured).
 *
 * @public
 */
export function createCatalogRegisterAction(options: {
  config: GpuClusterScaffolderConfig;
  catalog: CatalogService;
  guard: StackGuard;
  registrations?: ClusterRegistrationClient;
}) {
  const { config, catalog, guard, registrations } = options;
  return createTemplateAction({
    id: 'gpu-cluster:catalog:register',
    description:
      'Writes the catalog Resource (kubernetes-cluster) of a provisioned GPU cluster and registers it with the catalog.',
    examples: catalogRegisterExamples,
    supportsDryRun: true,
    schema: {
      input: {
        ...stackInputSchema,
        clusterEndpoint: z =>
          z
            .string()
            .max(300)
            .regex(/^(?:https:\/\/)?[A-Za-z0-9.:[\]-]*$/, {
              message: 'must be a host name, an IP address or an https URL',
            })
            .optional()
            .describe(
              'Control plane endpoint (output of gpu-cluster:terraform:apply); becomes kubernetes.io/api-server.',
            ),
      },
      output: {
        entityRef: z =>
          z.string().describe('Catalog reference of the cluster.'),
        catalogInfoPath: z =>
          z.string().describe('The entity file, relative to the workspace.'),
        locationTarget: z =>
          z
            .string()
            .describe(
              'Registered catalog location (empty when not registered here).',
            ),
        gkeConsoleUrl: z => z.string().describe('GKE console page.'),
        rayDashboardUrl: z =>
          z.string().describe('Ray dashboard URL (empty without one).'),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const dir = stackDirectory(ctx.workspacePath, ctx.input.targetPath);
        const { spec, credentials } = await guard.authorize(ctx);
        const entity = clusterResourceEntity(spec, {
          endpoint: ctx.input.clusterEndpoint,
        });
        const entityRef = stringifyEntityRef(entity);
        const text = stringify(entity);
        await fs.mkdir(dir, { recursive: true });
        const catalogInfo = path.join(dir, 'catalog-info.yaml');
        await fs.writeFile(catalogInfo, text, 'utf8');
        const links = clusterLinks(spec);
        ctx.output('entityRef', entityRef);
        ctx.output(
          'catalogInfoPath',
          path
            .relative(ctx.workspacePath, catalogInfo)
            .split(path.sep)
            .join('/'),
        );
        ctx.output('gkeConsoleUrl', links.gkeConsoleUrl);
        ctx.output('rayDashboardUrl', links.rayDashboardUrl ?? '');

        if (ctx.isDryRun) {
          ctx.logger.info(
            `Dry run: ${entityRef} written to the workspace, not registered`,
          );
          ctx.output('locationTarget', '');
          return;
        }
        const names = stackNames(spec);
        await registrations?.record({
          entityRef,
          projectId: spec.identity.projectId,
          location: names.clusterLocation,
          clusterName: names.clusterName,
          owner: normalizeOwnerRef(spec.identity.owner),
          // The validated spec with the policy's state location: gpu-cluster:destroy works from it.
          spec: spec as unknown as Record<string, unknown>,
        });
        const locationDirectory = config.catalog.locationDirectory;
        if (!locationDirectory) {
          ctx.logger.info(
            `${entityRef} written to the workspace; publish it and register it with catalog:register (gpuCluster.catalog.locationDirectory is not set)`,
          );
          ctx.output('locationTarget', '');
          return;
        }
        const target = path.resolve(
          locationDirectory,
          `${entity.metadata.namespace}-${entity.metadata.name}.yaml`,
        );
        if (!target.startsWith(path.resolve(locationDirectory) + path.sep)) {
          throw new InputError(
            `Entity name ${entity.metadata.name} is not a safe file name`,
          );
        }
        await ctx.checkpoint({
          key: `gpu-cluster.catalog.register.v1.${entityRef}`,
          fn: async () => {
            await fs.mkdir(locationDirectory, { recursive: true });
            await fs.writeFile(target, text, 'utf8');
            try {
              await catalog.addLocation(
                { type: 'file', target },
                { credentials },
              );
            } catch (error) {
              // Registered by an earlier run: the catalog re-reads the rewritten file.
              if (!isConflict(error)) throw error;
              await catalog.refreshEntity(entityRef, { credentials });
            }
          },
        });
        ctx.logger.info(`Registered ${entityRef} (file location)`);
        ctx.output('locationTarget', target);
      });
    },
  });
}
