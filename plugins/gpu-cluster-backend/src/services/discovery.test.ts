import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  assertGpuStackSpec,
  GPU_CLUSTER_ANNOTATIONS,
  stackEntityRef,
  stackNames,
  type ClusterStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import request from 'supertest';
import { validateResponse } from '../__testUtils__/validateResponse';
import { gpuClusterPlugin } from '../plugin';
import { clusterRegistrationStoreServiceRef } from './ClusterRegistrationStore';
import {
  clusterSupplierServiceRef,
  ConfigClusterSupplier,
} from './ClusterSupplier';
import { readGpuClusterConfig } from './config';

denyGoogleCredentialDiscovery();
jest.setTimeout(60_000);

const PROJECT = 'discovery-test';
const LOCATION = 'us-central1';

const OTHER_PROJECT = 'not-allowed-project';

const entity = (
  name: string,
  annotations: Record<string, string>,
  owner = 'group:default/platform-team',
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'kubernetes-cluster', owner },
});

const annotated = (
  name: string,
  clusterName = name,
  project = PROJECT,
  owner?: string,
) =>
  entity(
    name,
    {
      [GPU_CLUSTER_ANNOTATIONS.projectId]: project,
      [GPU_CLUSTER_ANNOTATIONS.location]: LOCATION,
      [GPU_CLUSTER_ANNOTATIONS.clusterName]: clusterName,
    },
    owner,
  );

const registration = (clusterName: string, project = PROJECT) => ({
  entityRef: `resource:default/${clusterName}`,
  projectId: project,
  location: LOCATION,
  clusterName,
  owner: 'group:default/platform-team',
});

/**
 * Clusters without a gpuCluster.clusters entry: read through GKE only for entities the template
 * registered (recorded through POST /registrations), in allow-listed projects and locations.
 */
