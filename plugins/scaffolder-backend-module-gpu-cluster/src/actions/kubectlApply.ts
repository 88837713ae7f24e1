import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  applyManifestPlan,
  rayDashboardPortForwardArgs,
  runKubectl,
  toolEnvironment,
  writeFilestoreVolumes,
  writeStackFiles,
  type GkeConnectionDependencies,
  type Redactor,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { stackKubeconfig } from './clusterAccess';
import { kubectlApplyExamples } from './kubectlApply.examples';
import { stackInputSchema } from './stack';
import type { StackGuard } from './guard';

/**
 * `gpu-cluster:kubectl:apply`: applies the stack's manifests server-side, in plan order (Kueue,
 * network objects, NCCL installer, queues, Workload Identity, Ray). The manifests are rendered
 * from the validated spec into a private directory (never read from the workspace), next to a
 * 0600 kubeconfig with the credentials of a `gpuCluster.clusters` entry of the cluster's name,
 * else `gpuCluster.kubectl.kubeconfigPath` (development), else — with
 * `gpuCluster.kubectl.credentials: gke` — credentials read from GKE like `gcloud container
 * clusters get-credentials`; kubectl gets only `gpuCluster.kubectl.env` and the base variables.
 *
 * No dry-run support: on a fresh cluster a server-side dry run cannot pass, since the Kueue and
 * KubeRay CRDs its objects need are installed by this very step; a dry run skips it.
 *
 * @public
 */
export function createKubectlApplyAction(options: {
  config: GpuClusterScaffolderConfig;
  guard: StackGuard;
  /** Test seams of the GKE lookup (a ClusterManager client, a token source). */
  gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
}) {
  const { config, guard } = options;
  const kubeconfigFor = (
    spec: GpuStackSpec,
    root: string,
    redactor: Redactor,
    log: (message: string) => void,
  ) => stackKubeconfig({ config, gke: options.gke }, spec, root, redactor, log);

  return createTemplateAction({
    id: 'gpu-cluster:kubectl:apply',
    description:
      'Applies the Kubernetes manifests of a GPU stack (Kueue, networks, NCCL, queues, Workload Identity, Ray) server-side.',
    examples: kubectlApplyExamples,
    schema: {
      input: {
        ...stackInputSchema,
        filestoreShares: z =>
          z
            .record(z.string(), z.unknown())
            .optional()
            .describe(
              "The terraform step's `filestoreShares` output: where each Filestore share of the stack is served (checked against the spec's instances before use).",
            ),
      },
      output: {
        appliedSteps: z =>
          z.number().describe('Steps of the apply plan that ran.'),
        rayDashboardCommand: z =>
          z
            .string()
            .describe(
              'kubectl command that opens the Ray dashboard on localhost:8265 (empty without Ray).',
            ),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const { spec, redactor } = await guard.authorize(ctx);
        const names = stackNames(spec);
        const parent = config.kubectl.runDirectory ?? os.tmpdir();
        await fs.mkdir(parent, { recursive: true });
        const root = await fs.mkdtemp(
          path.join(parent, 'gpu-cluster-kubectl-'),
        );
        redactor.addPath(root, '<kubectl-run>');
        try {
          await fs.chmod(root, 0o700);
          const home = path.join(root, 'home');
          await fs.mkdir(path.join(home, 'tmp'), {
            recursive: true,
            mode: 0o700,
          });
          // The manifests that run are rendered here from the validated spec.
          const { applyPlan: plan } = await writeStackFiles(spec, root);
          // Filestore volumes need the instances' IPs, known once Terraform made them.
          await writeFilestoreVolumes(
            spec,
            { filestore_shares: { value: ctx.input.filestoreShares ?? {} } },
            path.join(root, 'manifests'),
          );
          const kubeconfig = await kubeconfigFor(
            spec,
            root,
            redactor,
            message => ctx.logger.info(message),
          );
          if (ctx.signal?.aborted)
            throw new Error('kubectl apply was cancelled');
          const kubectl = {
            kubeconfig: kubeconfig.path,
            context: kubeconfig.context,
            kubectlPath: config.kubectl.binaryPath,
            env: toolEnvironment({ configured: config.kubectl.env, home }),
            signal: ctx.signal,
            timeoutMs: config.kubectl.timeoutMs,
            killAfterMs: config.kubectl.killAfterMs,
            logger: {
              info: (message: string) => ctx.logger.info(message),
              warn: (message: string) => ctx.logger.warn(message),
            },
            redactor,
          };
          await runKubectl(['version', '--output=json'], kubectl).catch(
            error => {
              throw new Error(
                `Cannot reach cluster ${names.clusterName} with kubectl: ${
                  (error as Error).message
                }`,
              );
            },
          );
          // Server-side apply converges; the checkpoint only spares a resumed task the round trips.
          const appliedSteps = await ctx.checkpoint({
            key: `gpu-cluster.kubectl.apply.v2.${spec.identity.projectId}.${names.clusterName}`,
            fn: async () => {
              await applyManifestPlan(plan, {
                ...kubectl,
                manifestsDir: path.join(root, 'manifests'),
                kueueManifest: config.kubectl.kueueManifestPath,
                kueueReadyTimeoutSeconds:
                  config.kubectl.kueueReadyTimeoutSeconds,
              });
              return plan.length;
            },
          });
          ctx.logger.info(
            `Applied ${appliedSteps} manifest steps to ${names.clusterName}`,
          );
          ctx.output('appliedSteps', appliedSteps);
          ctx.output(
            'rayDashboardCommand',
            spec.ray.enabled && spec.ray.dashboard.exposure !== 'none'
              ? `kubectl ${rayDashboardPortForwardArgs(spec).join(' ')}`
              : '',
          );
        } finally {
          await fs.rm(root, { recursive: true, force: true });
        }
      });
    },
  });
}
