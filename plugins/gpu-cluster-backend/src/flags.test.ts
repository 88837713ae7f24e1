import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEMO,
  ManualClock,
  OUTCOME_ANNOTATION,
  QUEUE_LABEL,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import type {
  ClusterStatus,
  StatusFlag,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import request from 'supertest';
import { gpuClusterPlugin } from './plugin';
import { validateResponse } from './__testUtils__/validateResponse';
import { RAY_STUCK_MS } from './services/flags';

denyGoogleCredentialDiscovery();
jest.setTimeout(60_000);

/**
 * Each flag from the state the emulated GKE autoscaler, DWS, kubelet, KubeRay and Kueue report
 * (conditions as the upstream controllers write them), read by the backend's informers and
 * answered by `GET /status`.
 */
describe('flags for terminal and costly states, from emulated scenarios', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  // The backend ages conditions against the wall clock: starting the emulated clock an hour
  // back makes every condition older than the stuck thresholds, whatever the runs below add.
  const clock = new ManualClock(Date.now() - 4 * RAY_STUCK_MS);

  beforeAll(async () => {
    kube = await startKubeEmulator({ fixtures: 'demo', clock });
    gke = await startGkeEmulator({ fixtures: 'demo', clock });
    backend = await startTestBackend({
      features: [
        gpuClusterPlugin,
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
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: {
                name: DEMO.cluster,
                namespace: 'default',
                annotations: { 'gpu-platform.dev/cluster-name': DEMO.cluster },
              },
              spec: {
                type: 'kubernetes-cluster',
                owner: 'group:default/platform-team',
              },
            },
          ],
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await kube?.stop();
    await gke?.stop();
  });

  const getStatus = async () => {
    const res = await request(backend.server).get(
      `/api/gpu-cluster/clusters/default/${DEMO.cluster}/status`,
    );
    expect(res.status).toBe(200);
    validateResponse('/clusters/{namespace}/{name}/status', 200, res.body);
    return res.body as ClusterStatus;
  };

  /** Polls the status until a flag matches; bounded. */
  const flagFor = async (
    code: StatusFlag['code'],
    subject: string | RegExp,
  ): Promise<StatusFlag> => {
    const deadline = Date.now() + 8000;
    for (;;) {
      const status = await getStatus();
      const found = status.flags.items.find(
        f => f.code === code && new RegExp(subject).test(f.subject),
      );
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no ${code} flag for ${subject}; flags: ${JSON.stringify(
            status.flags,
          ).slice(0, 2000)}`,
        );
      await new Promise(r => setTimeout(r, 50));
    }
  };

  const submit = (name: string, outcome: string) =>
    kube.client.upsert({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: DEMO.queueNamespace,
        labels: { [QUEUE_LABEL]: DEMO.localQueue },
        annotations: { [OUTCOME_ANNOTATION]: outcome },
      },
      spec: {
        parallelism: 1,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'main',
                image: 'busybox',
                resources: { limits: { 'nvidia.com/gpu': '8' } },
              },
            ],
          },
        },
      },
    });
  const prOf = (job: string) => new RegExp(`ProvisioningRequest .*${job}-`);

  it('QuotaExceeded names the quota and region and links to the quota page', async () => {
    submit('flag-quota', 'quota-exceeded');
    kube.scenarios.engine.runFor(60_000, 5000);
    const flag = await flagFor('ProvisioningQuotaExceeded', prOf('flag-quota'));
    expect(flag).toMatchObject({
      severity: 'error',
      message: expect.stringContaining(
        `Compute Engine quota NVIDIA_H200_GPUS in region ${DEMO.region}`,
      ),
      fix: expect.stringContaining(
        `Request an increase of NVIDIA_H200_GPUS in ${DEMO.region} for project ${DEMO.project}`,
      ),
      link: {
        title: 'Quotas in the Cloud console',
        url: `https://console.cloud.google.com/iam-admin/quotas?project=${DEMO.project}`,
      },
    });
  });

  it('ResourcePoolExhausted with suggested zones tells to add those zones', async () => {
    submit('flag-stockout-zones', 'stockout-other-zones');
    kube.scenarios.engine.runFor(60_000, 5000);
    const flag = await flagFor(
      'ProvisioningResourcePoolExhausted',
      prOf('flag-stockout-zones'),
    );
    const suggested = ['a', 'c', 'f']
      .map(z => `${DEMO.region}-${z}`)
      .filter(z => z !== DEMO.zone)
      .slice(0, 2);
    expect(flag.severity).toBe('error');
    expect(flag.message).toContain(`in ${DEMO.zone}`);
    expect(flag.message).toContain(`GKE suggests ${suggested.join(', ')}`);
    expect(flag.fix).toMatch(
      new RegExp(`^Add ${suggested.join(', ')} to the node locations of`),
    );
  });

  it('ResourcePoolExhausted without suggestions tells to add zones or use flex-start', async () => {
    submit('flag-stockout', 'failed');
    kube.scenarios.engine.runFor(60_000, 5000);
    const flag = await flagFor(
      'ProvisioningResourcePoolExhausted',
      prOf('flag-stockout'),
    );
    expect(flag.message).not.toContain('suggests');
    expect(flag.fix).toContain('Add zones to the node locations');
    expect(flag.fix).toContain('flex-start without queued provisioning');
  });

  it('CapacityRevoked is an error telling to resubmit', async () => {
    submit('flag-revoked', 'capacity-revoked');
    kube.scenarios.engine.runFor(3 * 60_000, 5000);
    const flag = await flagFor(
      'ProvisioningCapacityRevoked',
      prOf('flag-revoked'),
    );
    expect(flag).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('GKE reclaimed the nodes'),
      fix: expect.stringContaining('Resubmit the job'),
    });
  });

  it('a booking that lapses shows its not-ready GPU nodes, then says the nodes may scale down', async () => {
    submit('flag-booking', 'booking-expired');
    // Provisioned: the new nodes register but never become Ready (kubelet's KubeletNotReady).
    kube.scenarios.engine.runFor(90_000, 5000);
    const notReady = await flagFor('GpuNodesNotReady', DEMO.nodePool);
    expect(notReady).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/GPU nodes not ready.*KubeletNotReady/),
      fix: expect.stringContaining('kubectl describe node'),
    });
    kube.scenarios.engine.runFor(11 * 60_000, 10_000);
    const expired = await flagFor(
      'ProvisioningBookingExpired',
      prOf('flag-booking'),
    );
    expect(expired).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('may scale down'),
      fix: expect.stringContaining('10-minute booking'),
    });
  });

  it('a GPU node whose kubelet stopped posting status is flagged with its reason', async () => {
    const node = kube.client
      .list('v1', 'Node')
      .find(
        n =>
          n.metadata.labels?.['cloud.google.com/gke-nodepool'] ===
            DEMO.nodePool &&
          n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status ===
            'True',
      )!;
    kube.scenarios.controllers!.cluster.stopKubelet(node.metadata.name);
    const status = await getStatus();
    const flag = status.flags.items.find(
      f =>
        f.code === 'GpuNodesNotReady' && f.message.includes(node.metadata.name),
    );
    expect(flag?.message).toContain(
      `${node.metadata.name} (Unknown NodeStatusUnknown: Kubelet stopped posting node status.)`,
    );
    // Errors first, the node pool's not-ready nodes before quota and stockouts.
    const severities = status.flags.items.map(f => f.severity);
    expect(severities).toEqual(
      [...severities].sort(
        (a, b) =>
          ['error', 'warning', 'info'].indexOf(a) -
          ['error', 'warning', 'info'].indexOf(b),
      ),
    );
    expect(status.flags.items[0].code).toBe('ProvisioningCapacityRevoked');
  });

  it('a RayCluster whose head cannot be scheduled is flagged with the scheduler message', async () => {
    kube.client.upsert({
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'flag-no-head', namespace: DEMO.rayNamespace },
      spec: {
        headGroupSpec: {
          rayStartParams: {},
          template: {
            spec: {
              nodeSelector: { 'cloud.google.com/gke-nodepool': 'no-such-pool' },
              containers: [
                { name: 'ray-head', image: 'rayproject/ray:2.49.0' },
              ],
            },
          },
        },
      },
    });
    kube.scenarios.engine.runFor(5000);
    const flag = await flagFor(
      'RayHeadNotReady',
      `RayCluster ${DEMO.rayNamespace}/flag-no-head`,
    );
    expect(flag.severity).toBe('warning');
    expect(flag.message).toMatch(
      /its pod cannot be scheduled: 0\/\d+ nodes are available: .*node affinity\/selector/,
    );
    expect(flag.fix).toContain('node selector');
  });

  it('a Kueue-managed RayCluster whose workers cannot get a flavor is flagged with the flavor', async () => {
    kube.client.upsert({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'ClusterQueue',
      metadata: { name: 'flag-small' },
      spec: {
        namespaceSelector: {},
        resourceGroups: [
          {
            coveredResources: ['nvidia.com/gpu'],
            flavors: [
              {
                name: DEMO.resourceFlavor,
                resources: [{ name: 'nvidia.com/gpu', nominalQuota: 8 }],
              },
            ],
          },
        ],
      },
    });
    kube.client.upsert({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'LocalQueue',
      metadata: { name: 'flag-small', namespace: DEMO.rayNamespace },
      spec: { clusterQueue: 'flag-small' },
    });
    kube.client.upsert({
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: {
        name: 'flag-big-workers',
        namespace: DEMO.rayNamespace,
        labels: { [QUEUE_LABEL]: 'flag-small' },
      },
      spec: {
        headGroupSpec: {
          rayStartParams: {},
          template: {
            spec: {
              containers: [
                { name: 'ray-head', image: 'rayproject/ray:2.49.0' },
              ],
            },
          },
        },
        workerGroupSpecs: [
          {
            groupName: 'gpu-workers',
            replicas: 2,
            rayStartParams: {},
            template: {
              spec: {
                containers: [
                  {
                    name: 'ray-worker',
                    image: 'rayproject/ray:2.49.0',
                    resources: { limits: { 'nvidia.com/gpu': '8' } },
                  },
                ],
              },
            },
          },
        ],
      },
    });
    kube.scenarios.engine.runFor(5000);
    const flag = await flagFor(
      'RayWorkersPendingOnFlavor',
      `RayCluster ${DEMO.rayNamespace}/flag-big-workers`,
    );
    expect(flag.severity).toBe('warning');
    expect(flag.message).toContain(`Worker group gpu-workers has waited`);
    expect(flag.message).toContain(
      `in flavor ${DEMO.resourceFlavor}: insufficient quota for nvidia.com/gpu in flavor ${DEMO.resourceFlavor}`,
    );
    expect(flag.fix).toContain(
      `raise flavor ${DEMO.resourceFlavor}'s nominal quota`,
    );
  });
});
