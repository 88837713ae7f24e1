import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DEMO,
  ManualClock,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import type {
  ClusterStatus,
  ComponentClusterStatus,
  WorkloadStatus,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { validateResponse } from './__testUtils__/validateResponse';

denyGoogleCredentialDiscovery();
// Two emulators and a backend start slowly on a loaded machine.
jest.setTimeout(60_000);

const demoRef = `resource:default/${DEMO.cluster}`;
const cluster = (name: string, clusterName: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'gpu-platform.dev/cluster-name': clusterName,
      'gpu-platform.dev/kueue-namespace': DEMO.queueNamespace,
      'gpu-platform.dev/ray-namespace': DEMO.rayNamespace,
    },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
});
const component = (
  name: string,
  annotations: Record<string, string>,
  dependsOn: string[] = [demoRef],
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'gpu-platform.dev/gpu-cluster': demoRef,
      'gpu-platform.dev/workload-namespace': DEMO.queueNamespace,
      'gpu-platform.dev/local-queue': DEMO.localQueue,
      ...annotations,
    },
  },
  spec: { type: 'service', owner: 'group:default/ml-team', dependsOn },
});

const entities = [
  cluster(DEMO.cluster, DEMO.cluster),
  cluster('secret-cluster', DEMO.cluster),
  component('trainer', {}),
  // Shorthand dependsOn forms name the same entity.
  component('trainer-short', {}, [`resource:${DEMO.cluster}`]),
  component('names-other', {}, ['resource:default/some-other-cluster']),
  component('other-namespace', {
    'gpu-platform.dev/workload-namespace': 'kube-system',
  }),
  component('no-such-queue', { 'gpu-platform.dev/local-queue': 'nope' }),
  component('bad-queue-name', { 'gpu-platform.dev/local-queue': '../x' }),
  component(
    'secret-user',
    { 'gpu-platform.dev/gpu-cluster': 'resource:default/secret-cluster' },
    ['resource:default/secret-cluster'],
  ),
  {
    ...component('plain', {}),
    metadata: { name: 'plain', namespace: 'default' },
  },
];

