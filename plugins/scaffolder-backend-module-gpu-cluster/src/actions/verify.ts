import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  AuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  gpuClusterStackUpdatePermission,
  stackNames,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  formatVerification,
  Redactor,
  toolEnvironment,
  verifyFabric,
  type GkeConnectionDependencies,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import type { ClusterRegistrationClient } from '../registrations';
import { stackKubeconfig } from './clusterAccess';
import { publicError } from './stack';
import { parseClusterEntityRef, registeredStack } from './registeredStack';
import { verifyExamples } from './verify.examples';

/** DWS may take this long to provision the test's nodes, on top of the Job's own time limit. */
const PROVISIONING_ALLOWANCE_MS = 30 * 60_000;

/**
 * `gpu-cluster:verify`: runs the NCCL all_gather verification Job of a GPU cluster the Create
 * template created again, for its owners only (`gpuCluster.stack.update` on the entity, which
 * the policy gives its owners), and fails the task when the fabric fails. Like
 * `gpu-cluster:destroy`, the stack comes from the template's own registration, cross-checked
 * with the catalog entity and gpuCluster.policy, never from the request or annotations. The
 * Job's result also reaches the entity page: the status backend reads it when the Job finishes.
 *
 * @public
 */
export function createVerifyAction(options: {
  config: GpuClusterScaffolderConfig;
  catalog: CatalogService;
  permissions: PermissionsService;
  auth: AuthService;
  registrations: Pick<ClusterRegistrationClient, 'get'>;
  /** Test seams of the GKE lookup (a ClusterManager client, a token source). */
  gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
  /** Test seam: between two looks at the Job (default 10 s). */
  pollIntervalMs?: number;
}) {
  const { config, permissions, auth } = options;

  return createTemplateAction({
    id: 'gpu-cluster:verify',
    description:
      "Runs the NCCL all_gather fabric verification of a GPU cluster the Create GPU cluster template created again (its owners only) and fails when the bus bandwidth is below the threshold or NCCL fell back to TCP. The stack comes from the template's own registration, never from the request.",
    examples: verifyExamples,
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
      },
      output: {
        entityRef: z => z.string().describe('The verified cluster entity.'),
        verdict: z =>
          z.string().describe('pass, belowExpected, fail or unparseable.'),
        busBandwidthGBps: z =>
          z
            .number()
            .optional()
            .describe('Bus bandwidth at the largest message size (GB/s).'),
        expectedBusBandwidthGBps: z =>
          z
            .number()
            .optional()
            .describe('What the machine type is expected to reach (GB/s).'),
        transport: z =>
          z.string().describe('The network NCCL used: NET/gIB, NET/Socket…'),
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
        if (!auth.isPrincipal(credentials, 'user')) {
          throw new NotAllowedError(
            'Only a signed-in user may verify GPU clusters (the task has no user initiator)',
          );
        }
        const [decision] = await permissions.authorize(
          [
            {
              permission: gpuClusterStackUpdatePermission,
              resourceRef: entityRef,
            },
          ],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `entityRef: ${credentials.principal.userEntityRef} may not verify ${entityRef} (permission ${gpuClusterStackUpdatePermission.name}: only its owners may)`,
          );
        }
        const { spec } = await registeredStack(
          options,
          entityRef,
          'verify',
          'runs gpu-cluster verify with the stack values',
        );
        const names = stackNames(spec);
        const test = spec.verification.ncclAllGather;
        if (ctx.isDryRun) {
          ctx.logger.info(
            `Dry run: no tool runs. A run would delete the previous NCCL verification Job of ${names.clusterName}, create it again in ${spec.kueue.namespace} and judge its result`,
          );
          ctx.output('entityRef', entityRef);
          ctx.output('verdict', 'notRun');
          ctx.output('transport', 'none (dry run)');
          return;
        }
        const parent = config.kubectl.runDirectory ?? os.tmpdir();
        await fs.mkdir(parent, { recursive: true });
        const root = await fs.mkdtemp(path.join(parent, 'gpu-cluster-verify-'));
        redactor.addPath(root, '<verify-run>');
        let run;
        try {
          await fs.chmod(root, 0o700);
          const home = path.join(root, 'home');
          await fs.mkdir(path.join(home, 'tmp'), {
            recursive: true,
            mode: 0o700,
          });
          const kubeconfig = await stackKubeconfig(
            { config, gke: options.gke },
            spec,
            root,
            redactor,
            message => ctx.logger.info(message),
          );
          run = await verifyFabric({
            spec,
            kubectl: {
              kubeconfig: kubeconfig.path,
              context: kubeconfig.context,
              kubectlPath: config.kubectl.binaryPath,
              env: toolEnvironment({ configured: config.kubectl.env, home }),
              signal: ctx.signal,
              timeoutMs: config.kubectl.timeoutMs,
              killAfterMs: config.kubectl.killAfterMs,
              logger: {
                info: m => ctx.logger.info(m),
                warn: m => ctx.logger.warn(m),
              },
              redactor,
            },
            timeoutMs:
              test.maxRunDurationSeconds * 1000 + PROVISIONING_ALLOWANCE_MS,
            pollIntervalMs: options.pollIntervalMs,
            progress: m => ctx.logger.info(m),
          });
        } finally {
          await fs.rm(root, { recursive: true, force: true });
        }
        for (const line of formatVerification(run)) ctx.logger.info(line);
        ctx.output('entityRef', entityRef);
        ctx.output('verdict', run.verdict);
        if (run.busBandwidthGBps !== undefined)
          ctx.output('busBandwidthGBps', run.busBandwidthGBps);
        if (run.expectedBusBandwidthGBps !== undefined)
          ctx.output('expectedBusBandwidthGBps', run.expectedBusBandwidthGBps);
        ctx.output('transport', run.transport?.name ?? 'unknown');
        if (run.verdict === 'fail' || run.verdict === 'unparseable') {
          throw new Error(
            `Fabric verification of ${entityRef}: ${
              run.verdict
            }. ${run.reasons.join(' ')}`,
          );
        }
      } catch (error) {
        throw publicError(error, redactor);
      }
    },
  });
}
