/*
 * Hostile requests to the status API from an ordinary signed-in user (and from other plugins):
 * every one is refused with a 4xx naming what is wrong, and none makes the backend read a cluster
 * or GKE with its credentials.
 */
import childProcess from 'node:child_process';
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
import { GPU_CLUSTER_ANNOTATIONS } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { clusterRegistrationStoreServiceRef } from './services/ClusterRegistrationStore';
import {
  clusterSupplierServiceRef,
  ConfigClusterSupplier,
} from './services/ClusterSupplier';
import { readGpuClusterConfig } from './services/config';

const resource = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/eve' },
});

describe('hostile requests to the status API', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const spawn = jest.spyOn(childProcess, 'spawn');
  const gkeCalls = jest.fn();

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        mockServices.rootConfig.factory({
          data: {
            gpuCluster: {
              discovery: 'gke',
              discoveryAllowList: [
                { projectId: 'allowed-project', locations: ['*'] },
              ],
              clusters: [
                {
                  name: 'prod-gpu',
                  entityRef: 'resource:default/prod-gpu',
                  kubernetes: {
                    url: 'https://127.0.0.1:1',
                    token: 'secret-token-1',
                  },
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            resource('prod-gpu', {
              [GPU_CLUSTER_ANNOTATIONS.clusterName]: 'prod-gpu',
            }),
            resource('look-alike', {
              [GPU_CLUSTER_ANNOTATIONS.clusterName]: 'prod-gpu',
            }),
            resource('metadata-server', {
              [GPU_CLUSTER_ANNOTATIONS.clusterName]: 'x',
              [GPU_CLUSTER_ANNOTATIONS.projectId]: 'allowed-project',
              [GPU_CLUSTER_ANNOTATIONS.location]: 'us-central1',
              'kubernetes.io/api-server': 'http://169.254.169.254',
            }),
            resource('plain'),
          ],
        }),
        createServiceFactory({
          service: clusterSupplierServiceRef,
          deps: {
            config: coreServices.rootConfig,
            catalog: catalogServiceRef,
            registrations: clusterRegistrationStoreServiceRef,
          },
          factory({ config, catalog, registrations }) {
            return new ConfigClusterSupplier({
              config: readGpuClusterConfig(config),
              catalog,
              registrations,
              logger: mockServices.logger.mock(),
              gkeAccess: {
                clusterManager: new Proxy({} as any, {
                  get: () => gkeCalls,
                }),
                getAccessToken: async () => {
                  gkeCalls();
                  return 'never';
                },
              },
            });
          },
        }),
      ],
    });
  });
  afterAll(() => backend?.stop());
  // Checked after every case (thrown: expect() belongs in the tests themselves).
  afterEach(() => {
    if (spawn.mock.calls.length) throw new Error('a child process was started');
    if (gkeCalls.mock.calls.length)
      throw new Error('GKE or a cluster was read with the backend credentials');
  });

  const status = (namespace: string, name: string) =>
    request(backend.server).get(
      `/api/gpu-cluster/clusters/${namespace}/${name}/status`,
    );

  it.each([
    ['dot-dot', 'default', '..'],
    ['encoded traversal', 'default', '%2e%2e%2f%2e%2e%2fetc'],
    ['an encoded slash', 'default', 'a%2Fb'],
    ['full-width unicode', 'default', '%EF%BD%88%EF%BC%92'],
    ['a NUL byte', 'default', 'a%00b'],
    ['300 characters', 'default', 'x'.repeat(300)],
    ['shell in the namespace', 'default%3Bdrop', 'prod-gpu'],
    ['a leading hyphen', 'default', '-rf'],
  ])('answers 400 for %s', async (_case, namespace, name) => {
    const res = await status(namespace, name);
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('INVALID_REFERENCE');
    expect(JSON.stringify(res.body)).not.toMatch(/\\n\s+at /);
  });

  it.each([
    [
      'an entity naming a configured cluster it is not bound to',
      'look-alike',
      403,
      'BOUND_TO_OTHER_ENTITY',
    ],
    [
      'annotations naming the metadata server, never registered',
      'metadata-server',
      403,
      'NOT_REGISTERED',
    ],
    ['an entity without the annotation', 'plain', 404, 'NOT_A_CLUSTER'],
    ['an entity that does not exist', 'nope', 404, 'ENTITY_NOT_FOUND'],
  ])('refuses %s', async (_case, name, code, reason) => {
    const res = await status('default', name);
    expect(res.status).toBe(code);
    expect(res.body.error.reason).toBe(reason);
    expect(JSON.stringify(res.body)).not.toContain('secret-token-1');
  });

  it.each([
    ['traversal', '..', 'x'],
    ['shell', 'default', 'x;id'],
  ])('answers 400 for %s in a workload name', async (_case, ns, name) => {
    const res = await request(backend.server).get(
      `/api/gpu-cluster/clusters/default/prod-gpu/workloads/${encodeURIComponent(
        ns,
      )}/${encodeURIComponent(name)}/explain`,
    );
    expect(res.status).toBe(400);
  });

  const registration = {
    entityRef: 'resource:default/metadata-server',
    projectId: 'allowed-project',
    location: 'us-central1',
    clusterName: 'x',
    owner: 'group:default/eve',
  };

  it('refuses registrations from users', async () => {
    const res = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .send(registration);
    expect(res.status).toBe(403);
    expect((await status('default', 'metadata-server')).status).toBe(403);
  });

  it.each([
    [
      'prototype keys',
      JSON.parse(`{"__proto__": {"x": 1}, "entityRef": "resource:default/a"}`),
    ],
    ['an extra field', { ...registration, url: 'http://169.254.169.254' }],
    ['a hostile location', { ...registration, location: 'us-central1/../..' }],
    ['a non-string', { ...registration, projectId: { $ne: 1 } }],
  ])('answers 400 for a registration with %s', async (_case, body) => {
    const res = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'gpu-cluster',
        }),
      )
      .send(body);
    expect(res.status).toBe(400);
  });

  // Every route shares one body limit (MAX_REQUEST_BODY, 100 kB).
  it('answers 413 for an oversized registration body', async () => {
    const res = await request(backend.server)
      .post('/api/gpu-cluster/registrations')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:scaffolder'),
          targetPluginId: 'gpu-cluster',
        }),
      )
      .send({ ...registration, owner: 'x'.repeat(110_000) });
    expect(res.status).toBe(413);
  });
});