describe('status of clusters discovered through GKE', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const logger = mockServices.logger.mock();
  let tokenRequests = 0;

  beforeAll(async () => {
    kube = await startKubeEmulator({ fixtures: 'demo' });
    gke = await startGkeEmulator({ fixtures: 'empty' });
    const address = new URL(kube.url).host;
    const masterAuth = {
      clusterCaCertificate: Buffer.from(kube.caPem).toString('base64'),
    };
    const privateCluster = (name: string) => ({
      name,
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: true,
        masterIpv4CidrBlock: '172.16.0.32/28',
        privateEndpoint: address,
      },
      masterAuth,
    });
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      privateCluster('annotated-gpu'),
    );
    gke.store.seedCluster(
      { project: OTHER_PROJECT, location: LOCATION },
      privateCluster('outside-gpu'),
    );
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      { name: 'creating-gpu', status: 'PROVISIONING', masterAuth },
    );
    const config = {
      gpuCluster: {
        statusCacheTtlSeconds: 0.001,
        gkeCacheTtlSeconds: 0.001,
        discovery: 'gke',
        discoveryAllowList: [{ projectId: PROJECT, locations: [LOCATION] }],
        gke: {
          endpoint: {
            host: gke.host,
            port: gke.port,
            caData: gke.caCertPem,
            token: gke.token,
          },
        },
      },
    };
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({
          entities: [
            annotated('annotated-gpu'),
            annotated('creating-gpu'),
            annotated('missing-gpu'),
            annotated('outside-gpu', 'outside-gpu', OTHER_PROJECT),
            // Anyone can register an entity naming a real cluster in its annotations.
            annotated('forged', 'annotated-gpu'),
            // A registered entity whose owner changed since the template registered it.
            annotated(
              'creating-gpu-2',
              'creating-gpu',
              PROJECT,
              'group:default/eve',
            ),
            entity('bare', {
              [GPU_CLUSTER_ANNOTATIONS.clusterName]: 'bare',
            }),
          ],
        }),
        // The production factory with a token source standing in for the status identity.
        createServiceFactory({
          service: clusterSupplierServiceRef,
          deps: {
            config: coreServices.rootConfig,
            catalog: catalogServiceRef,
            registrations: clusterRegistrationStoreServiceRef,
            lifecycle: coreServices.lifecycle,
          },
          factory({ config: root, catalog, registrations, lifecycle }) {
            const supplier = new ConfigClusterSupplier({
              config: readGpuClusterConfig(root),
              logger,
              catalog,
              registrations,
              gkeAccess: {
                getAccessToken: async () => {
                  tokenRequests += 1;
                  return kube.token;
                },
              },
            });
            lifecycle.addShutdownHook(() => supplier.stop());
            return supplier;
          },
        }),
      ],
    });
    // What the scaffolder's catalog:register action records for the clusters it registers.
    for (const recorded of [
      registration('annotated-gpu'),
      registration('creating-gpu'),
      registration('missing-gpu'),
      registration('outside-gpu', OTHER_PROJECT),
      {
        ...registration('creating-gpu'),
        entityRef: 'resource:default/creating-gpu-2',
      },
    ]) {
      const res = await request(backend.server)
        .post('/api/gpu-cluster/registrations')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:scaffolder'),
            targetPluginId: 'gpu-cluster',
          }),
        )
        .send(recorded);
      if (res.status !== 204)
        throw new Error(`registration failed: ${res.status} ${res.text}`);
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
    await gke?.stop();
  });

  const get = (name: string) =>
    request(backend.server).get(
      `/api/gpu-cluster/clusters/default/${name}/status`,
    );

  it('serves status for an entity the template registered', async () => {
    const res = await get('annotated-gpu');
    expect(res.status).toBe(200);
    const status = res.body as ClusterStatus;
    expect(status.clusterName).toBe('annotated-gpu');
    expect(status.sources).toEqual([
      expect.objectContaining({ name: 'kubernetes', ok: true }),
      expect.objectContaining({ name: 'gke', ok: true }),
    ]);
    expect(status.gke).toMatchObject({
      projectId: PROJECT,
      status: 'RUNNING',
      privateEndpoint: true,
    });
    expect(status.nodePools.length).toBeGreaterThan(0);
    // Every list and watch asks the token source, so informers survive token expiry.
    expect(tokenRequests).toBeGreaterThan(1);
    for (const secret of [kube.token, gke.token!]) {
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(
        JSON.stringify(
          [logger.info, logger.warn, logger.error, logger.debug].flatMap(
            fn => fn.mock.calls,
          ),
        ),
      ).not.toContain(secret);
    }
  });

  it('refuses an entity anyone registered with the same annotations', async () => {
    const res = await get('forged');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      reason: 'NOT_REGISTERED',
      configKey: 'gpuCluster.clusters[].entityRef',
      message: expect.stringContaining(
        'resource:default/forged was not registered for cluster annotated-gpu by the Create GPU cluster template',
      ),
    });
    expect(JSON.stringify(res.body)).not.toContain('nodes');
    const reowned = await get('creating-gpu-2');
    expect(reowned.status).toBe(403);
    expect(reowned.body.error.reason).toBe('NOT_REGISTERED');
  });

  it('refuses a registered cluster outside the discovery allow-list, naming the key', async () => {
    const res = await get('outside-gpu');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      reason: 'DISCOVERY_NOT_ALLOWED',
      configKey: 'gpuCluster.discoveryAllowList',
      message: `GKE discovery is not allowed for project ${OTHER_PROJECT}, location ${LOCATION}`,
    });
  });

  it('says that a cluster still being created is not running yet', async () => {
    const res = await get('creating-gpu');
    expect(res.status).toBe(503);
    expect(res.body.error.reason).toBe('GKE_CLUSTER_NOT_RUNNING');
    expect(res.body.error.message).toContain(
      'GKE cluster creating-gpu (project discovery-test, location us-central1) is not running yet: its status is PROVISIONING',
    );
  });

  it('answers 404 for a cluster GKE does not know, and for one never registered', async () => {
    const missing = await get('missing-gpu');
    expect(missing.status).toBe(404);
    expect(missing.body.error.reason).toBe('GKE_CLUSTER_NOT_FOUND');
    expect(missing.body.error.message).toContain('was not found (NOT_FOUND)');
    const bare = await get('bare');
    expect(bare.status).toBe(403);
    expect(bare.body.error.reason).toBe('NOT_REGISTERED');
  });

  it('records registrations from the scaffolder only, and validates them', async () => {
    const asUser = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .send(registration('forged'));
    expect(asUser.status).toBe(403);
    const asOtherPlugin = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'gpu-cluster',
        }),
      )
      .send(registration('forged'));
    expect(asOtherPlugin.status).toBe(403);
    const malformed = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'gpu-cluster',
        }),
      )
      .send({ ...registration('x'), extra: 1 });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('body.extra');
    const badProject = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'gpu-cluster',
        }),
      )
      .send({ ...registration('x'), projectId: '$(id)' });
    expect(badProject.status).toBe(400);
    expect(badProject.body.error.message).toContain('projectId');
    expect((await get('forged')).status).toBe(403);
  });

  it('keeps the spec of a registration for the scaffolder only, and forgets it on delete', async () => {
    const asScaffolder = (req: request.Test) =>
      req.set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'gpu-cluster',
        }),
      );
    const spec = assertGpuStackSpec({
      identity: {
        projectId: PROJECT,
        namePrefix: 'kept',
        owner: 'group:default/platform-team',
      },
    });
    const names = stackNames(spec);
    const recorded = {
      entityRef: stackEntityRef(spec),
      projectId: PROJECT,
      location: names.clusterLocation,
      clusterName: names.clusterName,
      owner: 'group:default/platform-team',
      spec,
    };
    // A spec naming another project than the registration is refused, naming the field.
    const mismatched = await asScaffolder(
      request(backend.server).post('/api/gpu-cluster/registrations'),
    ).send({ ...recorded, projectId: OTHER_PROJECT });
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error.message).toContain(
      `projectId is ${OTHER_PROJECT} but the spec names ${PROJECT}`,
    );
    const invalid = await asScaffolder(
      request(backend.server).post('/api/gpu-cluster/registrations'),
    ).send({ ...recorded, spec: { identity: { projectId: 'x' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('spec: identity');

    const created = await asScaffolder(
      request(backend.server).post('/api/gpu-cluster/registrations'),
    ).send(recorded);
    expect(created.status).toBe(204);
    const path = `/api/gpu-cluster/registrations/default/${names.clusterName}`;
    const read = await asScaffolder(request(backend.server).get(path));
    expect(read.status).toBe(200);
    validateResponse('/registrations/{namespace}/{name}', 200, read.body);
    expect(read.body).toEqual(JSON.parse(JSON.stringify(recorded)));
    // Users and other plugins learn nothing.
    expect((await request(backend.server).get(path)).status).toBe(403);
    const asCatalog = await request(backend.server)
      .get(path)
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'gpu-cluster',
        }),
      );
    expect(asCatalog.status).toBe(403);
    expect((await request(backend.server).delete(path)).status).toBe(403);
    const bad = await asScaffolder(
      request(backend.server).get('/api/gpu-cluster/registrations/default/a$b'),
    );
    expect(bad.status).toBe(400);

    expect(
      (await asScaffolder(request(backend.server).delete(path))).status,
    ).toBe(204);
    const gone = await asScaffolder(request(backend.server).get(path));
    expect(gone.status).toBe(404);
    validateResponse('/registrations/{namespace}/{name}', 404, gone.body);
  });
});