describe('the Component-scoped GPU cluster tab', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const clock = new ManualClock();

  beforeAll(async () => {
    kube = await startKubeEmulator({ fixtures: 'demo', clock });
    // Another team's Job in another namespace: Kueue gives it a Workload the Component must not see.
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    await kc.makeApiClient(BatchV1Api).createNamespacedJob({
      namespace: DEMO.rayNamespace,
      body: {
        metadata: {
          name: 'other-team',
          labels: { 'kueue.x-k8s.io/queue-name': 'other-queue' },
        },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'main', image: 'busybox:1.36' }],
            },
          },
        },
      },
    });
    kube.scenarios.engine.runFor(5000);
    gke = await startGkeEmulator({ fixtures: 'demo', clock });
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(r => ({
          result:
            'resourceRef' in r &&
            r.resourceRef === 'resource:default/secret-cluster'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })) as any,
    });
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
        permissions.factory,
        mockServices.rootConfig.factory({
          data: {
            gpuCluster: {
              statusCacheTtlSeconds: 0.001,
              gkeCacheTtlSeconds: 0.001,
              clusters: [
                {
                  name: DEMO.cluster,
                  kubernetes: {
                    url: kube.url,
                    caData: kube.caPem,
                    token: kube.token,
                  },
                  gke: {
                    projectId: DEMO.project,
                    location: DEMO.region,
                    endpoint: {
                      host: gke.host,
                      port: gke.port,
                      caData: gke.caCertPem,
                      token: gke.token,
                    },
                  },
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
    await gke?.stop();
  });

  const get = (path: string) =>
    request(backend.server).get(`/api/gpu-cluster${path}`);

  it("checks the demo cluster's fabric against GKE's node pool networks", async () => {
    const res = await get(`/clusters/default/${DEMO.cluster}/status`);
    expect(res.status).toBe(200);
    validateResponse('/clusters/{namespace}/{name}/status', 200, res.body);
    const { fabric } = res.body as ClusterStatus;
    expect(fabric).toMatchObject({ expectedFrom: 'gke', state: 'ok' });
    expect(fabric!.networks.map(n => n.expected.name)).toEqual([
      'gvnic-1',
      ...DEMO.rdmaNetworks,
    ]);
  });

  it('shows only the namespace and LocalQueue of the Component', async () => {
    for (const name of ['trainer', 'trainer-short']) {
      const res = await get(`/components/default/${name}/status`);
      expect(res.status).toBe(200);
      validateResponse('/components/{namespace}/{name}/status', 200, res.body);
      const status = res.body as ComponentClusterStatus;
      expect(status).toMatchObject({
        componentRef: `component:default/${name}`,
        clusterRef: demoRef,
        namespace: DEMO.queueNamespace,
        localQueueName: DEMO.localQueue,
      });
      expect(status.localQueue?.name).toBe(DEMO.localQueue);
      expect(status.clusterQueue?.name).toBe(DEMO.clusterQueue);
      // The demo's Ray cluster lives in another namespace.
      expect(status.rayClusters).toEqual([]);
      expect(
        status.explanations.items.every(
          e => e.namespace === DEMO.queueNamespace,
        ),
      ).toBe(true);
    }
  });

  it('pages workloads of its namespace and queue only, whatever the query asks', async () => {
    const all = await get(
      `/clusters/default/${DEMO.cluster}/workloads?limit=500`,
    );
    const everywhere = all.body.items as WorkloadStatus[];
    const res = await get(
      `/components/default/trainer/workloads?limit=500&namespace=${DEMO.rayNamespace}`,
    );
    expect(res.status).toBe(200);
    validateResponse('/components/{namespace}/{name}/workloads', 200, res.body);
    const mine = res.body.items as WorkloadStatus[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine).toEqual(
      everywhere.filter(
        w =>
          w.namespace === DEMO.queueNamespace &&
          (w.queueName === DEMO.localQueue ||
            w.clusterQueue === DEMO.localQueue),
      ),
    );
    const prs = await get(
      `/components/default/trainer/provisioningrequests?namespace=${DEMO.rayNamespace}`,
    );
    expect(prs.status).toBe(200);
    expect(
      (prs.body.items as { namespace: string }[]).every(
        p => p.namespace === DEMO.queueNamespace,
      ),
    ).toBe(true);
  });

  it('explains its own workloads only', async () => {
    const mine = await get('/components/default/trainer/workloads?limit=1');
    const [w] = mine.body.items as WorkloadStatus[];
    const res = await get(
      `/components/default/trainer/workloads/${w.namespace}/${w.name}/explain`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      namespace: w.namespace,
      workload: w.name,
    });
    const all = await get(
      `/clusters/default/${DEMO.cluster}/workloads?limit=500`,
    );
    const other = (all.body.items as WorkloadStatus[]).find(
      x =>
        x.namespace !== DEMO.queueNamespace || x.queueName !== DEMO.localQueue,
    );
    // The demo has workloads outside the Component's namespace and queue.
    expect(other).toBeDefined();
    const refused = await get(
      `/components/default/trainer/workloads/${other!.namespace}/${
        other!.name
      }/explain`,
    );
    expect(refused.status).toBe(404);
  });

  it.each([
    [
      'names-other',
      403,
      'NOT_A_DEPENDENCY',
      /does not list it in spec.dependsOn/,
    ],
    [
      'other-namespace',
      403,
      'SCOPE_NOT_ALLOWED',
      /kube-system, which resource:default\/h200-dws-demo does not serve/,
    ],
    [
      'no-such-queue',
      403,
      'SCOPE_NOT_ALLOWED',
      /no LocalQueue nope in namespace default/,
    ],
    [
      'bad-queue-name',
      400,
      'INVALID_REFERENCE',
      /gpu-platform.dev\/local-queue of component:default\/bad-queue-name/,
    ],
    [
      'secret-user',
      403,
      'PERMISSION_DENIED',
      /resource:default\/secret-cluster/,
    ],
    ['plain', 404, 'NOT_A_GPU_COMPONENT', /gpu-platform.dev\/gpu-cluster/],
    ['missing', 404, 'ENTITY_NOT_FOUND', /No Component/],
  ])('refuses %s with %s %s', async (name, code, reason, message) => {
    for (const path of ['status', 'workloads']) {
      const res = await get(`/components/default/${name}/${path}`);
      expect(res.status).toBe(code);
      expect(res.body.error.reason).toBe(reason);
      expect(res.body.error.message).toMatch(message);
      validateResponse(
        `/components/{namespace}/{name}/${path}`,
        code,
        res.body,
      );
    }
  });
});
