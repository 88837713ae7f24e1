import type {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ENTITY_REF_PATTERN,
  gpuClusterRayJobsReadPermission,
  gpuClusterStatusReadPermission,
  normalizeOwnerRef,
  parseGpuStackSpec,
  stackEntityRef,
  stackNames,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import express from 'express';
import {
  createGpuClusterApiRouter,
  type GpuClusterApiRouter,
} from './apiRouter';
import { z } from 'zod';
import { ClusterAccessError } from './services/ClusterAccessError';
import type { ClusterRegistration } from './services/ClusterRegistrationStore';
import type { ClusterStatusService } from './services/ClusterStatusService';
import type { ClusterSupplier } from './services/ClusterSupplier';
import { pageOf, type ListName } from './services/lists';
import type { RayJobsReader } from './services/RayDashboardReader';

export interface RouterOptions {
  /** Adds the routes to this router (the plugin's one validated router) instead of a new one. */
  router?: GpuClusterApiRouter;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  supplier: ClusterSupplier;
  status: ClusterStatusService;
  rayJobs: RayJobsReader;
  registrations: {
    record(registration: ClusterRegistration): Promise<void>;
    get(entityRef: string): Promise<ClusterRegistration | undefined>;
    remove(entityRef: string): Promise<boolean>;
  };
}

/** Entity name / namespace: what the catalog accepts (63 characters at most). */
const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;
/** Kubernetes object names (workload namespace and name). */
const K8S_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

const registrationSchema = z.strictObject({
  entityRef: z
    .string()
    .max(300)
    .regex(/^resource:[a-z0-9][a-z0-9._-]{0,62}\/[a-z0-9][a-z0-9._-]{0,62}$/),
  projectId: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/),
  location: z.string().regex(/^[a-z]+-[a-z]+\d+(?:-[a-z])?$/),
  clusterName: z.string().regex(/^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/),
  owner: z.string().max(300).regex(ENTITY_REF_PATTERN),
  spec: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A registration's spec must be a valid stack spec naming the same cluster, project, location,
 * owner and entity as the registration itself: the Destroy template trusts it.
 */
function checkRegisteredSpec(
  registration: z.infer<typeof registrationSchema>,
): void {
  if (!registration.spec) return;
  const parsed = parseGpuStackSpec(registration.spec);
  if (!parsed.ok) {
    throw new InputError(
      `Invalid registration: spec: ${parsed.issues
        .map(issue => `${issue.path || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  const names = stackNames(parsed.spec);
  const expected = {
    entityRef: stackEntityRef(parsed.spec),
    projectId: parsed.spec.identity.projectId,
    location: names.clusterLocation,
    clusterName: names.clusterName,
    owner: normalizeOwnerRef(parsed.spec.identity.owner),
  };
  for (const [key, value] of Object.entries(expected)) {
    const recorded =
      key === 'owner'
        ? normalizeOwnerRef(registration.owner)
        : registration[key as Exclude<keyof typeof expected, 'owner'>];
    if (recorded !== value) {
      throw new InputError(
        `Invalid registration: ${key} is ${recorded} but the spec names ${value}`,
      );
    }
  }
}

/** What the cluster routes read from a request: its credentials and the entity's name. */
type ClusterRequest = express.Request<
  { namespace: string; name: string },
  any,
  any,
  any
>;

/** The only caller allowed to record registrations: the scaffolder's gpu-cluster actions. */
const REGISTRAR = 'plugin:scaffolder';

export async function createRouter(
  options: RouterOptions,
): Promise<GpuClusterApiRouter> {
  const {
    httpAuth,
    auth,
    permissions,
    supplier,
    status,
    rayJobs,
    registrations,
  } = options;
  const router = options.router ?? (await createGpuClusterApiRouter());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Credentials, then the read permission on the cluster entity, then the cluster itself. */
  const authorizeCluster = async (req: ClusterRequest) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new ClusterAccessError(
        'INVALID_REFERENCE',
        'namespace and name must be catalog entity names (letters, digits, ".", "_", "-"; at most 63)',
      );
    }
    const entityRef = `resource:${namespace.toLocaleLowerCase(
      'en-US',
    )}/${name.toLocaleLowerCase('en-US')}`;
    const [decision] = await permissions.authorize(
      [{ permission: gpuClusterStatusReadPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new ClusterAccessError(
        'PERMISSION_DENIED',
        `Not allowed to read the status of ${entityRef} (permission ${gpuClusterStatusReadPermission.name})`,
      );
    }
    return supplier.resolve(entityRef, credentials);
  };

  router.get('/clusters/:namespace/:name/status', async (req, res) => {
    const { entityRef, cluster } = await authorizeCluster(req);
    res.json(await status.getStatus(entityRef, cluster));
  });

  /** The long lists of the status, one filtered and sorted page at a time. */
  const pageOfList = async <L extends ListName>(
    list: L,
    req: ClusterRequest,
  ) => {
    const { entityRef, cluster } = await authorizeCluster(req);
    return pageOf(list, await status.getDetail(entityRef, cluster), req.query);
  };
  router.get('/clusters/:namespace/:name/workloads', async (req, res) => {
    res.json(await pageOfList('workloads', req));
  });
  router.get(
    '/clusters/:namespace/:name/provisioningrequests',
    async (req, res) => {
      res.json(await pageOfList('provisioningrequests', req));
    },
  );
  router.get('/clusters/:namespace/:name/nodes', async (req, res) => {
    res.json(await pageOfList('nodes', req));
  });

  router.get(
    '/clusters/:namespace/:name/workloads/:workloadNamespace/:workloadName/explain',
    async (req, res) => {
      const { workloadNamespace, workloadName } = req.params;
      if (!K8S_NAME.test(workloadNamespace) || !K8S_NAME.test(workloadName)) {
        throw new InputError(
          'workloadNamespace and workloadName must be Kubernetes object names',
        );
      }
      const { entityRef, cluster } = await authorizeCluster(req);
      res.json(
        await status.explain(
          entityRef,
          cluster,
          workloadNamespace,
          workloadName,
        ),
      );
    },
  );

  /**
   * The jobs a Ray cluster's dashboard lists (including those submitted with `ray job submit`,
   * which no Kubernetes object shows), read through the API server's service proxy. The
   * RayCluster must be one the status saw; its owners only (`gpuCluster.ray.jobs.read`).
   */
  router.get(
    '/clusters/:namespace/:name/ray/:rayNamespace/:rayName/jobs',
    async (req, res) => {
      const { rayNamespace, rayName } = req.params;
      if (!K8S_NAME.test(rayNamespace) || !K8S_NAME.test(rayName)) {
        throw new InputError(
          'rayNamespace and rayName must be Kubernetes object names',
        );
      }
      const { entityRef, cluster } = await authorizeCluster(req);
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const [decision] = await permissions.authorize(
        [
          {
            permission: gpuClusterRayJobsReadPermission,
            resourceRef: entityRef,
          },
        ],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `Not allowed to read the Ray jobs of ${entityRef} (permission ${gpuClusterRayJobsReadPermission.name}: its owners)`,
        );
      }
      const detail = await status.getDetail(entityRef, cluster);
      const rayCluster = detail.rayClusters.find(
        rc => rc.namespace === rayNamespace && rc.name === rayName,
      );
      if (!rayCluster) {
        throw new NotFoundError(
          `No RayCluster ${rayNamespace}/${rayName} in ${entityRef}`,
        );
      }
      res.json(await rayJobs.jobs(cluster, rayCluster));
    },
  );

  /** Only the scaffolder's gpu-cluster actions record, read and forget registrations. */
  const assertRegistrar = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['service'],
    });
    if (
      !auth.isPrincipal(credentials, 'service') ||
      credentials.principal.subject !== REGISTRAR
    ) {
      throw new NotAllowedError(
        'Only the scaffolder’s gpu-cluster actions record cluster registrations',
      );
    }
  };
  const registeredEntityRef = (req: express.Request) => {
    const { namespace, name } = req.params;
    if (!NAME.test(namespace) || !NAME.test(name)) {
      throw new InputError(
        'namespace and name must be catalog entity names (letters, digits, ".", "_", "-"; at most 63)',
      );
    }
    return `resource:${namespace.toLocaleLowerCase(
      'en-US',
    )}/${name.toLocaleLowerCase('en-US')}`;
  };

  /**
   * Records that the Create GPU cluster template registered an entity for a GKE cluster (called
   * by the scaffolder module's catalog:register action, service to service).
   */
  router.post('/registrations', async (req, res) => {
    await assertRegistrar(req);
    const parsed = registrationSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new InputError(
        `Invalid registration: ${parsed.error.issues
          .map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ')}`,
      );
    }
    checkRegisteredSpec(parsed.data);
    await registrations.record({
      ...parsed.data,
      owner: normalizeOwnerRef(parsed.data.owner),
    });
    res.status(204).end();
  });

  /** What the template registered for an entity, with its spec (the Destroy action reads it). */
  router.get('/registrations/:namespace/:name', async (req, res) => {
    await assertRegistrar(req);
    const entityRef = registeredEntityRef(req);
    const registration = await registrations.get(entityRef);
    if (!registration) {
      throw new NotFoundError(
        `${entityRef} was not registered by the Create GPU cluster template`,
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(registration);
  });

  /** Forgets a registration once the Destroy action removed the cluster. */
  router.delete('/registrations/:namespace/:name', async (req, res) => {
    await assertRegistrar(req);
    await registrations.remove(registeredEntityRef(req));
    res.status(204).end();
  });

  return router;
}
