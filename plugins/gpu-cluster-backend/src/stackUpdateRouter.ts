import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  evaluateStackForView,
  gpuClusterStackUpdatePermission,
  parseGpuStackSpec,
  stackEntityRef,
  UPDATABLE_NODE_POOL_FIELDS,
  UPDATABLE_STACK_FIELDS,
  type GpuStackSpec,
  type SpecIssue,
  type StackUpdatePreviewResponse,
  type StoredStackResponse,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  previewStackUpdate,
  type StackPolicyResolver,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import express from 'express';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';
import type { ClusterRegistrationStore } from './services/ClusterRegistrationStore';

/** @public */
export interface StackUpdateRouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  registrations: Pick<ClusterRegistrationStore, 'get'>;
  /** `gpuCluster.policy`, as the template's actions apply it. */
  policy: StackPolicyResolver;
}

/** A catalog entity name (what the catalog accepts). */
const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/i;
/**
 * The "Update GPU cluster" form's two routes, both for the cluster's owners only
 * (`gpuCluster.stack.update` on its entity, which the policy grants to its owners):
 *
 * - `GET /clusters/:namespace/:name/spec`: the spec the Create template registered with the
 *   cluster (404 for a cluster it did not register), and which fields an update may change.
 * - `POST /clusters/:namespace/:name/update-preview` with `{ values }`: what updating the stored
 *   spec to the values would change (refused fields, Kubernetes objects, Terraform variables),
 *   rendered in memory with gpu-cluster-node; terraform and kubectl never run here.
 *
 * @public
 */
export async function createStackUpdateRouter(
  options: StackUpdateRouterOptions,
): Promise<GpuClusterApiRouter> {
  const { httpAuth, permissions, registrations, policy } = options;

  /** The caller's credentials once allowed to update the entity, and its stored spec. */
  async function storedStack(req: express.Request) {
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new InputError(
        'namespace and name must be catalog entity names (letters, digits, ".", "_", "-"; at most 63)',
      );
    }
    const entityRef = `resource:${namespace.toLocaleLowerCase(
      'en-US',
    )}/${name.toLocaleLowerCase('en-US')}`;
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    // Authorized before the lookup: a non-owner learns nothing of what is registered.
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStackUpdatePermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to update ${entityRef} (permission ${gpuClusterStackUpdatePermission.name}: its owners)`,
      );
    }
    const registration = await registrations.get(entityRef);
    if (!registration?.spec) {
      throw new NotFoundError(
        `${entityRef} has no stack spec registered by the Create GPU cluster template`,
      );
    }
    const parsed = parseGpuStackSpec(registration.spec);
    if (!parsed.ok || stackEntityRef(parsed.spec) !== entityRef) {
      throw new ConflictError(
        `The stack spec registered for ${entityRef} no longer validates; run the Create GPU cluster template again with its values`,
      );
    }
    return { entityRef, spec: parsed.spec, credentials };
  }

  const router = options.router ?? (await createGpuClusterApiRouter());

  router.get('/clusters/:namespace/:name/spec', async (req, res) => {
    const { entityRef, spec } = await storedStack(req);
    const body: StoredStackResponse = {
      entityRef,
      spec,
      updatableFields: [...UPDATABLE_STACK_FIELDS],
      updatableNodePoolFields: [...UPDATABLE_NODE_POOL_FIELDS],
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  router.post('/clusters/:namespace/:name/update-preview', async (req, res) => {
    const { entityRef, spec: stored, credentials } = await storedStack(req);
    const values = req.body?.values;
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      throw new InputError(
        'Expected a JSON body { "values": { … } } with the edited stack spec',
      );
    }
    const parsed = parseGpuStackSpec(values);
    if (!parsed.ok) {
      const body: StackUpdatePreviewResponse = {
        valid: false,
        issues: parsed.issues,
      };
      res.json(body);
      return;
    }
    const verdict = evaluateStackForView(
      await policy.viewFor(credentials),
      parsed.spec,
    );
    if (!verdict.allowed) {
      const body: StackUpdatePreviewResponse = {
        valid: false,
        issues: [{ path: verdict.field, message: verdict.message }],
      };
      res.json(body);
      return;
    }
    const next: GpuStackSpec = verdict.spec;
    const preview = previewStackUpdate(stored, next);
    const issues: SpecIssue[] = preview.immutable.map(c => ({
      path: c.field,
      message: c.message,
    }));
    if (stackEntityRef(next) !== entityRef) {
      issues.unshift({
        path: 'identity.namePrefix',
        message: `the values describe ${stackEntityRef(
          next,
        )}, not ${entityRef}`,
      });
    }
    const body: StackUpdatePreviewResponse =
      issues.length > 0
        ? { valid: false, issues, preview }
        : { valid: true, preview };
    res.json(body);
  });
  return router;
}
