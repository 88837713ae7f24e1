import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterManagerClient } from '@google-cloud/container';
import {
  kubeEmulatorControlPlanes,
  type KubeControlPlanes,
} from './controlPlanes';
import {
  createEmulatorClusterManagerClient,
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  type GkeEmulator,
} from './gke';
import { createLoopbackTls } from './tls';
import { waitFor } from './kube/waitFor';

denyGoogleCredentialDiscovery();

const parent = 'projects/control-planes/locations/us-central1';

/** A client-node connection built as get-credentials builds it: endpoint and CA from GKE. */
function kubeFromGke(endpoint: string, caBase64: string, token: string) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'gke',
        server: `https://${endpoint}`,
        caData: caBase64,
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'gke', token }],
    contexts: [{ name: 'gke', cluster: 'gke', user: 'gke' }],
    currentContext: 'gke',
  });
  return kc.makeApiClient(CoreV1Api);
}

describe('control planes of created GKE clusters', () => {
  let gke: GkeEmulator;
  let client: ClusterManagerClient;
  let planes: KubeControlPlanes;
  const token = 'shared-emulator-token';
  const tls = createLoopbackTls();

  beforeAll(async () => {
    planes = kubeEmulatorControlPlanes({ token, tls });
    gke = await startGkeEmulator({
      fixtures: 'empty',
      token,
      operationStepMs: 20,
      controlPlanes: planes,
    });
    client = createEmulatorClusterManagerClient(gke);
  });

  afterAll(async () => {
    await client?.close();
    await gke?.stop();
    await planes?.stopAll();
  });

  /** Polls the operation until DONE (bounded: 250 × 20 ms). */
  async function done(operation: string | null | undefined) {
    for (let attempt = 0; attempt < 250; attempt++) {
      const [op] = await client.getOperation({
        name: `${parent}/operations/${operation}`,
      });
      if (op.status === 'DONE') return;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    throw new Error(`operation ${operation} did not finish`);
  }

  it('serves each created cluster at the endpoint and with the CA GKE reports, until it is deleted', async () => {
    const [op] = await client.createCluster({
      parent,
      cluster: {
        name: 'created',
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.32/28',
        },
      },
    });
    await done(op.name);
    const [cluster] = await client.getCluster({
      name: `${parent}/clusters/created`,
    });
    expect(cluster.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    // A private cluster's private endpoint is the one clients pick.
    expect(cluster.privateClusterConfig?.privateEndpoint).toBe(
      cluster.endpoint,
    );
    expect(
      Buffer.from(
        cluster.masterAuth!.clusterCaCertificate!,
        'base64',
      ).toString(),
    ).toBe(tls.caPem);

    const core = kubeFromGke(
      cluster.endpoint!,
      cluster.masterAuth!.clusterCaCertificate!,
      token,
    );
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map(n => n.metadata?.name)).toContain(
      'kube-system',
    );
    await core.createNamespace({ body: { metadata: { name: 'ml' } } });

    // A second cluster gets its own, empty API server.
    const [second] = await client.createCluster({
      parent,
      cluster: { name: 'second' },
    });
    await done(second.name);
    const [other] = await client.getCluster({
      name: `${parent}/clusters/second`,
    });
    expect(other.endpoint).not.toBe(cluster.endpoint);
    const otherCore = kubeFromGke(
      other.endpoint!,
      other.masterAuth!.clusterCaCertificate!,
      token,
    );
    expect(
      (await otherCore.listNamespace()).items.map(n => n.metadata?.name),
    ).not.toContain('ml');

    const [deletion] = await client.deleteCluster({
      name: `${parent}/clusters/created`,
    });
    await done(deletion.name);
    await waitFor(
      () => !planes.emulators.has(`${parent}/clusters/created`),
      5_000,
      'the control plane to stop',
    );
    await expect(core.listNamespace()).rejects.toThrow();
  });
});
