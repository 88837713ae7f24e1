import type {
  HttpAuthService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  evaluateStackForView,
  gpuClusterStackPreviewPermission,
  parseGpuStackSpec,
  type StackPreviewResponse,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  previewStack,
  type StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';

/** @public */
export interface StackPreviewRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  config: RootConfigService;
  /** `gpuCluster.policy`, as the template's actions apply it. */
  policy: StackPolicyResolver;
}

/**
 * `POST /stack/preview` with `{ values }` (the "Create GPU cluster" form data): parses the values
 * and checks them against `gpuCluster.policy` for the caller as the template's validate step
 * does and, when both pass, answers what Create would do — with the state location the policy
 * derives, rendered with gpu-cluster-node's `renderTfvars`/`renderManifests` in memory, never
 * applied. Invalid values are an answer too (`valid: false` with every issue and its field
 * path), not an error. Needs user credentials and `gpuCluster.stack.preview`.
 */
export async function createStackPreviewRouter(
  options: StackPreviewRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, permissions, config, policy } = options;
  // Where the template's terraform step keeps state (scaffolder module config, same app config).
  const stateBackend =
    config.getOptionalString('gpuCluster.terraform.backend') ?? 'gcs';
  if (stateBackend !== 'gcs' && stateBackend !== 'local') {
    throw new Error(
      `gpuCluster.terraform.backend must be 'gcs' or 'local', got '${stateBackend}'`,
    );
  }

  const router = options.router ?? (await createGpuClusterApiRouter());
  router.post('/stack/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStackPreviewPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to preview GPU cluster stacks');
    }
    const values = req.body?.values;
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      throw new InputError(
        'Expected a JSON body { "values": { … } } with the template parameters',
      );
    }
    const parsed = parseGpuStackSpec(values);
    if (!parsed.ok) {
      res.json({ valid: false, issues: parsed.issues });
      return;
    }
    const verdict = evaluateStackForView(
      await policy.viewFor(credentials),
      parsed.spec,
    );
    const body: StackPreviewResponse = verdict.allowed
      ? {
          valid: true,
          preview: previewStack(verdict.spec, { stateBackend }),
        }
      : {
          valid: false,
          issues: [{ path: verdict.field, message: verdict.message }],
        };
    res.json(body);
  });
  return router;
}
