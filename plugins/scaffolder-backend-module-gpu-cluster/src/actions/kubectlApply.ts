import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  applyManifestPlan,
  manifestApplyPlan,
  rayDashboardPortForwardArgs,
  resolveGkeClusterConnection,
  runKubectl,
  writeKubeconfigFor,
  type ClusterConnectionConfig,
  type GkeConnectionDependencies,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { kubectlApplyExamples } from './kubectlApply.examples';
import { parseStackValues, stackDirectory, stackInputSchema } from './stack';

function findCredentials(
  config: GpuClusterScaffolderConfig,
  spec: GpuStackSpec,
  clusterName: string,
): ClusterConnectionConfig | undefined {
  return config.clusters.find(
    c =>
      c.name === clusterName &&
      (!c.gke || c.gke.projectId === spec.identity.projectId),
  );
}

/**
 * `gpu-cluster:kubectl:apply`: applies the rendered manifests server-side, in plan order (Kueue,
 * network objects, NCCL installer, queues, Workload Identity, Ray), with the credentials of a
 * `gpuCluster.clusters` entry of the cluster's name, else `gpuCluster.kubectl.kubeconfigPath`
 * (development), else — with `gpuCluster.kubectl.credentials: gke` — credentials read from GKE
 * like `gcloud container clusters get-credentials` (endpoint and CA from GetCluster, a Google
 * access token from Application Default Credentials), so the cluster the template's terraform
 * step has just created is reachable without editing config.
 *
 * No dry-run support: on a fresh cluster a server-side dry run cannot pass, since the Kueue and
 * KubeRay CRDs its objects need are installed by this very step; a dry run skips it.
 *
 * @public
 */
export function createKubectlApplyAction(options: {
  config: GpuClusterScaffolderConfig;
  /** Test seams of the GKE lookup (a ClusterManager client, a token source). */
  gke?: Pick<GkeConnectionDependencies, 'clusterManager' | 'getAccessToken'>;
}) {
  const { config } = options;
  return createTemplateAction({
    id: 'gpu-cluster:kubectl:apply',
    description:
      'Applies the rendered Kubernetes manifests of a GPU stack (Kueue, networks, NCCL, queues, Workload Identity, Ray) server-side.',
    examples: kubectlApplyExamples,
    schema: {
      input: stackInputSchema,
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
      const spec = parseStackValues(ctx.input.values);
      const names = stackNames(spec);
      const manifestsDir = path.join(
        stackDirectory(ctx.workspacePath, ctx.input.targetPath),
        'manifests',
      );
      const plan = manifestApplyPlan(spec);
      for (const step of plan) {
        if (step.type !== 'manifest') continue;
        const file = path.join(manifestsDir, step.path);
        if (!(await fs.stat(file).catch(() => undefined))) {
          throw new InputError(
            `Missing rendered manifest ${path.relative(
              ctx.workspacePath,
              file,
            )}: run gpu-cluster:stack:render first`,
          );
        }
      }
      const credentials = findCredentials(config, spec, names.clusterName);
      let kubeconfig: string;
      let context: string | undefined;
      if (credentials) {
        // The token reaches kubectl through a 0600 file, never its command line or logs.
        kubeconfig = await writeKubeconfigFor(
          credentials.kubernetes,
          path.join(await ctx.createTemporaryDirectory(), 'kubeconfig'),
          { name: names.clusterName },
        );
      } else if (config.kubectl.kubeconfigPath) {
        kubeconfig = config.kubectl.kubeconfigPath;
        context = config.kubectl.context;
      } else if (config.kubectl.credentials === 'gke') {
        // A fresh token per run, in a 0600 file of the task's temporary directory (removed with it).
        const connection = await resolveGkeClusterConnection(
          {
            projectId: spec.identity.projectId,
            location: names.clusterLocation,
            clusterName: names.clusterName,
            useInternalEndpoint: config.gke.useInternalEndpoint,
          },
          { ...options.gke, endpoint: config.gke.endpoint },
        );
        ctx.logger.info(
          `Credentials of ${names.clusterName} from GKE: ${connection.url}`,
        );
        kubeconfig = await writeKubeconfigFor(
          connection,
          path.join(await ctx.createTemporaryDirectory(), 'kubeconfig'),
          { name: names.clusterName },
        );
      } else {
        throw new InputError(
          `No credentials for cluster ${names.clusterName} (project ${spec.identity.projectId}): set gpuCluster.kubectl.credentials: gke to read them from GKE, add a gpuCluster.clusters entry named ${names.clusterName} with its kubernetes connection, or set gpuCluster.kubectl.kubeconfigPath for development`,
        );
      }
      if (ctx.signal?.aborted) throw new Error('kubectl apply was cancelled');
      const kubectl = {
        kubeconfig,
        context,
        kubectlPath: config.kubectl.binaryPath,
        logger: ctx.logger,
      };
      await runKubectl(['version', '--output=json'], kubectl).catch(error => {
        throw new Error(
          `Cannot reach cluster ${names.clusterName} with kubectl: ${
            (error as Error).message
          }`,
        );
      });
      // Server-side apply converges; the checkpoint only spares a resumed task the round trips.
      const appliedSteps = await ctx.checkpoint({
        key: `gpu-cluster.kubectl.apply.v1.${spec.identity.projectId}.${names.clusterName}`,
        fn: async () => {
          await applyManifestPlan(plan, {
            ...kubectl,
            manifestsDir,
            kueueManifest: config.kubectl.kueueManifestPath,
            kueueReadyTimeoutSeconds: config.kubectl.kueueReadyTimeoutSeconds,
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
    },
  });
}
