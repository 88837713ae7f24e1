import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { StackPolicyView } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { StackPolicyResolver } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';

/** @public */
export interface StackPolicyRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  /** The resolver the template's actions decide with (over `gpuCluster.policy`). */
  policy: StackPolicyResolver;
}

/**
 * `GET /stack/policy`: what `gpuCluster.policy` lets the signed-in user create — the groups they
 * may create GPU clusters for (their own; every group of the policy for an admin) with each
 * group's projects, state location, GPU budget and registered clusters, or why they may create
 * none and what to ask the platform team for. The form limits owner and project to it and checks
 * the values against it on Next; the actions decide with the same view. Other teams' entries are
 * never part of the answer. Needs user credentials; a user denied `gpuCluster.stack.create` gets
 * no group (the actions would refuse them).
 */
export async function createStackPolicyRouter(
  options: StackPolicyRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, policy } = options;
  const router = options.router ?? (await createGpuClusterApiRouter());
  router.get('/stack/policy', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const view: StackPolicyView = await policy.viewFor(credentials);
    // Per user and changing as clusters are registered: never cached by a browser or proxy.
    res.setHeader('Cache-Control', 'no-store');
    res.json(view);
  });
  return router;
}
