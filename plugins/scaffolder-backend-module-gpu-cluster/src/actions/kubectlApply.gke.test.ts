import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  denyGoogleCredentialDiscovery,
  ManualClock,
  startGkeEmulator,
  startKubeEmulator,
  writeKueueReleaseStandIn,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { createClusterManagerClient } from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import {
  actionContext,
  configFrom,
  testGuard,
  TEST_POLICY,
  loggedText,
  VALUES,
} from '../__testUtils__/actionContext';
import { createKubectlApplyAction } from './kubectlApply';
import { createStackRenderAction } from './render';

// ml-platform may use both test projects.
const guard = testGuard(
  configFrom({
    policy: {
      ...TEST_POLICY,
      groups: [
        {
          ...TEST_POLICY.groups[0],
          projects: ['e2e-project-1', 'e2e-project-2'],
        },
      ],
    },
  }),
);

denyGoogleCredentialDiscovery();
jest.setTimeout(120_000);

/**
 * The cluster the template's terraform step has just created is known only to GKE: no
 * gpuCluster.clusters entry, no kubeconfig. The action reads it from the GKE emulator and applies
 * to the Kubernetes emulator that GKE names as its endpoint.
 */
describe('gpu-cluster:kubectl:apply with credentials from GKE', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let dir: string;

  beforeAll(async () => {
    kube = await startKubeEmulator({
      fixtures: 'empty',
      clock: new ManualClock(),
      scenarios: { timings: { deploymentReadyMs: 0 }, tickIntervalMs: 50 },
    });
    gke = await startGkeEmulator({ fixtures: 'empty' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubectl-apply-gke-'));
    const address = new URL(kube.url).host;
    gke.store.seedCluster(
      { project: 'e2e-project-1', location: 'us-central1' },
      {
        name: 'e2e-gke',
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.32/28',
          privateEndpoint: address,
        },
        masterAuth: {
          clusterCaCertificate: Buffer.from(kube.caPem).toString('base64'),
        },
      },
    );
  });

  afterAll(async () => {
    await gke?.stop();
    await kube?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const gkeConfig = () => ({
    endpoint: {
      host: gke.host,
      port: gke.port,
      caData: gke.caCertPem!,
      token: gke.token!,
    },
  });

  it('applies the manifests to a cluster known only to GKE', async () => {
    const workspacePath = path.join(dir, 'workspace');
    await createStackRenderAction({ guard }).handler(
      actionContext({ input: { values: VALUES }, workspacePath }),
    );
    const config = configFrom({
      kubectl: {
        credentials: 'gke',
        kueueManifestPath: await writeKueueReleaseStandIn(
          path.join(dir, 'kueue-manifests.yaml'),
        ),
        kueueReadyTimeoutSeconds: 60,
      },
      gke: gkeConfig(),
    });
    let tokenRequests = 0;
    const action = createKubectlApplyAction({
      config,
      guard,
      gke: {
        getAccessToken: async () => {
          tokenRequests += 1;
          return kube.token;
        },
      },
    });
    const ctx = actionContext({ input: { values: VALUES }, workspacePath });
    await action.handler(ctx);

    expect(tokenRequests).toBe(1);
    const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
    expect(outputs.appliedSteps).toBeGreaterThan(3);
    expect(
      kube.client.get(
        'kueue.x-k8s.io/v1beta2',
        'ClusterQueue',
        'dws-cluster-queue',
      ),
    ).toBeDefined();
    const logged = loggedText(ctx.logger);
    expect(logged).toContain(`Credentials of e2e-gke from GKE: ${kube.url}`);
    for (const secret of [kube.token, gke.token!]) {
      expect(logged).not.toContain(secret);
      expect(JSON.stringify(outputs)).not.toContain(secret);
    }
  });

  it('says when GKE does not know the cluster yet', async () => {
    const workspacePath = path.join(dir, 'other');
    const values = {
      identity: { ...VALUES.identity, projectId: 'e2e-project-2' },
    };
    await createStackRenderAction({ guard }).handler(
      actionContext({ input: { values }, workspacePath }),
    );
    let clusterManager:
      | ReturnType<typeof createClusterManagerClient>
      | undefined;
    try {
      clusterManager = createClusterManagerClient(gkeConfig().endpoint);
      const action = createKubectlApplyAction({
        config: configFrom({ kubectl: { credentials: 'gke' } }),
        guard,
        gke: { clusterManager, getAccessToken: async () => kube.token },
      });
      await expect(
        action.handler(actionContext({ input: { values }, workspacePath })),
      ).rejects.toThrow(
        'GKE cluster e2e-gke (project e2e-project-2, location us-central1) was not found (NOT_FOUND)',
      );
    } finally {
      await clusterManager?.close();
    }
  });

  it('rejects an unknown credentials source', () => {
    expect(() => configFrom({ kubectl: { credentials: 'gcloud' } })).toThrow(
      "gpuCluster.kubectl.credentials must be 'gke' or 'config', got 'gcloud'",
    );
  });
});
