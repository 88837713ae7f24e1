import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  GPU_CLUSTER_ANNOTATIONS,
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
import { gpuClusterPlugin } from '../plugin';
import {
  clusterStatusServiceRef,
  DefaultClusterStatusService,
} from './ClusterStatusService';
import { readGpuClusterConfig } from './config';

denyGoogleCredentialDiscovery();
jest.setTimeout(30_000);

const PROJECT = 'discovery-test';
const LOCATION = 'us-central1';

const entity = (name: string, annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
});

const annotated = (clusterName: string) =>
  entity(clusterName, {
    [GPU_CLUSTER_ANNOTATIONS.projectId]: PROJECT,
    [GPU_CLUSTER_ANNOTATIONS.location]: LOCATION,
    [GPU_CLUSTER_ANNOTATIONS.clusterName]: clusterName,
  });

/** A cluster known only through its entity's annotations: no gpuCluster.clusters entry. */
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
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      {
        name: 'annotated-gpu',
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.32/28',
          privateEndpoint: address,
        },
        masterAuth,
      },
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
            entity('bare', {
              [GPU_CLUSTER_ANNOTATIONS.clusterName]: 'bare',
            }),
          ],
        }),
        // The production factory with a token source standing in for Workload Identity.
        createServiceFactory({
          service: clusterStatusServiceRef,
          deps: {
            config: coreServices.rootConfig,
            cache: coreServices.cache,
            catalog: catalogServiceRef,
            lifecycle: coreServices.lifecycle,
          },
          factory({ config: root, cache, catalog, lifecycle }) {
            const svc = new DefaultClusterStatusService({
              config: readGpuClusterConfig(root),
              logger,
              cache,
              catalog,
              gkeAccess: {
                getAccessToken: async () => {
                  tokenRequests += 1;
                  return kube.token;
                },
              },
            });
            lifecycle.addShutdownHook(() => svc.stop());
            return svc;
          },
        }),
      ],
    });
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

  it('serves status for an entity known only through its annotations', async () => {
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
    expect(status.nodes.length).toBeGreaterThan(0);
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

  it('says that a cluster still being created is not running yet', async () => {
    const res = await get('creating-gpu');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(
      'GKE cluster creating-gpu (project discovery-test, location us-central1) is not running yet: its status is PROVISIONING',
    );
  });

  it('answers 404 for a cluster GKE does not know, and for one without project and location', async () => {
    const missing = await get('missing-gpu');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('was not found (NOT_FOUND)');
    const bare = await get('bare');
    expect(bare.status).toBe(404);
    expect(bare.body.error.message).toContain(
      'has no gpu-platform.dev/project-id and gpu-platform.dev/location annotations',
    );
  });
});
