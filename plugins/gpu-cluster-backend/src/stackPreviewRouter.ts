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
import express from 'express';
import Router from 'express-promise-router';

/** @public */
export interface StackPreviewRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  config: RootConfigService;
  /** `gpuCluster.policy`, as the template's actions apply it. */
  policy: StackPolicyResolver;
}

/** Form values are a few kilobytes; anything near this is not a stack spec. */
const MAX_BODY = '100kb';

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
): Promise<express.Router> {
  const { httpAuth, permissions, config, policy } = options;
  // Where the template's terraform step keeps state (scaffolder module config, same app config).
  const stateBackend =
    config.getOptionalString('gpuCluster.terraform.backend') ?? 'gcs';
  if (stateBackend !== 'gcs' && stateBackend !== 'local') {
    throw new Error(
      `gpuCluster.terraform.backend must be 'gcs' or 'local', got '${stateBackend}'`,
    );
  }

  const router = Router();
  router.post(
    '/stack/preview',
    express.json({ limit: MAX_BODY }),
    async (req, res) => {
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
    },
  );
  return router;
}
